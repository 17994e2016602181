package dev.cms.gateway.preview.control;

import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * A thread factory with a bound: at most {@code max} of its threads live at once (a permit is taken
 * when a thread is made and given back when its task ends). Beyond the bound {@link #newThread}
 * throws {@link RejectedExecutionException} with a clear message instead of returning a thread, so
 * a flood of preview connections is refused (503) rather than growing the JVM's threads; the
 * refusal is logged at most once a minute. A thread that is made must be started.
 */
public final class BoundedThreads implements ThreadFactory {

  private static final Logger LOG = Logger.getLogger(BoundedThreads.class.getName());

  private final ThreadFactory delegate;
  private final int max;
  private final Semaphore permits;
  private final AtomicLong lastLogged = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();

  public BoundedThreads(ThreadFactory delegate, int max) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    if (max < 1) {
      throw new IllegalArgumentException("max must be positive: " + max);
    }
    this.max = max;
    this.permits = new Semaphore(max);
  }

  @Override
  public Thread newThread(Runnable task) {
    if (!permits.tryAcquire()) {
      long n = refused.incrementAndGet();
      long now = System.currentTimeMillis();
      long last = lastLogged.get();
      if (now - last >= 60_000 && lastLogged.compareAndSet(last, now)) {
        LOG.warning(
            "all " + max + " preview relay threads are busy; refusing (" + n + " refused so far)");
      }
      throw new RejectedExecutionException(
          "too-many-relays: all " + max + " preview relay threads are busy");
    }
    Thread t;
    try {
      t =
          delegate.newThread(
              () -> {
                try {
                  task.run();
                } finally {
                  permits.release();
                }
              });
    } catch (RuntimeException e) {
      permits.release();
      throw e;
    }
    if (t == null) {
      permits.release();
      throw new RejectedExecutionException("no thread for a preview relay");
    }
    return t;
  }

  /** Threads made and not yet ended. */
  public int inUse() {
    return max - permits.availablePermits();
  }

  public int max() {
    return max;
  }
}
