package dev.cms.agent;

import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.Frame;
import dev.cms.domain.protocol.FrameCodec;
import dev.cms.domain.protocol.FrameType;
import dev.cms.domain.protocol.Mux;
import dev.cms.domain.protocol.ProtocolException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One WebSocket connection to the gateway, from dial to loss: HELLO, wait for WELCOME, then the
 * {@link Mux} carries the streams while a heartbeat checks that the gateway still answers.
 */
final class Connection implements WebSocket.Listener {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  static final Duration WELCOME_TIMEOUT = Duration.ofSeconds(10);
  static final int POLICY_VIOLATION = 1008;
  private static final Duration SEND_TIMEOUT = Duration.ofSeconds(60);
  private static final Logger LOG = Logger.getLogger(Connection.class.getName());

  /**
   * How a connection ended.
   *
   * @param welcomed the handshake succeeded
   * @param unauthorized the gateway refused the agent (GOAWAY UNAUTHORIZED or close code 1008)
   * @param upMillis how long the connection was up after WELCOME (0 if never)
   * @param reason for the log
   */
  record Outcome(boolean welcomed, boolean unauthorized, long upMillis, String reason) {}

  private final AgentConfig config;
  private final String credential;
  private final Consumer<String> onCredential;
  private final HttpClient client;
  private final Mux.Acceptor acceptor;
  private final ScheduledExecutorService timer;
  private final String agentVersion;

  private final CompletableFuture<Frame.Welcome> welcome = new CompletableFuture<>();
  private final CompletableFuture<Outcome> ended = new CompletableFuture<>();
  private final ExecutorService pinger =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "agent-ping");
            t.setDaemon(true);
            return t;
          });

  private volatile WebSocket ws;
  private volatile Mux mux;
  private volatile boolean welcomed;
  private volatile long welcomedAt;
  private volatile long lastPongAt;
  private ByteBuffer partial; // parts of a message split by the WebSocket (listener thread only)

  Connection(
      AgentConfig config,
      String credential,
      Consumer<String> onCredential,
      HttpClient client,
      Mux.Acceptor acceptor,
      ScheduledExecutorService timer,
      String agentVersion) {
    this.config = config;
    this.credential = credential;
    this.onCredential = onCredential;
    this.client = client;
    this.acceptor = acceptor;
    this.timer = timer;
    this.agentVersion = agentVersion;
  }

  /** Connects and runs until the link is lost; never throws. */
  Outcome run() throws InterruptedException {
    try {
      ws =
          client
              .newWebSocketBuilder()
              .connectTimeout(CONNECT_TIMEOUT)
              .buildAsync(config.url(), this)
              .get(CONNECT_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      return failedToConnect(e.getCause());
    } catch (TimeoutException e) {
      return new Outcome(false, false, 0, "connect timed out");
    }
    ScheduledFuture<?> heartbeat = null;
    try {
      transport(
          FrameCodec.encode(
              new Frame.Hello(
                  FrameCodec.VERSION, config.containerId(), credential, agentVersion, List.of())));
      Frame.Welcome w;
      try {
        w = welcome.get(WELCOME_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        end(false, "no WELCOME within " + WELCOME_TIMEOUT.toSeconds() + " s");
        return ended.join();
      } catch (ExecutionException e) {
        return ended.join();
      }
      long hb =
          config.heartbeatMillis().orElse(w.heartbeatMillis() > 0 ? w.heartbeatMillis() : 10_000);
      LOG.info(
          "agent channel up: protocol "
              + w.protocolVersion()
              + ", heartbeat "
              + hb
              + " ms, window "
              + w.initialWindow()
              + " bytes");
      heartbeat = timer.scheduleAtFixedRate(() -> beat(hb), hb, hb, TimeUnit.MILLISECONDS);
      return ended.join();
    } catch (IOException e) {
      end(false, "send failed: " + e.getMessage());
      return ended.join();
    } finally {
      if (heartbeat != null) {
        heartbeat.cancel(false);
      }
      pinger.shutdownNow();
      Mux m = mux;
      if (m != null) {
        m.closeAll(ended.isDone() ? ended.join().reason() : "agent stopping");
      }
      if (!ended.isDone()) {
        end(false, "agent stopping");
      }
      ws.abort();
    }
  }

  /** Ends the connection from outside (agent shutdown): closes the WebSocket politely. */
  void stop() {
    WebSocket w = ws;
    if (w != null && !ended.isDone()) {
      try {
        w.sendClose(WebSocket.NORMAL_CLOSURE, "agent stopping").get(1, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        // closing anyway
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    end(false, "agent stopping");
  }

  // --- heartbeat -----------------------------------------------------------------------------

  private void beat(long hb) {
    WebSocket w = ws;
    if (w.isInputClosed()) {
      // java.net.http.WebSocket occasionally misses onClose when EOF follows a message closely
      end(false, "the gateway closed the connection");
      return;
    }
    long silent = (System.nanoTime() - lastPongAt) / 1_000_000;
    if (silent > 3 * hb) {
      end(false, "no PONG for " + silent + " ms");
      return;
    }
    Mux m = mux;
    pinger.execute(
        () -> m.ping().thenRun(() -> lastPongAt = System.nanoTime())); // may wait for the link
  }

  // --- sending -------------------------------------------------------------------------------

  /** The Mux's transport: java.net.http.WebSocket allows one outstanding send at a time. */
  private synchronized void transport(ByteBuffer frame) throws IOException {
    try {
      ws.sendBinary(frame, true).get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IOException("send failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      ws.abort();
      throw new IOException("send timed out after " + SEND_TIMEOUT.toSeconds() + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while sending");
    }
  }

  // --- receiving (listener callbacks, one at a time) -----------------------------------------

  @Override
  public void onOpen(WebSocket webSocket) {
    ws = webSocket;
    webSocket.request(1);
  }

  @Override
  public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
    try {
      if (!last || partial != null) {
        int size = (partial == null ? 0 : partial.position()) + data.remaining();
        if (size > FrameCodec.MAX_FRAME) {
          protocolError(
              new ProtocolException(
                  "message of more than " + FrameCodec.MAX_FRAME + " bytes from the gateway"));
          return null;
        }
        if (partial == null) {
          partial = ByteBuffer.allocate(FrameCodec.MAX_FRAME);
        }
        partial.put(data);
        if (!last) {
          return null;
        }
        data = partial.flip();
        partial = null;
      }
      message(data);
    } finally {
      if (!ended.isDone()) {
        webSocket.request(1);
      }
    }
    return null;
  }

  private void message(ByteBuffer data) {
    try {
      Mux m = mux;
      if (m == null) {
        handshake(FrameCodec.decode(data));
      } else if (data.remaining() > 1 && data.get(data.position() + 1) == FrameType.GOAWAY.code()) {
        Frame.GoAway g = (Frame.GoAway) FrameCodec.decode(data);
        end(
            g.code() == ErrorCode.UNAUTHORIZED,
            "gateway sent GOAWAY(" + g.code() + "): " + g.reason());
      } else {
        m.receive(data);
      }
    } catch (ProtocolException e) {
      protocolError(e);
    }
  }

  private void handshake(Frame f) {
    if (f instanceof Frame.Welcome w) {
      if (w.protocolVersion() != FrameCodec.VERSION || w.initialWindow() <= 0) {
        throw new ProtocolException(ErrorCode.VERSION, "unusable WELCOME " + w);
      }
      if (!w.linkCredential().isEmpty()) {
        onCredential.accept(w.linkCredential());
      }
      mux = new Mux(this::transport, false, w.initialWindow(), acceptor);
      welcomedAt = System.nanoTime();
      lastPongAt = welcomedAt;
      welcomed = true;
      welcome.complete(w);
    } else if (f instanceof Frame.GoAway g) {
      end(
          g.code() == ErrorCode.UNAUTHORIZED,
          "gateway sent GOAWAY(" + g.code() + "): " + g.reason());
    } else {
      throw new ProtocolException("expected WELCOME, got " + f.type());
    }
  }

  private void protocolError(ProtocolException e) {
    Mux m = mux;
    if (m != null) {
      m.goAway(e.code(), String.valueOf(e.getMessage()));
    } else {
      try {
        transport(FrameCodec.encode(new Frame.GoAway(e.code(), String.valueOf(e.getMessage()))));
      } catch (IOException | RuntimeException ignored) {
        // the link is going anyway
      }
    }
    ws.sendClose(1002, "protocol error");
    end(false, "protocol error: " + e.getMessage());
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    webSocket.request(1); // the agent channel is binary only
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    end(
        statusCode == POLICY_VIOLATION,
        "gateway closed the WebSocket ("
            + statusCode
            + (reason.isEmpty() ? "" : " " + reason)
            + ")");
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    end(false, "WebSocket failed: " + error);
  }

  // --- ending --------------------------------------------------------------------------------

  private void end(boolean unauthorized, String reason) {
    boolean up = welcomed;
    long upMillis = up ? (System.nanoTime() - welcomedAt) / 1_000_000 : 0;
    if (ended.complete(new Outcome(up, unauthorized, upMillis, reason))) {
      welcome.completeExceptionally(new IOException(reason));
      Mux m = mux;
      if (m != null) {
        m.closeAll(reason);
      }
      WebSocket w = ws;
      if (w != null) {
        w.abort();
      }
    }
  }

  private Outcome failedToConnect(Throwable cause) {
    if (cause instanceof WebSocketHandshakeException h) {
      int status = h.getResponse().statusCode();
      return new Outcome(
          false,
          status == 401 || status == 403,
          0,
          "WebSocket handshake refused with HTTP " + status);
    }
    LOG.log(Level.FINE, "connect failed", cause);
    return new Outcome(false, false, 0, "connect failed: " + cause);
  }
}
