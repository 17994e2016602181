package dev.cms.gateway.containers.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cms.domain.ContainerStatus;
import dev.cms.gateway.containers.entity.ContainerRecord;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reaper removes this gateway's containers past their time to live or idle timeout, and counts
 * the removals in the real {@link dev.cms.gateway.metrics.Meters} (on a counting registry).
 */
class ReaperTest {

  private static final String REMOVALS = "cms_reaper_removals";
  private static final Duration TWO_MINUTES = Duration.ofMinutes(2);

  @TempDir Path dataDir;

  private final Lifecycle.Made k1 = Lifecycle.Made.fresh("k1");

  private Lifecycle lifecycle() {
    return new Lifecycle(dataDir, 10).watching();
  }

  private static void assertReaped(Lifecycle l, String id, String engineId, String reason) {
    ContainerRecord rec = l.record(id);
    assertThat(rec.status()).isEqualTo(ContainerStatus.DELETED);
    assertThat(rec.reason()).isEqualTo(reason);
    assertThat(l.runtime.containerIds()).doesNotContain(engineId);
  }

  @Test
  void aContainerPastItsTimeToLiveIsRemovedAndCounted() {
    Lifecycle l = lifecycle();
    // active a moment ago: the time to live runs whatever happens
    String id = l.made(k1.clocks(60, 3600).aged(TWO_MINUTES, Duration.ZERO));
    String engineId = l.engineId(id);

    l.reaper.reap();

    assertReaped(l, id, engineId, "time to live of 60 s expired");
    assertThat(l.announced(id)).containsExactly(ContainerStatus.DELETED);
    assertThat(l.metrics.count(REMOVALS, "reason", "ttl")).isEqualTo(1);
    assertThat(l.metrics.count(REMOVALS, "reason", "idle")).isZero();
  }

  @Test
  void aContainerIdlePastItsTimeoutIsRemovedAndCounted() {
    Lifecycle l = lifecycle();
    String id = l.made(k1.clocks(86_400, 60).aged(TWO_MINUTES, TWO_MINUTES));
    String engineId = l.engineId(id);
    String active = l.made(k1.clocks(86_400, 60).aged(TWO_MINUTES, Duration.ZERO));

    l.reaper.reap();

    assertReaped(l, id, engineId, "idle for more than 60 s");
    assertThat(l.record(active).status()).isEqualTo(ContainerStatus.RUNNING);
    assertThat(l.metrics.count(REMOVALS, "reason", "idle")).isEqualTo(1);
    assertThat(l.metrics.count(REMOVALS, "reason", "ttl")).isZero();

    // a second pass finds nothing more to do
    l.reaper.reap();
    assertThat(l.metrics.count(REMOVALS, "reason", "idle")).isEqualTo(1);
  }

  @Test
  void aStoppedOrTerminatedOneIsReapedTooItsContainerStillOnTheEngine() {
    Lifecycle l = lifecycle();
    // a stop is activity (the idle clock starts again): the time to live ends them
    String stopped = l.made(k1.clocks(60, 3600).aged(TWO_MINUTES, Duration.ZERO));
    String exited = l.made(k1.clocks(60, 3600).aged(TWO_MINUTES, Duration.ZERO));
    l.containers.stop("k1", stopped, Lifecycle.ENDPOINTS.publicBase());
    l.runtime.exit(l.engineId(exited), 1);
    assertThat(l.record(exited).status()).isEqualTo(ContainerStatus.TERMINATED);

    l.reaper.reap();

    assertThat(l.record(stopped).status()).isEqualTo(ContainerStatus.DELETED);
    assertThat(l.record(exited).status()).isEqualTo(ContainerStatus.DELETED);
    assertThat(l.runtime.containerIds()).isEmpty();
  }

  @Test
  void aPausedContainerIsNeverIdleButItsTimeToLiveApplies() {
    Lifecycle l = lifecycle();
    String idle = l.made(k1.clocks(86_400, 60).aged(TWO_MINUTES, TWO_MINUTES));
    String old = l.made(k1.clocks(60, 3600).aged(TWO_MINUTES, TWO_MINUTES));
    String oldEngineId = l.engineId(old);
    l.recordAs(idle, ContainerStatus.PAUSED);
    l.recordAs(old, ContainerStatus.PAUSED);

    l.reaper.reap();

    assertThat(l.record(idle).status()).isEqualTo(ContainerStatus.PAUSED);
    assertReaped(l, old, oldEngineId, "time to live of 60 s expired");
    assertThat(l.metrics.count(REMOVALS, "reason", "ttl")).isEqualTo(1);
    assertThat(l.metrics.count(REMOVALS, "reason", "idle")).isZero();
  }

  @Test
  void aWarmPoolRecordAndAnotherGatewaysRecordAreLeftAlone() {
    Lifecycle l = lifecycle();
    Lifecycle.Made expired = k1.clocks(60, 60).aged(TWO_MINUTES, TWO_MINUTES);
    String pooled =
        l.made(
            new Lifecycle.Made(
                ContainerRecord.POOL_OWNER, Lifecycle.GATEWAY, TWO_MINUTES, TWO_MINUTES, 60, 60));
    String theirs = l.made(expired.by(Lifecycle.OTHER_GATEWAY));
    String pooledEngineId = l.engineId(pooled);
    String theirEngineId = l.engineId(theirs);

    l.reaper.reap();

    assertThat(l.record(pooled).status()).isEqualTo(ContainerStatus.RUNNING);
    assertThat(l.record(theirs).status()).isEqualTo(ContainerStatus.RUNNING);
    assertThat(l.runtime.containerIds()).contains(pooledEngineId, theirEngineId);
    assertThat(l.runtime.calls).noneMatch(c -> c.startsWith("remove "));
    assertThat(l.metrics.count(REMOVALS, "reason", "ttl")).isZero();
  }

  @Test
  void aReapTheEngineRefusesIsNotCountedAndTheNextPassTriesAgain() {
    Lifecycle l = lifecycle();
    String id = l.made(k1.clocks(60, 3600).aged(TWO_MINUTES, Duration.ZERO));
    String engineId = l.engineId(id);
    l.runtime.unreachable("connection refused");

    l.reaper.reap();

    assertThat(l.record(id).status()).isEqualTo(ContainerStatus.RUNNING);
    assertThat(l.metrics.count(REMOVALS, "reason", "ttl")).isZero();
    assertThat(l.ledger.isInFlight(id)).isFalse();

    l.runtime.unreachable(null);
    l.reaper.reap();
    assertReaped(l, id, engineId, "time to live of 60 s expired");
    assertThat(l.metrics.count(REMOVALS, "reason", "ttl")).isEqualTo(1);
  }
}
