package dev.cms.gateway.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cms.gateway.runtime.ContainerSpec;
import dev.cms.gateway.runtime.RuntimeContainer;
import dev.cms.gateway.runtime.RuntimeEvent;
import dev.cms.gateway.runtime.RuntimeFailureException;
import dev.cms.gateway.runtime.RuntimeUnavailableException;
import dev.cms.gateway.runtime.SnapshotSpec;
import dev.cms.gateway.runtime.SnapshotTooLargeException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The fake keeps the runtime SPI's contracts, so tests against it mean something. */
class FakeRuntimeTest {

  private final FakeRuntime runtime = new FakeRuntime();

  private static ContainerSpec spec(String name, Map<String, String> labels) {
    return new ContainerSpec(name, "img", labels, Map.of(), 512, 1.0, 100, 1024);
  }

  @Test
  void aContainerLivesThroughPauseStopStartAndRemoveWithItsEventsToMatchingWatchers()
      throws Exception {
    List<RuntimeEvent> mine = new CopyOnWriteArrayList<>();
    List<RuntimeEvent> others = new CopyOnWriteArrayList<>();
    AutoCloseable w = runtime.watch(Map.of("cms.gateway", "g1"), mine::add);
    runtime.watch(Map.of("cms.gateway", "g2"), others::add);

    String id = runtime.createAndStart(spec("a", Map.of("cms.gateway", "g1", "cms.record", "c-1")));
    runtime.pause(id);
    runtime.pause(id); // already paused: not an error, no second event
    assertThat(runtime.inspect(id)).hasValueSatisfying(c -> assertThat(c.paused()).isTrue());
    runtime.resume(id);
    runtime.stop(id, Duration.ofSeconds(1));
    RuntimeContainer stopped = runtime.inspect(id).orElseThrow();
    assertThat(stopped.running()).isFalse();
    assertThat(stopped.exitCode()).isEqualTo(143);
    runtime.start(id);
    runtime.exit(id, 3);
    runtime.remove(id);
    runtime.remove(id); // gone: not an error

    assertThat(mine)
        .extracting(RuntimeEvent::kind)
        .containsExactly(
            RuntimeEvent.Kind.STARTED,
            RuntimeEvent.Kind.PAUSED,
            RuntimeEvent.Kind.RESUMED,
            RuntimeEvent.Kind.DIED,
            RuntimeEvent.Kind.STARTED,
            RuntimeEvent.Kind.DIED,
            RuntimeEvent.Kind.REMOVED);
    assertThat(mine.get(5).exitCode()).isEqualTo(3);
    assertThat(others).isEmpty();
    assertThat(runtime.inspect(id)).isEmpty();

    w.close();
    runtime.resync();
    assertThat(mine).hasSize(7);
    assertThat(others).extracting(RuntimeEvent::kind).containsExactly(RuntimeEvent.Kind.RESYNC);
  }

  @Test
  void listFiltersByEveryLabelAndAnUnknownContainerIsARuntimeFailure() {
    String a = runtime.createAndStart(spec("a", Map.of("app", "x", "tier", "1")));
    runtime.createAndStart(spec("b", Map.of("app", "x")));

    assertThat(runtime.list(Map.of("app", "x"))).hasSize(2);
    assertThat(runtime.list(Map.of("app", "x", "tier", "1")))
        .extracting(RuntimeContainer::engineId)
        .containsExactly(a);
    assertThatThrownBy(() -> runtime.pause("nope")).isInstanceOf(RuntimeFailureException.class);
    runtime.stop(a, Duration.ZERO);
    assertThatThrownBy(() -> runtime.updateLimits(a, 1024, 2.0))
        .isInstanceOf(RuntimeFailureException.class);
  }

  @Test
  void snapshotsAreBoundedKeptAndRestorable() {
    String a = runtime.createAndStart(spec("a", Map.of()));
    assertThatThrownBy(() -> runtime.snapshot(a, new SnapshotSpec("s-0", Map.of(), Set.of(), 1)))
        .isInstanceOf(SnapshotTooLargeException.class);
    var s = runtime.snapshot(a, new SnapshotSpec("s-1", Map.of(), Set.of(), Long.MAX_VALUE));
    assertThat(runtime.snapshots(Map.of())).containsExactly("s-1");
    String b = runtime.createAndStart(spec("b", Map.of()), s);
    assertThat(runtime.inspect(b)).isPresent();
    runtime.removeSnapshot("s-1");
    runtime.removeSnapshot("s-1");
    assertThat(runtime.snapshots(Map.of())).isEmpty();
    assertThatThrownBy(() -> runtime.createAndStart(spec("c", Map.of()), s))
        .isInstanceOf(RuntimeFailureException.class);
  }

  @Test
  void anUnreachableEngineFailsEveryCallUntilItIsBack() {
    runtime.unreachable("connection refused");
    assertThatThrownBy(runtime::ping)
        .isInstanceOf(RuntimeUnavailableException.class)
        .hasMessageContaining("connection refused");
    assertThatThrownBy(() -> runtime.createAndStart(spec("a", Map.of())))
        .isInstanceOf(RuntimeUnavailableException.class);
    assertThat(runtime.containerIds()).isEmpty();
    runtime.unreachable(null);
    runtime.ping();
  }
}
