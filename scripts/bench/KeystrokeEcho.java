/*
 * Terminal keystroke echo benchmark (issue 3). NOT a test: it prints numbers.
 *
 * Run through scripts/bench-terminal.sh, which starts the service; directly:
 *
 *   java scripts/bench/KeystrokeEcho.java <baseUrl> <apiKey>
 *
 * JDK 17 single-file source launch, no dependency beyond the JDK. It creates one container
 * (POST /api/v1/containers?wait=ready), measures, and deletes it again. Knobs (environment):
 * BENCH_KEYS (1000 timed keystrokes per path), BENCH_WARMUP (100 untimed per path), BENCH_LINE (50:
 * a carriage return, not timed, after this many characters), BENCH_DOCKER_SOCKET
 * (/var/run/docker.sock).
 *
 * Two paths into the same container, both running `cat` on a PTY whose line discipline echoes every
 * typed character at once (canonical mode, echo on):
 *  - gateway: client WebSocket (websocketUrl?token=…&terminal=bench) → gateway → agent → PTY → back;
 *    the terminal's bash is told `cat\r` first. Input is a JSON `input` message, output arrives as
 *    binary output frames.
 *  - docker exec -it: the Docker Engine API over the unix socket, exactly what `docker exec -it`
 *    does: POST /containers/{id}/exec (Tty, User node, Cmd cat), POST /exec/{id}/start with
 *    `Upgrade: tcp`; after `101 UPGRADED` the socket is the raw PTY stream.
 *
 * One keystroke: note the time, send one printable character, wait until a chunk of output holding
 * that character arrives (time stamped by the receiving thread on arrival). Every BENCH_LINE
 * characters a `\r` is sent (not timed) and the benchmark waits until cat has printed the line back
 * and the output has been quiet for QUIET_MS, so lines stay short and nothing is in flight when the
 * next timed keystroke starts. The two paths are interleaved line by line (one line on the gateway,
 * one line on docker exec, …) so background load on a shared machine hits both alike.
 */

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class KeystrokeEcho {

  static final int KEYS = Integer.parseInt(env("BENCH_KEYS", "1000"));
  static final int WARMUP = Integer.parseInt(env("BENCH_WARMUP", "100"));
  static final int LINE = Integer.parseInt(env("BENCH_LINE", "50"));
  static final String DOCKER_SOCKET = env("BENCH_DOCKER_SOCKET", "/var/run/docker.sock");
  static final String TERMINAL = "bench";
  static final long QUIET_MS = 10;
  static final Duration ECHO_TIMEOUT = Duration.ofSeconds(5);

  static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  static String baseUrl;
  static String apiKey;

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: java KeystrokeEcho.java <baseUrl> <apiKey>");
      System.exit(2);
    }
    baseUrl = args[0].replaceAll("/+$", "");
    apiKey = args[1];
    System.out.printf(
        "keystroke echo benchmark: %s, %d timed keystrokes per path (+%d warm-up), \\r every %d%n",
        baseUrl, KEYS, WARMUP, LINE);

    String body = create();
    String id = group(Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\""), body);
    try {
      String wsUrl = group(Pattern.compile("\"websocketUrl\"\\s*:\\s*\"([^\"]+)\""), body);
      String token = group(Pattern.compile("\"token\"\\s*:\\s*\"([^\"]+)\""), body);
      String engineId = engineId(id);
      System.out.printf("container %s (engine %s)%n", id, engineId.substring(0, 12));

      try (Path gateway = GatewayPath.open(wsUrl, token);
          Path exec = ExecPath.open(engineId)) {
        List<Path> paths = List.of(gateway, exec);
        for (Path p : paths) p.startCat();
        // warm-up, untimed
        for (Path p : paths) run(p, WARMUP, null);
        // timed, interleaved line by line
        List<List<Long>> samples = List.of(new ArrayList<>(), new ArrayList<>());
        for (int done = 0; done < KEYS; done += LINE) {
          for (int i = 0; i < paths.size(); i++) run(paths.get(i), Math.min(LINE, KEYS - done), samples.get(i));
        }
        report(paths, samples);
      }
    } finally {
      delete(id);
    }
  }

  // ---------------------------------------------------------------- keystroke protocol

  static int nextChar = 0;

  /** Types n characters (each timed into samples if not null), a \r after every LINE characters. */
  static void run(Path p, int n, List<Long> samples) throws Exception {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < n; i++) {
      char c = (char) ('a' + nextChar++ % 26);
      long t0 = System.nanoTime();
      p.send(String.valueOf(c));
      long arrived = p.awaitByte((byte) c);
      if (samples != null) samples.add(arrived - t0);
      line.append(c);
      if (line.length() == LINE || i == n - 1) {
        p.send("\r");
        p.awaitText(line.toString());
        p.awaitQuiet();
        line.setLength(0);
      }
    }
  }

  static void report(List<Path> paths, List<List<Long>> samples) {
    System.out.println();
    System.out.printf("%-42s %5s %9s %9s %9s %9s%n", "path", "n", "p50", "p90", "p99", "max");
    long[][] pct = new long[paths.size()][];
    for (int i = 0; i < paths.size(); i++) {
      List<Long> v = new ArrayList<>(samples.get(i));
      Collections.sort(v);
      pct[i] = new long[] {rank(v, 50), rank(v, 90), rank(v, 99), v.get(v.size() - 1)};
      System.out.printf(
          Locale.ROOT, "%-42s %5d %9.3f %9.3f %9.3f %9.3f%n", paths.get(i).name(), v.size(),
          pct[i][0] / 1e6, pct[i][1] / 1e6, pct[i][2] / 1e6, pct[i][3] / 1e6);
    }
    System.out.println("(milliseconds; percentiles by nearest rank on the sorted samples)");
    System.out.println();
    System.out.printf(
        Locale.ROOT, "ratio gateway / docker exec: p50 %.2fx, p99 %.2fx%n",
        (double) pct[0][0] / pct[1][0], (double) pct[0][2] / pct[1][2]);
    System.out.printf(
        Locale.ROOT, "targets (issue 3, gateway path): p50 < 2 ms: %s, p99 < 10 ms: %s%n",
        pct[0][0] < 2_000_000 ? "met" : "NOT met", pct[0][2] < 10_000_000 ? "met" : "NOT met");
  }

  /** Nearest-rank percentile: the smallest sample with at least p% of samples at or below it. */
  static long rank(List<Long> sorted, int p) {
    int r = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(1, r) - 1);
  }

  // ---------------------------------------------------------------- paths

  /** A chunk of terminal output and the System.nanoTime() at which the receiving thread got it. */
  record Chunk(long at, byte[] data) {}

  abstract static class Path implements AutoCloseable {
    final BlockingQueue<Chunk> chunks = new LinkedBlockingQueue<>();
    volatile String failure;

    abstract String name();

    abstract void send(String text) throws Exception;

    void received(byte[] data) {
      chunks.add(new Chunk(System.nanoTime(), data));
    }

    Chunk poll(long timeoutNanos) throws Exception {
      Chunk c = chunks.poll(timeoutNanos, TimeUnit.NANOSECONDS);
      if (failure != null) throw new IllegalStateException(name() + ": " + failure);
      return c;
    }

    /** Waits for the first chunk containing b; returns its arrival time. */
    long awaitByte(byte b) throws Exception {
      long deadline = System.nanoTime() + ECHO_TIMEOUT.toNanos();
      ByteArrayOutputStream seen = new ByteArrayOutputStream();
      while (true) {
        Chunk c = poll(deadline - System.nanoTime());
        if (c == null) {
          throw new IllegalStateException(
              name() + ": no echo of '" + (char) b + "' within " + ECHO_TIMEOUT + "; got " + show(seen.toByteArray()));
        }
        seen.writeBytes(c.data);
        for (byte x : c.data) if (x == b) return c.at;
      }
    }

    /** Waits until the output received from now on contains text. */
    void awaitText(String text) throws Exception {
      long deadline = System.nanoTime() + ECHO_TIMEOUT.toNanos();
      ByteArrayOutputStream seen = new ByteArrayOutputStream();
      while (!seen.toString(StandardCharsets.UTF_8).contains(text)) {
        Chunk c = poll(deadline - System.nanoTime());
        if (c == null) {
          throw new IllegalStateException(
              name() + ": \"" + text + "\" did not come back within " + ECHO_TIMEOUT + "; got " + show(seen.toByteArray()));
        }
        seen.writeBytes(c.data);
      }
    }

    /** Drains output until nothing arrived for QUIET_MS. */
    void awaitQuiet() throws Exception {
      while (poll(TimeUnit.MILLISECONDS.toNanos(QUIET_MS)) != null) {}
    }

    /** Starts `cat` on the terminal and waits until it runs. */
    abstract void startCat() throws Exception;
  }

  /** client WebSocket → gateway → agent → PTY. */
  static final class GatewayPath extends Path implements WebSocket.Listener {
    WebSocket ws;
    final ByteArrayOutputStream binary = new ByteArrayOutputStream();
    final StringBuilder text = new StringBuilder();
    final CompletableFuture<Void> attached = new CompletableFuture<>();

    static GatewayPath open(String wsUrl, String token) throws Exception {
      GatewayPath p = new GatewayPath();
      URI uri = URI.create(wsUrl + "?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8) + "&terminal=" + TERMINAL);
      p.ws = HttpClient.newHttpClient().newWebSocketBuilder()
          .connectTimeout(Duration.ofSeconds(10))
          .buildAsync(uri, p)
          .get(30, TimeUnit.SECONDS);
      p.attached.get(30, TimeUnit.SECONDS);
      return p;
    }

    @Override
    String name() {
      return "gateway: WebSocket → gateway → agent → PTY";
    }

    @Override
    void send(String data) {
      ws.sendText("{\"type\":\"input\",\"terminal\":\"" + TERMINAL + "\",\"data\":\"" + json(data) + "\"}", true).join();
    }

    @Override
    void startCat() throws Exception {
      Thread.sleep(1000); // let bash print its prompt
      awaitQuiet();
      send("cat\r");
      Thread.sleep(1000);
      awaitQuiet();
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
      byte[] b = new byte[data.remaining()];
      data.get(b);
      binary.writeBytes(b);
      if (last) {
        ByteBuffer f = ByteBuffer.wrap(binary.toByteArray());
        binary.reset();
        int version = f.get() & 0xff;
        int idLen = f.get() & 0xff;
        byte[] idBytes = new byte[idLen];
        f.get(idBytes);
        f.getLong(); // offset
        byte[] out = new byte[f.remaining()];
        f.get(out);
        if (version != 1) {
          failure = "output frame version " + version;
        } else if (new String(idBytes, StandardCharsets.UTF_8).equals(TERMINAL) && out.length > 0) {
          received(out);
        }
      }
      w.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        String m = text.toString();
        text.setLength(0);
        if (m.contains("\"type\":\"attached\"")) {
          attached.complete(null);
        } else if (m.contains("\"type\":\"error\"") || m.contains("\"type\":\"exit\"")) {
          System.err.println("gateway says: " + m);
          if (m.contains("\"type\":\"exit\"")) failure = "terminal exited: " + m;
          attached.completeExceptionally(new IllegalStateException(m));
        }
      }
      w.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
      failure = "WebSocket closed: " + code + " " + reason;
      attached.completeExceptionally(new IllegalStateException(failure));
      return null;
    }

    @Override
    public void onError(WebSocket w, Throwable e) {
      failure = "WebSocket error: " + e;
      attached.completeExceptionally(e);
    }

    @Override
    public void close() {
      try {
        ws.sendText("{\"type\":\"kill\",\"terminal\":\"" + TERMINAL + "\"}", true).get(5, TimeUnit.SECONDS);
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        // the container is deleted right after
      }
      ws.abort();
    }
  }

  /** Docker Engine API exec with Tty over the unix socket: what `docker exec -it` does. */
  static final class ExecPath extends Path {
    SocketChannel ch;
    Thread reader;

    static ExecPath open(String engineId) throws Exception {
      String created = engine("POST", "/containers/" + engineId + "/exec",
          "{\"AttachStdin\":true,\"AttachStdout\":true,\"AttachStderr\":true,\"Tty\":true,"
              + "\"User\":\"node\",\"WorkingDir\":\"/app\",\"Cmd\":[\"cat\"]}");
      String execId = group(Pattern.compile("\"Id\"\\s*:\\s*\"([^\"]+)\""), created);
      ExecPath p = new ExecPath();
      p.ch = SocketChannel.open(UnixDomainSocketAddress.of(DOCKER_SOCKET));
      String body = "{\"Detach\":false,\"Tty\":true}";
      String req = "POST /exec/" + execId + "/start HTTP/1.1\r\nHost: docker\r\n"
          + "Content-Type: application/json\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n"
          + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
      writeAll(p.ch, req.getBytes(StandardCharsets.UTF_8));
      // read the response headers; anything after them is already PTY output
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      ByteBuffer buf = ByteBuffer.allocate(8192);
      int end;
      while ((end = indexOf(head.toByteArray(), "\r\n\r\n".getBytes(StandardCharsets.US_ASCII))) < 0) {
        buf.clear();
        if (p.ch.read(buf) < 0) throw new IOException("exec start: connection closed: " + head);
        head.write(buf.array(), 0, buf.position());
      }
      byte[] all = head.toByteArray();
      String headers = new String(all, 0, end, StandardCharsets.ISO_8859_1);
      if (!headers.startsWith("HTTP/1.1 101")) throw new IOException("exec start answered: " + headers);
      if (all.length > end + 4) p.received(java.util.Arrays.copyOfRange(all, end + 4, all.length));
      p.reader = new Thread(p::readLoop, "exec-reader");
      p.reader.setDaemon(true);
      p.reader.start();
      return p;
    }

    void readLoop() {
      ByteBuffer buf = ByteBuffer.allocate(65536);
      try {
        while (true) {
          buf.clear();
          int n = ch.read(buf);
          if (n < 0) {
            failure = "exec stream closed";
            return;
          }
          if (n > 0) received(java.util.Arrays.copyOf(buf.array(), n));
        }
      } catch (IOException e) {
        if (ch.isOpen()) failure = "exec stream: " + e;
      }
    }

    @Override
    String name() {
      return "docker exec -it: engine API → PTY";
    }

    @Override
    void send(String text) throws IOException {
      writeAll(ch, text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    void startCat() throws Exception {
      Thread.sleep(1000); // cat is the exec's command: just let it start
      awaitQuiet();
    }

    @Override
    public void close() throws IOException {
      try {
        send("\u0004"); // EOF for cat: the exec ends
      } catch (IOException e) {
        // ignore
      }
      ch.close();
    }
  }

  // ---------------------------------------------------------------- service and engine calls

  static String create() throws Exception {
    HttpRequest post =
        HttpRequest.newBuilder(URI.create(baseUrl + "/api/v1/containers?wait=ready"))
            .header("Authorization", "Bearer " + apiKey)
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(180))
            .POST(HttpRequest.BodyPublishers.ofString("{}"))
            .build();
    HttpResponse<String> r = HTTP.send(post, HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 201 || !r.body().matches("(?s).*\"agentConnected\"\\s*:\\s*true.*")) {
      throw new IllegalStateException("create answered " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }

  static void delete(String id) {
    try {
      HttpRequest del =
          HttpRequest.newBuilder(URI.create(baseUrl + "/api/v1/containers/" + id))
              .header("Authorization", "Bearer " + apiKey)
              .timeout(Duration.ofSeconds(60))
              .DELETE()
              .build();
      HttpResponse<String> r = HTTP.send(del, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() / 100 != 2) System.err.println("delete " + id + " answered " + r.statusCode() + ": " + r.body());
    } catch (Exception e) {
      System.err.println("delete " + id + " failed: " + e);
    }
  }

  /** The engine's container id for our record id (label cms.record=<id>). */
  static String engineId(String id) throws Exception {
    String filters = URLEncoder.encode("{\"label\":[\"cms.record=" + id + "\"]}", StandardCharsets.UTF_8);
    String list = engine("GET", "/containers/json?filters=" + filters, null);
    return group(Pattern.compile("\"Id\"\\s*:\\s*\"([0-9a-f]{64})\""), list);
  }

  /** One plain HTTP/1.1 request to the engine over the unix socket; returns the body (raw). */
  static String engine(String method, String path, String body) throws IOException {
    try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(DOCKER_SOCKET))) {
      byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
      String req = method + " " + path + " HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n"
          + (body == null ? "" : "Content-Type: application/json\r\nContent-Length: " + b.length + "\r\n") + "\r\n";
      writeAll(ch, req.getBytes(StandardCharsets.UTF_8));
      writeAll(ch, b);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteBuffer buf = ByteBuffer.allocate(8192);
      while (ch.read(buf.clear()) >= 0) out.write(buf.array(), 0, buf.position());
      String resp = out.toString(StandardCharsets.UTF_8);
      int sep = resp.indexOf("\r\n\r\n");
      String status = resp.substring(0, Math.max(0, resp.indexOf("\r\n")));
      if (!status.matches("HTTP/1\\.[01] 2\\d\\d.*")) throw new IOException(method + " " + path + " answered: " + resp);
      // the body may be chunked; callers only pick fields out of it with a pattern
      return sep < 0 ? "" : resp.substring(sep + 4);
    }
  }

  // ---------------------------------------------------------------- helpers

  static void writeAll(SocketChannel ch, byte[] b) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(b);
    while (buf.hasRemaining()) ch.write(buf);
  }

  static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
      return i;
    }
    return -1;
  }

  /** JSON string escaping as JSON.stringify does it. */
  static String json(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\b' -> b.append("\\b");
        case '\f' -> b.append("\\f");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
          else b.append(c);
        }
      }
    }
    return b.toString();
  }

  static String show(byte[] b) {
    String s = new String(b, StandardCharsets.UTF_8);
    s = s.length() > 300 ? "…" + s.substring(s.length() - 300) : s;
    return "\"" + json(s) + "\"";
  }

  static String group(Pattern p, String s) {
    Matcher m = p.matcher(s);
    if (!m.find()) throw new IllegalStateException("no " + p + " in: " + s);
    return m.group(1);
  }

  static String env(String name, String dflt) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? dflt : v;
  }
}
