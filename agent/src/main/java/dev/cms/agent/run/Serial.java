package dev.cms.agent.run;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Runs tasks one after another, in submission order, on a shared pool. */
final class Serial implements Executor {
  private static final Logger LOG = Logger.getLogger(Serial.class.getName());

  private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
  private final Executor pool;
  private boolean running;

  Serial(Executor pool) {
    this.pool = pool;
  }

  @Override
  public void execute(Runnable task) {
    synchronized (this) {
      tasks.add(task);
      if (running) {
        return;
      }
      running = true;
    }
    try {
      pool.execute(this::drain);
    } catch (RuntimeException e) { // pool shut down
      synchronized (this) {
        running = false;
        tasks.clear();
      }
      LOG.log(Level.FINE, "task dropped: {0}", e.toString());
    }
  }

  private void drain() {
    while (true) {
      Runnable next;
      synchronized (this) {
        next = tasks.poll();
        if (next == null) {
          running = false;
          return;
        }
      }
      try {
        next.run();
      } catch (RuntimeException | Error e) { // one task fails, the queue goes on
        LOG.log(Level.WARNING, "stream task failed", e);
      }
    }
  }
}
