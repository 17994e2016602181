package dev.cms.gateway.containers.control;

import dev.cms.domain.ContainerStatus;
import dev.cms.gateway.agents.control.AgentAdmission;
import dev.cms.gateway.containers.entity.ContainerEvent;
import dev.cms.gateway.containers.entity.ContainerRecord;
import dev.cms.gateway.containers.entity.OwnerQuota;
import dev.cms.gateway.persistence.SchemaMigrations;
import dev.cms.gateway.security.Secrets;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The container records and their history in the database: each method is one JTA transaction
 * ({@code @Transactional}); what it returns is detached. Writes flush before they return, so that a
 * lost optimistic race ({@link jakarta.persistence.OptimisticLockException}) surfaces here, not at
 * the commit.
 *
 * <p>The per-owner quota is the database's: {@link #addWithinQuota} and {@link #updateWithinQuota}
 * lock the owner's {@link OwnerQuota} row (SELECT … FOR UPDATE) before they count, so two gateways
 * on one database never both take the last place.
 */
@ApplicationScoped
public class ContainerStore {

  /** The owner already has {@code live} live containers, the limit or more. */
  public static final class QuotaExceeded extends RuntimeException {
    private final long live;

    QuotaExceeded(long live) {
      super("quota reached: " + live + " live containers", null, false, false);
      this.live = live;
    }

    public long live() {
      return live;
    }
  }

  @PersistenceContext(unitName = "cms")
  EntityManager em;

  @Inject SchemaMigrations schema;

  @PostConstruct
  void init() {
    // waits for the migrations: no query ever meets an old schema
    schema.version();
  }

  @Transactional
  public ContainerRecord find(String id) {
    return em.find(ContainerRecord.class, id);
  }

  @Transactional
  public List<ContainerRecord> inStatuses(Collection<ContainerStatus> statuses) {
    return em.createNamedQuery(ContainerRecord.IN_STATUSES, ContainerRecord.class)
        .setParameter("statuses", statuses)
        .getResultList();
  }

  @Transactional
  public List<ContainerRecord> byOwner(String owner) {
    return em.createNamedQuery(ContainerRecord.BY_OWNER, ContainerRecord.class)
        .setParameter("owner", owner)
        .getResultList();
  }

  @Transactional
  public List<ContainerRecord> byOwner(String owner, ContainerStatus status) {
    return em.createNamedQuery(ContainerRecord.BY_OWNER_AND_STATUS, ContainerRecord.class)
        .setParameter("owner", owner)
        .setParameter("status", status)
        .getResultList();
  }

  @Transactional
  public long count(String owner, Collection<ContainerStatus> statuses) {
    return em.createNamedQuery(ContainerRecord.COUNT_BY_OWNER_IN, Long.class)
        .setParameter("owner", owner)
        .setParameter("statuses", statuses)
        .getSingleResult();
  }

  /** How many records are in each status. */
  @Transactional
  public Map<ContainerStatus, Long> countByStatus() {
    Map<ContainerStatus, Long> m = new EnumMap<>(ContainerStatus.class);
    for (Object[] row :
        em.createQuery(
                "SELECT c.status, COUNT(c) FROM ContainerRecord c GROUP BY c.status",
                Object[].class)
            .getResultList()) {
      m.put((ContainerStatus) row[0], ((Number) row[1]).longValue());
    }
    return m;
  }

  @Transactional
  public List<ContainerEvent> history(String id) {
    return em.createNamedQuery(ContainerEvent.OF_CONTAINER, ContainerEvent.class)
        .setParameter("id", id)
        .getResultList();
  }

  /** Adds a record with its first event (no quota: the warm pool's own containers). */
  @Transactional
  public void add(ContainerRecord record, ContainerEvent first) {
    em.persist(record);
    em.persist(first);
    em.flush();
  }

  /**
   * Makes sure the owner has its quota row (its own transaction: a row another gateway inserted at
   * the same moment makes this one fail, which the caller may ignore).
   */
  @Transactional(Transactional.TxType.REQUIRES_NEW)
  public void ensureOwner(String owner) {
    if (em.find(OwnerQuota.class, owner) == null) {
      em.persist(new OwnerQuota(owner));
      em.flush();
    }
  }

  /**
   * Adds the owner's record with its first event unless the owner has {@code limit} records in
   * {@code live} statuses already, counted under the owner's row lock.
   *
   * @throws QuotaExceeded when the limit is reached (nothing is added)
   */
  @Transactional
  public void addWithinQuota(
      String owner,
      int limit,
      Collection<ContainerStatus> live,
      ContainerRecord record,
      ContainerEvent first) {
    lockAndCount(owner, limit, live);
    em.persist(record);
    em.persist(first);
    em.flush();
  }

  /**
   * Applies {@code change} to the record (now the owner's) and records the event it returns, unless
   * the owner has {@code limit} live records already, counted under the owner's row lock.
   *
   * @return the event, or null when there is no such record
   * @throws QuotaExceeded when the limit is reached (nothing changes)
   */
  @Transactional
  public ContainerEvent updateWithinQuota(
      String owner,
      int limit,
      Collection<ContainerStatus> live,
      String id,
      Function<ContainerRecord, ContainerEvent> change) {
    lockAndCount(owner, limit, live);
    return apply(id, change);
  }

  private void lockAndCount(String owner, int limit, Collection<ContainerStatus> live) {
    if (em.find(OwnerQuota.class, owner, LockModeType.PESSIMISTIC_WRITE) == null) {
      throw new IllegalStateException("no quota row for owner " + owner);
    }
    long n =
        em.createNamedQuery(ContainerRecord.COUNT_BY_OWNER_IN, Long.class)
            .setParameter("owner", owner)
            .setParameter("statuses", live)
            .getSingleResult();
    if (n >= limit) {
      throw new QuotaExceeded(n);
    }
  }

  /**
   * Applies {@code change} to the record and records the event it returns.
   *
   * @return the event, or null when there is no such record
   */
  @Transactional
  public ContainerEvent update(String id, Function<ContainerRecord, ContainerEvent> change) {
    return apply(id, change);
  }

  private ContainerEvent apply(String id, Function<ContainerRecord, ContainerEvent> change) {
    ContainerRecord rec = em.find(ContainerRecord.class, id);
    if (rec == null) {
      return null;
    }
    ContainerEvent e = change.apply(rec);
    em.persist(e);
    em.flush();
    return e;
  }

  /** Arms the create-time agent secret again (before a start: that agent knows only it). */
  @Transactional
  public void armAgentSecret(String id) {
    ContainerRecord rec = em.find(ContainerRecord.class, id);
    if (rec != null) {
      rec.armAgentSecret();
      em.flush();
    }
  }

  /**
   * Whether an agent presenting {@code presented} may speak for the container (see {@link
   * ContainerAgentAdmissions#admitAgent}).
   */
  @Transactional
  public AgentAdmission admitAgent(String id, String presented) {
    ContainerRecord rec = em.find(ContainerRecord.class, id);
    if (rec == null
        || rec.status() == ContainerStatus.DELETED
        || rec.status() == ContainerStatus.FAILED) {
      return AgentAdmission.REFUSED;
    }
    if (rec.agentLinkHash() != null && Secrets.matches(presented, rec.agentLinkHash())) {
      return AgentAdmission.LINK;
    }
    if (rec.agentSecretArmed() && Secrets.matches(presented, rec.agentSecretHash())) {
      String credential = Secrets.token(48);
      rec.exchangeAgentSecret(Secrets.hash(credential));
      em.flush();
      return new AgentAdmission(true, credential);
    }
    return AgentAdmission.REFUSED;
  }

  /** Re-arms the create-time secret when {@code credential} is still the link credential. */
  @Transactional
  public void undoAgentExchange(String id, String credential) {
    ContainerRecord rec = em.find(ContainerRecord.class, id);
    if (rec != null && Secrets.matches(credential, rec.agentLinkHash())) {
      rec.undoExchange();
      em.flush();
    }
  }

  /**
   * The record, with activity noted when {@code write} and the last note is older than {@code
   * interval}; null when there is no such record or (with an owner) it is another owner's, and then
   * nothing is written.
   */
  @Transactional
  public ContainerRecord touch(
      String id, String owner, boolean write, Instant now, Duration interval) {
    ContainerRecord rec = em.find(ContainerRecord.class, id);
    if (rec == null || (owner != null && !rec.ownerId().equals(owner))) {
      return null;
    }
    if (write && Duration.between(rec.lastActivityAt(), now).compareTo(interval) > 0) {
      rec.touch(now);
      em.flush();
    }
    return rec;
  }

  /** Adds events (notes) to a container's history; nothing when the record is gone. */
  @Transactional
  public void note(String containerId, List<ContainerEvent> events) {
    if (events.isEmpty() || em.find(ContainerRecord.class, containerId) == null) {
      return;
    }
    events.forEach(em::persist);
  }

  /** Adds an event (a note) to the history, whether or not the record exists. */
  @Transactional
  public void note(ContainerEvent event) {
    em.persist(event);
  }
}
