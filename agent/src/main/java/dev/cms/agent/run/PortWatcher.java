package dev.cms.agent.run;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Finds the TCP ports listened on in the container by polling {@code /proc/net/tcp} and {@code
 * /proc/net/tcp6} (every 250 ms while anybody listens to it): the ports of sockets in state {@code
 * 0A} (LISTEN) bound to a wildcard or loopback address ({@code 0.0.0.0}, {@code 127.0.0.0/8},
 * {@code ::}, {@code ::1}, and their IPv4-mapped forms), the ones a {@code tcp} stream can reach
 * through {@code 127.0.0.1}. A port listened on by several sockets (IPv4 and IPv6) counts once.
 * Nothing on {@code 127.0.0.11} counts (the engine's DNS resolver listens there in every container
 * on a user-defined network), and, in the AppContainer (where {@code CMS_RUN_AS} is set and the
 * user's code never runs as root), no socket owned by root: the resolver and anything of the agent.
 *
 * <p>Listeners get the current set when they subscribe, then every change, in order, on the
 * watcher's thread (they must not block).
 */
public final class PortWatcher implements AutoCloseable {
  /** The default poll interval. */
  public static final Duration INTERVAL = Duration.ofMillis(250);

  /** The files polled by default. */
  public static final List<Path> PROC_FILES =
      List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));

  private static final Logger LOG = Logger.getLogger(PortWatcher.class.getName());
  private static final String LISTEN = "0A";
  private static final String ROOT = "0";

  /** In the AppContainer the user's code runs as {@code CMS_RUN_AS}, never as root. */
  private static final boolean USER_SOCKETS_ONLY = System.getenv("CMS_RUN_AS") != null;

  /** {@code 127.0.0.11}, the engine's DNS resolver, as {@code /proc/net/tcp} prints it. */
  private static final String ENGINE_DNS_HEX =
      ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? "0B00007F:" : "7F00000B:";

  /** Receives the watcher's news, on the watcher's thread. */
  public interface Listener {
    /** The ports listened on when the listener subscribed (sorted). */
    void snapshot(SortedSet<Integer> ports);

    /** A port started ({@code open}) or stopped ({@code false}) being listened on. */
    void changed(int port, boolean open);
  }

  private final List<Path> files;
  private final long intervalMillis;
  private final CopyOnWriteArrayList<Listener> listeners = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService timer;

  // guarded by this
  private SortedSet<Integer> current = new TreeSet<>();
  private ScheduledFuture<?> polling;
  private boolean closed;

  /** A watcher of {@link #PROC_FILES} every {@link #INTERVAL}. */
  public PortWatcher() {
    this(PROC_FILES, INTERVAL);
  }

  /**
   * A watcher of other files (tests).
   *
   * @param files files in the format of {@code /proc/net/tcp}; missing ones count as empty
   * @param interval how often to read them
   */
  public PortWatcher(List<Path> files, Duration interval) {
    this.files = List.copyOf(files);
    this.intervalMillis = Math.max(1, interval.toMillis());
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "agent-port-watcher");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Subscribes: the listener gets the current set (read now when nobody was subscribed), then the
   * changes. Polling runs while there are listeners.
   */
  public void subscribe(Listener l) {
    onTimer(
        () -> {
          synchronized (this) {
            if (closed) {
              return;
            }
            if (listeners.isEmpty()) {
              current = read(); // nobody watched: the last set is stale
            }
            listeners.add(l);
            if (polling == null) {
              polling =
                  timer.scheduleWithFixedDelay(
                      this::poll, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
            }
          }
          deliver(l, () -> l.snapshot(Collections.unmodifiableSortedSet(new TreeSet<>(current))));
        });
  }

  /** Unsubscribes; polling stops with the last listener. */
  public void unsubscribe(Listener l) {
    onTimer(
        () -> {
          synchronized (this) {
            if (listeners.remove(l) && listeners.isEmpty() && polling != null) {
              polling.cancel(false);
              polling = null;
            }
          }
        });
  }

  /** The ports listened on now (reads the files). */
  public SortedSet<Integer> listening() {
    return read();
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      listeners.clear();
    }
    timer.shutdownNow();
  }

  private void onTimer(Runnable r) {
    try {
      timer.execute(r);
    } catch (RejectedExecutionException e) {
      // closed
    }
  }

  private void poll() {
    SortedSet<Integer> now = read();
    SortedSet<Integer> before;
    synchronized (this) {
      before = current;
      current = now;
    }
    if (now.equals(before)) {
      return;
    }
    for (Integer p : before) {
      if (!now.contains(p)) {
        announce(p, false);
      }
    }
    for (Integer p : now) {
      if (!before.contains(p)) {
        announce(p, true);
      }
    }
  }

  private void announce(int port, boolean open) {
    for (Listener l : listeners) {
      deliver(l, () -> l.changed(port, open));
    }
  }

  private static void deliver(Listener l, Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "port listener " + l + " failed", e);
    }
  }

  private SortedSet<Integer> read() {
    SortedSet<Integer> ports = new TreeSet<>();
    for (Path f : files) {
      try (BufferedReader in = Files.newBufferedReader(f, StandardCharsets.US_ASCII)) {
        parse(in, ports, USER_SOCKETS_ONLY);
      } catch (NoSuchFileException e) {
        // no IPv6 in this container, say
      } catch (IOException | RuntimeException e) {
        LOG.log(Level.FINE, "cannot read {0}: {1}", new Object[] {f, e.toString()});
      }
    }
    return ports;
  }

  /** Adds the ports of the reachable LISTEN sockets of a {@code /proc/net/tcp}-style text. */
  static void parse(BufferedReader in, Set<Integer> ports, boolean userSocketsOnly)
      throws IOException {
    String line;
    while ((line = in.readLine()) != null) {
      // "  sl  local_address rem_address   st ... uid ..." / "   0: 0100007F:1F90 00000000:0000 0A
      // 00000000:00000000 00:00000000 00000000  1000 ..."
      String[] f = line.trim().split("\\s+", 9);
      if (f.length < 8
          || !f[0].endsWith(":")
          || !LISTEN.equals(f[3])
          || (userSocketsOnly && ROOT.equals(f[7]))) {
        continue;
      }
      if (f[1].startsWith(ENGINE_DNS_HEX)) {
        continue;
      }
      int colon = f[1].indexOf(':');
      if (colon < 0) {
        continue;
      }
      try {
        int port = Integer.parseInt(f[1].substring(colon + 1), 16);
        if (port > 0 && reachable(f[1].substring(0, colon))) {
          ports.add(port);
        }
      } catch (NumberFormatException | UnknownHostException e) {
        // not a line we understand
      }
    }
  }

  /**
   * Whether a local address of {@code /proc/net/tcp} (hex, 32-bit words in host byte order) is a
   * wildcard or loopback address.
   */
  static boolean reachable(String hex) throws UnknownHostException {
    if (hex.length() != 8 && hex.length() != 32) {
      return false;
    }
    ByteBuffer b = ByteBuffer.allocate(hex.length() / 2).order(ByteOrder.nativeOrder());
    for (int i = 0; i < hex.length(); i += 8) {
      b.putInt((int) Long.parseLong(hex.substring(i, i + 8), 16));
    }
    InetAddress a = InetAddress.getByAddress(b.array()); // IPv4-mapped IPv6 becomes IPv4
    return a.isAnyLocalAddress() || a.isLoopbackAddress();
  }
}
