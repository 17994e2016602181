package dev.cms.gateway.users.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Objects;

/** A console user: a name, a PBKDF2 password hash and one role. */
@Entity
@Table(name = "app_user")
@NamedQuery(name = UserAccount.BY_NAME, query = "SELECT u FROM UserAccount u WHERE u.name = :name")
@NamedQuery(name = UserAccount.ALL, query = "SELECT u FROM UserAccount u ORDER BY u.name")
@NamedQuery(name = UserAccount.COUNT, query = "SELECT COUNT(u) FROM UserAccount u")
public class UserAccount {

  public static final String BY_NAME = "UserAccount.byName";
  public static final String ALL = "UserAccount.all";
  public static final String COUNT = "UserAccount.count";

  @Id private String id;

  @Column(nullable = false)
  private String name;

  @Column(name = "password_hash", nullable = false)
  private String passwordHash;

  @Column(nullable = false)
  private String role;

  @Column(name = "created_at", nullable = false)
  private Instant createdAt;

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

  public void changePasswordHash(String hash) {
    this.passwordHash = Objects.requireNonNull(hash, "hash");
  }
}
