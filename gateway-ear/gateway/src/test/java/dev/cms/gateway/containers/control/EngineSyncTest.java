package dev.cms.gateway.containers.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cms.domain.ContainerStatus;
import dev.cms.gateway.containers.entity.ContainerRecord;
import dev.cms.gateway.runtime.ContainerSpec;
import dev.cms.gateway.runtime.RuntimeEvent;
import dev.cms.gateway.testing.FakeRuntime;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The records follow the engine: the reconcile at the gateway's start (the engine changed while the
 * gateway was away, so no event told it) and the engine's events afterwards.
 */
class EngineSyncTest {

  private static final String BASE = Lifecycle.ENDPOINTS.publicBase();

  @TempDir Path dataDir;

  private Lifecycle lifecycle() {
    return new Lifecycle(dataDir, 10);
  }

  private String orphan(Lifecycle l, String gateway, String recordId) {
    return l.runtime.createAndStart(
        new ContainerSpec(
            "cms-" + recordId,
            FakeRuntime.APP_IMAGE,
            Map.of(ContainerLabels.GATEWAY, gateway, ContainerLabels.RECORD, recordId),
            Map.of(),
            512,
            1.0,
            100,
            0));
  }

  // ---- reconcile ---------------------------------------------------------------------------

  @Test
  void reconcileMakesEachRecordSayWhatTheEngineHolds() {
    Lifecycle l = lifecycle();
    String vanished = l.create("k1");
    String exited = l.create("k1");
    String oom = l.create("k1");
    String paused = l.create("k1");
    String running = l.create("k1");
    String untouched = l.create("k1");
    String stoppedOnBoth = l.create("k1");
    l.containers.stop("k1", stoppedOnBoth, BASE);
    // what happened on the engine while the gateway was away (no watch: no event)
    l.runtime.remove(l.engineId(vanished));
    l.runtime.exit(l.engineId(exited), 3);
    l.runtime.oomKill(l.engineId(oom));
    l.runtime.pause(l.engineId(paused));
    l.recordAs(running, ContainerStatus.STOPPED);
    l.statusChanges.fired.clear();
    assertThat(l.sync.reconciled()).isFalse();

    l.sync.reconcile();

    assertThat(l.sync.reconciled()).isTrue();
    ContainerRecord v = l.record(vanished);
    assertThat(v.status()).isEqualTo(ContainerStatus.DELETED);
    assertThat(v.reason()).isEqualTo("gone from the engine (found at gateway start)");
    ContainerRecord e = l.record(exited);
    assertThat(e.status()).isEqualTo(ContainerStatus.TERMINATED);
    assertThat(e.exitCode()).isEqualTo(3);
    assertThat(e.reason()).isEqualTo("exited with code 3 (found at gateway start)");
    ContainerRecord o = l.record(oom);
    assertThat(o.status()).isEqualTo(ContainerStatus.TERMINATED);
    assertThat(o.exitCode()).isEqualTo(137);
    assertThat(o.reason()).isEqualTo(ContainerLedger.OOM_KILLED + " (found at gateway start)");
    assertThat(l.record(paused).status()).isEqualTo(ContainerStatus.PAUSED);
    assertThat(l.record(paused).reason()).isEqualTo("paused (found at gateway start)");
    assertThat(l.record(running).status()).isEqualTo(ContainerStatus.RUNNING);
    assertThat(l.record(running).reason()).isEqualTo("running (found at gateway start)");
    assertThat(l.record(untouched).reason()).isEqualTo("container started");
    assertThat(l.record(stoppedOnBoth).status()).isEqualTo(ContainerStatus.STOPPED);
    // each correction is announced, the rest is not
    assertThat(l.statusChanges.fired)
        .extracting(ContainerStatusChanged::containerId)
        .containsExactlyInAnyOrder(vanished, exited, oom, paused, running);
    assertThat(l.runtime.calls).contains("releaseLeftovers");
  }

  @Test
  void reconcileRemovesThisGatewaysContainersWithoutALiveRecordAndNoOtherGatewaysOnes() {
    Lifecycle l = lifecycle();
    String noRecord = orphan(l, Lifecycle.GATEWAY, "c-unknown");
    String deleted = l.create("k1");
    String deletedEngineId = l.engineId(deleted);
    // a container whose record is DELETED already (the removal failed half-way)
    l.recordAs(deleted, ContainerStatus.DELETED);
    String othersContainer = orphan(l, Lifecycle.OTHER_GATEWAY, "c-theirs");
    String kept = l.create("k1");

    l.sync.reconcile();

    assertThat(l.runtime.containerIds())
        .containsExactlyInAnyOrder(othersContainer, l.engineId(kept))
        .doesNotContain(noRecord, deletedEngineId);
    assertThat(l.record(kept).status()).isEqualTo(ContainerStatus.RUNNING);
  }

  @Test
  void reconcileLeavesAnotherGatewaysRecordsAlone() {
    Lifecycle l = lifecycle();
    // another gateway sharing the database: its container is on its own engine, not on ours
    String theirs = l.made(Lifecycle.Made.fresh("k1").by(Lifecycle.OTHER_GATEWAY));
    l.runtime.remove(l.engineId(theirs));
    // a record from before gateways were named counts as this gateway's
    String ours = l.made(Lifecycle.Made.fresh("k1").by(null));
    l.runtime.remove(l.engineId(ours));

    l.sync.reconcile();

    assertThat(l.record(theirs).status()).isEqualTo(ContainerStatus.RUNNING);
    assertThat(l.record(ours).status()).isEqualTo(ContainerStatus.DELETED);
  }

  @Test
  void reconcileSkipsAContainerWithAnOperationInFlight() {
    Lifecycle l = lifecycle();
    String busy = l.create("k1");
    l.runtime.remove(l.engineId(busy));
    String creating = "c-creating";
    String creatingEngineId = orphan(l, Lifecycle.GATEWAY, creating);

    l.ledger.inFlight(busy, () -> l.ledger.inFlight(creating, () -> l.sync.reconcile()));

    // that operation sets the record (a launch records its container after the engine made it)
    assertThat(l.record(busy).status()).isEqualTo(ContainerStatus.RUNNING);
    assertThat(l.runtime.containerIds()).contains(creatingEngineId);
  }

  @Test
  void aResyncReconcilesAndAnUnreachableEngineThereIsNoFailure() {
    Lifecycle l = lifecycle().watching();
    String id = l.create("k1");
    l.runtime.unreachable("connection refused");
    l.runtime.resync();
    assertThat(l.record(id).status()).isEqualTo(ContainerStatus.RUNNING);

    l.runtime.unreachable(null);
    l.ledger.inFlight(id, () -> l.runtime.exit(l.engineId(id), 1)); // its DIED event is lost
    l.runtime.resync();

    assertThat(l.record(id).status()).isEqualTo(ContainerStatus.TERMINATED);
    assertThat(l.record(id).reason())
        .isEqualTo("exited with code 1 (found after a gap in the engine's events)");
    // a resync is no start: the gateway's own reconcile is still to come
    assertThat(l.sync.reconciled()).isFalse();
  }

  // ---- events ------------------------------------------------------------------------------

  @Test
  void aDeathAfterAnOomEventIsTerminatedWithTheOomReason() {
    Lifecycle l = lifecycle().watching();
    String id = l.create("k1");

    l.runtime.oomKill(l.engineId(id));

    ContainerRecord rec = l.record(id);
    assertThat(rec.status()).isEqualTo(ContainerStatus.TERMINATED);
    assertThat(rec.exitCode()).isEqualTo(137);
    assertThat(rec.reason()).isEqualTo(ContainerLedger.OOM_KILLED + " (outside the gateway)");
    // the mark is taken: a later plain exit is told as one
    assertThat(l.ledger.takeOomKill(id)).isFalse();
  }

  @Test
  void aPlainDeathIsTerminatedWithItsExitCode() {
    Lifecycle l = lifecycle().watching();
    String id = l.create("k1");

    l.runtime.exit(l.engineId(id), 2);

    assertThat(l.record(id).status()).isEqualTo(ContainerStatus.TERMINATED);
    assertThat(l.record(id).exitCode()).isEqualTo(2);
    assertThat(l.record(id).reason()).isEqualTo("exited with code 2 (outside the gateway)");
    assertThat(l.containers.get("k1", id, BASE).exitCode()).isEqualTo(2);
  }

  @Test
  void aRemovalOutsideTheGatewayIsDeleted() {
    Lifecycle l = lifecycle().watching();
    String id = l.create("k1");

    l.runtime.remove(l.engineId(id));

    assertThat(l.record(id).status()).isEqualTo(ContainerStatus.DELETED);
    assertThat(l.record(id).reason()).isEqualTo("removed outside the gateway");
    assertThat(l.announced(id)).containsExactly(ContainerStatus.RUNNING, ContainerStatus.DELETED);
  }

  @Test
  void aStartOutsideTheGatewayReArmsTheAgentSecretAndRunsAStoppedRecord() {
    Lifecycle l = lifecycle().watching();
    String id = l.create("k1");
    String secret = l.spec(id).env().get("CMS_AGENT_SECRET");
    assertThat(l.store.admitAgent(id, secret).accepted()).isTrue();
    l.containers.stop("k1", id, BASE);
    assertThat(l.record(id).agentSecretArmed()).isFalse();

    l.runtime.start(l.engineId(id));

    ContainerRecord rec = l.record(id);
    assertThat(rec.status()).isEqualTo(ContainerStatus.RUNNING);
    assertThat(rec.reason()).isEqualTo("started outside the gateway");
    assertThat(rec.exitCode()).isNull();
    assertThat(rec.agentSecretArmed()).isTrue();
  }

  @Test
  void aPauseAndAResumeOutsideTheGatewayAreRecorded() {
    Lifecycle l = lifecycle().watching();
    String id = l.create("k1");

    l.runtime.pause(l.engineId(id));
    assertThat(l.record(id).status()).isEqualTo(ContainerStatus.PAUSED);
    assertThat(l.record(id).reason()).isEqualTo("paused outside the gateway");
    l.runtime.resume(l.engineId(id));
    assertThat(l.record(id).status()).isEqualTo(ContainerStatus.RUNNING);
    assertThat(l.record(id).reason()).isEqualTo("resumed outside the gateway");
  }

  @Test
  void aLatePauseEventOfAFreezeThatIsOverIsNoPause() {
    Lifecycle l = lifecycle();
    String id = l.create("k1");
    Map<String, String> labels = l.spec(id).labels();

    // the engine is running it (not paused) when the PAUSED event arrives
    l.sync.onRuntimeEvent(new RuntimeEvent(RuntimeEvent.Kind.PAUSED, l.engineId(id), labels, null));

    assertThat(l.record(id).status()).isEqualTo(ContainerStatus.RUNNING);
  }

  @Test
  void anEventForAContainerInFlightChangesNothingButAnOomIsRemembered() {
    Lifecycle l = lifecycle().watching();
    String id = l.create("k1");
    String engineId = l.engineId(id);
    l.statusChanges.fired.clear();

    l.ledger.inFlight(
        id,
        () -> {
          l.runtime.pause(engineId);
          l.runtime.resume(engineId);
          l.runtime.oomKill(engineId);
          l.runtime.start(engineId);
          l.runtime.remove(engineId);
        });

    assertThat(l.record(id).status()).isEqualTo(ContainerStatus.RUNNING);
    assertThat(l.record(id).reason()).isEqualTo("container started");
    assertThat(l.statusChanges.fired).isEmpty();
    assertThat(l.ledger.takeOomKill(id)).isTrue();
  }

  @Test
  void eventsForAFinalRecordOrWithoutARecordLabelAreIgnored() {
    Lifecycle l = lifecycle().watching();
    String id = l.create("k1");
    String engineId = l.engineId(id);
    Map<String, String> labels = l.spec(id).labels();
    l.containers.delete("k1", id, BASE);

    l.sync.onRuntimeEvent(new RuntimeEvent(RuntimeEvent.Kind.STARTED, engineId, labels, null));
    l.sync.onRuntimeEvent(
        new RuntimeEvent(
            RuntimeEvent.Kind.DIED, engineId, Map.of(ContainerLabels.GATEWAY, "x"), 1));

    assertThat(l.record(id).status()).isEqualTo(ContainerStatus.DELETED);
    assertThat(l.sync.watchedLabels())
        .containsExactly(Map.entry(ContainerLabels.GATEWAY, Lifecycle.GATEWAY));
  }

  @Test
  void anOtherGatewaysEventsNeverReachThisOne() {
    Lifecycle l = lifecycle().watching();
    String theirs = l.made(Lifecycle.Made.fresh("k1").by(Lifecycle.OTHER_GATEWAY));

    l.runtime.exit(l.engineId(theirs), 1);

    assertThat(l.record(theirs).status()).isEqualTo(ContainerStatus.RUNNING);
  }
}
