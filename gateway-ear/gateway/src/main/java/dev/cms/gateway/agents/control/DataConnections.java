package dev.cms.gateway.agents.control;

import dev.cms.domain.data.DataLine;
import dev.cms.gateway.config.Settings;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The agents' dial-back data connections (see {@link DataLine}): authenticated with the link
 * credential, parked per container (at most {@code CMS_PREVIEW_PARKED_PER_CONTAINER}, {@code
 * CMS_PREVIEW_PARKED_MAX} in all; one beyond is closed, and the agent backs off), handed out one
 * per browser connection by {@link #open}. A container's parked connections are closed when its
 * agent link goes down. Admissions (a database look-up each) run on {@value #ADMITTERS} threads
 * with a queue of {@value #ADMISSION_QUEUE}; beyond it a connection is closed at once.
 */
@ApplicationScoped
public class DataConnections {

  static final int ADMITTERS = 2;
  static final int ADMISSION_QUEUE = 256;
  private static final Logger LOG = Logger.getLogger(DataConnections.class.getName());

  @Inject Settings settings;
  @Inject AgentAdmissions admissions;
  @Inject Agents agents;

  @Resource(lookup = "java:comp/DefaultManagedThreadFactory")
  ManagedThreadFactory managedThreads;

  private final Map<String, LinkedBlockingDeque<SocketChannel>> parked = new ConcurrentHashMap<>();
  private final AtomicInteger total = new AtomicInteger();
  private volatile ThreadPoolExecutor admitters;

  /** Why no data connection to the app could be had. */
  public static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    /** What went wrong, for the answer the browser gets. */
    public enum Kind {
      /** The agent found nothing listening on the port. */
      NOT_LISTENING,
      /** The container's agent is not connected. */
      AGENT_DOWN,
      /** No data connection came in time. */
      TIMEOUT,
      /** The agent refused for another reason. */
      OTHER
    }

    private final Kind kind;

    Refused(Kind kind, String message) {
      super(message);
      this.kind = kind;
    }

    public Kind kind() {
      return kind;
    }
  }

  /**
   * Called by the agent listener's selector thread with a connection whose first line was a
   * well-formed {@link DataLine.Hello} (the channel deregistered from the selector, nothing after
   * the line): admits it off that thread, or closes it.
   */
  void offer(SocketChannel ch, DataLine.Hello hello, String peer) {
    try {
      admitters().execute(() -> admit(ch, hello, peer));
    } catch (RejectedExecutionException e) {
      LOG.fine(() -> "data connection from " + peer + ": admission queue full");
      closeQuietly(ch);
    }
  }

  private void admit(SocketChannel ch, DataLine.Hello hello, String peer) {
    String id = hello.containerId();
    try {
      ch.configureBlocking(true);
      if (!agents.isConnected(id) || !admissions.acceptsDataConnection(id, hello.credential())) {
        LOG.fine(() -> "data connection from " + peer + " for " + id + ": refused");
        closeQuietly(ch);
        return;
      }
      if (total.incrementAndGet() > settings.previewParkedMax()) {
        total.decrementAndGet();
        closeQuietly(ch);
        return;
      }
      LinkedBlockingDeque<SocketChannel> q =
          parked.computeIfAbsent(
              id, k -> new LinkedBlockingDeque<>(settings.previewParkedPerContainer()));
      if (!q.offerLast(ch)) {
        total.decrementAndGet();
        closeQuietly(ch);
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.FINE, "admitting a data connection from " + peer, e);
      closeQuietly(ch);
    }
  }

  /**
   * A connection to {@code 127.0.0.1:port} (or {@code [::1]:port}) in the container, in blocking
   * mode, ready to carry bytes: takes a parked data connection (waiting up to {@code timeoutMillis}
   * for one), orders {@code CONNECT port} and reads the agent's answer (within the same time); a
   * parked connection found dead is skipped.
   */
  public SocketChannel open(String containerId, int port, long timeoutMillis) throws Refused {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (true) {
      if (!agents.isConnected(containerId)) {
        throw new Refused(Refused.Kind.AGENT_DOWN, "the container's agent is not connected");
      }
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        throw new Refused(Refused.Kind.TIMEOUT, "no data connection from the agent in time");
      }
      LinkedBlockingDeque<SocketChannel> q =
          parked.computeIfAbsent(
              containerId, k -> new LinkedBlockingDeque<>(settings.previewParkedPerContainer()));
      SocketChannel ch;
      try {
        ch = q.pollFirst(Math.min(left, 250), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new Refused(Refused.Kind.TIMEOUT, "interrupted");
      }
      if (ch == null) {
        continue;
      }
      total.decrementAndGet();
      DataLine.Answer answer;
      try {
        ch.write(ByteBuffer.wrap(new DataLine.Connect(port).bytes()));
        ch.socket().setSoTimeout((int) Math.max(1, deadline - System.currentTimeMillis()));
        String line = DataLine.read(ch.socket().getInputStream());
        ch.socket().setSoTimeout(0);
        if (line == null) {
          closeQuietly(ch);
          continue; // a stale one: the agent closed it meanwhile
        }
        answer =
            DataLine.Answer.parse(line)
                .orElseThrow(() -> new IOException("not an answer: " + line.length() + " chars"));
      } catch (SocketTimeoutException e) {
        closeQuietly(ch);
        throw new Refused(Refused.Kind.TIMEOUT, "the agent did not answer in time");
      } catch (IOException e) {
        LOG.log(Level.FINE, "data connection of " + containerId + " failed", e);
        closeQuietly(ch);
        continue;
      }
      if (answer.ok()) {
        return ch;
      }
      closeQuietly(ch);
      throw new Refused(
          answer.notListening() ? Refused.Kind.NOT_LISTENING : Refused.Kind.OTHER, answer.reason());
    }
  }

  /** Parked connections now (all containers). */
  public int parkedCount() {
    return Math.max(0, total.get());
  }

  /** A container's agent link went down: its parked connections go too. */
  void onLink(@Observes Agents.LinkChanged change) {
    if (!change.connected()) {
      drop(change.containerId());
    }
  }

  /** Closes the container's parked connections. */
  public void drop(String containerId) {
    LinkedBlockingDeque<SocketChannel> q = parked.remove(containerId);
    if (q != null) {
      SocketChannel ch;
      while ((ch = q.pollFirst()) != null) {
        total.decrementAndGet();
        closeQuietly(ch);
      }
    }
  }

  @PreDestroy
  void stop() {
    ThreadPoolExecutor a = admitters;
    if (a != null) {
      a.shutdownNow();
    }
    for (String id : parked.keySet()) {
      drop(id);
    }
  }

  private ThreadPoolExecutor admitters() {
    ThreadPoolExecutor a = admitters;
    if (a == null) {
      synchronized (this) {
        if (admitters == null) {
          ManagedThreadFactory f = managedThreads;
          admitters =
              new ThreadPoolExecutor(
                  ADMITTERS,
                  ADMITTERS,
                  30,
                  TimeUnit.SECONDS,
                  new ArrayBlockingQueue<>(ADMISSION_QUEUE),
                  r -> {
                    Thread t = f != null ? f.newThread(r) : new Thread(r);
                    t.setName("cms-data-admission");
                    t.setDaemon(true);
                    return t;
                  });
          admitters.allowCoreThreadTimeOut(true);
        }
        a = admitters;
      }
    }
    return a;
  }

  private static void closeQuietly(SocketChannel c) {
    try {
      c.close();
    } catch (IOException e) {
      LOG.log(Level.FINE, "closing a data connection", e);
    }
  }
}
