package dev.cms.domain.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SignInThrottleTest {

  final Instant t0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void aKeyIsRefusedAfterTheLimitUntilTheOldestFailureLeavesTheWindow() {
    SignInThrottle t = new SignInThrottle(3, Duration.ofMinutes(5), 100);
    t.failed("alice", t0);
    t.failed("alice", t0.plusSeconds(10));
    assertThat(t.blocked("alice", t0.plusSeconds(20))).isEmpty();
    t.failed("alice", t0.plusSeconds(20));
    assertThat(t.blocked("alice", t0.plusSeconds(30))).contains(Duration.ofSeconds(270));
    assertThat(t.blocked("bob", t0.plusSeconds(30))).isEmpty();
    assertThat(t.blocked("alice", t0.plusSeconds(300))).isEmpty();
  }

  @Test
  void successForgetsAndTheTableStaysBounded() {
    SignInThrottle t = new SignInThrottle(1, Duration.ofMinutes(5), 2);
    t.failed("a", t0);
    t.succeeded("a");
    assertThat(t.blocked("a", t0)).isEmpty();
    t.failed("b", t0);
    t.failed("c", t0);
    t.failed("d", t0);
    assertThat(t.blocked("b", t0)).isEmpty(); // evicted, the eldest
    assertThat(t.blocked("d", t0)).isPresent();
  }
}
