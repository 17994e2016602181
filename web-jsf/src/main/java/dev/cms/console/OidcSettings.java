package dev.cms.console;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Sign-in through an OpenID Connect provider ({@code CMS_OIDC_*}); {@link OidcSignIn}'s annotation
 * reads these by EL ({@code oidcSettings}). Without {@code CMS_OIDC_PROVIDER_URI} the console signs
 * users in with its own form ({@link SignInMode}).
 */
@Named
@ApplicationScoped
public class OidcSettings {

  static final String PROVIDER_URI = "cms.oidc.provider.uri";

  @Inject
  @ConfigProperty(name = PROVIDER_URI)
  Optional<String> providerUri;

  @Inject
  @ConfigProperty(name = "cms.oidc.client.id")
  Optional<String> clientId;

  @Inject
  @ConfigProperty(name = "cms.oidc.client.secret")
  Optional<String> clientSecret;

  @Inject
  @ConfigProperty(name = "cms.oidc.redirect.uri")
  Optional<String> redirectUri;

  @Inject
  @ConfigProperty(name = "cms.oidc.name.claim", defaultValue = "preferred_username")
  String nameClaim;

  @Inject
  @ConfigProperty(name = "cms.oidc.scopes", defaultValue = "openid profile email")
  String scopes;

  @Inject
  @ConfigProperty(name = "cms.public.url")
  Optional<String> publicUrl;

  /** Whether {@code CMS_OIDC_PROVIDER_URI} is set (read before CDI beans exist, too). */
  static boolean configured() {
    Config c = ConfigProvider.getConfig(SignInMode.class.getClassLoader());
    return c.getOptionalValue(PROVIDER_URI, String.class).filter(s -> !s.isBlank()).isPresent();
  }

  /** Whether the console signs users in through the provider (for the sign-in page). */
  public boolean isEnabled() {
    return !getProviderUri().isEmpty();
  }

  public String getProviderUri() {
    return providerUri.map(String::strip).orElse("");
  }

  public String getClientId() {
    return clientId.map(String::strip).orElse("");
  }

  public String getClientSecret() {
    return clientSecret.orElse("");
  }

  /**
   * Where the provider sends the browser back: {@code CMS_OIDC_REDIRECT_URI}, else {@code
   * CMS_PUBLIC_URL/console/Callback}, else the request's own base URL (fine on localhost; behind a
   * proxy set one of the two, since providers accept only registered redirect URIs).
   */
  public String getRedirectUri() {
    return redirectUri
        .filter(s -> !s.isBlank())
        .or(() -> publicUrl.filter(s -> !s.isBlank()).map(u -> strip(u) + "/console/Callback"))
        .orElse("${baseURL}/Callback");
  }

  public String getNameClaim() {
    return nameClaim.strip();
  }

  public String getScopes() {
    return scopes.strip();
  }

  private static String strip(String url) {
    String u = url.strip();
    return u.endsWith("/") ? u.substring(0, u.length() - 1) : u;
  }
}
