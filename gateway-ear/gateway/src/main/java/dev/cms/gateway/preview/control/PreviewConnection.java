package dev.cms.gateway.preview.control;

import dev.cms.gateway.agents.control.DataConnections;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One browser connection on the preview listener, on two threads: this one reads the browser's
 * requests (heads parsed, bodies passed on as they are) and writes them to the app; an {@link App}
 * reads the app's responses (heads parsed for framing and the path form's {@code Location}, bodies
 * passed on) and writes them to the browser. One app connection (an agent data connection) per
 * browser connection, kept while the browser's requests name the same (container, port); a request
 * for another one waits until the answers before it are through, then a new app connection is
 * taken. The listener's own answers (404, waiting page, …) close the connection.
 */
final class PreviewConnection implements Runnable {

  static final int MAX_REQUEST_HEAD = 32 * 1024;
  static final int MAX_RESPONSE_HEAD = 32 * 1024;
  static final long FIRST_HEAD_MILLIS = 30_000;
  static final long IDLE_MILLIS = 120_000;
  static final long DRAIN_MILLIS = 300_000;

  private static final Logger LOG = Logger.getLogger(PreviewConnection.class.getName());

  private final PreviewListener listener;
  private final SocketChannel client;
  private final String clientAddress;
  private final ByteBuffer in = Wire.buffer();
  private volatile App app;
  private volatile long deadline;
  private volatile boolean closed;

  PreviewConnection(PreviewListener listener, SocketChannel client) {
    this.listener = listener;
    this.client = client;
    String a;
    try {
      a = ((InetSocketAddress) client.getRemoteAddress()).getAddress().getHostAddress();
    } catch (IOException | RuntimeException e) {
      a = null;
    }
    this.clientAddress = a;
  }

  @Override
  public void run() {
    try {
      serve();
    } catch (ClosedChannelException e) {
      LOG.log(Level.FINEST, "preview connection closed", e);
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.FINE, "preview connection ended", e);
    } finally {
      close();
      listener.ended(this);
    }
  }

  /** Closes the connection when it waited for a request head past its time. */
  void checkDeadline(long now) {
    long d = deadline;
    if (d > 0 && now > d) {
      LOG.finer("preview connection idle: closing");
      close();
    }
  }

  private void serve() throws IOException {
    boolean first = true;
    while (true) {
      deadline = System.currentTimeMillis() + (first ? FIRST_HEAD_MILLIS : IDLE_MILLIS);
      byte[] raw;
      try {
        raw = Wire.readHead(client, in, MAX_REQUEST_HEAD);
      } catch (Wire.HeadTooLarge e) {
        answer(
            PreviewPages.problem(
                431, "Request Header Fields Too Large", "request head too large", ""));
        return;
      }
      deadline = 0;
      if (raw == null) {
        finishApp();
        return;
      }
      first = false;
      HttpHeads.Request req;
      try {
        req = HttpHeads.request(raw);
      } catch (IOException e) {
        answer(PreviewPages.problem(400, "Bad Request", "malformed request", ""));
        return;
      }
      if (!forward(req)) {
        return;
      }
    }
  }

  /** Sends one request to the app; false when the connection is to end. */
  private boolean forward(HttpHeads.Request req) throws IOException {
    String target = req.target();
    int q = target.indexOf('?');
    String path = q < 0 ? target : target.substring(0, q);
    String query = q < 0 ? null : target.substring(q + 1);
    PreviewProxy proxy = listener.proxy();
    Optional<PreviewAddress> routed =
        proxy.route(HttpHeader.first(req.headers(), "Host"), path, query);
    if (routed.isEmpty() || !proxy.admits(routed.get())) {
      answer(PreviewPages.notFound());
      return false;
    }
    PreviewAddress a = routed.get();
    if (a.missingSlash()) {
      answer(PreviewPages.redirect(a.prefix() + "/" + (query == null ? "" : "?" + query)));
      return false;
    }
    proxy.touch(a.containerId());
    String key = a.containerId() + "/" + a.port() + "/" + a.form();
    if (app != null && (!app.key.equals(key) || app.dead)) {
      finishApp();
    }
    boolean upgrade = req.upgrade();
    RequestHead head;
    try {
      head =
          RequestHead.forApp(
              req.method(),
              a.target(),
              req.headers(),
              new RequestHead.Forwarding(
                  clientAddress, "http", proxy.hostFor(a.port()), upgrade, req.keepAlive()));
    } catch (IllegalArgumentException e) {
      answer(PreviewPages.problem(400, "Bad Request", "malformed request", ""));
      return false;
    }
    RequestHead.Body body = RequestHead.bodyOf(req.headers());
    boolean replayable = !upgrade && body == RequestHead.Body.NONE && idempotent(req.method());
    App to = null;
    SocketChannel sent = null;
    // a kept-alive app connection the app has just closed is found dead here: take a fresh one
    // (twice at most: a fresh connection that is dead at once ends the browser connection)
    for (int attempt = 0; attempt < 2 && sent == null; attempt++) {
      if (app == null) {
        SocketChannel ch;
        try {
          ch = listener.data().open(a.containerId(), a.port(), PreviewListener.OPEN_TIMEOUT_MILLIS);
        } catch (DataConnections.Refused r) {
          answer(listener.refusal(r, a, wantsHtml(req)));
          return false;
        }
        App next = new App(ch, key, a);
        try {
          listener.executor().execute(next);
        } catch (RejectedExecutionException e) {
          closeQuietly(ch);
          answer(
              PreviewPages.problem(
                  503, "Service Unavailable", "too many preview connections; try again later", ""));
          return false;
        }
        app = next;
      }
      to = app;
      sent = to.send(req.method(), upgrade, head.bytes(), replayable);
      if (sent == null) {
        finishApp();
      }
    }
    if (sent == null) {
      answer(
          PreviewPages.problem(
              502, "Bad Gateway", "the app closed the connection without an answer", ""));
      return false;
    }
    if (upgrade) {
      // from here on the client's bytes are the app's, whatever it answers
      Wire.copyToEnd(client, in, sent);
      sent.shutdownOutput();
      to.awaitEnd(10_000);
      return false;
    }
    switch (body) {
      case LENGTH ->
          Wire.copy(
              client,
              in,
              sent,
              Long.parseLong(HttpHeader.first(req.headers(), "Content-Length").strip()));
      case CHUNKED -> Wire.copyChunked(client, in, sent);
      case NONE -> {
        // no body
      }
    }
    if (!req.keepAlive()) {
      to.awaitDrained();
      return false;
    }
    return true;
  }

  /** RFC 9110 9.2.2: a request that may be sent again without a different effect. */
  static boolean idempotent(String method) {
    return switch (method) {
      case "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE" -> true;
      default -> false;
    };
  }

  private static boolean wantsHtml(HttpHeads.Request req) {
    String accept = HttpHeader.first(req.headers(), "Accept");
    return accept != null && accept.toLowerCase(Locale.ROOT).contains("text/html");
  }

  /** Lets the answers in flight through, then drops the app connection. */
  private void finishApp() {
    App a = app;
    app = null;
    if (a != null) {
      a.awaitDrained();
      a.close();
    }
  }

  /** The listener's own answer, after the app's answers in flight; then the connection ends. */
  private void answer(byte[] response) throws IOException {
    finishApp();
    if (!closed) {
      Wire.write(client, response);
    }
  }

  void close() {
    if (closed) {
      return;
    }
    closed = true;
    closeQuietly(client);
    App a = app;
    if (a != null) {
      a.close();
    }
  }

  private static void closeQuietly(SocketChannel c) {
    try {
      c.close();
    } catch (IOException e) {
      LOG.log(Level.FINEST, "closing", e);
    }
  }

  /**
   * The app side of the connection: reads the app's answers and passes them to the browser.
   *
   * <p>A kept-alive app connection may be closed by the app (an idle timeout such as Node's {@code
   * keepAliveTimeout}) just as the browser's next request goes out on it. When the app connection
   * ends (closed or reset) before any byte of the answer, and every request waiting for an answer
   * is replayable (no body, idempotent, not an upgrade, not yet replayed), their heads (kept while
   * they wait, {@value #MAX_REPLAY} bytes in all at most) are sent again on a fresh data
   * connection, once. Requests are sent and the connection's end is decided under one lock, so a
   * request is either seen by that decision or sent on the fresh connection.
   */
  private final class App implements Runnable {
    static final int MAX_REPLAY = 64 * 1024;

    volatile SocketChannel ch;
    final String key;
    final PreviewAddress address;
    private final ByteBuffer fromApp = Wire.buffer();
    private final ArrayDeque<Expected> expected = new ArrayDeque<>();
    private final Object sending = new Object();
    private long replayBytes; // under this monitor
    volatile boolean dead;
    private boolean ended;

    /** A request sent; {@code replay} its head while it may be sent again, else null. */
    private record Expected(String method, boolean upgrade, byte[] replay) {}

    App(SocketChannel ch, String key, PreviewAddress address) {
      this.ch = ch;
      this.key = key;
      this.address = address;
    }

    /**
     * Sends a request head to the app; returns the channel it went to (the request's body goes
     * there too), or null when this app connection is closed for new requests (nothing was sent).
     */
    SocketChannel send(String method, boolean upgrade, byte[] head, boolean replayable)
        throws IOException {
      synchronized (sending) {
        if (dead) {
          return null;
        }
        SocketChannel c = ch;
        synchronized (this) {
          boolean keep = replayable && replayBytes + head.length <= MAX_REPLAY;
          if (keep) {
            replayBytes += head.length;
          }
          expected.add(new Expected(method, upgrade, keep ? head : null));
        }
        try {
          Wire.write(c, head);
        } catch (IOException e) {
          if (!replayable || closed) {
            throw e;
          }
          // the app side is gone: the relay finds the connection ended and replays this head
          LOG.log(Level.FINEST, "request head not sent; left to the replay", e);
        }
        return c;
      }
    }

    /** Waits until every request sent has its answer through (or the app side ended). */
    synchronized void awaitDrained() {
      awaitUntil(() -> expected.isEmpty(), DRAIN_MILLIS);
    }

    synchronized void awaitEnd(long millis) {
      awaitUntil(() -> false, millis);
    }

    /** Waits (holding this monitor) until {@code done}, the app side's end, or the time is up. */
    private void awaitUntil(java.util.function.BooleanSupplier done, long millis) {
      long until = System.currentTimeMillis() + millis;
      while (!done.getAsBoolean() && !ended && !closed) {
        long left = until - System.currentTimeMillis();
        if (left <= 0) {
          return;
        }
        try {
          wait(Math.min(left, 1000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }

    private synchronized Expected peek() {
      return expected.peek();
    }

    private synchronized void answered() {
      Expected e = expected.poll();
      if (e != null && e.replay() != null) {
        replayBytes -= e.replay().length;
      }
      notifyAll();
    }

    private synchronized boolean pending() {
      return !expected.isEmpty();
    }

    void close() {
      dead = true;
      closeQuietly(ch);
    }

    @Override
    public void run() {
      try {
        relay();
      } catch (ClosedChannelException e) {
        LOG.log(Level.FINEST, "app connection closed", e);
      } catch (IOException | RuntimeException e) {
        LOG.log(Level.FINE, "app connection failed", e);
        PreviewConnection.this.close();
      } finally {
        dead = true;
        closeQuietly(ch);
        synchronized (this) {
          ended = true;
          notifyAll();
        }
      }
    }

    /**
     * The app connection ended before any byte of the next answer: closes it for new requests and,
     * when every request waiting is replayable, sends them again on a fresh data connection.
     *
     * @return true when the relay goes on on the fresh connection
     */
    private boolean endedBeforeAnswer() {
      synchronized (sending) {
        java.util.List<Expected> waiting;
        synchronized (this) {
          waiting = new java.util.ArrayList<>(expected);
        }
        boolean replay = !waiting.isEmpty() && !closed && !dead;
        for (Expected e : waiting) {
          replay &= e.replay() != null;
        }
        if (!replay) {
          dead = true;
          return false;
        }
        SocketChannel fresh;
        try {
          fresh =
              listener
                  .data()
                  .open(address.containerId(), address.port(), PreviewListener.OPEN_TIMEOUT_MILLIS);
        } catch (DataConnections.Refused r) {
          LOG.log(Level.FINE, "no fresh app connection for a replay: {0}", r.getMessage());
          dead = true;
          return false;
        }
        try {
          for (Expected e : waiting) {
            Wire.write(fresh, e.replay());
          }
        } catch (IOException e) {
          closeQuietly(fresh);
          dead = true;
          return false;
        }
        SocketChannel old = ch;
        ch = fresh;
        closeQuietly(old);
        if (closed || dead) {
          // the browser connection ended meanwhile
          closeQuietly(fresh);
          dead = true;
          return false;
        }
        fromApp.clear().flip();
        synchronized (this) {
          // at most once: the replayed requests are not replayed again
          expected.clear();
          for (Expected e : waiting) {
            expected.add(new Expected(e.method(), e.upgrade(), null));
          }
          replayBytes = 0;
        }
        LOG.log(
            Level.FINE,
            "app connection ended before an answer: {0} request(s) sent again",
            waiting.size());
        return true;
      }
    }

    /** Reads the next answer's head; null when the connection ended before its first byte. */
    private byte[] nextHead(boolean fresh) throws IOException {
      try {
        return Wire.readHead(ch, fromApp, MAX_RESPONSE_HEAD);
      } catch (Wire.HeadTooLarge e) {
        throw e;
      } catch (ClosedChannelException e) {
        if (closed || dead) {
          throw e;
        }
        return null;
      } catch (IOException e) {
        if (fresh && !fromApp.hasRemaining() && !closed) {
          // reset (RST) before any byte of the answer: as good as a close
          LOG.log(Level.FINEST, "app connection reset before an answer", e);
          return null;
        }
        throw e;
      }
    }

    private void relay() throws IOException {
      // no byte of the next answer read yet (an interim answer counts as a byte)
      boolean fresh = true;
      while (true) {
        byte[] raw = nextHead(fresh);
        if (raw == null) {
          if (fresh && endedBeforeAnswer()) {
            continue;
          }
          synchronized (sending) {
            dead = true; // no request is sent after this; those sent before are pending
          }
          if (pending()) {
            // the app closed without answering: say so, then end
            Wire.write(
                client,
                PreviewPages.problem(
                    502, "Bad Gateway", "the app closed the connection without an answer", ""));
            PreviewConnection.this.close();
          }
          return;
        }
        HttpHeads.Response r = HttpHeads.response(raw);
        Expected e = peek();
        if (e == null) {
          throw new IOException("the app answered a request nobody sent");
        }
        int code = r.code();
        if (code >= 100 && code < 200 && code != 101) {
          fresh = false;
          Wire.write(client, raw); // interim (100 Continue, 103 Early Hints)
          continue;
        }
        fresh = false;
        byte[] out = raw;
        String location = HttpHeader.first(r.headers(), "Location");
        if (location != null) {
          String rewritten = address.rewriteLocation(location);
          if (!rewritten.equals(location)) {
            out = HttpHeads.withLocation(r, rewritten);
          }
        }
        Wire.write(client, out);
        if (code == 101) {
          // a tunnel ends with the app's side: the browser connection goes with it, so no thread
          // waits on a browser that keeps its socket open
          Wire.copyToEnd(ch, fromApp, client);
          PreviewConnection.this.close();
          return;
        }
        String te = HttpHeader.first(r.headers(), "Transfer-Encoding");
        String cl = HttpHeader.first(r.headers(), "Content-Length");
        if ("HEAD".equals(e.method()) || code == 204 || code == 304) {
          // no body
        } else if (te != null) {
          Wire.copyChunked(ch, fromApp, client);
        } else if (cl != null) {
          long n;
          try {
            n = Long.parseLong(cl.strip());
          } catch (NumberFormatException ex) {
            throw new IOException("malformed Content-Length from the app");
          }
          Wire.copy(ch, fromApp, client, n);
        } else {
          // delimited by the end of the connection
          Wire.copyToEnd(ch, fromApp, client);
          PreviewConnection.this.close();
          return;
        }
        answered();
        fresh = true;
      }
    }
  }
}
