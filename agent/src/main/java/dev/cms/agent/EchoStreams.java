package dev.cms.agent;

import dev.cms.domain.protocol.Stream;
import dev.cms.domain.protocol.StreamHandler;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Stream kind {@code echo}: everything received is written back; the gateway's CLOSE is answered
 * with CLOSE once the echo is through. A diagnostic for the channel and its flow control.
 *
 * <p>Writing back may wait for window, which must not happen on the receiving thread, so the bytes
 * go to a per-stream serial queue on a worker pool and are credited to the gateway only after they
 * were written back: at most one window is ever buffered here.
 */
final class EchoStreams {
  private static final Logger LOG = Logger.getLogger(EchoStreams.class.getName());

  private EchoStreams() {}

  static StreamHandler handler(Executor workers) {
    SerialExecutor serial = new SerialExecutor(workers);
    return new StreamHandler() {
      @Override
      public void onData(Stream s, byte[] data) {
        serial.execute(
            () -> {
              try {
                s.write(data);
                s.credit(data.length);
              } catch (IOException e) {
                LOG.log(Level.FINE, "echo on {0} ended: {1}", new Object[] {s, e.getMessage()});
              }
            });
      }

      @Override
      public void onClose(Stream s) {
        serial.execute(s::close);
      }

      @Override
      public boolean autoCredit() {
        return false;
      }
    };
  }

  /** Runs tasks one after another, in submission order, on a shared pool. */
  static final class SerialExecutor implements Executor {
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private final Executor pool;
    private boolean running;

    SerialExecutor(Executor pool) {
      this.pool = pool;
    }

    @Override
    public synchronized void execute(Runnable task) {
      tasks.add(task);
      if (!running) {
        running = true;
        pool.execute(this::drain);
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
}
