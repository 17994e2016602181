package dev.cms.gateway.users.control;

import dev.cms.gateway.config.Settings;
import dev.cms.gateway.persistence.SchemaMigrations;
import dev.cms.gateway.problems.ApiException;
import dev.cms.gateway.security.CredentialResolver;
import dev.cms.gateway.security.Secrets;
import dev.cms.gateway.security.UserPrincipal;
import dev.cms.gateway.users.entity.Role;
import dev.cms.gateway.users.entity.UserAccount;
import dev.cms.gateway.users.entity.UserCredential;
import dev.cms.gateway.users.entity.UserCredential.Kind;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The credentials users own: API keys ({@code cmsk_…}, made in the console, shown once) and session
 * tokens ({@code cmss_…}, minted at sign-in for the console). Stored as SHA-256 hashes; each
 * resolves to its user for {@code security.ApiKeyFilter}.
 */
@ApplicationScoped
public class Credentials implements CredentialResolver {

  static final String KEY_PREFIX = "cmsk_";
  static final String SESSION_PREFIX = "cmss_";
  static final int TOKEN_CHARS = 40;
  static final int SHOWN_CHARS = 12;
  public static final int MAX_LABEL = 100;

  /** A used credential's last use is written at most this often. */
  static final Duration LAST_USE_WRITE_INTERVAL = Duration.ofSeconds(30);

  @PersistenceContext(unitName = "cms")
  EntityManager em;

  @Inject SchemaMigrations schema;
  @Inject Settings settings;

  @PostConstruct
  void init() {
    schema.version();
  }

  /** A session token minted at sign-in, and when it ends. */
  public record Session(String token, Instant expiresAt) {}

  /** Mints the session token the console holds for a user until sign-out (or expiry). */
  @Transactional
  public Session openSession(String userId) {
    String token = SESSION_PREFIX + Secrets.token(TOKEN_CHARS);
    Instant now = Instant.now();
    Instant expires = now.plus(settings.userSessionLifetime());
    em.createNamedQuery(UserCredential.DELETE_EXPIRED).setParameter("now", now).executeUpdate();
    em.persist(
        new UserCredential(
            "s-" + Secrets.id(16),
            userId,
            Kind.SESSION,
            null,
            token.substring(0, SHOWN_CHARS),
            Secrets.hash(token),
            now,
            expires));
    return new Session(token, expires);
  }

  /** Ends a session (sign-out); nothing when it is already gone. */
  @Transactional
  public void closeSession(String credentialId) {
    UserCredential c = em.find(UserCredential.class, credentialId);
    if (c != null && c.kind() == Kind.SESSION) {
      em.remove(c);
    }
  }

  /** Makes an API key for a user; the answer is the only place the key is ever shown. */
  @Transactional
  public KeyView createKey(String userId, String label) {
    String l = label == null ? "" : label.strip();
    if (l.length() > MAX_LABEL || l.chars().anyMatch(Character::isISOControl)) {
      throw ApiException.badRequest(
              "a key's label has at most " + MAX_LABEL + " characters and no control characters")
          .withRule("bad-label");
    }
    String key = KEY_PREFIX + Secrets.token(TOKEN_CHARS);
    Instant now = Instant.now();
    int held =
        em.createNamedQuery(UserCredential.BY_USER_AND_KIND, UserCredential.class)
            .setParameter("user", userId)
            .setParameter("kind", Kind.API_KEY)
            .getResultList()
            .size();
    if (held >= settings.maxApiKeysPerUser()) {
      throw ApiException.tooManyRequests(
              "a user holds at most "
                  + settings.maxApiKeysPerUser()
                  + " API keys (CMS_MAX_API_KEYS_PER_USER); revoke one first")
          .withRule("key-quota");
    }
    UserCredential c =
        new UserCredential(
            "k-" + Secrets.id(16),
            userId,
            Kind.API_KEY,
            l.isEmpty() ? null : l,
            key.substring(0, SHOWN_CHARS),
            Secrets.hash(key),
            now,
            null);
    em.persist(c);
    return KeyView.of(c, key);
  }

  /** A user's API keys, newest first (prefixes only). */
  @Transactional
  public List<KeyView> keys(String userId) {
    return em
        .createNamedQuery(UserCredential.BY_USER_AND_KIND, UserCredential.class)
        .setParameter("user", userId)
        .setParameter("kind", Kind.API_KEY)
        .getResultList()
        .stream()
        .map(c -> KeyView.of(c, null))
        .toList();
  }

  /** Revokes one of a user's API keys; 404 when it is not theirs. */
  @Transactional
  public void revokeKey(String userId, String keyId) {
    UserCredential c = em.find(UserCredential.class, keyId);
    if (c == null || c.kind() != Kind.API_KEY || !c.userId().equals(userId)) {
      throw ApiException.notFound("no API key '" + keyId + "' of yours");
    }
    em.remove(c);
  }

  @Override
  @Transactional
  public Optional<UserPrincipal> resolve(String token) {
    if (token == null
        || !(token.startsWith(KEY_PREFIX) || token.startsWith(SESSION_PREFIX))
        || token.length() != KEY_PREFIX.length() + TOKEN_CHARS) {
      return Optional.empty();
    }
    String hash = Secrets.hash(token);
    Instant now = Instant.now();
    Optional<UserCredential> found =
        em.createNamedQuery(UserCredential.BY_HASH, UserCredential.class)
            .setParameter("hash", hash)
            .getResultStream()
            .findFirst();
    if (found.isEmpty() || found.get().expired(now)) {
      return Optional.empty();
    }
    UserCredential c = found.get();
    UserAccount u = em.find(UserAccount.class, c.userId());
    if (u == null) {
      return Optional.empty();
    }
    if (c.lastUsedAt() == null
        || Duration.between(c.lastUsedAt(), now).compareTo(LAST_USE_WRITE_INTERVAL) > 0) {
      c.used(now);
    }
    return Optional.of(
        new UserPrincipal(
            u.id(), u.name(), u.role() == Role.ADMIN, c.id(), c.kind() == Kind.SESSION));
  }
}
