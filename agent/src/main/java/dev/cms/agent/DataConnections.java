package dev.cms.agent;

import dev.cms.domain.data.DataLine;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The agent's dial-back data connections (see {@link DataLine}): {@value #IDLE} idle plain TCP
 * connections to the gateway's agent listener, each opened with the link credential, kept open
 * while the link credential is known. When the gateway orders {@code CONNECT port} on one, the
 * agent connects to {@code 127.0.0.1:port} (then {@code [::1]:port}), answers, and copies bytes
 * both ways on two threads; the idle slot is refilled at once. At most {@value #MAX_ACTIVE}
 * connected at once (more are answered {@code REFUSED too-many}). A connection the gateway closes
 * before any {@code CONNECT} (refused, or parked one too many) is retried after a growing pause
 * (0.2 s to 2 s: a link that comes back finds its pool again within 2 s), so a refusing gateway
 * costs at most a few connections a second per slot.
 */
final class DataConnections {

  static final int IDLE = 4;
  static final int MAX_ACTIVE = 256;
  static final int CONNECT_TIMEOUT_MS = 2_000;
  private static final int BUFFER = 64 * 1024;
  private static final Logger LOG = Logger.getLogger(DataConnections.class.getName());

  private final InetSocketAddress gateway;
  private final String containerId;
  private final Supplier<Optional<String>> credential;
  private final AtomicInteger active = new AtomicInteger();
  private final AtomicInteger threads = new AtomicInteger();
  private volatile boolean stopped;

  /**
   * @param gateway the agent listener's address (host and port of {@code CMS_AGENT_URL}), resolved
   *     anew for every connection
   * @param credential the link credential, empty until the gateway issued one
   */
  DataConnections(
      InetSocketAddress gateway, String containerId, Supplier<Optional<String>> credential) {
    this.gateway = gateway;
    this.containerId = containerId;
    this.credential = credential;
  }

  /** Starts the idle slots. */
  void start() {
    for (int i = 0; i < IDLE; i++) {
      thread(this::slot, "agent-data-idle-" + i).start();
    }
  }

  void stop() {
    stopped = true;
  }

  private Thread thread(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  private void slot() {
    long pause = 200;
    while (!stopped) {
      Optional<String> cred = credential.get();
      if (cred.isEmpty()) {
        sleep(250);
        continue;
      }
      Socket s = new Socket();
      try {
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress(gateway.getHostString(), gateway.getPort()), 5_000);
        s.getOutputStream().write(new DataLine.Hello(containerId, cred.get()).bytes());
        String line = DataLine.read(s.getInputStream());
        if (line == null) {
          throw new IOException("closed by the gateway before an order");
        }
        Optional<DataLine.Connect> order = DataLine.Connect.parse(line);
        if (order.isEmpty()) {
          throw new IOException("not an order: " + line.length() + " characters");
        }
        pause = 200;
        Socket taken = s;
        thread(() -> serve(taken, order.get().port()), "agent-data-" + threads.incrementAndGet())
            .start();
      } catch (IOException | RuntimeException e) {
        closeQuietly(s);
        if (stopped) {
          return;
        }
        LOG.log(Level.FINE, "data connection ended before an order; retrying in " + pause, e);
        sleep(pause);
        pause = Math.min(pause * 2, 2_000);
      }
    }
  }

  private void serve(Socket gw, int port) {
    Socket app = null;
    try {
      if (active.incrementAndGet() > MAX_ACTIVE) {
        gw.getOutputStream()
            .write(
                DataLine.Answer.refused("too-many: " + MAX_ACTIVE + " data connections").bytes());
        return;
      }
      try {
        app = connect(port);
      } catch (IOException e) {
        gw.getOutputStream().write(DataLine.Answer.refused(e.getMessage()).bytes());
        return;
      }
      app.setTcpNoDelay(true);
      gw.getOutputStream().write(DataLine.Answer.OK.bytes());
      Socket a = app;
      Thread up = thread(() -> copy(gw, a), Thread.currentThread().getName() + "-up");
      up.start();
      copy(a, gw);
      up.join();
    } catch (IOException e) {
      LOG.log(Level.FINE, "data connection to port " + port + " ended", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      active.decrementAndGet();
      closeQuietly(app);
      closeQuietly(gw);
    }
  }

  /** Connects to the port on {@code 127.0.0.1}, then on {@code [::1]}; names why not. */
  static Socket connect(int port) throws IOException {
    IOException last = null;
    for (String host : new String[] {"127.0.0.1", "::1"}) {
      Socket s = new Socket();
      try {
        s.connect(new InetSocketAddress(InetAddress.getByName(host), port), CONNECT_TIMEOUT_MS);
        return s;
      } catch (ConnectException e) {
        closeQuietly(s);
        last = new IOException("not-listening: port " + port);
      } catch (SocketTimeoutException e) {
        closeQuietly(s);
        last = new IOException("not-listening: port " + port + " (connect timed out)");
      } catch (IOException e) {
        closeQuietly(s);
        if (last == null) {
          last = new IOException("connect-failed: port " + port + ": " + e.getMessage());
        }
      }
    }
    throw last;
  }

  /** Copies {@code from} to {@code to} until the end, then half-closes {@code to}. */
  private static void copy(Socket from, Socket to) {
    byte[] buf = new byte[BUFFER];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buf)) >= 0) {
        out.write(buf, 0, n);
      }
      to.shutdownOutput();
    } catch (IOException e) {
      // one side failed: end both
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void closeQuietly(Socket s) {
    if (s != null) {
      try {
        s.close();
      } catch (IOException e) {
        // closing
      }
    }
  }
}
