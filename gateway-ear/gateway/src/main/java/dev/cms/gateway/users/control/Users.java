package dev.cms.gateway.users.control;

import dev.cms.domain.http.SignInThrottle;
import dev.cms.gateway.config.Settings;
import dev.cms.gateway.persistence.Database;
import dev.cms.gateway.problems.ApiException;
import dev.cms.gateway.security.Secrets;
import dev.cms.gateway.users.entity.Role;
import dev.cms.gateway.users.entity.UserAccount;
import dev.cms.gateway.users.entity.UserCredential;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
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

  static final int MIN_PASSWORD = 10;
  static final int MAX_PASSWORD = 200;

  @Inject Database db;
  @Inject Settings settings;
  @Inject Pbkdf2PasswordHash hash;

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
    return db.tx(
        em -> {
          long count = em.createNamedQuery(UserAccount.COUNT, Long.class).getSingleResult();
          if (count >= settings.maxUsers()) {
            throw ApiException.tooManyRequests(
                    "the gateway keeps at most " + settings.maxUsers() + " users (CMS_MAX_USERS)")
                .withRule("user-quota");
          }
          if (!em.createNamedQuery(UserAccount.BY_NAME, UserAccount.class)
              .setParameter("name", n)
              .getResultList()
              .isEmpty()) {
            throw ApiException.conflict("a user named '" + n + "' exists").withRule("user-exists");
          }
          UserAccount u = new UserAccount("u-" + Secrets.id(16), n, hashed, r, Instant.now());
          em.persist(u);
          return UserView.of(u);
        });
  }

  /** Every user, by name. */
  public List<UserView> list() {
    return db.tx(
        em ->
            em.createNamedQuery(UserAccount.ALL, UserAccount.class).getResultList().stream()
                .map(UserView::of)
                .toList());
  }

  /**
   * Removes a user and every credential of theirs (their containers stay until their timeouts end
   * them); 404 when unknown.
   */
  public void delete(String id) {
    db.run(
        em -> {
          UserAccount u = em.find(UserAccount.class, id);
          if (u == null) {
            throw ApiException.notFound("no user '" + id + "'");
          }
          em.createNamedQuery(UserCredential.DELETE_BY_USER)
              .setParameter("user", id)
              .executeUpdate();
          em.remove(u);
        });
  }

  /** The user named {@code name}. */
  public Optional<UserAccount> byName(String name) {
    return db.tx(
        em ->
            em.createNamedQuery(UserAccount.BY_NAME, UserAccount.class)
                .setParameter("name", name)
                .getResultStream()
                .findFirst());
  }

  /** The user with id {@code id}. */
  public Optional<UserAccount> byId(String id) {
    return Optional.ofNullable(db.tx(em -> em.find(UserAccount.class, id)));
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
