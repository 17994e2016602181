package dev.cms.system;

import static dev.cms.system.Gateway.KEY1;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cms.domain.client.ServerMessage;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An app started in the container, seen through the gateway's preview listener in both URL forms.
 */
class PreviewIT {

  static final String SERVER_JS =
      """
      const http = require('http');
      const crypto = require('crypto');
      const server = http.createServer((req, res) => {
        if (req.method === 'POST') {
          res.writeHead(200, {'content-type': 'application/octet-stream'});
          req.pipe(res);
          return;
        }
        res.writeHead(200, {'content-type': 'text/html', 'set-cookie': 'seen=1'});
        res.end('<h1>hello from the app on ' + req.url + '</h1>');
      });
      server.on('upgrade', (req, socket) => {
        const accept = crypto.createHash('sha1')
          .update(req.headers['sec-websocket-key'] + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
        socket.write('HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\n'
          + 'Sec-WebSocket-Accept: ' + accept + '\\r\\n\\r\\n');
        let buf = Buffer.alloc(0);
        socket.on('data', d => {
          buf = Buffer.concat([buf, d]);
          while (buf.length >= 2) {
            const op = buf[0] & 0x0f;
            let len = buf[1] & 0x7f, off = 2;
            if (len === 126) { if (buf.length < 4) return; len = buf.readUInt16BE(2); off = 4; }
            else if (len === 127) { if (buf.length < 10) return; len = Number(buf.readBigUInt64BE(2)); off = 10; }
            const masked = buf[1] & 0x80;
            if (buf.length < off + (masked ? 4 : 0) + len) return;
            const mask = masked ? buf.slice(off, off + 4) : null;
            if (masked) off += 4;
            const payload = Buffer.from(buf.slice(off, off + len));
            if (mask) for (let i = 0; i < len; i++) payload[i] ^= mask[i % 4];
            buf = buf.slice(off + len);
            if (op === 8) { socket.end(); return; }
            if (op === 1 || op === 2) {
              let head;
              if (len < 126) head = Buffer.from([0x80 | op, len]);
              else { head = Buffer.alloc(4); head[0] = 0x80 | op; head[1] = 126; head.writeUInt16BE(len, 2); }
              socket.write(Buffer.concat([head, payload]));
            }
          }
        });
      });
      server.listen(3000);
      """;

  static Gateway gw;
  static String id;
  static TerminalClient shell;

  @BeforeAll
  static void app() throws Exception {
    gw = Gateway.shared();
    JsonNode c = gw.create(KEY1);
    id = c.get("id").asText();
    byte[] zip =
        FilesIT.zip(
            java.util.Map.of(
                "server.js", SERVER_JS.getBytes(StandardCharsets.UTF_8),
                "package.json",
                    "{\"name\":\"app\",\"version\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8)),
            java.util.Map.of());
    HttpResponse<String> put =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .build()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            gw.base()
                                + "/api/v1/containers/"
                                + id
                                + "/archive?dest="
                                + URLEncoder.encode("/app/web", StandardCharsets.UTF_8)))
                    .header("Authorization", "Bearer " + KEY1)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(zip))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    shell =
        TerminalClient.connect(
            c.get("websocketUrl").asText(), "token=" + c.get("token").asText() + "&terminal=main");
  }

  @AfterAll
  static void remove() throws Exception {
    shell.close();
    gw.delete("/api/v1/containers/" + id, KEY1);
  }

  @Test
  void theAppIsServedThroughBothPreviewFormsAndAWaitingPageComesFirst() throws Exception {
    JsonNode urls =
        Gateway.JSON.readTree(gw.get("/api/v1/containers/" + id + "/preview/3000", KEY1).body());
    URI host = URI.create(urls.get("url").asText());
    URI path = URI.create(urls.get("pathUrl").asText());
    assertThat(host.getHost()).startsWith("3000-" + id + "-").endsWith(".localhost");
    assertThat(path.getPath()).startsWith("/preview/" + id + "-").endsWith("/3000/");
    // both on the preview listener: never the console's or the API's origin
    assertThat(host.getPort()).isEqualTo(gw.previewPort());
    assertThat(path.getPort()).isEqualTo(gw.previewPort());
    assertThat(path.getScheme() + "://" + path.getHost() + ":" + path.getPort())
        .isNotEqualTo(gw.base());

    // nothing listens yet: a browser gets the waiting page, a client a 503 problem
    String waiting = raw(path.getPath(), local(), "text/html", null);
    assertThat(waiting).startsWith("HTTP/1.1 503").contains("port 3000");
    assertThat(raw(path.getPath(), local(), "application/json", null))
        .startsWith("HTTP/1.1 503")
        .contains("problem+json");

    HttpResponse<String> started =
        gw.post(
            "/api/v1/containers/" + id + "/processes",
            KEY1,
            "{\"command\":\"node server.js\",\"cwd\":\"/app/web\",\"port\":3000}");
    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    JsonNode proc = Gateway.JSON.readTree(started.body());
    String pid = proc.get("id").asText();
    assertThat(proc.get("status").asText()).isEqualTo("RUNNING");
    assertThat(proc.get("url").asText()).isEqualTo(host.toString());
    ServerMessage.Port opened = awaitPort(3000, true);
    assertThat(opened.url()).isEqualTo(host.toString());
    assertThat(gw.get("/api/v1/containers/" + id + "/ports", KEY1).body())
        .contains("\"port\":3000");
    Instant deadline = Instant.now().plusSeconds(30);
    String page = "";
    while (Instant.now().isBefore(deadline) && !page.startsWith("HTTP/1.1 200")) {
      Thread.sleep(250);
      page = raw(path.getPath() + "deep?x=1", local(), "text/html", null);
    }
    assertThat(page)
        .startsWith("HTTP/1.1 200")
        .contains("hello from the app on /deep?x=1")
        .containsIgnoringCase("set-cookie: seen=1");

    String viaHost = raw("/host-form", host.getHost() + ":" + host.getPort(), "text/html", null);
    assertThat(viaHost).startsWith("HTTP/1.1 200").contains("hello from the app on /host-form");
    // the main listener does not answer a preview host at all (no console on a preview's name)
    assertThat(gw.rawGet("/console/", host.getHost() + ":" + gw.port(), "text/html"))
        .startsWith("HTTP/1.1 421");

    // many concurrent preview requests do not stall the container's terminal
    var pool = java.util.concurrent.Executors.newFixedThreadPool(40);
    try {
      var requests = new java.util.ArrayList<java.util.concurrent.Future<String>>();
      for (int i = 0; i < 120; i++) {
        int n = i;
        requests.add(
            pool.submit(() -> raw(path.getPath() + "load-" + n, local(), "text/html", null)));
      }
      shell.type("echo busy-$((6*6))\r");
      shell.awaitText(t -> t.contains("busy-36\r\n"), Duration.ofSeconds(10));
      for (var f : requests) {
        assertThat(f.get(120, java.util.concurrent.TimeUnit.SECONDS)).startsWith("HTTP/1.1 200");
      }
    } finally {
      pool.shutdownNow();
    }

    // 10 MB POST echoed back intact, streaming both ways
    byte[] body = new byte[10 * 1024 * 1024];
    new Random(3).nextBytes(body);
    byte[] echoed = rawBytes(path.getPath() + "echo", local(), body);
    assertThat(sha(echoed)).isEqualTo(sha(body));

    // a wrong secret looks like nothing at all
    String wrongPath = path.getPath().replaceFirst("-[0-9a-f]{16}/", "-0000000000000000/");
    assertThat(raw(wrongPath, local(), "text/html", null)).startsWith("HTTP/1.1 404");
    String wrongHost = host.getHost().replaceFirst("-[0-9a-f]{16}\\.", "-0000000000000000.");
    assertThat(raw("/", wrongHost, "text/html", null)).startsWith("HTTP/1.1 404");

    // a WebSocket through the preview (dev-server HMR)
    var received = new java.util.concurrent.CompletableFuture<String>();
    var ws =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .buildAsync(
                URI.create(path.toString().replace("http:", "ws:") + "hmr"),
                new java.net.http.WebSocket.Listener() {
                  @Override
                  public java.util.concurrent.CompletionStage<?> onText(
                      java.net.http.WebSocket w, CharSequence data, boolean last) {
                    received.complete(data.toString());
                    return null;
                  }
                })
            .get(10, java.util.concurrent.TimeUnit.SECONDS);
    ws.sendText("echo through the preview ✓", true);
    assertThat(received.get(10, java.util.concurrent.TimeUnit.SECONDS))
        .isEqualTo("echo through the preview ✓");
    ws.abort();

    // another port with nothing listening shows the waiting page (with that port's own secret)
    String other =
        URI.create(
                Gateway.JSON
                    .readTree(gw.get("/api/v1/containers/" + id + "/preview/4000", KEY1).body())
                    .get("pathUrl")
                    .asText())
            .getPath();
    assertThat(raw(other, local(), "text/html", null))
        .startsWith("HTTP/1.1 503")
        .contains("Waiting for the app on port 4000");

    // stopping the process closes the port and records its exit code
    HttpResponse<String> stopped =
        gw.post("/api/v1/containers/" + id + "/processes/" + pid + "/stop", KEY1, null);
    assertThat(stopped.statusCode()).as(stopped.body()).isEqualTo(200);
    JsonNode end = Gateway.JSON.readTree(stopped.body());
    assertThat(end.get("status").asText()).isEqualTo("EXITED");
    assertThat(end.get("exitCode").asInt()).isEqualTo(143);
    awaitPort(3000, false);
    // the process's own message may come after the port's
    shell.awaitMessage(
        m -> m.equals(new ServerMessage.Process(pid, "EXITED", 143)), Duration.ofSeconds(10));
    assertThat(raw(path.getPath(), local(), "text/html", null))
        .startsWith("HTTP/1.1 503")
        .contains("exited with code 143");
    assertThat(gw.get("/api/v1/containers/" + id + "/events", KEY1).body())
        .contains("PROCESS_EXITED");
    assertThat(gw.get("/health/ready", null).statusCode()).isEqualTo(200);
  }

  private static ServerMessage.Port awaitPort(int port, boolean open) throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(15);
    while (Instant.now().isBefore(deadline)) {
      for (ServerMessage m : shell.messages()) {
        if (m instanceof ServerMessage.Port p && p.port() == port && p.open() == open) {
          return p;
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError(
        "no port " + port + " open=" + open + " event; got " + shell.messages());
  }

  /** {@code localhost} on the preview listener's port, as a browser would name it. */
  private static String local() {
    return "localhost:" + gw.previewPort();
  }

  private static String raw(String target, String host, String accept, byte[] body)
      throws Exception {
    return new String(exchange(target, host, accept, body), StandardCharsets.ISO_8859_1);
  }

  /** The body of a POST answered with Content-Length or chunked; sent and read concurrently. */
  private static byte[] rawBytes(String target, String host, byte[] body) throws Exception {
    byte[] all = exchange(target, host, "*/*", body);
    int headEnd = indexOf(all, "\r\n\r\n".getBytes()) + 4;
    String head = new String(all, 0, headEnd, StandardCharsets.ISO_8859_1);
    assertThat(head).startsWith("HTTP/1.1 200");
    byte[] rest = Arrays.copyOfRange(all, headEnd, all.length);
    if (!head.toLowerCase().contains("transfer-encoding: chunked")) {
      return rest;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int i = 0;
    while (true) {
      int lineEnd = indexOf(Arrays.copyOfRange(rest, i, rest.length), "\r\n".getBytes()) + i;
      int size =
          Integer.parseInt(
              new String(rest, i, lineEnd - i, StandardCharsets.US_ASCII).split(";")[0].strip(),
              16);
      if (size == 0) {
        return out.toByteArray();
      }
      out.write(rest, lineEnd + 2, size);
      i = lineEnd + 2 + size + 2;
    }
  }

  private static byte[] exchange(String target, String host, String accept, byte[] body)
      throws Exception {
    try (Socket s = new Socket("127.0.0.1", gw.previewPort())) {
      s.setSoTimeout(60_000);
      OutputStream out = s.getOutputStream();
      String head =
          (body == null ? "GET " : "POST ")
              + target
              + " HTTP/1.1\r\nHost: "
              + host
              + "\r\nAccept: "
              + accept
              + "\r\nConnection: close\r\n"
              + (body == null ? "" : "Content-Length: " + body.length + "\r\n")
              + "\r\n";
      out.write(head.getBytes(StandardCharsets.ISO_8859_1));
      Thread writer = null;
      if (body != null) {
        writer =
            new Thread(
                () -> {
                  try {
                    out.write(body);
                    out.flush();
                  } catch (Exception ignored) {
                    // the reader reports what arrived
                  }
                });
        writer.start();
      }
      out.flush();
      InputStream in = s.getInputStream();
      byte[] all = in.readAllBytes();
      if (writer != null) {
        writer.join(10_000);
      }
      return all;
    }
  }

  private static int indexOf(byte[] a, byte[] b) {
    outer:
    for (int i = 0; i <= a.length - b.length; i++) {
      for (int j = 0; j < b.length; j++) {
        if (a[i + j] != b[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static String sha(byte[] b) throws Exception {
    return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }
}
