package dev.cms.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackoffTest {

  private static List<Long> delays(Backoff b, int n) {
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(b.next().toMillis());
    }
    return out;
  }

  @Test
  void doublesFrom250MillisUpToFiveSeconds() {
    Backoff top = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(5), () -> 1.0);

    assertThat(delays(top, 8))
        .containsExactly(250L, 500L, 1000L, 2000L, 4000L, 5000L, 5000L, 5000L);
  }

  @Test
  void jitterKeepsEachDelayBetweenHalfTheCeilingAndTheCeiling() {
    Backoff bottom = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(5), () -> 0.0);
    assertThat(delays(bottom, 7)).containsExactly(125L, 250L, 500L, 1000L, 2000L, 2500L, 2500L);

    Backoff real = Backoff.forReconnects();
    for (int i = 0; i < 100; i++) {
      assertThat(real.next().toMillis()).isBetween(125L, 5000L);
    }
  }

  @Test
  void resetStartsOver() {
    Backoff b = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(5), () -> 1.0);
    delays(b, 5);

    b.reset();

    assertThat(b.next()).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void slowestIsTheMaximumJitteredAndLeavesTheSequenceAlone() {
    Backoff b = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(5), () -> 0.5);

    assertThat(b.slowest()).isEqualTo(Duration.ofMillis(3750));
    assertThat(b.next()).isEqualTo(Duration.ofMillis(188));
  }

  @Test
  void rejectsNonsense() {
    assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), () -> 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), () -> 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
