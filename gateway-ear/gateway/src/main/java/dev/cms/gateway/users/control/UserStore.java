package dev.cms.gateway.users.control;

import dev.cms.gateway.persistence.SchemaMigrations;
import dev.cms.gateway.problems.ApiException;
import dev.cms.gateway.security.Secrets;
import dev.cms.gateway.users.entity.Role;
import dev.cms.gateway.users.entity.UserAccount;
import dev.cms.gateway.users.entity.UserCredential;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The user accounts in the database: each method is one JTA transaction. */
@ApplicationScoped
public class UserStore {

  @PersistenceContext(unitName = "cms")
  EntityManager em;

  @Inject SchemaMigrations schema;

  @PostConstruct
  void init() {
    schema.version();
  }

  /**
   * The federated user of {@code issuer} and {@code subject}, made on the first sign-in (within
   * {@code maxUsers}) and given role {@code role} at each; 409 when the name is another user's.
   */
  @Transactional
  public Users.Account signInFederated(
      String issuer, String subject, String name, Role role, String unusable, int maxUsers) {
    Optional<UserAccount> known =
        em.createNamedQuery(UserAccount.BY_SUBJECT, UserAccount.class)
            .setParameter("issuer", issuer)
            .setParameter("subject", subject)
            .getResultStream()
            .findFirst();
    Optional<UserAccount> sameName = byName(name);
    if (sameName.isPresent()
        && (known.isEmpty() || !known.get().id().equals(sameName.get().id()))) {
      throw ApiException.conflict(
              "the user name '"
                  + name
                  + "' belongs to another user of this service; an admin can remove that"
                  + " user")
          .withRule("user-exists");
    }
    UserAccount u;
    if (known.isPresent()) {
      u = known.get();
      u.changeRole(role);
    } else {
      checkCount(maxUsers);
      u =
          UserAccount.federated(
              "u-" + Secrets.id(16), name, unusable, role, Instant.now(), issuer, subject);
      em.persist(u);
    }
    return new Users.Account(u.id(), u.name(), u.role());
  }

  /** Adds a user (within {@code maxUsers}); 409 when the name is taken. */
  @Transactional
  public UserView create(String name, String hashed, Role role, int maxUsers) {
    checkCount(maxUsers);
    if (byName(name).isPresent()) {
      throw ApiException.conflict("a user named '" + name + "' exists").withRule("user-exists");
    }
    UserAccount u = new UserAccount("u-" + Secrets.id(16), name, hashed, role, Instant.now());
    em.persist(u);
    return UserView.of(u);
  }

  private void checkCount(int maxUsers) {
    long count = em.createNamedQuery(UserAccount.COUNT, Long.class).getSingleResult();
    if (count >= maxUsers) {
      throw ApiException.tooManyRequests(
              "the gateway keeps at most " + maxUsers + " users (CMS_MAX_USERS)")
          .withRule("user-quota");
    }
  }

  @Transactional
  public List<UserView> list() {
    return em.createNamedQuery(UserAccount.ALL, UserAccount.class).getResultList().stream()
        .map(UserView::of)
        .toList();
  }

  /** Removes a user and every credential of theirs; 404 when unknown. */
  @Transactional
  public void delete(String id) {
    UserAccount u = em.find(UserAccount.class, id);
    if (u == null) {
      throw ApiException.notFound("no user '" + id + "'");
    }
    em.createNamedQuery(UserCredential.DELETE_BY_USER).setParameter("user", id).executeUpdate();
    em.remove(u);
  }

  @Transactional
  public Optional<UserAccount> byName(String name) {
    return em.createNamedQuery(UserAccount.BY_NAME, UserAccount.class)
        .setParameter("name", name)
        .getResultStream()
        .findFirst();
  }

  @Transactional
  public Optional<UserAccount> byId(String id) {
    return Optional.ofNullable(em.find(UserAccount.class, id));
  }
}
