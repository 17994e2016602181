package dev.cms.gateway.testing;

import dev.cms.domain.ContainerStatus;
import dev.cms.gateway.agents.control.AgentAdmission;
import dev.cms.gateway.containers.control.ContainerStore;
import dev.cms.gateway.containers.entity.ContainerEvent;
import dev.cms.gateway.containers.entity.ContainerRecord;
import dev.cms.gateway.security.Secrets;
import jakarta.persistence.EntityExistsException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * {@link ContainerStore} in memory, for controls tested without a database. It keeps the store's
 * contract: what a method returns is a copy (detached, as JPA's), a change is applied to a copy
 * that replaces the stored record only when the change returns (a change that throws leaves the
 * record as it was, as a rolled-back transaction does), the quota is counted under one lock (the
 * owner's row must exist: {@link #ensureOwner}), and every method is atomic.
 */
public class MemoryContainerStore extends ContainerStore {

  private static final Constructor<ContainerRecord> BLANK;
  private static final Constructor<QuotaExceeded> QUOTA_EXCEEDED;

  static {
    try {
      BLANK = ContainerRecord.class.getDeclaredConstructor();
      BLANK.setAccessible(true);
      // package-private in the store's package: made as the JPA store makes it
      QUOTA_EXCEEDED = QuotaExceeded.class.getDeclaredConstructor(long.class);
      QUOTA_EXCEEDED.setAccessible(true);
    } catch (NoSuchMethodException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Map<String, ContainerRecord> records = new LinkedHashMap<>();
  private final List<ContainerEvent> events = new ArrayList<>();
  private final Set<String> owners = new HashSet<>();

  @Override
  public synchronized ContainerRecord find(String id) {
    return copy(records.get(id));
  }

  @Override
  public synchronized List<ContainerRecord> inStatuses(Collection<ContainerStatus> statuses) {
    return records.values().stream()
        .filter(r -> statuses.contains(r.status()))
        .map(MemoryContainerStore::copy)
        .toList();
  }

  @Override
  public synchronized List<ContainerRecord> byOwner(String owner) {
    return newestFirst(records.values().stream().filter(r -> r.ownerId().equals(owner)).toList());
  }

  @Override
  public synchronized List<ContainerRecord> byOwner(String owner, ContainerStatus status) {
    return newestFirst(
        records.values().stream()
            .filter(r -> r.ownerId().equals(owner) && r.status() == status)
            .toList());
  }

  @Override
  public synchronized long count(String owner, Collection<ContainerStatus> statuses) {
    return records.values().stream()
        .filter(r -> r.ownerId().equals(owner) && statuses.contains(r.status()))
        .count();
  }

  @Override
  public synchronized Map<ContainerStatus, Long> countByStatus() {
    Map<ContainerStatus, Long> m = new EnumMap<>(ContainerStatus.class);
    records.values().forEach(r -> m.merge(r.status(), 1L, Long::sum));
    return m;
  }

  @Override
  public synchronized List<ContainerEvent> history(String id) {
    return events.stream().filter(e -> e.containerId().equals(id)).toList();
  }

  @Override
  public synchronized void add(ContainerRecord record, ContainerEvent first) {
    persist(record, first);
  }

  @Override
  public synchronized void ensureOwner(String owner) {
    owners.add(owner);
  }

  @Override
  public synchronized void addWithinQuota(
      String owner,
      int limit,
      Collection<ContainerStatus> live,
      ContainerRecord record,
      ContainerEvent first) {
    lockAndCount(owner, limit, live);
    persist(record, first);
  }

  @Override
  public synchronized ContainerEvent updateWithinQuota(
      String owner,
      int limit,
      Collection<ContainerStatus> live,
      String id,
      Function<ContainerRecord, ContainerEvent> change) {
    lockAndCount(owner, limit, live);
    return apply(id, change);
  }

  @Override
  public synchronized ContainerEvent update(
      String id, Function<ContainerRecord, ContainerEvent> change) {
    return apply(id, change);
  }

  @Override
  public synchronized void armAgentSecret(String id) {
    ContainerRecord rec = records.get(id);
    if (rec != null) {
      rec.armAgentSecret();
    }
  }

  @Override
  public synchronized AgentAdmission admitAgent(String id, String presented) {
    ContainerRecord rec = records.get(id);
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
      return new AgentAdmission(true, credential);
    }
    return AgentAdmission.REFUSED;
  }

  @Override
  public synchronized void undoAgentExchange(String id, String credential) {
    ContainerRecord rec = records.get(id);
    if (rec != null && Secrets.matches(credential, rec.agentLinkHash())) {
      rec.undoExchange();
    }
  }

  @Override
  public synchronized ContainerRecord touch(
      String id, String owner, boolean write, Instant now, Duration interval) {
    ContainerRecord rec = records.get(id);
    if (rec == null || (owner != null && !rec.ownerId().equals(owner))) {
      return null;
    }
    if (write && Duration.between(rec.lastActivityAt(), now).compareTo(interval) > 0) {
      rec.touch(now);
    }
    return copy(rec);
  }

  @Override
  public synchronized void note(String containerId, List<ContainerEvent> notes) {
    if (notes.isEmpty() || !records.containsKey(containerId)) {
      return;
    }
    events.addAll(notes);
  }

  @Override
  public synchronized void note(ContainerEvent event) {
    events.add(Objects.requireNonNull(event, "event"));
  }

  // ---- inside ------------------------------------------------------------------------------

  private void persist(ContainerRecord record, ContainerEvent first) {
    if (records.containsKey(record.id())) {
      throw new EntityExistsException("a record " + record.id() + " exists already");
    }
    records.put(record.id(), copy(record));
    events.add(Objects.requireNonNull(first, "first"));
  }

  private void lockAndCount(String owner, int limit, Collection<ContainerStatus> live) {
    if (!owners.contains(owner)) {
      throw new IllegalStateException("no quota row for owner " + owner);
    }
    long n = count(owner, live);
    if (n >= limit) {
      try {
        throw QUOTA_EXCEEDED.newInstance(n);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private ContainerEvent apply(String id, Function<ContainerRecord, ContainerEvent> change) {
    ContainerRecord stored = records.get(id);
    if (stored == null) {
      return null;
    }
    ContainerRecord changed = copy(stored);
    ContainerEvent e = Objects.requireNonNull(change.apply(changed), "the change's event");
    records.put(id, changed);
    events.add(e);
    return e;
  }

  private static List<ContainerRecord> newestFirst(List<ContainerRecord> rs) {
    return rs.stream()
        .sorted(Comparator.comparing(ContainerRecord::createdAt).reversed())
        .map(MemoryContainerStore::copy)
        .toList();
  }

  /** A field-by-field copy (its own label map), as a detached entity would be. */
  private static ContainerRecord copy(ContainerRecord r) {
    if (r == null) {
      return null;
    }
    try {
      ContainerRecord c = BLANK.newInstance();
      for (Field f : ContainerRecord.class.getDeclaredFields()) {
        if (Modifier.isStatic(f.getModifiers())) {
          continue;
        }
        f.setAccessible(true);
        Object v = f.get(r);
        f.set(c, v instanceof Map<?, ?> m ? new TreeMap<>(m) : v);
      }
      return c;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot copy a ContainerRecord", e);
    }
  }
}
