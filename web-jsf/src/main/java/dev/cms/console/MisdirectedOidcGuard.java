package dev.cms.console;

import jakarta.annotation.Priority;
import jakarta.decorator.Decorator;
import jakarta.decorator.Delegate;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import jakarta.security.enterprise.AuthenticationException;
import jakarta.security.enterprise.AuthenticationStatus;
import jakarta.security.enterprise.authentication.mechanism.http.HttpAuthenticationMechanism;
import jakarta.security.enterprise.authentication.mechanism.http.HttpMessageContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The container authenticates before any filter runs, so the OpenID Connect mechanism would send a
 * request under a foreign {@code Host} to the provider, with a redirect URI built from that host,
 * before the Host guard could refuse it. This decorator answers such a request 421 itself (only in
 * OpenID Connect mode; the form mode forwards to the guard instead, see {@link ConsoleSecurity}).
 */
@Decorator
@Priority(Interceptor.Priority.APPLICATION)
public abstract class MisdirectedOidcGuard implements HttpAuthenticationMechanism {

  @Inject @Delegate HttpAuthenticationMechanism delegate;
  @Inject ConsoleSettings settings;

  @Override
  public AuthenticationStatus validateRequest(
      HttpServletRequest request, HttpServletResponse response, HttpMessageContext context)
      throws AuthenticationException {
    if (settings
        .hostPolicy()
        .allows(request.getHeader("Host"), request.getLocalPort(), request.isSecure())) {
      return delegate.validateRequest(request, response, context);
    }
    try {
      ConsoleStartup.HostGuard.misdirected(response);
      response.flushBuffer();
    } catch (IOException e) {
      throw new AuthenticationException(e);
    }
    return AuthenticationStatus.SEND_CONTINUE;
  }
}
