package dev.cms.agent;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with jitter for reconnecting: the ceiling starts at {@code initial}, doubles
 * with every failed attempt up to {@code max}; each delay is drawn between half the ceiling and the
 * ceiling, so many agents restarted together do not reconnect in lockstep.
 */
final class Backoff {
  private final long initialMillis;
  private final long maxMillis;
  private final DoubleSupplier random;
  private long ceilingMillis;

  Backoff(Duration initial, Duration max, DoubleSupplier random) {
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("need 0 < initial <= max: " + initial + ", " + max);
    }
    this.initialMillis = initial.toMillis();
    this.maxMillis = max.toMillis();
    this.random = random;
    this.ceilingMillis = initialMillis;
  }

  /** The agent's reconnect policy: 250 ms, doubling, at most 5 s. */
  static Backoff forReconnects() {
    return new Backoff(Duration.ofMillis(250), Duration.ofSeconds(5), Math::random);
  }

  /** The delay before the next attempt; raises the ceiling for the one after. */
  synchronized Duration next() {
    Duration d = jittered(ceilingMillis);
    ceilingMillis = Math.min(maxMillis, ceilingMillis * 2);
    return d;
  }

  /** The slowest delay (used when the gateway refused the agent), jittered the same way. */
  synchronized Duration slowest() {
    return jittered(maxMillis);
  }

  /** Starts over after a connection that lasted. */
  synchronized void reset() {
    ceilingMillis = initialMillis;
  }

  private Duration jittered(long ceiling) {
    double r = Math.min(1.0, Math.max(0.0, random.getAsDouble()));
    return Duration.ofMillis(ceiling / 2 + Math.round(r * (ceiling - ceiling / 2)));
  }
}
