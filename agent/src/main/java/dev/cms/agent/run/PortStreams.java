package dev.cms.agent.run;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.cms.domain.files.ParamException;
import dev.cms.domain.kinds.KindParams;
import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.Frame;
import dev.cms.domain.protocol.Stream;
import dev.cms.domain.protocol.StreamHandler;
import dev.cms.domain.protocol.StreamRefusedException;
import java.io.IOException;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Stream kind {@code ports}, opened by the gateway (no params): the agent sends, as UTF-8 lines,
 * {@code snapshot <p1> <p2> …} (the ports listened on now, ascending; just {@code snapshot} when
 * none) and then {@code open <port>} / {@code closed <port>} for every change seen by the {@link
 * PortWatcher}. The stream stays open until the gateway closes or resets it or the link drops;
 * bytes from the gateway are ignored.
 *
 * <p>Lines wait in a per-stream buffer while the stream has no window; should it exceed {@value
 * #MAX_PENDING} bytes, it is replaced by a fresh {@code snapshot} line.
 */
public final class PortStreams {

  static final int MAX_PENDING = 16 * 1024;

  private static final Logger LOG = Logger.getLogger(PortStreams.class.getName());

  private PortStreams() {}

  /** Accepts an OPEN of kind {@code ports}. */
  public static StreamHandler accept(Frame.Open open, PortWatcher watcher, Executor workers)
      throws StreamRefusedException {
    try {
      KindParams.Ports.of(open.params());
    } catch (ParamException e) {
      throw TcpStreams.refusal(e);
    }
    return new Handler(watcher, workers);
  }

  private static final class Handler implements StreamHandler, PortWatcher.Listener {
    private final PortWatcher watcher;
    private final Executor workers;
    private volatile Stream stream;

    // guarded by this
    private final SortedSet<Integer> known = new TreeSet<>();
    private final StringBuilder pending = new StringBuilder();
    private boolean sending;
    private boolean done;

    Handler(PortWatcher watcher, Executor workers) {
      this.watcher = watcher;
      this.workers = workers;
    }

    @Override
    public void onOpen(Stream s) {
      stream = s;
      watcher.subscribe(this);
    }

    @Override
    public void onData(Stream s, byte[] data) {
      // nothing is expected from the gateway
    }

    @Override
    public void onClose(Stream s) {
      stop();
      s.close();
    }

    @Override
    public void onReset(Stream s, int code, String reason) {
      stop();
    }

    private void stop() {
      synchronized (this) {
        done = true;
        pending.setLength(0);
      }
      watcher.unsubscribe(this);
    }

    @Override
    public void snapshot(SortedSet<Integer> ports) {
      synchronized (this) {
        known.clear();
        known.addAll(ports);
        pending.setLength(0);
        pending.append(snapshotLine());
      }
      kick();
    }

    @Override
    public void changed(int port, boolean open) {
      synchronized (this) {
        if (open) {
          known.add(port);
        } else {
          known.remove(port);
        }
        if (pending.length() > MAX_PENDING) {
          pending.setLength(0);
          pending.append(snapshotLine());
        } else {
          pending.append(open ? "open " : "closed ").append(port).append('\n');
        }
      }
      kick();
    }

    private String snapshotLine() { // holds this
      StringBuilder b = new StringBuilder("snapshot");
      for (Integer p : known) {
        b.append(' ').append(p);
      }
      return b.append('\n').toString();
    }

    /** Starts the sender unless it runs; it drains {@code pending}, blocking on the window. */
    private void kick() {
      synchronized (this) {
        if (sending || done || pending.length() == 0) {
          return;
        }
        sending = true;
      }
      try {
        workers.execute(this::send);
      } catch (RuntimeException e) {
        synchronized (this) {
          sending = false;
        }
      }
    }

    private void send() {
      Stream s = stream;
      while (true) {
        byte[] bytes;
        synchronized (this) {
          if (done || pending.length() == 0) {
            sending = false;
            return;
          }
          bytes = pending.toString().getBytes(UTF_8);
          pending.setLength(0);
        }
        try {
          s.write(bytes);
        } catch (IOException e) {
          LOG.log(Level.FINE, "{0} ended: {1}", new Object[] {s, e.getMessage()});
          synchronized (this) {
            sending = false;
          }
          stop();
          return;
        } catch (RuntimeException | Error e) { // this stream fails, the agent stays
          LOG.log(Level.WARNING, s + " failed", e);
          synchronized (this) {
            sending = false;
          }
          s.reset(ErrorCode.INTERNAL, "agent failed: " + e);
          stop();
          return;
        }
      }
    }
  }
}
