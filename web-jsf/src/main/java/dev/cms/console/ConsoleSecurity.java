package dev.cms.console;

import jakarta.annotation.security.DeclareRoles;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.security.enterprise.authentication.mechanism.http.CustomFormAuthenticationMechanismDefinition;
import jakarta.security.enterprise.authentication.mechanism.http.LoginToContinue;
import jakarta.servlet.http.HttpServletRequest;

/**
 * How people sign in to the console: Jakarta Security's custom form mechanism (the sign-in page
 * {@code signin.xhtml} calls {@code SecurityContext.authenticate}) over {@link
 * GatewayIdentityStore}. The roles are {@code user} and {@code admin}; {@code web.xml} says which
 * pages need which.
 *
 * <p>The container authenticates before any filter runs, so a protected page requested under a
 * foreign {@code Host} would be answered with a redirect to the sign-in page before the Host guard
 * could refuse it. For such a request the mechanism forwards instead ({@link #isMisdirected()}),
 * and the guard, mapped to forwards too, answers 421. Other requests are redirected to the sign-in
 * page.
 *
 * <p>OpenID Connect (a later part of issue 10) replaces this annotation with {@code
 * OpenIdAuthenticationMechanismDefinition} when {@code CMS_OIDC_*} is set; the identity store then
 * maps the token's subject to a gateway user instead of checking a password.
 */
@Named
@ApplicationScoped
@DeclareRoles({"user", "admin"})
@CustomFormAuthenticationMechanismDefinition(
    loginToContinue =
        @LoginToContinue(
            loginPage = "/signin.xhtml",
            errorPage = "",
            useForwardToLogin = false,
            useForwardToLoginExpression = "#{consoleSecurity.misdirected}"))
public class ConsoleSecurity {

  @Inject HttpServletRequest request;
  @Inject ConsoleSettings settings;

  /** Whether the current request names a {@code Host} the console does not answer for. */
  public boolean isMisdirected() {
    return !settings
        .hostPolicy()
        .allows(request.getHeader("Host"), request.getLocalPort(), request.isSecure());
  }
}
