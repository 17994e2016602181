package dev.cms.system;

import dev.cms.domain.client.ClientMessage;
import dev.cms.domain.client.OutputFrame;
import dev.cms.domain.client.ServerMessage;
import dev.cms.gateway.clientsocket.control.ClientCodec;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A client of the container WebSocket, as a browser would use it: collects each terminal's output
 * by offset (checking there is no gap and no duplicate) and every JSON message.
 */
public final class TerminalClient implements WebSocket.Listener, AutoCloseable {

  private final WebSocket ws;
  private final String terminal;
  private final ByteArrayOutputStream output = new ByteArrayOutputStream();
  private long start = -1;
  private long end = -1;
  private final List<ServerMessage> messages = new CopyOnWriteArrayList<>();
  public final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private final ByteArrayOutputStream binaryParts = new ByteArrayOutputStream();
  private final StringBuilder textParts = new StringBuilder();
  private volatile String failure;
  private volatile boolean paused;

  private TerminalClient(URI uri, String terminal) {
    this.terminal = terminal;
    this.ws = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(uri, this).join();
  }

  /**
   * Connects with the given raw query (e.g. {@code token=…&offset=…}), attached to terminal {@code
   * main}.
   */
  public static TerminalClient connect(String websocketUrl, String query) {
    String terminal = "main";
    for (String pair : query.split("&")) {
      if (pair.startsWith("terminal=")) {
        terminal = pair.substring("terminal=".length());
      }
    }
    return new TerminalClient(URI.create(websocketUrl + "?" + query), terminal);
  }

  public void send(ClientMessage m) {
    ws.sendText(ClientCodec.toJson(m), true).join();
  }

  /** Sends a text frame as it is (for frames no {@code ClientMessage} makes). */
  public void sendText(String frame) {
    ws.sendText(frame, true).join();
  }

  public void sendBinary(ByteBuffer frame) {
    ws.sendBinary(frame, true).join();
  }

  public void type(String text) {
    send(new ClientMessage.Input(terminal, text));
  }

  /** All output received on the terminal so far, as text. */
  public synchronized String text() {
    return output.toString(StandardCharsets.UTF_8);
  }

  public synchronized byte[] bytes() {
    return output.toByteArray();
  }

  /**
   * The offset just past the last output byte received (what a reconnect passes as {@code offset}).
   */
  public synchronized long end() {
    return end;
  }

  public synchronized long start() {
    return start;
  }

  public List<ServerMessage> messages() {
    return messages;
  }

  /**
   * Waits until the terminal's text satisfies the condition; fails with what was seen otherwise.
   */
  public String awaitText(Predicate<String> condition, Duration timeout)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      if (failure != null) {
        throw new AssertionError(failure);
      }
      String t = text();
      if (condition.test(t)) {
        return t;
      }
      Thread.sleep(20);
    }
    String t = text();
    throw new AssertionError(
        "terminal output did not match within "
            + timeout
            + "; last 2000 chars:\n"
            + t.substring(Math.max(0, t.length() - 2000)));
  }

  public <T extends ServerMessage> T awaitMessage(Class<T> type, Duration timeout)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      for (ServerMessage m : messages) {
        if (type.isInstance(m)) {
          return type.cast(m);
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError(
        "no " + type.getSimpleName() + " within " + timeout + "; got " + messages);
  }

  /**
   * Waits for a message the condition holds for (messages of different sources, e.g. a port's and
   * its process's, may come in either order); fails with what came otherwise.
   */
  public ServerMessage awaitMessage(Predicate<ServerMessage> which, Duration timeout)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      for (ServerMessage m : messages) {
        if (which.test(m)) {
          return m;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no such message within " + timeout + "; got " + messages);
  }

  /** Stops reading from the socket (a stalled browser tab): the gateway's sends back up on TCP. */
  public void pause() {
    paused = true;
  }

  /** Drops the connection abruptly, like a laptop lid closing. */
  public void abort() {
    ws.abort();
  }

  @Override
  public void close() {
    if (!ws.isOutputClosed()) {
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
    }
    ws.abort();
  }

  @Override
  public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
    byte[] b = new byte[data.remaining()];
    data.get(b);
    binaryParts.writeBytes(b);
    if (last) {
      OutputFrame f = OutputFrame.decode(ByteBuffer.wrap(binaryParts.toByteArray()));
      binaryParts.reset();
      if (f.terminal().equals(terminal)) {
        synchronized (this) {
          if (start < 0) {
            start = f.offset();
            end = f.offset();
          }
          if (f.offset() != end) {
            failure = "output gap or duplicate: expected offset " + end + ", got " + f.offset();
          }
          output.writeBytes(f.data());
          end = f.offset() + f.data().length;
        }
      }
    }
    if (!paused) {
      w.request(1);
    }
    return null;
  }

  @Override
  public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
    textParts.append(data);
    if (last) {
      messages.add(ClientCodec.parseServer(textParts.toString()));
      textParts.setLength(0);
    }
    w.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket w, int statusCode, String reason) {
    closed.complete(statusCode);
    return null;
  }

  @Override
  public void onError(WebSocket w, Throwable error) {
    closed.completeExceptionally(error);
  }
}
