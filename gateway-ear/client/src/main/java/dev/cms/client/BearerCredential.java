package dev.cms.client;

import jakarta.ws.rs.client.ClientRequestContext;
import jakarta.ws.rs.client.ClientRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import java.util.function.Supplier;

/**
 * Adds {@code Authorization: Bearer <credential>} to every call, asking the supplier each time (a
 * console asks its signed-in user's session); a call without a credential is refused here, as 401.
 */
final class BearerCredential implements ClientRequestFilter {

  private final Supplier<String> credential;

  BearerCredential(Supplier<String> credential) {
    this.credential = credential;
  }

  @Override
  public void filter(ClientRequestContext request) {
    String c = credential.get();
    if (c == null || c.isBlank()) {
      throw CmsApiException.of(401, "not signed in: no credential for the gateway", null);
    }
    request.getHeaders().putSingle(HttpHeaders.AUTHORIZATION, "Bearer " + c.strip());
  }
}
