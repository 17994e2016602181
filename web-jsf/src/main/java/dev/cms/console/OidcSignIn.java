package dev.cms.console;

import jakarta.annotation.security.DeclareRoles;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.security.enterprise.authentication.mechanism.http.OpenIdAuthenticationMechanismDefinition;
import jakarta.security.enterprise.authentication.mechanism.http.openid.ClaimsDefinition;

/**
 * Sign-in through the company's OpenID Connect provider (authorization code flow, Jakarta
 * Security's mechanism as Payara ships it). Active only when {@code CMS_OIDC_PROVIDER_URI} is set
 * ({@link SignInMode}); its settings come from {@link OidcSettings}. The provider's tokens are
 * checked by the mechanism's own identity store; {@link OidcGatewayStore} then signs the user in at
 * the gateway and maps the role claim to the console's roles.
 */
@ApplicationScoped
@DeclareRoles({"user", "admin"})
@OpenIdAuthenticationMechanismDefinition(
    providerURI = "${oidcSettings.providerUri}",
    clientId = "${oidcSettings.clientId}",
    clientSecret = "${oidcSettings.clientSecret}",
    redirectURI = "${oidcSettings.redirectUri}",
    redirectToOriginalResource = false,
    scopeExpression = "${oidcSettings.scopes}",
    claimsDefinition = @ClaimsDefinition(callerNameClaim = "${oidcSettings.nameClaim}"))
public class OidcSignIn {}
