package dev.cms.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.Stream;
import dev.cms.domain.protocol.StreamHandler;
import dev.cms.domain.protocol.StreamKind;
import dev.cms.domain.protocol.StreamRefusedException;
import dev.cms.domain.testing.MemoryLink;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code tcp} streams to servers on this machine, through two muxes joined in memory. */
@Timeout(30)
class TcpStreamsTest {
  private final ExecutorService workers =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "test-worker");
            t.setDaemon(true);
            return t;
          });
  private TcpStreams tcp;
  private MemoryLink link;
  private EchoServer echo;

  @BeforeEach
  void start() throws IOException {
    tcp = new TcpStreams(workers);
    link =
        new MemoryLink(
            64 * 1024,
            open -> {
              throw new StreamRefusedException(ErrorCode.UNKNOWN_KIND, "gateway accepts nothing");
            },
            open -> {
              if (!open.kind().equals(StreamKind.TCP.wire())) {
                throw new StreamRefusedException(ErrorCode.UNKNOWN_KIND, open.kind());
              }
              return tcp.accept(open);
            });
    echo = new EchoServer();
  }

  @AfterEach
  void stop() throws IOException {
    link.close();
    echo.close();
    workers.shutdownNow();
    assertThat(link.errors).isEmpty();
  }

  /** Echoes every connection; half-closes when the client did. */
  static final class EchoServer implements AutoCloseable {
    final ServerSocket server = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
    final AtomicInteger accepted = new AtomicInteger();
    final LinkedBlockingQueue<Socket> sockets = new LinkedBlockingQueue<>();

    EchoServer() throws IOException {
      Thread t = new Thread(this::serve, "echo-server");
      t.setDaemon(true);
      t.start();
    }

    int port() {
      return server.getLocalPort();
    }

    private void serve() {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          accepted.incrementAndGet();
          sockets.add(s);
          Thread t = new Thread(() -> echo(s), "echo-" + s.getPort());
          t.setDaemon(true);
          t.start();
        } catch (IOException e) {
          return;
        }
      }
    }

    private static void echo(Socket s) {
      try (s) {
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        byte[] buf = new byte[64 * 1024];
        int n;
        while ((n = in.read(buf)) >= 0) {
          out.write(buf, 0, n);
        }
        s.shutdownOutput();
      } catch (IOException e) {
        // the client went away
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
      for (Socket s : sockets) {
        s.close();
      }
    }
  }

  /** The gateway's side: collects what arrives. */
  static class Collector implements StreamHandler {
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    final CompletableFuture<byte[]> closed = new CompletableFuture<>();
    final CompletableFuture<String> reset = new CompletableFuture<>();

    @Override
    public synchronized void onData(Stream s, byte[] data) {
      received.writeBytes(data);
    }

    @Override
    public synchronized void onClose(Stream s) {
      closed.complete(received.toByteArray());
    }

    @Override
    public void onReset(Stream s, int code, String reason) {
      reset.complete(code + " " + reason);
      closed.completeExceptionally(new IOException("reset " + code + " " + reason));
    }
  }

  private Stream open(int port, Collector c) throws Exception {
    return link.gateway
        .open(StreamKind.TCP.wire(), Map.of("port", Integer.toString(port)), c)
        .get(5, TimeUnit.SECONDS);
  }

  private String refusal(Map<String, String> params) {
    try {
      link.gateway.open(StreamKind.TCP.wire(), params, new Collector()).get(5, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(StreamRefusedException.class);
      assertThat(((StreamRefusedException) e.getCause()).code()).isEqualTo(ErrorCode.REFUSED);
      return e.getCause().getMessage();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("not refused: " + params);
  }

  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** Writes everything and half-closes; returns what came back before the agent's CLOSE. */
  private byte[] roundTrip(byte[] data) throws Exception {
    Collector c = new Collector();
    Stream s = open(echo.port(), c);
    Future<?> writer =
        workers.submit(
            () -> {
              for (int off = 0; off < data.length; off += 100_000) {
                s.write(data, off, Math.min(100_000, data.length - off));
              }
              s.close();
              return null;
            });
    byte[] back = c.closed.get(20, TimeUnit.SECONDS);
    writer.get(5, TimeUnit.SECONDS);
    return back;
  }

  @Test
  void tenMegabytesRoundTripByteExact() throws Exception {
    byte[] data = random(10 * 1024 * 1024, 1);
    assertThat(roundTrip(data)).isEqualTo(data);
    awaitNoRelays();
  }

  @Test
  void twentyConcurrentStreams() throws Exception {
    List<Future<Boolean>> results = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      byte[] data = random(256 * 1024 + i, i);
      results.add(workers.submit(() -> java.util.Arrays.equals(roundTrip(data), data)));
    }
    for (Future<Boolean> r : results) {
      assertThat(r.get(25, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(echo.accepted.get()).isEqualTo(20);
    awaitNoRelays();
  }

  @Test
  void aServerThatSpeaksFirstAndCloses() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      Thread t =
          new Thread(
              () -> {
                try (Socket s = server.accept()) {
                  s.getOutputStream().write("HTTP/1.1 200 OK\r\n\r\nhello".getBytes());
                } catch (IOException e) {
                  // test fails on its own
                }
              });
      t.setDaemon(true);
      t.start();
      Collector c = new Collector();
      Stream s = open(server.getLocalPort(), c);
      assertThat(new String(c.closed.get(5, TimeUnit.SECONDS))).endsWith("hello");
      s.close(); // the gateway's side too: the relay ends
      awaitNoRelays();
    }
  }

  @Test
  void aGatewayThatReadsNothingHoldsBackTheServer() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      AtomicInteger written = new AtomicInteger();
      Thread t =
          new Thread(
              () -> {
                byte[] chunk = new byte[64 * 1024];
                try (Socket s = server.accept()) {
                  for (int i = 0; i < 100 * 16; i++) { // 100 MiB, unless held back
                    s.getOutputStream().write(chunk);
                    written.addAndGet(chunk.length);
                  }
                } catch (IOException e) {
                  // the relay closed the socket: expected
                }
              });
      t.setDaemon(true);
      t.start();
      AtomicInteger got = new AtomicInteger();
      Collector stingy =
          new Collector() {
            @Override
            public synchronized void onData(Stream s, byte[] data) {
              got.addAndGet(data.length); // and never credited
            }

            @Override
            public boolean autoCredit() {
              return false;
            }
          };
      Stream s = open(server.getLocalPort(), stingy);
      Thread.sleep(500);
      assertThat(got.get()).isEqualTo(64 * 1024); // exactly the window
      // the rest waits in the kernel's socket buffers, not in the agent: the server is blocked
      int before = written.get();
      Thread.sleep(200);
      assertThat(written.get()).isEqualTo(before).isLessThan(32 * 1024 * 1024);
      s.reset(ErrorCode.CANCELLED, "enough");
      t.join(5000);
      assertThat(t.isAlive()).isFalse();
      awaitNoRelays();
    }
  }

  @Test
  void connectionRefusedIsNotListening() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    assertThat(refusal(Map.of("port", Integer.toString(port))))
        .isEqualTo("not-listening: port " + port);
    assertThat(tcp.openCount()).isZero();
  }

  @Test
  void onlyLoopbackHostsAndValidPorts() {
    String p = Integer.toString(echo.port());
    assertThat(refusal(Map.of("port", p, "host", "10.1.2.3"))).startsWith("bad-host: 10.1.2.3");
    assertThat(refusal(Map.of("port", p, "host", "example.com"))).startsWith("bad-host:");
    assertThat(refusal(Map.of("port", p, "host", "0.0.0.0"))).startsWith("bad-host:");
    assertThat(refusal(Map.of("port", p, "host", "::"))).startsWith("bad-host:");
    assertThat(refusal(Map.of())).startsWith("bad-port:");
    assertThat(refusal(Map.of("port", "0"))).startsWith("bad-port:");
    assertThat(refusal(Map.of("port", "65536"))).startsWith("bad-port:");
    assertThat(refusal(Map.of("port", "-1"))).startsWith("bad-port:");
    assertThat(refusal(Map.of("port", "http"))).startsWith("bad-port:");
    assertThat(refusal(Map.of("port", p, "hots", "::1")))
        .isEqualTo("bad-param: unknown parameter hots");
  }

  @Test
  void loopbackSpellingsAreAccepted() throws Exception {
    for (String host : List.of("127.0.0.1", "localhost")) {
      Collector c = new Collector();
      Stream s =
          link.gateway
              .open(
                  StreamKind.TCP.wire(),
                  Map.of("port", Integer.toString(echo.port()), "host", host),
                  c)
              .get(5, TimeUnit.SECONDS);
      s.write("ping".getBytes());
      s.close();
      assertThat(new String(c.closed.get(5, TimeUnit.SECONDS))).isEqualTo("ping");
    }
  }

  @Test
  void aResetFromTheGatewayClosesTheSocket() throws Exception {
    Collector c = new Collector();
    Stream s = open(echo.port(), c);
    s.write("x".getBytes());
    Socket server = echo.sockets.poll(5, TimeUnit.SECONDS);
    assertThat(server).isNotNull();
    s.reset(ErrorCode.CANCELLED, "browser went away");
    awaitNoRelays();
    // the echo thread saw EOF and closed its socket
    long deadline = System.currentTimeMillis() + 5000;
    while (!server.isClosed() && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    assertThat(server.isClosed()).isTrue();
  }

  @Test
  void aSocketResetResetsTheStream() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      Collector c = new Collector();
      CompletableFuture<Stream> opened =
          link.gateway.open(
              StreamKind.TCP.wire(), Map.of("port", Integer.toString(server.getLocalPort())), c);
      Socket accepted = server.accept();
      Stream s = opened.get(5, TimeUnit.SECONDS);
      accepted.setSoLinger(true, 0); // close with RST
      accepted.close();
      assertThat(c.reset.get(5, TimeUnit.SECONDS)).startsWith(ErrorCode.CANCELLED + " socket:");
      assertThat(s.isOpen()).isFalse();
      awaitNoRelays();
    }
  }

  private void awaitNoRelays() throws InterruptedException {
    long deadline = System.currentTimeMillis() + 5000;
    while (tcp.openCount() > 0 && System.currentTimeMillis() < deadline) {
      Thread.sleep(10);
    }
    assertThat(tcp.openCount()).isZero();
  }
}
