package dev.cms.console;

import dev.cms.client.CmsApiException;
import dev.cms.client.Session;
import dev.cms.client.SignIn;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.security.enterprise.credential.UsernamePasswordCredential;
import jakarta.security.enterprise.identitystore.CredentialValidationResult;
import jakarta.security.enterprise.identitystore.IdentityStore;
import java.util.Set;

/**
 * The console's Jakarta Security identity store: checks a user's name and password against the
 * gateway ({@code POST /api/v1/sessions} with the console's service key), which answers the user's
 * role and a session token. The token goes into the server-side {@link UserSession}; the groups
 * ({@code user}, and {@code admin} for admins) become the caller's roles.
 */
@ApplicationScoped
public class GatewayIdentityStore implements IdentityStore {

  @Inject Gateway gateway;
  @Inject UserSession session;
  @Inject SignInOutcome outcome;

  public CredentialValidationResult validate(UsernamePasswordCredential credential) {
    try {
      Session s =
          gateway
              .asService()
              .sessions()
              .open(new SignIn(credential.getCaller(), credential.getPasswordAsString()));
      Set<String> roles = session.signedIn(s);
      return new CredentialValidationResult(s.name(), roles);
    } catch (CmsApiException e) {
      outcome.refuse(
          switch (e.status()) {
            case 401 -> "Wrong user name or password.";
            case 429 -> "Too many failed sign-ins: " + e.detail() + ".";
            default -> "Sign-in is not possible right now: " + e.reason();
          });
      return CredentialValidationResult.INVALID_RESULT;
    }
  }
}
