package dev.cms.gateway.agents.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateWindowTest {

  @Test
  void allowsTheBoundPerMinuteAndReportsTheRestOnceInTheNextWindow() {
    AtomicLong now = new AtomicLong(1_000_000);
    RateWindow w = new RateWindow(3, 100, now::get);
    for (int i = 0; i < 3; i++) {
      assertThat(w.admit("c-1").allowed()).isTrue();
    }
    RateWindow.Decision firstRefusal = w.admit("c-1");
    assertThat(firstRefusal.allowed()).isFalse();
    assertThat(firstRefusal.firstRefused()).as("one log line per window").isTrue();
    for (int i = 1; i < 500; i++) {
      RateWindow.Decision d = w.admit("c-1");
      assertThat(d.allowed()).isFalse();
      assertThat(d.firstRefused()).isFalse();
    }
    assertThat(w.admit("c-2").allowed()).as("other keys are not affected").isTrue();

    now.addAndGet(60_000);
    RateWindow.Decision next = w.admit("c-1");
    assertThat(next.allowed()).isTrue();
    assertThat(next.suppressedBefore()).isEqualTo(500);
    assertThat(w.admit("c-1").suppressedBefore()).isZero();
  }

  @Test
  void holdsABoundedNumberOfKeys() {
    AtomicLong now = new AtomicLong(0);
    RateWindow w = new RateWindow(1, 10, now::get);
    for (int i = 0; i < 10; i++) {
      assertThat(w.admit("a" + i).allowed()).isTrue();
    }
    assertThat(w.admit("new").allowed()).isFalse();
    now.addAndGet(60_000);
    assertThat(w.admit("new").allowed()).as("expired keys make room").isTrue();
  }
}
