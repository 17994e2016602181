/*
 * Shared support for the benchmark and soak programs in scripts/bench (JDK 17, no dependencies).
 *
 * scripts/bench/service.sh compiles this file (bench_compile_support → $BENCH_CP) and the programs
 * that need it run as `java -cp "$BENCH_CP" scripts/bench/X.java …` (single-file source launch with
 * this class on the class path). What it holds:
 *  - Api: the service's REST API (create ?wait=ready, delete, plain requests) with the bench key;
 *  - Term: one client WebSocket attached to a terminal, with "wait for this text" on its output;
 *  - Echo: a keystroke-echo path (a terminal's output as time-stamped chunks: wait for one byte, a
 *    text, quiet), over the gateway (Echo.terminal: the client WebSocket) or straight to the engine
 *    (Echo.exec: what `docker exec -it` does);
 *  - Gateway: the gateway process's heap after a full GC (jcmd), threads and open file descriptors;
 *  - Engine: the Docker Engine API over its unix socket (requests, the engine id of a record, a TTY
 *    exec's raw stream, count containers by label);
 *  - cli (run a command), rank (nearest-rank percentile), median, field (pick a string field out of
 *    flat JSON), json (escape), loadavg.
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Arrays;
import java.util.Collections;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

public final class BenchSupport {

  private BenchSupport() {}

  // ---------------------------------------------------------------- small helpers

  public static String env(String name, String dflt) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? dflt : v;
  }

  public static int envInt(String name, int dflt) {
    return Integer.parseInt(env(name, String.valueOf(dflt)));
  }

  /** Nearest-rank percentile of sorted values: the smallest with at least p% at or below it. */
  public static long rank(List<Long> sorted, double p) {
    if (sorted.isEmpty()) return -1;
    int r = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(1, r) - 1);
  }

  /** The first string value of {@code "name":"…"} in a JSON text, or null. */
  public static String field(String json, String name) {
    Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
    return m.find() ? m.group(1) : null;
  }

  /** JSON string escaping as JSON.stringify does it. */
  public static String json(String s) {
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

  /** The last n characters of s, JSON-escaped, for error messages. */
  public static String tail(CharSequence s, int n) {
    String t = s.length() > n ? "…" + s.subSequence(s.length() - n, s.length()) : s.toString();
    return "\"" + json(t) + "\"";
  }

  public static double ms(long nanos) {
    return nanos / 1e6;
  }

  /** The median of the values (the mean of the middle two for an even count). */
  public static long median(List<Long> values) {
    List<Long> s = new ArrayList<>(values);
    Collections.sort(s);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  /** The 1/5/15-minute load average, or "?". */
  public static String loadavg() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "?";
    }
  }

  /** The last 300 characters of bytes (as UTF-8), JSON-escaped, for error messages. */
  public static String show(byte[] b) {
    return tail(new String(b, StandardCharsets.UTF_8), 300);
  }

  /** The first group of p in s; fails naming both when p does not match. */
  public static String group(Pattern p, String s) {
    Matcher m = p.matcher(s);
    if (!m.find()) throw new IllegalStateException("no " + p + " in: " + s);
    return m.group(1);
  }

  /**
   * Runs a command (standard input closed) and returns its output, standard error included; fails
   * on a non-zero exit or when it runs longer than timeout (then it is killed).
   */
  public static String cli(Duration timeout, List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().close();
    CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> {
      try {
        return p.getInputStream().readAllBytes();
      } catch (IOException e) {
        return new byte[0];
      }
    });
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", cmd) + ": timed out after " + timeout);
    }
    String text = new String(out.join(), StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IOException(
          String.join(" ", cmd.subList(0, Math.min(3, cmd.size()))) + " exited " + p.exitValue() + ": " + text.trim());
    }
    return text;
  }

  /** {@link #cli(Duration, List)} with a 10-minute limit. */
  public static String cli(String... cmd) throws IOException, InterruptedException {
    return cli(Duration.ofMinutes(10), List.of(cmd));
  }

  // ---------------------------------------------------------------- REST API

  /**
   * A JDK HTTP client on HTTP/1.1 (the client WebSocket upgrades from it) with this connect
   * timeout: {@link Api#http}, or a client of its own for many sockets at once.
   */
  public static HttpClient client(Duration connectTimeout) {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(connectTimeout)
        .build();
  }

  /** The service's REST API under {@code /api/v1}, authenticated with one API key. */
  public static final class Api {
    public final String baseUrl;
    public final String apiKey;
    public final HttpClient http = client(Duration.ofSeconds(10));

    public Api(String baseUrl, String apiKey) {
      this.baseUrl = baseUrl.replaceAll("/+$", "");
      this.apiKey = apiKey;
    }

    /** A container created with ?wait=ready: its id and what a client needs to attach. */
    public record Created(String id, String websocketUrl, String token, String body) {}

    /** A failed API call: the status (or -1 for no answer) and what came back. */
    public static final class ApiFailure extends IOException {
      public final int status;

      ApiFailure(int status, String message) {
        super(message);
        this.status = status;
      }
    }

    public HttpRequest.Builder request(String path) {
      return HttpRequest.newBuilder(URI.create(path.startsWith("http") ? path : baseUrl + path))
          .header("Authorization", "Bearer " + apiKey)
          .timeout(Duration.ofSeconds(120));
    }

    public HttpResponse<String> send(HttpRequest r) throws IOException, InterruptedException {
      return http.send(r, HttpResponse.BodyHandlers.ofString());
    }

    /** Sends r; returns the body if the status is expected, else throws ApiFailure. */
    public String expect(HttpRequest r, int... statuses) throws IOException, InterruptedException {
      HttpResponse<String> resp = send(r);
      for (int s : statuses) if (resp.statusCode() == s) return resp.body();
      throw new ApiFailure(
          resp.statusCode(),
          r.method() + " " + r.uri().getRawPath() + " answered " + resp.statusCode() + ": " + oneLine(resp.body()));
    }

    /** POST /api/v1/containers?wait=ready with a JSON body; requires 201 and agentConnected. */
    public Created create(String jsonBody) throws IOException, InterruptedException {
      String body =
          expect(
              request("/api/v1/containers?wait=ready")
                  .timeout(Duration.ofSeconds(180))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(jsonBody))
                  .build(),
              201);
      String id = field(body, "id");
      if (!body.matches("(?s).*\"agentConnected\"\\s*:\\s*true.*")) {
        if (id != null) deleteQuietly(id);
        throw new ApiFailure(201, "created but agent not connected: " + oneLine(body));
      }
      return new Created(id, field(body, "websocketUrl"), field(body, "token"), body);
    }

    public void delete(String id) throws IOException, InterruptedException {
      expect(request("/api/v1/containers/" + id).DELETE().build(), 200, 204);
    }

    /** Deletes, logging (not throwing) a failure; for cleanup paths. */
    public void deleteQuietly(String id) {
      try {
        delete(id);
      } catch (Exception e) {
        System.err.println("delete " + id + " failed: " + e.getMessage());
      }
    }

    static String oneLine(String s) {
      String t = s == null ? "" : s.replaceAll("\\s+", " ");
      return t.length() > 300 ? t.substring(0, 300) + "…" : t;
    }
  }

  // ---------------------------------------------------------------- terminal WebSocket

  /**
   * One client WebSocket on a container, attached to one terminal (PROTOCOL.md, "Client WebSocket").
   * Output frames of that terminal are collected (the last 64 KiB, decoded as Latin-1 so markers in
   * ASCII are found even if a frame splits UTF-8); {@link #expect} completes with the arrival time
   * ({@link System#nanoTime()}, stamped on the receiving thread) of the frame that completed a text.
   */
  public static final class Term implements WebSocket.Listener, AutoCloseable {
    private static final int KEEP = 64 * 1024;

    public final String terminal;
    private final StringBuilder out = new StringBuilder();
    private long dropped; // characters dropped from the front of out
    private final List<Expectation> waiting = new ArrayList<>();
    private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
    private final StringBuilder text = new StringBuilder();
    private final CompletableFuture<Void> attached = new CompletableFuture<>();
    private volatile WebSocket ws;
    private volatile String failure;

    private record Expectation(String text, long from, CompletableFuture<Long> done) {}

    private Term(String terminal) {
      this.terminal = terminal;
    }

    /** Opens websocketUrl?token=…&terminal=… and waits until the terminal is attached. */
    public static Term open(HttpClient http, String wsUrl, String token, String terminal, Duration timeout)
        throws Exception {
      Term t = new Term(terminal);
      URI uri =
          URI.create(
              wsUrl + "?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8) + "&terminal=" + terminal);
      try {
        t.ws =
            http.newWebSocketBuilder()
                .connectTimeout(timeout)
                .buildAsync(uri, t)
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        t.attached.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        t.abort();
        throw e;
      }
      return t;
    }

    /** Why the socket is unusable (closed, error, terminal exited), or null. */
    public String failure() {
      return failure;
    }

    public void input(String data) {
      ws.sendText(
              "{\"type\":\"input\",\"terminal\":\"" + terminal + "\",\"data\":\"" + json(data) + "\"}", true)
          .join();
    }

    /**
     * Completes with the arrival time of the output frame that completed {@code s}, counting only
     * output that arrives after this call.
     */
    public CompletableFuture<Long> expect(String s) {
      CompletableFuture<Long> f = new CompletableFuture<>();
      synchronized (this) {
        waiting.add(new Expectation(s, dropped + out.length(), f));
        if (failure != null) f.completeExceptionally(new IOException(failure));
      }
      return f;
    }

    /** Waits for f (from expect(s)); throws with the output's tail when s did not come in time. */
    public long await(CompletableFuture<Long> f, String s, Duration timeout) throws Exception {
      try {
        return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        throw new IOException("\"" + json(s) + "\" did not arrive within " + timeout + "; output tail " + outputTail());
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IOException(e.getCause().getMessage() + "; output tail " + outputTail());
      }
    }

    public synchronized String outputTail() {
      return tail(out, 200);
    }

    /** Returns once no output arrived for quietMs, or after maxMs. */
    public void awaitQuiet(long quietMs, long maxMs) throws InterruptedException {
      long end = System.currentTimeMillis() + maxMs;
      long last = -1;
      while (System.currentTimeMillis() < end) {
        long now;
        synchronized (this) {
          now = dropped + out.length();
        }
        if (now == last) return;
        last = now;
        Thread.sleep(quietMs);
      }
    }

    private void output(byte[] data, long at) {
      synchronized (this) {
        out.append(new String(data, StandardCharsets.ISO_8859_1));
        for (Iterator<Expectation> it = waiting.iterator(); it.hasNext(); ) {
          Expectation x = it.next();
          int from = (int) Math.max(0, x.from - dropped);
          if (out.indexOf(x.text, from) >= 0) {
            x.done.complete(at);
            it.remove();
          }
        }
        if (out.length() > KEEP) {
          int cut = out.length() - KEEP;
          out.delete(0, cut);
          dropped += cut;
        }
      }
    }

    private void fail(String why) {
      synchronized (this) {
        if (failure == null) failure = why;
        for (Expectation x : waiting) x.done.completeExceptionally(new IOException(why));
        waiting.clear();
      }
      attached.completeExceptionally(new IOException(why));
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
      long at = System.nanoTime();
      byte[] b = new byte[data.remaining()];
      data.get(b);
      binary.writeBytes(b);
      if (last) {
        ByteBuffer f = ByteBuffer.wrap(binary.toByteArray());
        binary.reset();
        int version = f.get() & 0xff;
        int idLen = f.get() & 0xff;
        byte[] id = new byte[idLen];
        f.get(id);
        f.getLong(); // offset
        byte[] payload = new byte[f.remaining()];
        f.get(payload);
        if (version != 1) {
          fail("output frame version " + version);
        } else if (terminal.equals(new String(id, StandardCharsets.US_ASCII))) {
          output(payload, at);
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
        if (m.contains("\"type\":\"attached\"") && m.contains("\"terminal\":\"" + terminal + "\"")) {
          attached.complete(null);
        } else if (m.contains("\"type\":\"exit\"") && m.contains("\"terminal\":\"" + terminal + "\"")) {
          fail("terminal exited: " + m);
        } else if (m.contains("\"type\":\"error\"")) {
          System.err.println("gateway says: " + m);
          attached.completeExceptionally(new IOException(m));
        }
      }
      w.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
      fail("WebSocket closed: " + code + " " + reason);
      return null;
    }

    @Override
    public void onError(WebSocket w, Throwable e) {
      fail("WebSocket error: " + e);
    }

    private void abort() {
      if (ws != null) ws.abort();
    }

    /** Closes normally (waiting a little for the close to be sent), then drops the connection. */
    @Override
    public void close() {
      if (ws == null) return;
      try {
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        // the socket may already be gone
      }
      ws.abort();
    }
  }

  // ---------------------------------------------------------------- keystroke echo paths

  /**
   * One way of typing into a terminal and seeing its echo: output arrives as chunks stamped with
   * {@link System#nanoTime()} by the receiving thread. {@link #terminal} is the gateway's client
   * WebSocket (→ gateway → agent → PTY); {@link #exec} is the engine's TTY exec over its unix
   * socket, exactly what {@code docker exec -it} does.
   */
  public abstract static class Echo implements AutoCloseable {
    /** A chunk of terminal output and the System.nanoTime() at which the receiving thread got it. */
    public record Chunk(long at, byte[] data) {}

    private final BlockingQueue<Chunk> chunks = new LinkedBlockingQueue<>();
    private final String name;
    private final Duration timeout;
    protected volatile String failure;

    protected Echo(String name, Duration timeout) {
      this.name = name;
      this.timeout = timeout;
    }

    public String name() {
      return name;
    }

    /** Sends text as typed input. */
    public abstract void send(String text) throws Exception;

    /** Starts {@code cat} on the terminal (echo on, canonical mode) and waits until it runs. */
    public abstract void startCat() throws Exception;

    protected void received(byte[] data) {
      chunks.add(new Chunk(System.nanoTime(), data));
    }

    private Chunk poll(long timeoutNanos) throws Exception {
      Chunk c = chunks.poll(timeoutNanos, TimeUnit.NANOSECONDS);
      if (failure != null) throw new IllegalStateException(name + ": " + failure);
      return c;
    }

    /** Waits for the first chunk containing b; returns its arrival time. */
    public long awaitByte(byte b) throws Exception {
      long deadline = System.nanoTime() + timeout.toNanos();
      ByteArrayOutputStream seen = new ByteArrayOutputStream();
      while (true) {
        Chunk c = poll(deadline - System.nanoTime());
        if (c == null) {
          throw new IllegalStateException(
              name + ": no echo of '" + (char) b + "' within " + timeout + "; got " + show(seen.toByteArray()));
        }
        seen.writeBytes(c.data);
        for (byte x : c.data) if (x == b) return c.at;
      }
    }

    /** Waits until the output received from now on contains text. */
    public void awaitText(String text) throws Exception {
      long deadline = System.nanoTime() + timeout.toNanos();
      ByteArrayOutputStream seen = new ByteArrayOutputStream();
      while (!seen.toString(StandardCharsets.UTF_8).contains(text)) {
        Chunk c = poll(deadline - System.nanoTime());
        if (c == null) {
          throw new IllegalStateException(
              name + ": \"" + text + "\" did not come back within " + timeout + "; got " + show(seen.toByteArray()));
        }
        seen.writeBytes(c.data);
      }
    }

    /** Drains output until nothing arrived for quietMs. */
    public void awaitQuiet(long quietMs) throws Exception {
      while (poll(TimeUnit.MILLISECONDS.toNanos(quietMs)) != null) {}
    }

    /** The gateway path: the client WebSocket attached to {@code terminal}, whose bash runs cat. */
    public static Echo terminal(HttpClient http, String wsUrl, String token, String terminal, String name,
        Duration timeout) throws Exception {
      TerminalEcho p = new TerminalEcho(name, terminal, timeout);
      URI uri = URI.create(
          wsUrl + "?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8) + "&terminal=" + terminal);
      p.ws = http.newWebSocketBuilder()
          .connectTimeout(Duration.ofSeconds(10))
          .buildAsync(uri, p)
          .get(30, TimeUnit.SECONDS);
      p.attached.get(30, TimeUnit.SECONDS);
      return p;
    }

    /** The engine path: {@code cat} as a TTY exec (user node, in /app) of the engine's container. */
    public static Echo exec(Engine engine, String engineId, String name, Duration timeout) throws Exception {
      Engine.Upgraded u = engine.execTty(engineId, "node", "/app", List.of("cat"));
      ExecEcho p = new ExecEcho(name, timeout, u.channel());
      if (u.early().length > 0) p.received(u.early());
      p.reader = new Thread(p::readLoop, "exec-reader");
      p.reader.setDaemon(true);
      p.reader.start();
      return p;
    }
  }

  private static final class TerminalEcho extends Echo implements WebSocket.Listener {
    private final String terminal;
    private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
    private final StringBuilder text = new StringBuilder();
    private final CompletableFuture<Void> attached = new CompletableFuture<>();
    private WebSocket ws;

    TerminalEcho(String name, String terminal, Duration timeout) {
      super(name, timeout);
      this.terminal = terminal;
    }

    @Override
    public void send(String data) {
      ws.sendText("{\"type\":\"input\",\"terminal\":\"" + terminal + "\",\"data\":\"" + json(data) + "\"}", true)
          .join();
    }

    @Override
    public void startCat() throws Exception {
      Thread.sleep(1000); // let bash print its prompt
      awaitQuiet(10);
      send("cat\r");
      Thread.sleep(1000);
      awaitQuiet(10);
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
        } else if (new String(idBytes, StandardCharsets.UTF_8).equals(terminal) && out.length > 0) {
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

    /** Kills the terminal, closes normally (a little wait), then drops the connection. */
    @Override
    public void close() {
      try {
        ws.sendText("{\"type\":\"kill\",\"terminal\":\"" + terminal + "\"}", true).get(5, TimeUnit.SECONDS);
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        // the container is usually deleted right after
      }
      ws.abort();
    }
  }

  private static final class ExecEcho extends Echo {
    private final SocketChannel ch;
    private Thread reader;

    ExecEcho(String name, Duration timeout, SocketChannel ch) {
      super(name, timeout);
      this.ch = ch;
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
          if (n > 0) received(Arrays.copyOf(buf.array(), n));
        }
      } catch (IOException e) {
        if (ch.isOpen()) failure = "exec stream: " + e;
      }
    }

    @Override
    public void send(String text) throws IOException {
      Engine.writeAll(ch, text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void startCat() throws Exception {
      Thread.sleep(1000); // cat is the exec's command: just let it start
      awaitQuiet(10);
    }

    /** Sends EOF (cat ends, and with it the exec), then closes the socket. */
    @Override
    public void close() throws IOException {
      try {
        send("\u0004");
      } catch (IOException e) {
        // already gone
      }
      ch.close();
    }
  }

  // ---------------------------------------------------------------- the gateway process

  /** Numbers of one process (the gateway JVM), read from /proc and with jcmd. */
  public static final class Gateway {
    public final long pid;

    public Gateway(long pid) {
      this.pid = pid;
    }

    /** A snapshot: heap after GC (KiB, -1 unknown), threads, open fds, resident set (KiB). */
    public record Snapshot(long heapKb, long threads, long fds, long rssKb) {}

    /** Runs a full GC (jcmd GC.run), then reads the heap's used size, threads, fds and RSS. */
    public Snapshot snapshot(boolean gc) throws IOException, InterruptedException {
      long heap = gc ? heapAfterGcKb() : -1;
      return new Snapshot(heap, threads(), fds(), statusKb("VmRSS"));
    }

    /** The used heap after {@code jcmd <pid> GC.run}, from {@code GC.heap_info}, in KiB. */
    public long heapAfterGcKb() throws IOException, InterruptedException {
      jcmd("GC.run");
      String info = jcmd("GC.heap_info");
      // G1: " garbage-first heap   total 262144K, used 51234K [...]"; Serial/Parallel have
      // one "total …K, used …K" per generation, so sum the heap lines (not Metaspace / class space)
      long used = 0;
      boolean found = false;
      for (String line : info.split("\n")) {
        if (line.contains("Metaspace") || line.contains("class space")) continue;
        Matcher m = Pattern.compile("total (\\d+)K, used (\\d+)K").matcher(line);
        if (m.find()) {
          used += Long.parseLong(m.group(2));
          found = true;
          if (line.contains("garbage-first")) break;
        }
      }
      return found ? used : -1;
    }

    /**
     * The gateway's live threads grouped by name, digits replaced by '#' (so pool members collapse):
     * from {@code jcmd <pid> Thread.print}.
     */
    public java.util.Map<String, Integer> threadGroups() throws IOException, InterruptedException {
      java.util.Map<String, Integer> groups = new java.util.TreeMap<>();
      for (String line : jcmd("Thread.print").split("\n")) {
        if (line.startsWith("\"")) {
          int end = line.indexOf('"', 1);
          if (end > 0) groups.merge(line.substring(1, end).replaceAll("[0-9]+", "#"), 1, Integer::sum);
        }
      }
      return groups;
    }

    /** Lines "  name: a → b (+d)" for the thread groups whose count changed, largest change first. */
    public static List<String> groupChanges(
        java.util.Map<String, Integer> from, java.util.Map<String, Integer> to, int max) {
      java.util.Set<String> names = new java.util.TreeSet<>(from.keySet());
      names.addAll(to.keySet());
      List<String[]> rows = new ArrayList<>();
      for (String n : names) {
        int a = from.getOrDefault(n, 0), b = to.getOrDefault(n, 0);
        if (a != b) rows.add(new String[] {n, String.valueOf(a), String.valueOf(b)});
      }
      rows.sort((x, y) -> Integer.compare(
          Math.abs(Integer.parseInt(y[2]) - Integer.parseInt(y[1])),
          Math.abs(Integer.parseInt(x[2]) - Integer.parseInt(x[1]))));
      List<String> out = new ArrayList<>();
      for (String[] r : rows.subList(0, Math.min(max, rows.size()))) {
        out.add(String.format(Locale.ROOT, "  %-48s %4s → %4s (%+d)", "\"" + r[0] + "\"", r[1], r[2],
            Integer.parseInt(r[2]) - Integer.parseInt(r[1])));
      }
      return out;
    }

    /** Live objects by class after a full GC ({@code jcmd <pid> GC.class_histogram}): {instances, bytes}. */
    public java.util.Map<String, long[]> histogram() throws IOException, InterruptedException {
      java.util.Map<String, long[]> h = new java.util.HashMap<>();
      Pattern row = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");
      for (String line : jcmd("GC.class_histogram").split("\n")) {
        Matcher m = row.matcher(line);
        if (m.find()) h.put(m.group(3), new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
      }
      return h;
    }

    /** Lines for the classes whose live bytes grew most between two histograms. */
    public static List<String> histogramGrowth(
        java.util.Map<String, long[]> from, java.util.Map<String, long[]> to, int max) {
      List<java.util.Map.Entry<String, long[]>> rows = new ArrayList<>();
      for (var e : to.entrySet()) {
        long[] a = from.getOrDefault(e.getKey(), new long[2]);
        rows.add(java.util.Map.entry(e.getKey(), new long[] {e.getValue()[0] - a[0], e.getValue()[1] - a[1]}));
      }
      rows.sort((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]));
      List<String> out = new ArrayList<>();
      for (var e : rows.subList(0, Math.min(max, rows.size()))) {
        if (e.getValue()[1] <= 0) break;
        out.add(String.format(Locale.ROOT, "  %+10d bytes %+8d instances  %s", e.getValue()[1], e.getValue()[0], e.getKey()));
      }
      return out;
    }

    public long threads() throws IOException {
      return statusKb("Threads");
    }

    public long fds() throws IOException {
      try (Stream<Path> s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
        return s.count();
      }
    }

    private long statusKb(String key) throws IOException {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith(key + ":")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
      return -1;
    }

    public String jcmd(String command) throws IOException, InterruptedException {
      Process p = new ProcessBuilder("jcmd", String.valueOf(pid), command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() != 0) throw new IOException("jcmd " + pid + " " + command + " failed: " + out.trim());
      return out;
    }

    public static String mb(long kb) {
      return kb < 0 ? "?" : String.format(Locale.ROOT, "%.1f MB", kb / 1024.0);
    }
  }

  // ---------------------------------------------------------------- Docker engine

  /** The Docker Engine API over its unix socket (one request per connection). */
  public static final class Engine {
    public final String socket;

    public Engine(String socket) {
      this.socket = socket;
    }

    public Engine() {
      this(env("BENCH_DOCKER_SOCKET", "/var/run/docker.sock"));
    }

    /** Containers (running or not) carrying label name=value. */
    public int countLabelled(String name, String value) throws IOException {
      String filters = URLEncoder.encode("{\"label\":[\"" + name + "=" + value + "\"]}", StandardCharsets.UTF_8);
      String list = get("/containers/json?all=1&filters=" + filters);
      Matcher m = Pattern.compile("\"Id\"\\s*:\\s*\"[0-9a-f]{64}\"").matcher(list);
      int n = 0;
      while (m.find()) n++;
      return n;
    }

    /** The engine's id of the container the gateway made for record {@code recordId} (label cms.record). */
    public String engineId(String recordId) throws IOException {
      String filters = URLEncoder.encode("{\"label\":[\"cms.record=" + recordId + "\"]}", StandardCharsets.UTF_8);
      return group(Pattern.compile("\"Id\"\\s*:\\s*\"([0-9a-f]{64})\""), get("/containers/json?filters=" + filters));
    }

    /** GET path; returns the raw body (it may be chunked: callers pick fields with patterns). */
    public String get(String path) throws IOException {
      return request("GET", path, null);
    }

    /** One request (a JSON body or none); returns the raw body; fails unless the status is 2xx. */
    public String request(String method, String path, String jsonBody) throws IOException {
      try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
        byte[] b = jsonBody == null ? new byte[0] : jsonBody.getBytes(StandardCharsets.UTF_8);
        String req = method + " " + path + " HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n"
            + (jsonBody == null ? "" : "Content-Type: application/json\r\nContent-Length: " + b.length + "\r\n")
            + "\r\n";
        writeAll(ch, req.getBytes(StandardCharsets.US_ASCII));
        writeAll(ch, b);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(16384);
        while (ch.read(buf.clear()) >= 0) out.write(buf.array(), 0, buf.position());
        String resp = out.toString(StandardCharsets.UTF_8);
        String status = resp.substring(0, Math.max(0, resp.indexOf("\r\n")));
        if (!status.matches("HTTP/1\\.[01] 2\\d\\d.*")) {
          throw new IOException(method + " " + path + " answered: " + Api.oneLine(resp));
        }
        int sep = resp.indexOf("\r\n\r\n");
        return sep < 0 ? "" : resp.substring(sep + 4);
      }
    }

    /** A socket after {@code 101 UPGRADED}, and the stream bytes that came with the answer's head. */
    public record Upgraded(SocketChannel channel, byte[] early) {}

    /**
     * Creates and starts a TTY exec of cmd (all streams attached) as user in workDir, as {@code
     * docker exec -it} does: {@code POST /exec/{id}/start} with {@code Upgrade: tcp}; after the
     * {@code 101} the socket is the raw PTY stream.
     */
    public Upgraded execTty(String engineId, String user, String workDir, List<String> cmd) throws IOException {
      StringBuilder args = new StringBuilder();
      for (String c : cmd) args.append(args.length() == 0 ? "" : ",").append('"').append(json(c)).append('"');
      String created = request("POST", "/containers/" + engineId + "/exec",
          "{\"AttachStdin\":true,\"AttachStdout\":true,\"AttachStderr\":true,\"Tty\":true,"
              + "\"User\":\"" + json(user) + "\",\"WorkingDir\":\"" + json(workDir) + "\",\"Cmd\":[" + args + "]}");
      String execId = group(Pattern.compile("\"Id\"\\s*:\\s*\"([^\"]+)\""), created);
      SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket));
      try {
        String body = "{\"Detach\":false,\"Tty\":true}";
        String req = "POST /exec/" + execId + "/start HTTP/1.1\r\nHost: docker\r\n"
            + "Content-Type: application/json\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n"
            + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
        writeAll(ch, req.getBytes(StandardCharsets.UTF_8));
        // read the response head; anything after it is already PTY output
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(8192);
        int end;
        while ((end = indexOf(head.toByteArray(), "\r\n\r\n".getBytes(StandardCharsets.US_ASCII))) < 0) {
          buf.clear();
          if (ch.read(buf) < 0) throw new IOException("exec start: connection closed: " + head);
          head.write(buf.array(), 0, buf.position());
        }
        byte[] all = head.toByteArray();
        String headers = new String(all, 0, end, StandardCharsets.ISO_8859_1);
        if (!headers.startsWith("HTTP/1.1 101")) throw new IOException("exec start answered: " + headers);
        return new Upgraded(ch, Arrays.copyOfRange(all, end + 4, all.length));
      } catch (IOException | RuntimeException e) {
        ch.close();
        throw e;
      }
    }

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
  }
}
