package dev.cms.gateway.snapshots.control;

import dev.cms.gateway.persistence.SchemaMigrations;
import dev.cms.gateway.snapshots.entity.SnapshotRecord;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.util.List;

/** The snapshot records in the database: each method is one JTA transaction. */
@ApplicationScoped
public class SnapshotStore {

  @PersistenceContext(unitName = "cms")
  EntityManager em;

  @Inject SchemaMigrations schema;

  @PostConstruct
  void init() {
    schema.version();
  }

  @Transactional
  public void add(SnapshotRecord rec) {
    em.persist(rec);
  }

  @Transactional
  public SnapshotRecord find(String id) {
    return em.find(SnapshotRecord.class, id);
  }

  @Transactional
  public List<SnapshotRecord> byOwner(String owner) {
    return em.createNamedQuery(SnapshotRecord.BY_OWNER, SnapshotRecord.class)
        .setParameter("owner", owner)
        .getResultList();
  }

  @Transactional
  public List<SnapshotRecord> all() {
    return em.createNamedQuery(SnapshotRecord.ALL, SnapshotRecord.class).getResultList();
  }

  @Transactional
  public long count(String owner) {
    return em.createNamedQuery(SnapshotRecord.COUNT_BY_OWNER, Long.class)
        .setParameter("owner", owner)
        .getSingleResult();
  }

  /** The ids of every snapshot record. */
  @Transactional
  public List<String> ids() {
    return em.createQuery("SELECT s.id FROM SnapshotRecord s", String.class).getResultList();
  }

  /** Removes the record; nothing when it is gone already. */
  @Transactional
  public void remove(String id) {
    SnapshotRecord r = em.find(SnapshotRecord.class, id);
    if (r != null) {
      em.remove(r);
    }
  }
}
