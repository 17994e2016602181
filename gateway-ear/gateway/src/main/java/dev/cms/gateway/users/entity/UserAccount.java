package dev.cms.gateway.users.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** A console user: a name, a PBKDF2 password hash and one role. */
@Entity
@Table(name = "app_user")
@NamedQuery(name = UserAccount.BY_NAME, query = "SELECT u FROM UserAccount u WHERE u.name = :name")
@NamedQuery(name = UserAccount.ALL, query = "SELECT u FROM UserAccount u ORDER BY u.name")
@NamedQuery(name = UserAccount.COUNT, query = "SELECT COUNT(u) FROM UserAccount u")
@NamedQuery(
    name = UserAccount.BY_SUBJECT,
    query = "SELECT u FROM UserAccount u WHERE u.issuer = :issuer AND u.subject = :subject")
public class UserAccount {

  public static final String BY_NAME = "UserAccount.byName";
  public static final String ALL = "UserAccount.all";
  public static final String COUNT = "UserAccount.count";
  public static final String BY_SUBJECT = "UserAccount.bySubject";

  @Id private String id;

  @Column(nullable = false)
  private String name;

  @Column(name = "password_hash", nullable = false)
  private String passwordHash;

  @Column(nullable = false)
  private String role;

  @Column(name = "created_at", nullable = false)
  private Instant createdAt;

  /** The OpenID Connect provider that signs this user in; null for a user with a password. */
  @Column private String issuer;

  /** The user's subject at {@link #issuer}. */
  @Column private String subject;

  protected UserAccount() {}

  public UserAccount(String id, String name, String passwordHash, Role role, Instant createdAt) {
    this.id = Objects.requireNonNull(id, "id");
    this.name = Objects.requireNonNull(name, "name");
    this.passwordHash = Objects.requireNonNull(passwordHash, "passwordHash");
    this.role = Objects.requireNonNull(role, "role").wire();
    this.createdAt = Objects.requireNonNull(createdAt, "createdAt");
  }

  public String id() {
    return id;
  }

  public String name() {
    return name;
  }

  public String passwordHash() {
    return passwordHash;
  }

  public Role role() {
    return Role.of(role);
  }

  public Instant createdAt() {
    return createdAt;
  }

  /** A user whose identity provider, not a password of ours, signs them in. */
  public static UserAccount federated(
      String id,
      String name,
      String unusableHash,
      Role role,
      Instant createdAt,
      String issuer,
      String subject) {
    UserAccount u = new UserAccount(id, name, unusableHash, role, createdAt);
    u.issuer = Objects.requireNonNull(issuer, "issuer");
    u.subject = Objects.requireNonNull(subject, "subject");
    return u;
  }

  /** Whether an identity provider signs this user in (no password of ours works). */
  public boolean federated() {
    return issuer != null;
  }

  public Optional<String> issuer() {
    return Optional.ofNullable(issuer);
  }

  /** The role their identity provider gave at their latest sign-in. */
  public void changeRole(Role role) {
    this.role = Objects.requireNonNull(role, "role").wire();
  }

  public void changePasswordHash(String hash) {
    this.passwordHash = Objects.requireNonNull(hash, "hash");
  }
}
