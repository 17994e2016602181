/*
 * Soak run (reliability issue). NOT a test and not part of CI: mixed traffic for a while, then a
 * verdict on errors and leaks.
 *
 * Run through scripts/soak.sh, which starts the service and compiles BenchSupport; directly:
 *
 *   java -cp <BenchSupport classes> scripts/bench/Soak.java <baseUrl> <apiKey> <gatewayPid> <gatewayId> <minutes>
 *
 * SOAK_WORKERS (3) workers loop until the time is up, each iteration one container's life:
 *   create      POST /api/v1/containers?wait=ready {"memoryMb":SOAK_MEMORY_MB (256)} → 201, agentConnected
 *   term-open   client WebSocket attached to terminal main
 *   term-echo   3× type `echo SOAK-w-i-$((k))-OK` and wait for SOAK-w-i-k-OK (the typed echo differs)
 *   archive     POST …/archive?dest=/app, a small zip (soak/index.html, soak/app.js) → 200 with entries
 *   file-put    PUT …/files?path=/app/soak/put.txt&mode=644
 *   file-get    GET …/files?path=/app/soak/put.txt → the same bytes
 *   term-cat    type `cat /app/soak/index.html` and wait for the zip's marker (the upload landed)
 *   process     POST …/processes {"command":"node -e …listen(3000)","port":3000} → 201 with url, pathUrl
 *   preview-host the host-form url through a raw socket to 127.0.0.1:<port> with its Host header,
 *               retried (503 until the app listens) until 200 "ok", within 30 s: the time until then
 *   preview-path the path-form pathUrl with the JDK HttpClient → 200 "ok"
 *   delete      DELETE …/containers/{id}
 * A failed step ends the iteration (the container is still deleted). One warm-up iteration per
 * worker runs first; its counts are shown apart. Start and end: the engine's containers labelled
 * cms.gateway=<id>, the gateway's threads, open fds and heap after a full GC (jcmd); each is taken
 * SOAK_SETTLE_S (15) s after the traffic, once the thread count held still for 12 s (≤ 120 s more). Every SOAK_REPORT_S (60) s a progress line. Exit status 1 when any
 * step failed or a count grew: containers at all, threads by more than SOAK_THREAD_SLACK (10), fds
 * by more than SOAK_FD_SLACK (20), heap by more than SOAK_HEAP_SLACK_MB (32).
 */

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

public class Soak {

  static final int WORKERS = BenchSupport.envInt("SOAK_WORKERS", 3);
  static final int MEMORY_MB = BenchSupport.envInt("SOAK_MEMORY_MB", 256);
  static final int SETTLE_S = BenchSupport.envInt("SOAK_SETTLE_S", 15);
  static final int REPORT_S = BenchSupport.envInt("SOAK_REPORT_S", 60);
  static final int THREAD_SLACK = BenchSupport.envInt("SOAK_THREAD_SLACK", 10);
  static final int FD_SLACK = BenchSupport.envInt("SOAK_FD_SLACK", 20);
  static final int HEAP_SLACK_MB = BenchSupport.envInt("SOAK_HEAP_SLACK_MB", 32);
  static final Duration STEP_TIMEOUT = Duration.ofSeconds(30);
  static final String APP =
      "node -e \"require('http').createServer((q,r)=>r.end('ok')).listen(3000)\"";
  static final List<String> KINDS =
      List.of("create", "term-open", "term-echo", "archive", "file-put", "file-get", "term-cat",
          "process", "preview-host", "preview-path", "delete");

  static BenchSupport.Api api;
  static BenchSupport.Gateway gateway;
  static final BenchSupport.Engine ENGINE = new BenchSupport.Engine();
  static String gatewayId;

  /** Counts and latencies per kind of step. */
  static final class Stats {
    final Map<String, List<Long>> okMs = new LinkedHashMap<>();
    final Map<String, Map<String, Integer>> errors = new LinkedHashMap<>();
    final AtomicLong iterations = new AtomicLong();

    Stats() {
      for (String k : KINDS) {
        okMs.put(k, new ArrayList<>());
        errors.put(k, new LinkedHashMap<>());
      }
    }

    synchronized void ok(String kind, long nanos) {
      okMs.get(kind).add(nanos / 1_000_000);
    }

    synchronized void error(String kind, Throwable e) {
      String why = e.getClass().getSimpleName() + ": " + e.getMessage();
      why = why.replaceAll("c-[a-z0-9]{12}", "c-…").replaceAll("\\s+", " ");
      if (why.length() > 220) why = why.substring(0, 220) + "…";
      errors.get(kind).merge(why, 1, Integer::sum);
    }

    synchronized long okCount() {
      return okMs.values().stream().mapToLong(List::size).sum();
    }

    synchronized long errorCount() {
      return errors.values().stream().flatMap(m -> m.values().stream()).mapToLong(Integer::intValue).sum();
    }
  }

  interface Step<T> {
    T run() throws Exception;
  }

  /** Runs one step, counting it as ok (with its time) or as an error of its kind (rethrown). */
  static <T> T step(Stats s, String kind, Step<T> body) throws Exception {
    long t0 = System.nanoTime();
    try {
      T v = body.run();
      s.ok(kind, System.nanoTime() - t0);
      return v;
    } catch (Exception e) {
      s.error(kind, e);
      throw new StepFailed(e);
    }
  }

  /** A step failed and was counted; ends the iteration. */
  static final class StepFailed extends Exception {
    StepFailed(Throwable cause) {
      super(cause);
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 5) {
      System.err.println("usage: java -cp … Soak.java <baseUrl> <apiKey> <gatewayPid> <gatewayId> <minutes>");
      System.exit(2);
    }
    api = new BenchSupport.Api(args[0], args[1]);
    gateway = new BenchSupport.Gateway(Long.parseLong(args[2]));
    gatewayId = args[3];
    double minutes = Double.parseDouble(args[4]);
    System.out.printf(Locale.ROOT, "soak: %s, gateway pid %d, %d workers for %.1f min%n",
        api.baseUrl, gateway.pid, WORKERS, minutes);

    // warm-up: one iteration per worker, so the baseline is a gateway that has done everything once
    Stats warm = new Stats();
    runWorkers(warm, 0, true);
    System.out.printf("warm-up: %d iterations, %d steps ok, %d failed%n",
        warm.iterations.get(), warm.okCount(), warm.errorCount());
    settle();
    Snap start = snap("start");

    Stats stats = new Stats();
    long runStart = System.nanoTime();
    long deadline = runStart + (long) (minutes * 60e9);
    AtomicBoolean running = new AtomicBoolean(true);
    Thread reporter = new Thread(() -> report(stats, runStart, running), "soak-reporter");
    reporter.setDaemon(true);
    reporter.start();
    runWorkers(stats, deadline, false);
    running.set(false);
    double ranS = (System.nanoTime() - runStart) / 1e9;

    settle();
    Snap end = snap("end");
    String live = api.expect(api.request("/api/v1/containers").GET().build(), 200);
    int liveRecords = count(live, "\"status\":\"RUNNING\"") + count(live, "\"status\":\"CREATING\"")
        + count(live, "\"status\":\"STOPPED\"");

    boolean ok = summary(warm, stats, ranS, start, end, liveRecords);
    System.exit(ok ? 0 : 1);
  }

  static void runWorkers(Stats stats, long deadline, boolean once) throws InterruptedException {
    List<Thread> ts = new ArrayList<>();
    for (int w = 1; w <= WORKERS; w++) {
      int worker = w;
      Thread t = new Thread(() -> {
        int i = 0;
        do {
          i++;
          iteration(stats, worker, i);
          stats.iterations.incrementAndGet();
        } while (!once && System.nanoTime() < deadline);
      }, "soak-worker-" + w);
      ts.add(t);
      t.start();
    }
    for (Thread t : ts) t.join();
  }

  // ---------------------------------------------------------------- one container's life

  static void iteration(Stats s, int w, int i) {
    BenchSupport.Api.Created c;
    try {
      c = step(s, "create", () -> api.create("{\"memoryMb\":" + MEMORY_MB + "}"));
    } catch (Exception e) {
      return; // counted
    }
    String base = "/api/v1/containers/" + c.id();
    try (BenchSupport.Term t =
        step(s, "term-open", () -> BenchSupport.Term.open(api.http, c.websocketUrl(), c.token(), "main", STEP_TIMEOUT))) {
      for (int k = 1; k <= 3; k++) {
        String marker = "SOAK-" + w + "-" + i + "-" + k + "-OK";
        String typed = "echo SOAK-" + w + "-" + i + "-$((" + k + "))-OK\r";
        step(s, "term-echo", () -> type(t, typed, marker));
      }

      String zipMarker = "SOAK-ZIP-" + w + "-" + i;
      byte[] zip = zip(zipMarker);
      step(s, "archive", () -> {
        String r = api.expect(api.request(base + "/archive?dest=/app")
            .header("Content-Type", "application/zip")
            .POST(HttpRequest.BodyPublishers.ofByteArray(zip)).build(), 200);
        if (!r.matches("(?s).*\"entries\"\\s*:\\s*[1-9].*")) throw new IllegalStateException("archive answered " + r);
        return r;
      });

      String content = "put-" + w + "-" + i + "\n";
      step(s, "file-put", () -> api.expect(api.request(base + "/files?path=/app/soak/put.txt&mode=644")
          .header("Content-Type", "application/octet-stream")
          .PUT(HttpRequest.BodyPublishers.ofString(content)).build(), 200, 201, 204));
      step(s, "file-get", () -> {
        String got = api.expect(api.request(base + "/files?path=/app/soak/put.txt").GET().build(), 200);
        if (!got.equals(content)) throw new IllegalStateException("read back " + BenchSupport.tail(got, 80));
        return got;
      });
      step(s, "term-cat", () -> type(t, "cat /app/soak/index.html\r", zipMarker + "</p>"));

      String proc = step(s, "process", () -> api.expect(api.request(base + "/processes")
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"command\":\"" + BenchSupport.json(APP) + "\",\"port\":3000}"))
          .build(), 201));
      String url = BenchSupport.field(proc, "url");
      String pathUrl = BenchSupport.field(proc, "pathUrl");
      step(s, "preview-host", () -> previewHost(url));
      step(s, "preview-path", () -> {
        HttpResponse<String> r = api.http.send(
            HttpRequest.newBuilder(URI.create(pathUrl)).timeout(STEP_TIMEOUT).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200 || !r.body().equals("ok")) {
          throw new IllegalStateException("path form answered " + r.statusCode() + " " + BenchSupport.tail(r.body(), 80));
        }
        return r;
      });
    } catch (Exception e) {
      // counted by step(); the container is deleted below
    } finally {
      try {
        step(s, "delete", () -> {
          api.delete(c.id());
          return null;
        });
      } catch (Exception e) {
        // counted
      }
    }
  }

  static Long type(BenchSupport.Term t, String typed, String marker) throws Exception {
    CompletableFuture<Long> f = t.expect(marker);
    t.input(typed);
    return t.await(f, marker, STEP_TIMEOUT);
  }

  static byte[] zip(String marker) throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(b)) {
      z.putNextEntry(new ZipEntry("soak/"));
      z.closeEntry();
      z.putNextEntry(new ZipEntry("soak/index.html"));
      z.write(("<!doctype html><p>" + marker + "</p>\n").getBytes(StandardCharsets.UTF_8));
      z.closeEntry();
      z.putNextEntry(new ZipEntry("soak/app.js"));
      z.write("require('http').createServer((q,r)=>r.end('ok')).listen(3000)\n".getBytes(StandardCharsets.UTF_8));
      z.closeEntry();
    }
    return b.toByteArray();
  }

  /**
   * GET / of a host-form preview URL: the JDK HttpClient cannot resolve *.localhost nor set Host,
   * so connect to 127.0.0.1 and send the Host header. Retries while the app does not listen yet.
   */
  static String previewHost(String url) throws Exception {
    URI u = URI.create(url);
    int port = u.getPort() < 0 ? 80 : u.getPort();
    long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      try (Socket sock = new Socket()) {
        sock.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        sock.setSoTimeout(10_000);
        OutputStream out = sock.getOutputStream();
        out.write(("GET / HTTP/1.1\r\nHost: " + u.getHost() + ":" + port + "\r\nAccept: text/plain\r\n"
            + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = sock.getInputStream();
        String resp = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        String status = resp.isEmpty() ? "" : resp.substring(0, Math.max(0, resp.indexOf("\r\n")));
        int sep = resp.indexOf("\r\n\r\n");
        String body = sep < 0 ? "" : resp.substring(sep + 4);
        if (status.matches("HTTP/1\\.1 200.*") && body.contains("ok")) return status;
        if (!status.matches("HTTP/1\\.1 503.*")) throw new IllegalStateException("host form answered " + status);
        last = status;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("host form still " + last + " after " + STEP_TIMEOUT);
  }

  // ---------------------------------------------------------------- numbers

  record Snap(BenchSupport.Gateway.Snapshot g, int engine, Map<String, Integer> threadGroups, Map<String, long[]> histogram) {}

  static Snap snap(String when) throws Exception {
    Snap s = new Snap(gateway.snapshot(true), ENGINE.countLabelled("cms.gateway", gatewayId), gateway.threadGroups(),
        gateway.histogram());
    System.out.printf("[%s] engine containers %d, gateway threads %d, fds %d, heap after GC %s, rss %s%n",
        when, s.engine, s.g.threads(), s.g.fds(), BenchSupport.Gateway.mb(s.g.heapKb()),
        BenchSupport.Gateway.mb(s.g.rssKb()));
    return s;
  }

  /**
   * Waits SETTLE_S, then until the gateway's thread count held still for 12 s (at most 120 s more):
   * pools started at boot or by a burst shrink after their keep-alive, and the baseline should not
   * count them.
   */
  static void settle() throws Exception {
    Thread.sleep(SETTLE_S * 1000L);
    long prev = gateway.threads();
    int still = 0;
    for (int i = 0; i < 60 && still < 6; i++) {
      Thread.sleep(2000);
      long now = gateway.threads();
      still = now == prev ? still + 1 : 0;
      prev = now;
    }
  }

  static void report(Stats s, long t0, AtomicBoolean running) {
    while (running.get()) {
      try {
        Thread.sleep(REPORT_S * 1000L);
        if (!running.get()) return;
        System.out.printf(Locale.ROOT,
            "  %5.1f min: %d iterations, %d steps ok, %d failed; engine containers %d, threads %d, fds %d, rss %s%n",
            (System.nanoTime() - t0) / 60e9, s.iterations.get(), s.okCount(), s.errorCount(),
            ENGINE.countLabelled("cms.gateway", gatewayId), gateway.threads(), gateway.fds(),
            BenchSupport.Gateway.mb(gateway.snapshot(false).rssKb()));
      } catch (Exception e) {
        System.out.println("  (progress line failed: " + e + ")");
      }
    }
  }

  static int count(String s, String what) {
    int n = 0;
    for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) n++;
    return n;
  }

  static boolean summary(Stats warm, Stats s, double ranS, Snap start, Snap end, int liveRecords) {
    System.out.println();
    System.out.printf(Locale.ROOT, "== soak summary: %d workers, %.1f min, %d iterations (+%d warm-up) ==%n",
        WORKERS, ranS / 60, s.iterations.get(), warm.iterations.get());
    System.out.printf("%-14s %7s %7s %9s %9s %9s%n", "step", "ok", "errors", "p50 ms", "p99 ms", "max ms");
    for (String k : KINDS) {
      List<Long> v = new ArrayList<>(s.okMs.get(k));
      Collections.sort(v);
      int errs = s.errors.get(k).values().stream().mapToInt(Integer::intValue).sum();
      System.out.printf("%-14s %7d %7d %9d %9d %9d%n", k, v.size(), errs, BenchSupport.rank(v, 50),
          BenchSupport.rank(v, 99), v.isEmpty() ? -1 : v.get(v.size() - 1));
    }
    System.out.printf("%-14s %7d %7d%n", "all", s.okCount(), s.errorCount());
    System.out.printf(Locale.ROOT, "(%.2f iterations/min; warm-up: %d ok, %d errors)%n",
        s.iterations.get() / (ranS / 60), warm.okCount(), warm.errorCount());
    for (Stats x : List.of(warm, s)) {
      x.errors.forEach((k, m) -> m.forEach((why, n) ->
          System.out.printf("  %s%s failed %d×: %s%n", x == warm ? "warm-up " : "", k, n, why)));
    }

    System.out.println();
    System.out.printf("%-26s %10s %10s %8s %8s  %s%n", "", "start", "end", "delta", "allowed", "verdict");
    boolean leak = false;
    leak |= row("engine containers", start.engine, end.engine, 0, "");
    leak |= row("live records (API)", 0, liveRecords, 0, "");
    leak |= row("gateway threads", start.g.threads(), end.g.threads(), THREAD_SLACK, "");
    leak |= row("gateway open fds", start.g.fds(), end.g.fds(), FD_SLACK, "");
    leak |= row("gateway heap after GC", start.g.heapKb() / 1024, end.g.heapKb() / 1024, HEAP_SLACK_MB, " MB");
    System.out.printf("%-26s %10s %10s%n", "gateway rss (not judged)",
        BenchSupport.Gateway.mb(start.g.rssKb()), BenchSupport.Gateway.mb(end.g.rssKb()));
    List<String> changes = BenchSupport.Gateway.groupChanges(start.threadGroups, end.threadGroups, 8);
    if (!changes.isEmpty()) {
      System.out.println("thread groups that changed (name with digits as #: start → end):");
      changes.forEach(System.out::println);
    }
    List<String> grown = BenchSupport.Gateway.histogramGrowth(start.histogram, end.histogram, 10);
    if (!grown.isEmpty()) {
      System.out.println("live heap growth by class, start → end (jcmd GC.class_histogram):");
      grown.forEach(System.out::println);
    }
    boolean errors = s.errorCount() + warm.errorCount() > 0;
    System.out.println("result: " + (errors || leak
        ? "FAILED (" + (errors ? "errors" : "") + (errors && leak ? ", " : "") + (leak ? "counts grew" : "") + ")"
        : "no errors, no growth"));
    return !errors && !leak;
  }

  static boolean row(String name, long start, long end, long allowed, String unit) {
    boolean grew = end - start > allowed;
    System.out.printf("%-26s %10s %10s %+8d %8s  %s%n", name, start + unit, end + unit, end - start,
        "+" + allowed, grew ? "GREW" : "ok");
    return grew;
  }
}
