package dev.cms.console;

import jakarta.decorator.Decorator;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.enterprise.inject.spi.ProcessAnnotatedType;
import jakarta.enterprise.inject.spi.WithAnnotations;
import jakarta.security.enterprise.authentication.mechanism.http.CustomFormAuthenticationMechanismDefinition;
import jakarta.security.enterprise.authentication.mechanism.http.OpenIdAuthenticationMechanismDefinition;
import jakarta.security.enterprise.identitystore.IdentityStore;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Chooses the console's one sign-in mechanism at deployment (Jakarta Security 3 allows one per
 * application): the form over the gateway's users, or OpenID Connect when {@code
 * CMS_OIDC_PROVIDER_URI} is set. The classes of the other one are vetoed, so they never become
 * beans and their annotations are never seen.
 */
public class SignInMode implements Extension {

  private static final Logger LOG = Logger.getLogger(SignInMode.class.getName());

  private static final Set<Class<?>> FORM =
      Set.of(ConsoleSecurity.class, GatewayIdentityStore.class);
  private static final Set<Class<?>> OIDC =
      Set.of(OidcSignIn.class, OidcGatewayStore.class, MisdirectedOidcGuard.class);

  private Boolean oidc;

  /** The mechanisms' classes: each carries a mechanism definition or is a decorator. */
  void mechanisms(
      @Observes
          @WithAnnotations({
            CustomFormAuthenticationMechanismDefinition.class,
            OpenIdAuthenticationMechanismDefinition.class,
            Decorator.class
          })
          ProcessAnnotatedType<?> pat) {
    pick(pat);
  }

  /** The identity stores. */
  void stores(@Observes ProcessAnnotatedType<? extends IdentityStore> pat) {
    pick(pat);
  }

  private void pick(ProcessAnnotatedType<?> pat) {
    Class<?> type = pat.getAnnotatedType().getJavaClass();
    if (!FORM.contains(type) && !OIDC.contains(type)) {
      return;
    }
    if (oidc == null) {
      oidc = OidcSettings.configured();
      LOG.info(
          oidc
              ? "console sign-in: OpenID Connect (CMS_OIDC_PROVIDER_URI)"
              : "console sign-in: the console's form over the gateway's users");
    }
    if (oidc ? FORM.contains(type) : OIDC.contains(type)) {
      pat.veto();
    }
  }
}
