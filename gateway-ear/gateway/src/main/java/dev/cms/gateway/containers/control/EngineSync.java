package dev.cms.gateway.containers.control;

import dev.cms.domain.ContainerStatus;
import dev.cms.gateway.agents.control.Agents;
import dev.cms.gateway.containers.entity.ContainerRecord;
import dev.cms.gateway.runtime.ContainerRuntime;
import dev.cms.gateway.runtime.RuntimeContainer;
import dev.cms.gateway.runtime.RuntimeEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Keeps the records true to what the engine reports: its events for this gateway's containers (a
 * container paused, resumed, exited, started or removed outside the gateway), and a reconcile at
 * the gateway's start and after a gap in the events. The events for a container with an operation
 * in flight are left to that operation.
 */
@ApplicationScoped
public class EngineSync {

  private static final Logger LOG = Logger.getLogger(EngineSync.class.getName());

  @Inject ContainerLedger ledger;
  @Inject ContainerStore store;
  @Inject ContainerRuntime runtime;
  @Inject Agents agents;
  @Inject GatewayIdentity identity;

  private volatile boolean reconciled;

  /** The engine labels of this gateway's containers, for the engine's event watch. */
  public Map<String, String> watchedLabels() {
    return Map.of(ContainerLabels.GATEWAY, identity.id());
  }

  /** Applies an engine event to the record it names. */
  public void onRuntimeEvent(RuntimeEvent event) {
    if (event.kind() == RuntimeEvent.Kind.RESYNC) {
      try {
        reconcile("found after a gap in the engine's events");
      } catch (RuntimeException e) {
        LOG.warning(() -> "cannot reconcile after the engine's event gap: " + e.getMessage());
      }
      return;
    }
    String id = event.labels().get(ContainerLabels.RECORD);
    if (id == null || ledger.isInFlight(id)) {
      if (id != null && event.kind() == RuntimeEvent.Kind.OOM) {
        ledger.oomKilled(id);
      }
      return;
    }
    synchronized (ledger.lock(id)) {
      if (ledger.isInFlight(id)) {
        return;
      }
      ContainerRecord rec = store.find(id);
      if (rec == null || rec.status().isFinal()) {
        return;
      }
      apply(event, rec, Instant.now());
    }
  }

  private void apply(RuntimeEvent event, ContainerRecord rec, Instant now) {
    String id = rec.id();
    switch (event.kind()) {
      case OOM -> ledger.oomKilled(id);
      case PAUSED -> {
        // a late event of a freeze that is over (a snapshot) is not a pause
        if (rec.status() == ContainerStatus.RUNNING && stillPaused(rec.engineId())) {
          agents.drop(id, "container paused");
          ledger.update(
              id, r -> r.transition(ContainerStatus.PAUSED, "paused outside the gateway", now));
        }
      }
      case RESUMED -> {
        if (rec.status() == ContainerStatus.PAUSED) {
          ledger.update(
              id,
              r -> {
                r.touch(now);
                return r.transition(ContainerStatus.RUNNING, "resumed outside the gateway", now);
              });
        }
      }
      case DIED -> {
        if (rec.status() == ContainerStatus.RUNNING
            || rec.status() == ContainerStatus.CREATING
            || rec.status() == ContainerStatus.PAUSED) {
          String why =
              ledger.takeOomKill(id)
                  ? ContainerLedger.OOM_KILLED
                  : "exited with code " + event.exitCode();
          ledger.update(
              id,
              r -> {
                r.exited(event.exitCode());
                return r.transition(
                    ContainerStatus.TERMINATED, why + " (outside the gateway)", now);
              });
          agents.drop(id, "container exited");
          LOG.info(() -> "container " + id + " terminated: " + why);
        }
      }
      case STARTED -> {
        // started (or restarted) by the engine's side: a new agent process, which knows only
        // the create-time secret, and nothing else runs in the container before it
        store.armAgentSecret(id);
        if (rec.status() == ContainerStatus.STOPPED || rec.status() == ContainerStatus.TERMINATED) {
          ledger.update(
              id,
              r -> {
                r.exited(null);
                return r.transition(ContainerStatus.RUNNING, "started outside the gateway", now);
              });
        }
      }
      case REMOVED -> {
        ledger.update(
            id, r -> r.transition(ContainerStatus.DELETED, "removed outside the gateway", now));
        agents.drop(id, "container removed");
        LOG.info(() -> "container " + id + " was removed outside the gateway");
      }
      case RESYNC -> {
        // answered before: a reconcile of every record
      }
    }
  }

  private boolean stillPaused(String engineId) {
    try {
      return engineId != null
          && runtime.inspect(engineId).map(RuntimeContainer::paused).orElse(false);
    } catch (RuntimeException e) {
      return true; // the engine said so a moment ago
    }
  }

  /**
   * Makes the records agree with the engine after a (re)start: records of containers that vanished
   * become DELETED, exited ones TERMINATED, running ones RUNNING; containers of this gateway
   * without a live record are removed.
   */
  public void reconcile() {
    reconcile("found at gateway start");
    reconciled = true;
  }

  /** Whether the records were reconciled with the engine since the gateway started. */
  public boolean reconciled() {
    return reconciled;
  }

  private void reconcile(String found) {
    List<RuntimeContainer> onEngine = runtime.list(watchedLabels());
    Map<String, RuntimeContainer> byRecord = new HashMap<>();
    for (RuntimeContainer c : onEngine) {
      String rid = c.labels().get(ContainerLabels.RECORD);
      if (rid != null) {
        byRecord.put(rid, c);
      }
    }
    // the records of this gateway's containers only: another gateway sharing the database keeps
    // its own (its containers carry its id, and may be on another engine)
    List<ContainerRecord> records =
        store.inStatuses(ContainerLedger.ON_ENGINE).stream().filter(ledger::ours).toList();
    int changed = 0;
    Instant now = Instant.now();
    for (ContainerRecord rec : records) {
      RuntimeContainer c = byRecord.remove(rec.id());
      // being created, started or stopped right now: that operation sets the record
      if (!ledger.isInFlight(rec.id()) && correct(rec, c, found, now)) {
        changed++;
      }
    }
    for (RuntimeContainer orphan : byRecord.values()) {
      if (ledger.isInFlight(orphan.labels().get(ContainerLabels.RECORD))) {
        continue;
      }
      LOG.info(() -> "removing orphan container " + orphan.engineId() + " (no live record)");
      runtime.remove(orphan.engineId());
      changed++;
    }
    try {
      runtime.releaseLeftovers();
    } catch (RuntimeException e) {
      LOG.warning(() -> "cannot release leftover disks yet: " + e.getMessage());
    }
    int total = records.size();
    int changes = changed;
    LOG.info(() -> "reconciled " + total + " records with the engine; " + changes + " corrected");
  }

  /** Sets one record to what the engine holds ({@code c}, null: nothing); whether it changed. */
  private boolean correct(ContainerRecord rec, RuntimeContainer c, String found, Instant now) {
    ContainerStatus before = rec.status();
    String id = rec.id();
    if (c == null) {
      ledger.update(
          id,
          r -> r.transition(ContainerStatus.DELETED, "gone from the engine (" + found + ")", now));
    } else if (c.running() && c.paused() && before != ContainerStatus.PAUSED) {
      agents.drop(id, "container paused");
      ledger.update(
          id,
          r -> {
            r.exited(null);
            return r.transition(ContainerStatus.PAUSED, "paused (" + found + ")", now);
          });
    } else if (c.running() && !c.paused() && before != ContainerStatus.RUNNING) {
      ledger.update(
          id,
          r -> {
            r.exited(null);
            return r.transition(ContainerStatus.RUNNING, "running (" + found + ")", now);
          });
    } else if (!c.running()
        && (before == ContainerStatus.RUNNING
            || before == ContainerStatus.CREATING
            || before == ContainerStatus.PAUSED)) {
      String why = c.oomKilled() ? ContainerLedger.OOM_KILLED : "exited with code " + c.exitCode();
      ledger.update(
          id,
          r -> {
            r.exited(c.exitCode());
            return r.transition(ContainerStatus.TERMINATED, why + " (" + found + ")", now);
          });
    } else {
      return false;
    }
    return true;
  }
}
