package dev.cms.system;

import static dev.cms.system.Gateway.KEY1;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
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
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The preview listener against real containers: it serves previews and nothing else, keeps one app
 * connection per browser connection, streams 100 MB both ways with the gateway's heap flat, reaches
 * an app bound to {@code ::1} only, and a port's URL opens that port only.
 */
class PreviewListenerIT {

  static final String APP_JS =
      """
      const http = require('http');
      const crypto = require('crypto');
      let connections = 0;
      const pattern = Buffer.alloc(251 * 261);
      for (let i = 0; i < pattern.length; i++) pattern[i] = i % 251;
      const server = http.createServer((req, res) => {
        const url = new URL(req.url, 'http://x');
        if (url.pathname === '/conn') {
          res.writeHead(200, {'content-type': 'text/plain'});
          res.end(connections + ' ' + req.socket.remotePort);
        } else if (url.pathname === '/big') {
          let left = Number(url.searchParams.get('n'));
          res.writeHead(200, {'content-type': 'application/octet-stream', 'content-length': left});
          const more = () => {
            while (left > 0) {
              const part = pattern.subarray(0, Math.min(left, pattern.length));
              left -= part.length;
              if (!res.write(part)) { res.once('drain', more); return; }
            }
            res.end();
          };
          more();
        } else if (url.pathname === '/sha' && req.method === 'POST') {
          const h = crypto.createHash('sha256');
          let n = 0;
          req.on('data', d => { h.update(d); n += d.length; });
          req.on('end', () => { res.writeHead(200, {'content-type': 'text/plain'}); res.end(n + ' ' + h.digest('hex')); });
        } else {
          res.writeHead(200, {'content-type': 'text/plain'});
          res.end('app on ' + req.url);
        }
      });
      server.on('connection', () => { connections++; });
      server.keepAliveTimeout = 120000;
      server.listen(3000, '0.0.0.0');
      http.createServer((req, res) => res.end('v6 only on ' + req.url)).listen(3002, '::1');
      // 3003: closes idle kept-alive connections after 200 ms; /drop-once?k=… drops the
      // connection without an answer the first time it sees k
      const dropped = new Set();
      let seen = 0;
      const ka = http.createServer((req, res) => {
        const url = new URL(req.url, 'http://x');
        seen++;
        if (url.pathname === '/drop-always') {
          req.socket.destroy();
          return;
        }
        if (url.pathname === '/drop-once' && !dropped.has(url.searchParams.get('k'))) {
          dropped.add(url.searchParams.get('k'));
          req.socket.destroy();
          return;
        }
        const body = 'ka ' + req.method + ' ' + req.url + ' ' + req.socket.remotePort + ' ' + seen;
        res.writeHead(200, {'content-type': 'text/plain', 'content-length': Buffer.byteLength(body)});
        res.end(body);
      });
      ka.keepAliveTimeout = 200;
      ka.listen(3003, '0.0.0.0');
      http.createServer((req, res) => res.end('inspector')).listen(9229, '127.0.0.1');
      """;

  static Gateway gw;
  static String id;
  static TerminalClient shell;

  @BeforeAll
  static void app() throws Exception {
    gw = Gateway.shared();
    JsonNode c = gw.create(KEY1);
    id = c.get("id").asText();
    byte[] zip = FilesIT.zip(Map.of("app.js", APP_JS.getBytes(StandardCharsets.UTF_8)), Map.of());
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
                                + URLEncoder.encode("/app/l", StandardCharsets.UTF_8)))
                    .header("Authorization", "Bearer " + KEY1)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(zip))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    HttpResponse<String> started =
        gw.post(
            "/api/v1/containers/" + id + "/processes",
            KEY1,
            "{\"command\":\"node app.js\",\"cwd\":\"/app/l\",\"port\":3000}");
    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    Instant deadline = Instant.now().plusSeconds(30);
    String last;
    while (!(last = get(url(3000, false) + "ready")).startsWith("HTTP/1.1 200")) {
      assertThat(Instant.now()).as(last).isBefore(deadline);
      Thread.sleep(250);
    }
  }

  @AfterAll
  static void remove() throws Exception {
    gw.delete("/api/v1/containers/" + id, KEY1);
  }

  @Test
  void theConsoleAndTheApiAreNotOnThePreviewListener() throws Exception {
    for (String path : new String[] {"/console/", "/api/v1/containers", "/health/ready", "/"}) {
      assertThat(raw(path, "localhost:" + gw.previewPort(), null))
          .as(path)
          .startsWith("HTTP/1.1 404");
    }
    // the console's own origin is another one: the main port
    URI path = URI.create(url(3000, false));
    assertThat(path.getPort()).isNotEqualTo(gw.port());
  }

  @Test
  void bothFormsServeTheAppAndTheHostFormSeesEveryPath() throws Exception {
    URI host = URI.create(url(3000, true));
    assertThat(raw("/console/", host.getHost() + ":" + host.getPort(), null))
        .startsWith("HTTP/1.1 200")
        .contains("app on /console/");
    assertThat(get(url(3000, false) + "x?y=1"))
        .startsWith("HTTP/1.1 200")
        .contains("app on /x?y=1");
  }

  @Test
  void oneAppConnectionServesAHundredRequestsOfOneBrowserConnection() throws Exception {
    URI path = URI.create(url(3000, false));
    Set<String> remotePorts = new HashSet<>();
    Set<String> counts = new HashSet<>();
    try (Socket s = new Socket("127.0.0.1", gw.previewPort())) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      InputStream in = new BufferedInputStream(s.getInputStream());
      for (int i = 0; i < 100; i++) {
        out.write(
            ("GET " + path.getPath() + "conn HTTP/1.1\r\nHost: localhost\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        Response r = Response.read(in);
        assertThat(r.status).as("request %d", i).isEqualTo(200);
        String[] body = new String(r.body, StandardCharsets.US_ASCII).split(" ");
        counts.add(body[0]);
        remotePorts.add(body[1]);
      }
    }
    assertThat(remotePorts).as("the app's peer ports").hasSize(1);
    assertThat(counts).as("the app's connection count").hasSize(1);
  }

  @Test
  void aHundredMegabytesStreamBothWaysIntactWithTheGatewayHeapFlat() throws Exception {
    long pid = gw.pid();
    long before = HostileAgentIT.liveHeapMb(pid);
    AtomicLong peak = new AtomicLong(before);
    Thread sampler =
        new Thread(
            () -> {
              try {
                while (!Thread.currentThread().isInterrupted()) {
                  peak.accumulateAndGet(HostileAgentIT.liveHeapMb(pid), Math::max);
                  Thread.sleep(1000);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } catch (Exception e) {
                // sampling ends
              }
            });
    sampler.setDaemon(true);
    sampler.start();
    long n = 100L * 1024 * 1024;
    URI path = URI.create(url(3000, false));
    try {
      // download: the pattern the app sends, hashed on the fly
      MessageDigest expected = MessageDigest.getInstance("SHA-256");
      byte[] pattern = new byte[251 * 261];
      for (int i = 0; i < pattern.length; i++) {
        pattern[i] = (byte) (i % 251);
      }
      for (long left = n; left > 0; left -= Math.min(left, pattern.length)) {
        expected.update(pattern, 0, (int) Math.min(left, pattern.length));
      }
      try (Socket s = new Socket("127.0.0.1", gw.previewPort())) {
        s.setSoTimeout(60_000);
        s.getOutputStream()
            .write(
                ("GET " + path.getPath() + "big?n=" + n + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
        InputStream in = new BufferedInputStream(s.getInputStream(), 1 << 16);
        String head = Response.head(in);
        assertThat(head).startsWith("HTTP/1.1 200").containsIgnoringCase("content-length: " + n);
        MessageDigest got = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[1 << 16];
        long read = 0;
        while (read < n) {
          int k = in.read(buf, 0, (int) Math.min(buf.length, n - read));
          assertThat(k).as("bytes after %d", read).isPositive();
          got.update(buf, 0, k);
          read += k;
        }
        assertThat(got.digest()).isEqualTo(expected.digest());
      }
      // upload: 100 MB of random bytes, hashed by the app
      MessageDigest sent = MessageDigest.getInstance("SHA-256");
      try (Socket s = new Socket("127.0.0.1", gw.previewPort())) {
        s.setSoTimeout(60_000);
        OutputStream out = s.getOutputStream();
        out.write(
            ("POST "
                    + path.getPath()
                    + "sha HTTP/1.1\r\nHost: localhost\r\nContent-Length: "
                    + n
                    + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        Random random = new Random(11);
        byte[] buf = new byte[1 << 16];
        for (long left = n; left > 0; ) {
          random.nextBytes(buf);
          int k = (int) Math.min(buf.length, left);
          out.write(buf, 0, k);
          sent.update(buf, 0, k);
          left -= k;
        }
        out.flush();
        Response r = Response.read(new BufferedInputStream(s.getInputStream()));
        assertThat(r.status).isEqualTo(200);
        assertThat(new String(r.body, StandardCharsets.US_ASCII))
            .isEqualTo(n + " " + java.util.HexFormat.of().formatHex(sent.digest()));
      }
    } finally {
      sampler.interrupt();
      sampler.join(10_000);
    }
    long after = HostileAgentIT.liveHeapMb(pid);
    System.out.printf(
        "PreviewListenerIT: live heap %d MB before, %d MB at most during, %d MB after%n",
        before, peak.get(), after);
    assertThat(peak.get() - before).as("live heap growth during 2 x 100 MB, MB").isLessThan(64);
  }

  /**
   * The keep-alive race: the app closes an idle kept-alive connection (here after 300 ms) just as
   * the browser's next request goes out on the same browser connection (here after 200 ms).
   * Sleeping from just before to just after the app's timeout in steps of 0.25 ms, the second
   * request must be answered every time, never a 502 or a dropped connection.
   */
  @Test
  void aRequestRacingTheAppsKeepAliveCloseIsAnswered() throws Exception {
    URI path = URI.create(url(3003, false));
    int newConnections = 0;
    for (int i = 0; i < 100; i++) {
      long sleep = 190_000_000L + i * 250_000L; // 190 … 214.75 ms around the app's 200 ms
      try (Socket s = new Socket("127.0.0.1", gw.previewPort())) {
        s.setSoTimeout(30_000);
        OutputStream out = s.getOutputStream();
        InputStream in = new BufferedInputStream(s.getInputStream());
        String[] first = null;
        for (int n = 0; n < 2; n++) {
          if (n == 1) {
            long until = System.nanoTime() + sleep;
            for (long left; (left = until - System.nanoTime()) > 0; ) {
              java.util.concurrent.locks.LockSupport.parkNanos(left);
            }
          }
          out.write(
              ("GET " + path.getPath() + "ka HTTP/1.1\r\nHost: localhost\r\n\r\n")
                  .getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
          Response r = Response.read(in);
          String body = new String(r.body, StandardCharsets.US_ASCII);
          assertThat(r.status)
              .as("attempt %d (sleep %.2f ms), request %d: %s", i, sleep / 1e6, n, body)
              .isEqualTo(200);
          String[] words = body.split(" ");
          if (n == 0) {
            first = words;
          } else if (!words[3].equals(first[3])) {
            newConnections++;
          }
        }
      }
    }
    // most second requests went out after the app's close, on a fresh app connection
    assertThat(newConnections).isPositive();
  }

  /**
   * An app connection that ends before any byte of the answer: a GET is sent again once on a fresh
   * app connection; a POST with a body is not (502), and neither is a GET the app drops twice.
   */
  @Test
  void aGetTheAppDropsBeforeAnsweringIsSentAgainOnceAndAPostIsNot() throws Exception {
    String base = url(3003, false);
    String k = Long.toString(System.nanoTime());
    assertThat(get(base + "drop-once?k=get-" + k)).startsWith("HTTP/1.1 200").contains("ka GET ");
    assertThat(
            raw(URI.create(base).getPath() + "drop-once?k=post-" + k, "localhost", new byte[] {1}))
        .startsWith("HTTP/1.1 502");
    // the POST's key is used up: the same POST again is answered
    assertThat(
            raw(URI.create(base).getPath() + "drop-once?k=post-" + k, "localhost", new byte[] {1}))
        .startsWith("HTTP/1.1 200");
    // sent again once only
    assertThat(get(base + "drop-always")).startsWith("HTTP/1.1 502");
  }

  @Test
  void anAppBoundToIpv6LoopbackOnlyIsServed() throws Exception {
    assertThat(get(url(3002, false) + "six"))
        .startsWith("HTTP/1.1 200")
        .contains("v6 only on /six");
  }

  @Test
  void onlyTheUsersPortsAreListedAndAPortsUrlOpensThatPortOnly() throws Exception {
    Instant deadline = Instant.now().plusSeconds(15);
    Set<Integer> ports = new HashSet<>();
    while (Instant.now().isBefore(deadline) && !ports.containsAll(Set.of(3000, 3002, 3003, 9229))) {
      ports.clear();
      for (JsonNode p :
          Gateway.JSON.readTree(gw.get("/api/v1/containers/" + id + "/ports", KEY1).body())) {
        ports.add(p.get("port").asInt());
      }
      Thread.sleep(250);
    }
    // not the engine's DNS resolver (127.0.0.11:random), nothing of the agent
    assertThat(ports).containsExactlyInAnyOrder(3000, 3002, 3003, 9229);

    URI p3000 = URI.create(url(3000, false));
    URI h3000 = URI.create(url(3000, true));
    String secret3000 = p3000.getPath().split("/")[2].substring(id.length() + 1);
    assertThat(get(url(9229, false))).startsWith("HTTP/1.1 200").contains("inspector");
    assertThat(raw(p3000.getPath().replace("/3000/", "/9229/"), "localhost", null))
        .startsWith("HTTP/1.1 404");
    assertThat(raw("/", "9229-" + id + "-" + secret3000 + ".localhost:" + h3000.getPort(), null))
        .startsWith("HTTP/1.1 404");
    assertThat(url(9229, false)).doesNotContain(secret3000);
  }

  @Test
  void dataConnectionsNeedTheLinkCredentialAndAreParkedBounded() throws Exception {
    String credential = Engine.execAsRoot(id, "cat", "/run/cms/agent-credential").strip();
    assertThat(credential).matches("[A-Za-z0-9]{48}");
    // a wrong credential, a line that never ends, a malformed line: closed by the gateway
    String wrong = "CMS-DATA/1 " + id + " " + "x".repeat(48) + "\r\n";
    String endless = "CMS-DATA/1 " + "x".repeat(300);
    String malformed = "CMS-DATA/1 ../../etc " + credential + "\r\n";
    for (String line : new String[] {wrong, endless, malformed}) {
      try (Socket s = dataConnection(line)) {
        assertThat(s.getInputStream().read()).as(line.substring(0, 20)).isEqualTo(-1);
      }
    }
    // the right credential, 20 times: at most CMS_PREVIEW_PARKED_PER_CONTAINER (8) stay parked,
    // the agent's own idle ones included; the rest are closed
    java.util.List<Socket> mine = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < 20; i++) {
        mine.add(dataConnection("CMS-DATA/1 " + id + " " + credential + "\r\n"));
      }
      Thread.sleep(2000);
      int parked = 0;
      for (Socket s : mine) {
        s.setSoTimeout(200);
        try {
          if (s.getInputStream().read() < 0) {
            continue;
          }
        } catch (java.net.SocketTimeoutException stillOpen) {
          // parked
        }
        parked++;
      }
      assertThat(parked).isBetween(0, 8);
    } finally {
      for (Socket s : mine) {
        s.close();
      }
    }
    // the previews still work (stale parked connections are skipped)
    for (int i = 0; i < 12; i++) {
      assertThat(get(url(3000, false) + "after-" + i)).startsWith("HTTP/1.1 200");
    }
  }

  private static Socket dataConnection(String line) throws IOException {
    Socket s = new Socket("127.0.0.1", gw.agentPort());
    s.setSoTimeout(15_000);
    s.getOutputStream().write(line.getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
    return s;
  }

  // ---- helpers

  static final Map<Integer, JsonNode> URLS = new LinkedHashMap<>();

  static synchronized String url(int port, boolean hostForm) throws Exception {
    JsonNode u = URLS.get(port);
    if (u == null) {
      u =
          Gateway.JSON.readTree(
              gw.get("/api/v1/containers/" + id + "/preview/" + port, KEY1).body());
      URLS.put(port, u);
    }
    return u.get(hostForm ? "url" : "pathUrl").asText();
  }

  /** A GET of a path-form URL on the preview listener, the whole answer as text. */
  static String get(String pathUrl) throws Exception {
    URI u = URI.create(pathUrl);
    assertThat(u.getPort()).isEqualTo(gw.previewPort());
    return raw(
        u.getRawPath() + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery()), "localhost", null);
  }

  static String raw(String target, String host, byte[] body) throws Exception {
    try (Socket s = new Socket("127.0.0.1", gw.previewPort())) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      out.write(
          ((body == null ? "GET " : "POST ")
                  + target
                  + " HTTP/1.1\r\nHost: "
                  + host
                  + "\r\nConnection: close\r\n"
                  + (body == null ? "" : "Content-Length: " + body.length + "\r\n")
                  + "\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      if (body != null) {
        out.write(body);
      }
      out.flush();
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  /** One response, its body framed by Content-Length or chunked. */
  record Response(int status, String head, byte[] body) {
    static Response read(InputStream in) throws IOException {
      String head = head(in);
      int status = Integer.parseInt(head.substring(9, 12));
      long length = -1;
      boolean chunked = false;
      for (String line : head.split("\r\n")) {
        String lower = line.toLowerCase();
        if (lower.startsWith("content-length:")) {
          length = Long.parseLong(line.substring(15).strip());
        } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
          chunked = true;
        }
      }
      if (!chunked) {
        assertThat(length).as("Content-Length in " + head).isNotNegative();
        return new Response(status, head, in.readNBytes((int) length));
      }
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      while (true) {
        String sizeLine = line(in);
        int size = Integer.parseInt(sizeLine.split(";")[0].strip(), 16);
        if (size == 0) {
          while (!line(in).isEmpty()) {
            // trailer fields
          }
          return new Response(status, head, body.toByteArray());
        }
        body.write(in.readNBytes(size));
        line(in);
      }
    }

    static String line(InputStream in) throws IOException {
      StringBuilder b = new StringBuilder();
      int c;
      while ((c = in.read()) >= 0 && c != '\n') {
        if (c != '\r') {
          b.append((char) c);
        }
      }
      return b.toString();
    }

    static String head(InputStream in) throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      int c;
      int state = 0;
      while ((c = in.read()) >= 0) {
        b.write(c);
        state =
            (c == '\r' && (state == 0 || state == 2))
                ? state + 1
                : (c == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
        if (state == 4) {
          return b.toString(StandardCharsets.ISO_8859_1);
        }
      }
      throw new IOException("the connection ended inside a head: " + b);
    }
  }
}
