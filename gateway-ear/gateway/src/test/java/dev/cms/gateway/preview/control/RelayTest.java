package dev.cms.gateway.preview.control;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.cms.domain.protocol.StreamRefusedException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The relay over a real (in-memory) agent link to a real HTTP server on loopback. */
@Timeout(60)
class RelayTest {

  static final ThreadFactory THREADS =
      r -> {
        Thread t = new Thread(r);
        t.setDaemon(true);
        return t;
      };

  FakeAgent link;
  HttpServer app;
  int port;
  final List<String> seenRequestHeads = new ArrayList<>();

  /** Collects the response. */
  static final class Collect implements Relay.Sink {
    int status;
    List<HttpHeader> headers;
    long length;
    final ByteArrayOutputStream body = new ByteArrayOutputStream();
    volatile long delayNanosPerWrite;

    @Override
    public void head(int status, List<HttpHeader> headers, long contentLength) {
      this.status = status;
      this.headers = headers;
      this.length = contentLength;
    }

    @Override
    public OutputStream body() {
      return new OutputStream() {
        @Override
        public void write(int b) {
          body.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
          if (delayNanosPerWrite > 0) {
            try {
              TimeUnit.NANOSECONDS.sleep(delayNanosPerWrite);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          body.write(b, off, len);
        }
      };
    }
  }

  @BeforeEach
  void start() throws IOException {
    link = new FakeAgent(64 * 1024);
    app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    app.createContext(
        "/hello",
        x -> {
          synchronized (seenRequestHeads) {
            seenRequestHeads.add(
                x.getRequestMethod()
                    + " "
                    + x.getRequestURI()
                    + " "
                    + new java.util.TreeMap<>(x.getRequestHeaders()));
          }
          byte[] b = "hello".getBytes(UTF_8);
          x.getResponseHeaders().add("Set-Cookie", "a=1; Path=/");
          x.getResponseHeaders().add("Set-Cookie", "b=2; HttpOnly");
          x.getResponseHeaders().add("Content-Type", "text/plain");
          if (x.getRequestMethod().equals("HEAD")) {
            x.getResponseHeaders().add("Content-Length", "5");
            x.sendResponseHeaders(200, -1);
          } else {
            x.sendResponseHeaders(200, b.length);
            x.getResponseBody().write(b);
          }
          x.close();
        });
    app.createContext(
        "/big",
        x -> {
          x.sendResponseHeaders(200, 0); // chunked
          try (OutputStream out = x.getResponseBody()) {
            byte[] block = new byte[50_000];
            for (int i = 0; i < 200; i++) { // 10 MB
              Arrays.fill(block, (byte) i);
              out.write(block);
            }
          }
        });
    app.createContext(
        "/echo",
        x -> {
          x.sendResponseHeaders(200, 0); // stream back while reading
          try (InputStream in = x.getRequestBody();
              OutputStream out = x.getResponseBody()) {
            in.transferTo(out);
          }
        });
    app.createContext(
        "/redirect",
        x -> {
          x.getResponseHeaders().add("Location", "/login");
          x.sendResponseHeaders(302, -1);
          x.close();
        });
    app.start();
    port = app.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    app.stop(0);
    link.close();
    assertThat(link.errors).isEmpty();
  }

  RequestHead head(String method, String target, HttpHeader... extra) {
    List<HttpHeader> h = new ArrayList<>(List.of(new HttpHeader("Host", "app.test")));
    h.addAll(List.of(extra));
    return RequestHead.forApp(
        method, target, h, new RequestHead.Forwarding("10.1.2.3", "http", null, false));
  }

  Collect run(RequestHead head, InputStream body) throws IOException, Exception {
    Collect sink = new Collect();
    TcpPipe pipe = TcpPipe.open(link.gateway, port, 5000);
    Relay.http(head, body, pipe, s -> "/p" + s, sink, THREADS, 10_000);
    return sink;
  }

  @Test
  void getWithLengthKeepsCookiesAndForwardsHeaders() throws Exception {
    Collect r = run(head("GET", "/hello?x=1"), InputStream.nullInputStream());
    assertThat(r.status).isEqualTo(200);
    assertThat(r.length).isEqualTo(5);
    assertThat(r.body.toString(UTF_8)).isEqualTo("hello");
    assertThat(r.headers.stream().filter(h -> h.is("Set-Cookie")).map(HttpHeader::value))
        .containsExactlyInAnyOrder("a=1; Path=/", "b=2; HttpOnly");
    assertThat(r.headers).noneMatch(h -> h.is("Content-Length") || h.is("Connection"));
    String seen = seenRequestHeads.get(0);
    assertThat(seen).startsWith("GET /hello?x=1 ");
    assertThat(seen).contains("X-forwarded-for=[10.1.2.3]", "X-forwarded-host=[app.test]");
  }

  @Test
  void headHasNoBodyButKeepsItsLength() throws Exception {
    Collect r = run(head("HEAD", "/hello"), InputStream.nullInputStream());
    assertThat(r.status).isEqualTo(200);
    assertThat(r.body.size()).isZero();
    assertThat(r.headers).anyMatch(h -> h.is("Content-Length") && h.value().equals("5"));
  }

  @Test
  void chunkedDownloadIsDechunkedWithASlowClient() throws Exception {
    Collect sink = new Collect();
    sink.delayNanosPerWrite =
        Long.getLong("slow", 200_000); // 0.2 ms per 32 KiB: the app must wait for the client
    TcpPipe pipe = TcpPipe.open(link.gateway, port, 5000);
    Relay.http(
        head("GET", "/big"), InputStream.nullInputStream(), pipe, null, sink, THREADS, 10_000);
    assertThat(sink.status).isEqualTo(200);
    assertThat(sink.length).isEqualTo(-1);
    byte[] got = sink.body.toByteArray();
    assertThat(got).hasSize(10_000_000);
    for (int i = 0; i < 200; i++) {
      assertThat(got[i * 50_000]).isEqualTo((byte) i);
      assertThat(got[i * 50_000 + 49_999]).isEqualTo((byte) i);
    }
  }

  @Test
  void largeEchoDoesNotDeadlock() throws Exception {
    byte[] payload = new byte[8 * 1024 * 1024];
    new Random(5).nextBytes(payload);
    Collect r =
        run(
            head(
                "POST",
                "/echo",
                new HttpHeader("Content-Length", Integer.toString(payload.length))),
            new ByteArrayInputStream(payload));
    assertThat(r.status).isEqualTo(200);
    assertThat(MessageDigest.isEqual(r.body.toByteArray(), payload)).isTrue();
  }

  @Test
  void bodyOfUnknownLengthIsChunkedToTheApp() throws Exception {
    byte[] payload = new byte[300_000];
    new Random(6).nextBytes(payload);
    Collect r =
        run(
            head("PUT", "/echo", new HttpHeader("Transfer-Encoding", "chunked")),
            new ByteArrayInputStream(payload));
    assertThat(r.status).isEqualTo(200);
    assertThat(r.body.toByteArray()).isEqualTo(payload);
  }

  @Test
  void everyMethodReachesTheApp() throws Exception {
    for (String m : List.of("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS")) {
      Collect r =
          run(
              head(m, "/hello", new HttpHeader("Content-Length", "0")),
              InputStream.nullInputStream());
      assertThat(r.status).as(m).isEqualTo(200);
    }
    assertThat(seenRequestHeads)
        .extracting(s -> s.substring(0, s.indexOf(' ')))
        .containsExactly("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS");
  }

  @Test
  void locationIsRewrittenByTheGivenFunction() throws Exception {
    Collect r = run(head("GET", "/redirect"), InputStream.nullInputStream());
    assertThat(r.status).isEqualTo(302);
    assertThat(r.headers).contains(new HttpHeader("Location", "/p/login"));
  }

  @Test
  void nothingListeningIsARefusalNamedNotListening() throws Exception {
    int free;
    try (ServerSocket s = new ServerSocket(0)) {
      free = s.getLocalPort();
    }
    int p = free;
    assertThatThrownBy(() -> TcpPipe.open(link.gateway, p, 5000))
        .isInstanceOf(StreamRefusedException.class)
        .satisfies(e -> assertThat(TcpPipe.isNotListening((StreamRefusedException) e)).isTrue());
  }

  @Test
  void anAppListeningOnIpv6LoopbackOnlyIsFound() throws Exception {
    ServerSocket s;
    try {
      s = new ServerSocket(0, 5, java.net.InetAddress.getByName("::1"));
    } catch (IOException e) {
      org.junit.jupiter.api.Assumptions.abort("no IPv6 loopback here");
      return;
    }
    try (s) {
      TcpPipe pipe = TcpPipe.open(link.gateway, s.getLocalPort(), 5000);
      try (Socket c = s.accept()) {
        pipe.out().write("ping".getBytes(ISO_8859_1));
        assertThat(new String(c.getInputStream().readNBytes(4), ISO_8859_1)).isEqualTo("ping");
      }
      pipe.abort("done");
    }
  }

  @Test
  void garbageFromTheAppIsAnUpstreamFailure() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      Thread t =
          new Thread(
              () -> {
                try (Socket c = s.accept()) {
                  c.getOutputStream().write("SSH-2.0-OpenSSH_9\r\n".getBytes(ISO_8859_1));
                  c.getInputStream().read(new byte[1000]);
                } catch (IOException e) {
                  // done
                }
              });
      t.setDaemon(true);
      t.start();
      TcpPipe pipe = TcpPipe.open(link.gateway, s.getLocalPort(), 5000);
      assertThatThrownBy(
              () ->
                  Relay.http(
                      head("GET", "/"),
                      InputStream.nullInputStream(),
                      pipe,
                      null,
                      new Collect(),
                      THREADS,
                      10_000))
          .isInstanceOf(Relay.UpstreamException.class);
    }
  }

  @Test
  void appClosingMidBodyFailsTheRelay() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      Thread t =
          new Thread(
              () -> {
                try (Socket c = s.accept()) {
                  // read the request first, so the early close races nothing but the body
                  c.getInputStream().read(new byte[8192]);
                  c.getOutputStream()
                      .write(
                          "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly-this"
                              .getBytes(ISO_8859_1));
                } catch (IOException e) {
                  // done
                }
              });
      t.setDaemon(true);
      t.start();
      TcpPipe pipe = TcpPipe.open(link.gateway, s.getLocalPort(), 5000);
      Collect sink = new Collect();
      assertThatThrownBy(
              () ->
                  Relay.http(
                      head("GET", "/"),
                      InputStream.nullInputStream(),
                      pipe,
                      null,
                      sink,
                      THREADS,
                      10_000))
          .isInstanceOf(IOException.class)
          .isNotInstanceOf(Relay.UpstreamException.class);
      assertThat(sink.status).isEqualTo(200);
      assertThat(sink.length).isEqualTo(100);
    }
  }

  @Test
  void webSocketUpgradeThenRawBytesBothWays() throws Exception {
    AtomicReference<String> upgradeRequest = new AtomicReference<>();
    try (ServerSocket s = new ServerSocket(0)) {
      Thread t =
          new Thread(
              () -> {
                try (Socket c = s.accept()) {
                  HttpInput in = new HttpInput(c.getInputStream());
                  StringBuilder req = new StringBuilder();
                  for (String line; !(line = in.readLine(9999)).isEmpty(); ) {
                    req.append(line).append('\n');
                  }
                  upgradeRequest.set(req.toString());
                  OutputStream out = c.getOutputStream();
                  out.write(
                      ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                              + "Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\nHI")
                          .getBytes(ISO_8859_1));
                  out.flush();
                  byte[] buf = new byte[8192];
                  for (int n; (n = in.read(buf)) >= 0; ) {
                    out.write(buf, 0, n); // echo
                    out.flush();
                  }
                } catch (IOException e) {
                  // done
                }
              });
      t.setDaemon(true);
      t.start();
      TcpPipe pipe = TcpPipe.open(link.gateway, s.getLocalPort(), 5000);
      RequestHead head =
          RequestHead.forApp(
              "GET",
              "/hmr",
              List.of(
                  new HttpHeader("Host", "h"),
                  new HttpHeader("Connection", "Upgrade"),
                  new HttpHeader("Upgrade", "websocket"),
                  new HttpHeader("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
                  new HttpHeader("Sec-WebSocket-Version", "13")),
              new RequestHead.Forwarding("1.2.3.4", "http", null, true));
      pipe.out().write(head.bytes());
      HttpInput fromApp = new HttpInput(pipe.in());
      ResponseHead answer = ResponseHead.readFinal(fromApp);
      assertThat(answer.status()).isEqualTo(101);
      assertThat(answer.first("Sec-WebSocket-Accept")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
      assertThat(upgradeRequest.get())
          .contains(
              "Upgrade: websocket",
              "Connection: Upgrade",
              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==");

      PipedOutputStream clientWrites = new PipedOutputStream();
      PipedInputStream clientIn = new PipedInputStream(clientWrites, 1 << 20);
      ByteArrayOutputStream clientGot = new ByteArrayOutputStream();
      OutputStream toClient =
          new OutputStream() {
            @Override
            public void write(int b) {
              synchronized (clientGot) {
                clientGot.write(b);
              }
            }

            @Override
            public void write(byte[] b, int off, int len) {
              synchronized (clientGot) {
                clientGot.write(b, off, len);
              }
            }
          };
      CountDownLatch ended = new CountDownLatch(1);
      Relay.tunnel(clientIn, toClient, fromApp, pipe, THREADS, ended::countDown);
      byte[] payload = new byte[500_000];
      new Random(9).nextBytes(payload);
      clientWrites.write(payload);
      clientWrites.flush();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (System.nanoTime() < deadline) {
        synchronized (clientGot) {
          if (clientGot.size() >= 2 + payload.length) {
            break;
          }
        }
        Thread.sleep(10);
      }
      byte[] got;
      synchronized (clientGot) {
        got = clientGot.toByteArray();
      }
      assertThat(new String(got, 0, 2, ISO_8859_1)).isEqualTo("HI");
      assertThat(Arrays.copyOfRange(got, 2, got.length)).isEqualTo(payload);
      clientWrites.close(); // the client leaves: both ends close
      assertThat(ended.await(10, TimeUnit.SECONDS)).isTrue();
    }
  }
}
