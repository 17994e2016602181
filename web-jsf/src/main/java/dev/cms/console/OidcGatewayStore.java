package dev.cms.console;

import dev.cms.client.CmsApiException;
import dev.cms.client.FederatedSignIn;
import dev.cms.client.Session;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.security.enterprise.identitystore.CredentialValidationResult;
import jakarta.security.enterprise.identitystore.IdentityStore;
import jakarta.security.enterprise.identitystore.openid.OpenIdContext;
import jakarta.servlet.http.HttpServletRequest;
import java.util.EnumSet;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * After the OpenID Connect mechanism's own store has checked the provider's tokens, this store
 * signs the user in at the gateway (created at their first sign-in, keyed by issuer and subject)
 * and answers the console's roles: {@code user}, and {@code admin} when the role claim ({@code
 * CMS_OIDC_ROLE_CLAIM}) carries one of {@code CMS_OIDC_ADMIN_VALUES}. When the gateway refuses (the
 * name belongs to a local user, the user quota is full) the caller gets no role, and the console's
 * pages answer 403 with the reason.
 */
@ApplicationScoped
public class OidcGatewayStore implements IdentityStore {

  private static final Logger LOG = Logger.getLogger(OidcGatewayStore.class.getName());

  @Inject OpenIdContext openId;
  @Inject Gateway gateway;
  @Inject UserSession session;
  @Inject HttpServletRequest request;

  @Override
  public Set<ValidationType> validationTypes() {
    return EnumSet.of(ValidationType.PROVIDE_GROUPS);
  }

  @Override
  public Set<String> getCallerGroups(CredentialValidationResult result) {
    String name = result.getCallerPrincipal().getName();
    try {
      Session s =
          gateway
              .asService()
              .sessions()
              .openFederated(new FederatedSignIn(openId.getIdentityToken().getToken()));
      request.changeSessionId(); // before the identity is attached to the session
      return session.signedIn(s);
    } catch (CmsApiException e) {
      LOG.log(
          Level.WARNING,
          () -> "OpenID Connect sign-in of '" + name + "' refused by the gateway: " + e.detail());
      session.refused("Signed in at your identity provider, but not here: " + e.detail());
      return Set.of();
    }
  }
}
