package dev.cms.gateway.snapshots.control;

import dev.cms.gateway.config.Settings;
import dev.cms.gateway.containers.control.ContainerLabels;
import dev.cms.gateway.containers.control.Containers;
import dev.cms.gateway.containers.control.GatewayIdentity;
import dev.cms.gateway.containers.control.SnapshotSource;
import dev.cms.gateway.problems.ApiException;
import dev.cms.gateway.runtime.ContainerRuntime;
import dev.cms.gateway.runtime.RuntimeFailureException;
import dev.cms.gateway.runtime.RuntimeSnapshot;
import dev.cms.gateway.runtime.RuntimeUnavailableException;
import dev.cms.gateway.runtime.SnapshotSpec;
import dev.cms.gateway.runtime.SnapshotTooLargeException;
import dev.cms.gateway.security.Secrets;
import dev.cms.gateway.snapshots.entity.SnapshotRecord;
import dev.cms.gateway.users.control.UserRemoved;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Snapshots and forks: takes a snapshot of a container (through the runtime, the container held by
 * {@link Containers#whileHeld} so nothing else happens to it meanwhile), keeps its record, lists
 * and deletes them owner by owner, hands a fork's snapshot to container creation ({@link
 * SnapshotSource}), removes a deleted user's snapshots and sweeps what the runtime keeps of
 * snapshots without a record.
 *
 * <p>Bounded: at most {@code CMS_MAX_SNAPSHOTS_PER_KEY} per owner (429 {@code snapshot-quota}),
 * each at most the size of a container's disk (413 {@code snapshot-too-large}), and at most {@value
 * #CONCURRENT_CAPTURES} captures at a time (a further one waits up to {@value
 * #CAPTURE_WAIT_SECONDS} s, then 503).
 */
@ApplicationScoped
public class Snapshots implements SnapshotSource {

  private static final Logger LOG = Logger.getLogger(Snapshots.class.getName());

  static final int CONCURRENT_CAPTURES = 2;
  static final int CAPTURE_WAIT_SECONDS = 60;
  static final int MAX_NAME = 100;

  /** Without a disk per container nothing else bounds a snapshot: 4 GiB. */
  static final long MAX_WITHOUT_DISK = 4096L * 1024 * 1024;

  /** The container's own secrets and addresses: a fork gets its own, the image keeps none. */
  static final Set<String> CONTAINER_ENV =
      Set.of("CMS_AGENT_SECRET", "CMS_AGENT_URL", "CMS_CONTAINER_ID");

  @Inject SnapshotStore store;
  @Inject ContainerRuntime runtime;
  @Inject Containers containers;
  @Inject GatewayIdentity identity;
  @Inject Settings settings;
  @Inject Event<SnapshotChanged> changes;

  private final Semaphore captures = new Semaphore(CONCURRENT_CAPTURES, true);
  private final Object quotaLock = new Object();
  private final Map<String, Integer> pendingByOwner = new HashMap<>();
  private final Set<String> inFlight = ConcurrentHashMap.newKeySet();

  /**
   * Takes a snapshot of the caller's container (with a {@code null} scope, an admin, of anyone's;
   * the snapshot belongs to the container's owner).
   */
  public SnapshotView create(String scope, String containerId, SnapshotRequest request) {
    String name = checkName(request == null ? null : request.name());
    SnapshotRecord made =
        containers.whileHeld(
            scope,
            containerId,
            held -> {
              String owner = held.ownerId();
              reserve(owner);
              String id = "s-" + Secrets.id(12);
              inFlight.add(id);
              try {
                RuntimeSnapshot s = capture(held.engineId(), id);
                SnapshotRecord rec =
                    new SnapshotRecord(
                        id,
                        owner,
                        held.id(),
                        name,
                        s.image(),
                        s.imageId(),
                        s.workspace(),
                        s.imageBytes(),
                        s.workspaceBytes(),
                        Instant.now());
                try {
                  store.add(rec);
                } catch (RuntimeException e) {
                  removeQuietly(id);
                  throw e;
                }
                return rec;
              } finally {
                inFlight.remove(id);
                unreserve(owner);
              }
            });
    LOG.info(
        () ->
            "snapshot "
                + made.id()
                + " of "
                + made.parentContainerId()
                + " taken ("
                + made.sizeBytes()
                + " bytes)");
    fire(made, "created");
    return view(made);
  }

  /** The caller's snapshots (an admin's: everyone's), newest first. */
  public List<SnapshotView> list(String scope) {
    return (scope == null ? store.all() : store.byOwner(scope))
        .stream().map(Snapshots::view).toList();
  }

  /** One of the caller's snapshots; 404 when there is none of theirs. */
  public SnapshotView get(String scope, String id) {
    return view(owned(scope, id));
  }

  /** Deletes one of the caller's snapshots: its record, its image and its workspace archive. */
  public SnapshotView delete(String scope, String id) {
    SnapshotRecord rec = owned(scope, id);
    remove(rec);
    return view(rec);
  }

  @Override
  public RuntimeSnapshot forkable(String owner, String snapshotId) {
    SnapshotRecord rec = owned(owner, snapshotId);
    return new RuntimeSnapshot(
        rec.id(),
        rec.image(),
        rec.imageId(),
        rec.workspacePath(),
        rec.imageBytes(),
        rec.workspaceBytes());
  }

  /** A deleted user's snapshots go with them. */
  void onUserRemoved(@Observes UserRemoved removed) {
    List<SnapshotRecord> theirs = store.byOwner(removed.userId());
    for (SnapshotRecord rec : theirs) {
      // the record first: whatever the engine does not free now, the sweep frees later
      forget(rec);
      removeQuietly(rec.id());
      fire(rec, "deleted");
    }
    if (!theirs.isEmpty()) {
      LOG.info(() -> theirs.size() + " snapshots of deleted user " + removed.userId() + " removed");
    }
  }

  /**
   * Removes what the runtime keeps of snapshots of this gateway that have no record (a deletion
   * whose engine call failed, a capture cut short by a crash, an image kept while a fork used it).
   *
   * @return how many were removed
   */
  public int sweep() {
    // in this order: a capture listed by the runtime is either in flight when the copy is taken or
    // already recorded when the records are read (it is recorded before it leaves the set)
    Set<String> kept =
        new HashSet<>(runtime.snapshots(Map.of(ContainerLabels.GATEWAY, identity.id())));
    if (kept.isEmpty()) {
      return 0;
    }
    Set<String> flying = Set.copyOf(inFlight);
    Set<String> known = new HashSet<>(store.ids());
    kept.removeAll(known);
    kept.removeAll(flying);
    int removed = 0;
    for (String id : kept) {
      try {
        runtime.removeSnapshot(id);
        removed++;
      } catch (RuntimeException e) {
        LOG.log(Level.FINE, "orphan snapshot " + id + " not removed yet", e);
      }
    }
    int n = removed;
    if (n > 0) {
      LOG.info(() -> "removed " + n + " orphan snapshots (no record)");
    }
    return n;
  }

  // --- the steps -------------------------------------------------------------------------------

  private RuntimeSnapshot capture(String engineId, String id) {
    try {
      if (!captures.tryAcquire(CAPTURE_WAIT_SECONDS, TimeUnit.SECONDS)) {
        throw ApiException.unavailable(
            "too many snapshots are being taken right now; try again shortly", null);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApiException.unavailable("interrupted while waiting to take the snapshot", e);
    }
    try {
      return engine(
          () ->
              runtime.snapshot(
                  engineId,
                  new SnapshotSpec(
                      id,
                      Map.of(ContainerLabels.GATEWAY, identity.id()),
                      CONTAINER_ENV,
                      maxBytes(settings.diskMb()))));
    } finally {
      captures.release();
    }
  }

  /** The most one snapshot may take: a container's disk (and a little for the tar headers). */
  static long maxBytes(long diskMb) {
    if (diskMb <= 0) {
      return MAX_WITHOUT_DISK;
    }
    long disk = diskMb * 1024 * 1024;
    return disk + disk / 16;
  }

  private void reserve(String owner) {
    synchronized (quotaLock) {
      long kept = store.count(owner);
      int pending = pendingByOwner.getOrDefault(owner, 0);
      int max = settings.maxSnapshotsPerKey();
      if (kept + pending >= max) {
        throw ApiException.tooManyRequests(
                "this owner already has "
                    + (kept + pending)
                    + " snapshots (limit "
                    + max
                    + "); delete one first")
            .withRule("snapshot-quota");
      }
      pendingByOwner.merge(owner, 1, Integer::sum);
    }
  }

  private void unreserve(String owner) {
    synchronized (quotaLock) {
      pendingByOwner.computeIfPresent(owner, (k, n) -> n <= 1 ? null : n - 1);
    }
  }

  private void remove(SnapshotRecord rec) {
    engine(
        () -> {
          runtime.removeSnapshot(rec.id());
          return null;
        });
    forget(rec);
    LOG.info(() -> "snapshot " + rec.id() + " deleted");
    fire(rec, "deleted");
  }

  private void forget(SnapshotRecord rec) {
    store.remove(rec.id());
  }

  private void removeQuietly(String id) {
    try {
      runtime.removeSnapshot(id);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "could not remove snapshot " + id + " (swept later)", e);
    }
  }

  private SnapshotRecord owned(String scope, String id) {
    SnapshotRecord rec = id == null ? null : store.find(id);
    if (rec == null || (scope != null && !rec.ownerId().equals(scope))) {
      throw ApiException.notFound("no snapshot '" + id + "' for this API key");
    }
    return rec;
  }

  private void fire(SnapshotRecord rec, String change) {
    try {
      changes.fire(new SnapshotChanged(rec.parentContainerId(), rec.id(), change, rec.sizeBytes()));
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "a snapshot observer failed for " + rec.id(), e);
    }
  }

  static String checkName(String name) {
    if (name == null) {
      return null;
    }
    String n = name.strip();
    if (n.isEmpty()) {
      return null;
    }
    if (n.length() > MAX_NAME || n.chars().anyMatch(Character::isISOControl)) {
      throw ApiException.badRequest(
          "name must be at most " + MAX_NAME + " characters without control characters");
    }
    return n;
  }

  private static <T> T engine(Supplier<T> call) {
    try {
      return call.get();
    } catch (SnapshotTooLargeException e) {
      throw new ApiException(413, "Content Too Large", e.getMessage(), e)
          .withRule("snapshot-too-large");
    } catch (RuntimeUnavailableException e) {
      throw ApiException.unavailable("the container engine is unreachable", e);
    } catch (RuntimeFailureException e) {
      throw new ApiException(502, "Bad Gateway", "the container engine refused the operation", e);
    }
  }

  static SnapshotView view(SnapshotRecord r) {
    return new SnapshotView(
        r.id(),
        r.name(),
        r.ownerId(),
        r.parentContainerId(),
        r.image(),
        r.sizeBytes(),
        r.imageBytes(),
        r.workspaceBytes(),
        r.createdAt());
  }
}
