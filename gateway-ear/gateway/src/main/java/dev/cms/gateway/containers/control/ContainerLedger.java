package dev.cms.gateway.containers.control;

import dev.cms.domain.ContainerStatus;
import dev.cms.gateway.agents.control.Agents;
import dev.cms.gateway.containers.entity.ContainerEvent;
import dev.cms.gateway.containers.entity.ContainerRecord;
import dev.cms.gateway.problems.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.OptimisticLockException;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The container records and what keeps operations on them in order: one lock per container (its
 * operations are serialised), the containers with an operation in flight (that operation sets the
 * record; the engine's events for it meanwhile are left alone), the kernel's OOM kills the engine
 * reported, and every recorded status change told to its observers. Shared by the lifecycle ({@link
 * Containers}), the warm pool's hand-over ({@link PooledContainers}), the engine's side ({@link
 * ContainerEngine}, {@link EngineSync}) and the {@link Reaper}.
 */
@ApplicationScoped
public class ContainerLedger {

  private static final Logger LOG = Logger.getLogger(ContainerLedger.class.getName());

  /** The statuses the per-key quota counts. */
  static final Set<ContainerStatus> LIVE =
      EnumSet.of(
          ContainerStatus.CREATING,
          ContainerStatus.RUNNING,
          ContainerStatus.PAUSED,
          ContainerStatus.STOPPED);

  /** The statuses of a record whose container the engine holds. */
  static final Set<ContainerStatus> ON_ENGINE =
      EnumSet.of(
          ContainerStatus.CREATING,
          ContainerStatus.RUNNING,
          ContainerStatus.PAUSED,
          ContainerStatus.STOPPED,
          ContainerStatus.TERMINATED);

  /** The reason of a container the kernel killed for memory; the engine's own word for it first. */
  static final String OOM_KILLED = "OOMKilled: out of memory";

  private static final Duration ACTIVITY_WRITE_INTERVAL = Duration.ofSeconds(5);

  @Inject ContainerStore store;
  @Inject GatewayIdentity identity;
  @Inject Agents agents;
  @Inject Event<ContainerStatusChanged> statusChanges;

  private final Map<String, Object> locks = new ConcurrentHashMap<>();
  private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
  private final Set<String> oomKilled = ConcurrentHashMap.newKeySet();

  /** The lock that serialises the operations on one container. */
  public Object lock(String id) {
    return locks.computeIfAbsent(id, k -> new Object());
  }

  /**
   * Drops the lock and flags of a container whose record is final (nothing more happens to it);
   * called under its lock.
   */
  public void forget(String id) {
    locks.remove(id);
    oomKilled.remove(id);
  }

  /** Runs an operation with the container marked in flight: its engine events are left to it. */
  public <T> T inFlight(String id, Supplier<T> operation) {
    inFlight.add(id);
    try {
      return operation.get();
    } finally {
      inFlight.remove(id);
    }
  }

  /** Runs an operation with the container marked in flight: its engine events are left to it. */
  public void inFlight(String id, Runnable operation) {
    inFlight(
        id,
        () -> {
          operation.run();
          return null;
        });
  }

  /** Whether an operation on the container is in flight. */
  public boolean isInFlight(String id) {
    return id != null && inFlight.contains(id);
  }

  /** The engine reported that the kernel killed the container for memory. */
  public void oomKilled(String id) {
    oomKilled.add(id);
  }

  /**
   * Whether the engine reported an OOM kill of the container since the last ask (and forgets it).
   */
  public boolean takeOomKill(String id) {
    return oomKilled.remove(id);
  }

  /** Whether this gateway made the container (its engine holds it): it reconciles and reaps it. */
  public boolean ours(ContainerRecord rec) {
    return rec.madeBy(identity.id(), true);
  }

  /** The record; 404 when there is none. */
  public ContainerRecord find(String id) {
    ContainerRecord rec = store.find(id);
    if (rec == null) {
      throw ApiException.notFound("no container '" + id + "'");
    }
    return rec;
  }

  /** The caller's record (any owner's with a {@code null} owner); else a 404. */
  public ContainerRecord owned(String owner, String id) {
    ContainerRecord rec = store.find(id);
    if (rec == null || rec.pooled() || (owner != null && !rec.ownerId().equals(owner))) {
      throw notOwned(id);
    }
    return rec;
  }

  static ApiException notOwned(String id) {
    return ApiException.notFound("no container '" + id + "' for this API key");
  }

  /** The caller's container, with the call recorded as activity: one transaction. */
  public ContainerRecord touch(String owner, String id) {
    ContainerRecord rec = touchRecord(id, owner);
    if (rec == null || rec.pooled()) {
      throw notOwned(id);
    }
    return rec;
  }

  /**
   * Records activity (written at most every {@link #ACTIVITY_WRITE_INTERVAL}) and returns the
   * record; with an owner, a container of another key is a 404 and nothing is written.
   */
  public ContainerRecord touchRecord(String id, String owner) {
    try {
      return touchRecord(id, owner, true);
    } catch (RuntimeException e) {
      if (!optimisticLock(e)) {
        throw e;
      }
      // a concurrent call on the same container recorded its activity a moment ago: read only
      return touchRecord(id, owner, false);
    }
  }

  private ContainerRecord touchRecord(String id, String owner, boolean write) {
    ContainerRecord rec = store.touch(id, owner, write, Instant.now(), ACTIVITY_WRITE_INTERVAL);
    if (owner != null && rec == null) {
      throw notOwned(id);
    }
    return rec;
  }

  /** Whether the failure is a lost race on a record's version. */
  static boolean optimisticLock(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof OptimisticLockException) {
        return true;
      }
    }
    return false;
  }

  /** Changes a record in one transaction and announces the status change it made. */
  public void update(String id, Function<ContainerRecord, ContainerEvent> change) {
    announce(id, store.update(id, change));
  }

  /** Tells the observers of a status change the store recorded (nothing for a note or null). */
  public void announce(String id, ContainerEvent event) {
    if (event != null && event.toStatus() != null) {
      try {
        statusChanges.fire(new ContainerStatusChanged(id, event.toStatus(), event.reason()));
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "a status observer failed for " + id, e);
      }
      if (event.toStatus().isFinal()) {
        // nothing more happens to a final record: its lock and flags would only pile up
        forget(id);
      }
    }
  }

  /** The record as the API shows it (no client token). */
  public ContainerView view(ContainerRecord r, String publicBase) {
    return ContainerView.of(r, agents.isConnected(r.id()), publicBase);
  }
}
