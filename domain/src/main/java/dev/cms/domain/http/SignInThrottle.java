package dev.cms.domain.http;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Failed sign-ins per key (a user name, or a client address) in a sliding window: after {@code
 * limit} failures within {@code window} the key is refused until the oldest failure leaves the
 * window. Bounded: at most {@code maxKeys} keys are tracked; the least recently failed go first.
 */
public final class SignInThrottle {

  private final int limit;
  private final Duration window;
  private final int maxKeys;
  private final Map<String, Deque<Instant>> failures = new LinkedHashMap<>(16, 0.75f, true);

  public SignInThrottle(int limit, Duration window, int maxKeys) {
    if (limit < 1 || window.isNegative() || window.isZero() || maxKeys < 1) {
      throw new IllegalArgumentException("limit, window and maxKeys must be positive");
    }
    this.limit = limit;
    this.window = window;
    this.maxKeys = maxKeys;
  }

  /** How long {@code key} must wait before it may try again; empty when it may try now. */
  public synchronized Optional<Duration> blocked(String key, Instant now) {
    Deque<Instant> f = failures.get(key);
    if (f == null) {
      return Optional.empty();
    }
    prune(f, now);
    if (f.isEmpty()) {
      failures.remove(key);
      return Optional.empty();
    }
    if (f.size() < limit) {
      return Optional.empty();
    }
    Duration wait = Duration.between(now, f.peekFirst().plus(window));
    return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
  }

  /** Records a failed attempt of {@code key}. */
  public synchronized void failed(String key, Instant now) {
    Deque<Instant> f = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
    prune(f, now);
    f.addLast(now);
    while (f.size() > limit) {
      f.removeFirst();
    }
    if (failures.size() > maxKeys) {
      Iterator<String> eldest = failures.keySet().iterator();
      eldest.next();
      eldest.remove();
    }
  }

  /** Forgets the failures of {@code key} (after a successful sign-in). */
  public synchronized void succeeded(String key) {
    failures.remove(key);
  }

  private void prune(Deque<Instant> f, Instant now) {
    Instant oldest = now.minus(window);
    while (!f.isEmpty() && !f.peekFirst().isAfter(oldest)) {
      f.removeFirst();
    }
  }
}
