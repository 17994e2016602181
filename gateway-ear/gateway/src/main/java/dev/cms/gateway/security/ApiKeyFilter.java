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

/**
 * Every {@code /api} call needs {@code Authorization: Bearer <key>}: a service key of {@code
 * CMS_API_KEYS} (or the generated one), or a credential a user owns (an API key they made, or the
 * session token the console holds for them).
 */
@Provider
@Priority(Priorities.AUTHENTICATION)
public class ApiKeyFilter implements ContainerRequestFilter {

  @Inject ApiKeys keys;
  @Inject Caller caller;
  @Inject CredentialResolver users;

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
    String presented = header.substring(7).strip();
    Optional<String> id = keys.callerOf(presented);
    if (id.isPresent()) {
      caller.authenticate(id.get());
      return;
    }
    Optional<UserPrincipal> user = users.resolve(presented);
    if (user.isEmpty()) {
      abort(request, "unknown, revoked or expired API key", instance);
      return;
    }
    caller.authenticate(user.get());
  }

  private static void abort(ContainerRequestContext request, String detail, String instance) {
    var response = Problem.response(401, "Unauthorized", detail, instance);
    response.getHeaders().add(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"cms\"");
    request.abortWith(response);
  }
}
