package dev.cms.gateway.users.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Objects;

/**
 * A credential a user owns: an API key they made, or a session token the console holds for them.
 * Only the token's SHA-256 and its first characters (to recognise it in a list) are kept.
 */
@Entity
@Table(name = "user_credential")
@NamedQuery(
    name = UserCredential.BY_HASH,
    query = "SELECT c FROM UserCredential c WHERE c.tokenHash = :hash")
@NamedQuery(
    name = UserCredential.BY_USER_AND_KIND,
    query =
        "SELECT c FROM UserCredential c WHERE c.userId = :user AND c.kind = :kind"
            + " ORDER BY c.createdAt DESC")
@NamedQuery(
    name = UserCredential.DELETE_BY_USER,
    query = "DELETE FROM UserCredential c WHERE c.userId = :user")
@NamedQuery(
    name = UserCredential.DELETE_EXPIRED,
    query = "DELETE FROM UserCredential c WHERE c.expiresAt IS NOT NULL AND c.expiresAt < :now")
public class UserCredential {

  public static final String BY_HASH = "UserCredential.byHash";
  public static final String BY_USER_AND_KIND = "UserCredential.byUserAndKind";
  public static final String DELETE_BY_USER = "UserCredential.deleteByUser";
  public static final String DELETE_EXPIRED = "UserCredential.deleteExpired";

  /** What a credential is for. */
  public enum Kind {
    /** Made by the user in the console, shown once, used with the REST API. */
    API_KEY,
    /** Minted at sign-in for the console to act for the user; ends at sign-out or expiry. */
    SESSION
  }

  @Id private String id;

  @Column(name = "user_id", nullable = false)
  private String userId;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  private Kind kind;

  private String label;

  @Column(nullable = false)
  private String prefix;

  @Column(name = "token_hash", nullable = false)
  private String tokenHash;

  @Column(name = "created_at", nullable = false)
  private Instant createdAt;

  @Column(name = "last_used_at")
  private Instant lastUsedAt;

  @Column(name = "expires_at")
  private Instant expiresAt;

  protected UserCredential() {}

  public UserCredential(
      String id,
      String userId,
      Kind kind,
      String label,
      String prefix,
      String tokenHash,
      Instant createdAt,
      Instant expiresAt) {
    this.id = Objects.requireNonNull(id, "id");
    this.userId = Objects.requireNonNull(userId, "userId");
    this.kind = Objects.requireNonNull(kind, "kind");
    this.label = label;
    this.prefix = Objects.requireNonNull(prefix, "prefix");
    this.tokenHash = Objects.requireNonNull(tokenHash, "tokenHash");
    this.createdAt = Objects.requireNonNull(createdAt, "createdAt");
    this.expiresAt = expiresAt;
  }

  public String id() {
    return id;
  }

  public String userId() {
    return userId;
  }

  public Kind kind() {
    return kind;
  }

  public String label() {
    return label;
  }

  public String prefix() {
    return prefix;
  }

  public Instant createdAt() {
    return createdAt;
  }

  public Instant lastUsedAt() {
    return lastUsedAt;
  }

  public Instant expiresAt() {
    return expiresAt;
  }

  public boolean expired(Instant now) {
    return expiresAt != null && !now.isBefore(expiresAt);
  }

  public void used(Instant now) {
    this.lastUsedAt = now;
  }
}
