package dev.cms.gateway.agents.control;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Counts events per key in fixed one-minute windows: at most {@code perWindow} are allowed, the
 * rest are counted, so a reconnect storm costs a bounded number of log lines and history rows.
 * Holds at most {@code maxKeys} keys (expired ones are dropped first; beyond that, unknown keys are
 * refused), so many keys cannot grow it without bound either.
 */
public final class RateWindow {

  /**
   * What {@link #admit} decided.
   *
   * @param allowed whether the event is within the bound
   * @param suppressedBefore (once, when a new window starts) how many events the windows before
   *     refused, for a summary line
   * @param firstRefused whether this is the first refusal of the window (for one log line)
   */
  public record Decision(boolean allowed, long suppressedBefore, boolean firstRefused) {}

  private static final long WINDOW_MS = 60_000;

  private final int perWindow;
  private final int maxKeys;
  private final LongSupplier clock;
  private final Map<String, Window> windows = new ConcurrentHashMap<>();

  private static final class Window {
    long start;
    int count;
    long suppressed;
  }

  public RateWindow(int perWindow, int maxKeys) {
    this(perWindow, maxKeys, System::currentTimeMillis);
  }

  RateWindow(int perWindow, int maxKeys, LongSupplier clock) {
    this.perWindow = perWindow;
    this.maxKeys = maxKeys;
    this.clock = clock;
  }

  /**
   * Counts one event of {@code key}.
   *
   * @return whether it is within the bound, and (once, when a new window starts) how many events
   *     were refused in the windows before, for a summary line
   */
  public Decision admit(String key) {
    long now = clock.getAsLong();
    if (!windows.containsKey(key) && windows.size() >= maxKeys) {
      windows.values().removeIf(w -> now - w.start >= WINDOW_MS && w.suppressed == 0);
      if (windows.size() >= maxKeys) {
        return new Decision(false, 0, false);
      }
    }
    Window w = windows.computeIfAbsent(key, k -> new Window());
    synchronized (w) {
      long before = 0;
      if (now - w.start >= WINDOW_MS) {
        before = w.suppressed;
        w.start = now;
        w.count = 0;
        w.suppressed = 0;
      }
      if (w.count < perWindow) {
        w.count++;
        return new Decision(true, before, false);
      }
      w.suppressed++;
      return new Decision(false, before, w.suppressed == 1);
    }
  }

  /** Forgets a key (its container is gone). */
  public void forget(String key) {
    windows.remove(key);
  }
}
