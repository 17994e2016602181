package dev.cms.gateway.users.control;

import dev.cms.domain.http.SignInThrottle;
import dev.cms.gateway.config.Settings;
import dev.cms.gateway.problems.ApiException;
import dev.cms.gateway.security.Secrets;
import dev.cms.gateway.users.entity.Role;
import dev.cms.gateway.users.entity.UserAccount;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.security.enterprise.identitystore.Pbkdf2PasswordHash;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** The users: created and removed by admins, their passwords checked at sign-in. */
@ApplicationScoped
public class Users {

  /** Lower-case letters, digits, dot, dash and underscore; a letter first; 2–32 characters. */
  static final Pattern NAME = Pattern.compile("[a-z][a-z0-9._-]{1,31}");

  public static final int MIN_PASSWORD = 10;
  public static final int MAX_PASSWORD = 200;

  @Inject UserStore store;
  @Inject Settings settings;
  @Inject Pbkdf2PasswordHash hash;
  @Inject Event<UserRemoved> removals;

  private SignInThrottle perName;
  private String decoy;

  @PostConstruct
  void init() {
    // OWASP's 2023 advice for PBKDF2-HMAC-SHA512
    hash.initialize(
        Map.of(
            "Pbkdf2PasswordHash.Algorithm", "PBKDF2WithHmacSHA512",
            "Pbkdf2PasswordHash.Iterations", "210000",
            "Pbkdf2PasswordHash.SaltSizeBytes", "32",
            "Pbkdf2PasswordHash.KeySizeBytes", "64"));
    perName = new SignInThrottle(settings.signInFailuresPerName(), settings.signInWindow(), 10_000);
    // checked against for unknown names, so a wrong name costs as long as a wrong password
    decoy = hash.generate(Secrets.token(24).toCharArray());
  }

  /** A signed-in user as {@link #signIn} found them. */
  public record Account(String id, String name, Role role) {}

  /**
   * Checks a user's password.
   *
   * @throws ApiException 429 while the name has failed too often, 401 on a wrong name or password
   */
  public Account signIn(String name, String password) {
    String key = name == null ? "" : name.strip().toLowerCase(java.util.Locale.ROOT);
    Instant now = Instant.now();
    Optional<Duration> wait = perName.blocked(key, now);
    if (wait.isPresent()) {
      throw ApiException.tooManyRequests(
              "too many failed sign-ins for '"
                  + key
                  + "'; try again in "
                  + Math.max(1, wait.get().toSeconds())
                  + " s")
          .withRule("sign-in-rate");
    }
    Optional<UserAccount> user = key.isEmpty() ? Optional.empty() : byName(key);
    char[] presented = password == null ? new char[0] : password.toCharArray();
    boolean ok = hash.verify(presented, user.map(UserAccount::passwordHash).orElse(decoy));
    if (!ok || user.isEmpty() || password == null || password.length() > MAX_PASSWORD) {
      perName.failed(key, now);
      throw new ApiException(401, "Unauthorized", "wrong user name or password", null)
          .withRule("bad-credentials");
    }
    perName.succeeded(key);
    UserAccount u = user.get();
    return new Account(u.id(), u.name(), u.role());
  }

  /**
   * Names from an identity provider: lower-case letters, digits and {@code . _ @ + -}, a letter or
   * digit first, up to 64 characters (an e-mail address fits).
   */
  static final Pattern FEDERATED_NAME = Pattern.compile("[a-z0-9][a-z0-9._@+-]{0,63}");

  /**
   * Signs in a user whose ID token {@link IdTokens} checked: the user named by its issuer and
   * subject, created at their first sign-in; their role is the one the provider gives now.
   *
   * @throws ApiException 400 on a bad name, 409 when the name belongs to another user (a local one,
   *     or another subject's), 429 when the user quota is reached
   */
  public Account signInFederated(IdTokens.Identity identity) {
    String issuer = identity.issuer();
    String subject = identity.subject();
    String name = identity.name();
    if (issuer == null || issuer.isBlank() || issuer.length() > 500) {
      throw ApiException.badRequest("issuer must be the provider's issuer URI (≤ 500 characters)")
          .withRule("bad-issuer");
    }
    if (subject == null || subject.isBlank() || subject.length() > 255) {
      throw ApiException.badRequest("subject must be 1 to 255 characters").withRule("bad-subject");
    }
    String n = name == null ? "" : name.strip().toLowerCase(java.util.Locale.ROOT);
    if (!FEDERATED_NAME.matcher(n).matches()) {
      throw ApiException.badRequest(
              "the provider's user name must be 1 to 64 lower-case letters, digits or '. _ @ + -';"
                  + " was '"
                  + n
                  + "'")
          .withRule("bad-user-name");
    }
    Role r = identity.admin() ? Role.ADMIN : Role.USER;
    // a password nobody knows: a federated user never signs in with one
    String unusable = hash.generate(Secrets.token(32).toCharArray());
    return store.signInFederated(issuer, subject, n, r, unusable, settings.maxUsers());
  }

  /** Creates a user; 400 on a bad name, password or role, 409 when the name is taken. */
  public UserView create(String name, String password, String role) {
    String n = name == null ? "" : name.strip();
    if (!NAME.matcher(n).matches()) {
      throw ApiException.badRequest(
              "a user name is 2 to 32 lower-case letters, digits, '.', '-' or '_', starting with"
                  + " a letter; was '"
                  + n
                  + "'")
          .withRule("bad-user-name");
    }
    checkPassword(password);
    Role r;
    try {
      r = Role.of(role == null || role.isBlank() ? "user" : role);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage()).withRule("bad-role");
    }
    String hashed = hash.generate(password.toCharArray());
    return store.create(n, hashed, r, settings.maxUsers());
  }

  /** Every user, by name. */
  public List<UserView> list() {
    return store.list();
  }

  /**
   * Removes a user and every credential of theirs (their containers stay until their timeouts end
   * them; their snapshots go, by {@link UserRemoved}); 404 when unknown.
   */
  public void delete(String id) {
    store.delete(id);
    removals.fire(new UserRemoved(id));
  }

  /** The user named {@code name}. */
  public Optional<UserAccount> byName(String name) {
    return store.byName(name);
  }

  /** The user with id {@code id}. */
  public Optional<UserAccount> byId(String id) {
    return store.byId(id);
  }

  /** Creates the first admin with a given password (start-up only). */
  UserView createAdmin(String name, String password) {
    return create(name, password, Role.ADMIN.wire());
  }

  private static void checkPassword(String password) {
    if (password == null
        || password.length() < MIN_PASSWORD
        || password.length() > MAX_PASSWORD
        || password.isBlank()) {
      throw ApiException.badRequest(
              "a password has "
                  + MIN_PASSWORD
                  + " to "
                  + MAX_PASSWORD
                  + " characters"
                  + (password == null ? "" : "; this one has " + password.length()))
          .withRule("bad-password");
    }
  }
}
