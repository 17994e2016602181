package dev.cms.gateway.security;

import dev.cms.gateway.problems.Problem;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;
import java.util.Optional;

/** Every {@code /api} call needs {@code Authorization: Bearer <key>} with a configured key. */
@Provider
@Priority(Priorities.AUTHENTICATION)
public class ApiKeyFilter implements ContainerRequestFilter {

  @Inject ApiKeys keys;
  @Inject Caller caller;

  @Override
  public void filter(ContainerRequestContext request) {
    String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
    String instance = request.getUriInfo().getRequestUri().getPath();
    if (header == null || header.isBlank()) {
      abort(request, "missing 'Authorization: Bearer <api key>' header", instance);
      return;
    }
    if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      abort(request, "the Authorization header must use the Bearer scheme", instance);
      return;
    }
    Optional<String> id = keys.callerOf(header.substring(7).strip());
    if (id.isEmpty()) {
      abort(request, "unknown API key", instance);
      return;
    }
    caller.authenticate(id.get());
  }

  private static void abort(ContainerRequestContext request, String detail, String instance) {
    var response = Problem.response(401, "Unauthorized", detail, instance);
    response.getHeaders().add(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"cms\"");
    request.abortWith(response);
  }
}
