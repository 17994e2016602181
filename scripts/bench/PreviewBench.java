/*
 * Preview proxy benchmark (issue 5). NOT a test: it prints numbers.
 *
 * Run through scripts/bench-preview.sh, which starts the service; directly:
 *
 *   java scripts/bench/PreviewBench.java <baseUrl> <apiKey>
 *
 * JDK 17 single-file source launch, no dependency beyond the JDK; needs the `docker` CLI (to find
 * the container's address on the `cms-net` bridge) and, optionally, `wrk` on the PATH.
 *
 * It creates one container (POST /api/v1/containers?wait=ready), uploads a zero-dependency Node app
 * to /app/web/server.js (PUT /api/v1/containers/{id}/files), starts it by typing
 * `cd /app/web && exec node server.js` into a terminal over the client WebSocket, and measures two
 * responses of that app:
 *  - /small: a ~1 KB HTML page (exactly SMALL_BYTES bytes, Content-Length),
 *  - /big:   1 MiB of bytes (Content-Length),
 * each through two routes:
 *  - preview: host form. The client connects to 127.0.0.1:<gateway port> and sends
 *    `Host: 3000-<id>-<secret>.localhost:<port>` itself (GET /api/v1/containers/{id}/preview/3000 →
 *    url). Gateway → agent `tcp` stream → 127.0.0.1:3000 in the container; the gateway opens one
 *    stream per request (Connection: close towards the app), the client side is kept alive.
 *  - direct: the container's IP on the `cms-net` bridge, port 3000 (`docker inspect` of the
 *    container labelled cms.record=<id>), HTTP/1.1 keep-alive straight to node.
 *
 * Closed loop, BENCH_CONNECTIONS (16) connections, each sending its next request as soon as the
 * previous response is read completely. BENCH_WARMUP (2) seconds untimed, then BENCH_SECONDS (10)
 * timed: throughput counts the responses completed inside the timed window, the latency of each of
 * them is first request byte written → last response byte read. Percentiles by nearest rank.
 *
 * Load generators (BENCH_TOOL): `jdk` — the built-in one below (one platform thread and one blocking
 * socket per connection, raw HTTP/1.1 keep-alive, reconnects when the server closes); `wrk` — the
 * wrk binary (`wrk -t2 -c16 -d10s --latency -H 'Host: …'`, a separate 2 s wrk run as warm-up); `auto`
 * (default) — both, wrk only if it is on the PATH. The scenarios alternate direct/preview so background
 * load hits both alike. Afterwards, with the jdk generator and ONE connection for BENCH_SINGLE_SECONDS
 * (5; 0 skips it), the same four scenarios again: the added latency of an unloaded request.
 *
 * Each row also shows the CPU used during its timed window, in % of one core: the gateway JVM
 * (/proc/<BENCH_SERVICE_PID>/stat, set by the script), the container (its cgroup: node + agent) and
 * the whole machine (/proc/stat), so a saturated machine or a CPU-bound gateway is visible.
 */

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class PreviewBench {

  static final int CONNECTIONS = Integer.parseInt(env("BENCH_CONNECTIONS", "16"));
  static final int SECONDS = Integer.parseInt(env("BENCH_SECONDS", "10"));
  static final int WARMUP = Integer.parseInt(env("BENCH_WARMUP", "2"));
  static final String TOOL = env("BENCH_TOOL", "auto");
  static final int SINGLE_SECONDS = Integer.parseInt(env("BENCH_SINGLE_SECONDS", "5"));
  static final String SERVICE_PID = env("BENCH_SERVICE_PID", "");
  static final int SMALL_BYTES = 1024;
  static final int BIG_BYTES = 1 << 20;

  static final String SERVER_JS =
      """
      // PreviewBench app: zero dependencies, keep-alive allowed.
      const http = require('http');
      const head = '<!doctype html><html><head><title>bench</title></head><body><h1>small</h1><p>';
      const tail = '</p></body></html>\\n';
      const small = Buffer.from(head + 'x'.repeat(%d - head.length - tail.length) + tail);
      const big = Buffer.alloc(%d, 0x61);
      const server = http.createServer((req, res) => {
        const path = req.url.split('?')[0];
        if (path === '/small') {
          res.writeHead(200, {'content-type': 'text/html', 'content-length': small.length});
          res.end(small);
        } else if (path === '/big') {
          res.writeHead(200, {'content-type': 'application/octet-stream', 'content-length': big.length});
          res.end(big);
        } else {
          res.writeHead(404, {'content-type': 'text/plain', 'content-length': 10});
          res.end('not found\\n');
        }
      });
      server.keepAliveTimeout = 60000;
      server.headersTimeout = 61000;
      server.listen(3000, () => console.log('bench app listening on 3000'));
      """
          .formatted(SMALL_BYTES, BIG_BYTES);

  static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  static String baseUrl;
  static String apiKey;

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: java PreviewBench.java <baseUrl> <apiKey>");
      System.exit(2);
    }
    baseUrl = args[0].replaceAll("/+$", "");
    apiKey = args[1];
    boolean haveWrk = onPath("wrk");
    boolean useJdk = !TOOL.equals("wrk");
    boolean useWrk = TOOL.equals("wrk") || (TOOL.equals("auto") && haveWrk);
    if (useWrk && !haveWrk) throw new IllegalStateException("BENCH_TOOL=wrk but wrk is not on the PATH");
    System.out.printf(
        "preview proxy benchmark: %s, %d connections, %d s warm-up + %d s per scenario, load generator(s): %s%n",
        baseUrl, CONNECTIONS, WARMUP, SECONDS,
        (useJdk ? "jdk" : "") + (useJdk && useWrk ? " + " : "") + (useWrk ? "wrk (" + wrkVersion() + ")" : ""));

    String body = create();
    String id = group(Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\""), body);
    Terminal terminal = null;
    try {
      String wsUrl = group(Pattern.compile("\"websocketUrl\"\\s*:\\s*\"([^\"]+)\""), body);
      String token = group(Pattern.compile("\"token\"\\s*:\\s*\"([^\"]+)\""), body);
      upload(id, "/app/web/server.js", SERVER_JS);
      terminal = Terminal.open(wsUrl, token, "app");
      Thread.sleep(1000); // let bash print its prompt
      terminal.type("cd /app/web && exec node server.js\r");

      String previews = api("GET", "/api/v1/containers/" + id + "/preview/3000");
      URI hostUrl = URI.create(group(Pattern.compile("\"url\"\\s*:\\s*\"([^\"]+)\""), previews));
      // the preview listener (CMS_PREVIEW_PORT): the host-form URL names its port
      Target preview =
          new Target(
              "preview", new InetSocketAddress("127.0.0.1", hostUrl.getPort()),
              hostUrl.getHost() + ":" + hostUrl.getPort());
      String network = System.getenv().getOrDefault("CMS_NETWORK", "cms-net");
      String engineId = sh("docker", "ps", "-q", "--no-trunc", "--filter", "label=cms.record=" + id).strip();
      String ip =
          sh("docker", "inspect", "-f", "{{(index .NetworkSettings.Networks \"" + network + "\").IPAddress}}", engineId).strip();
      Target direct = new Target("direct", new InetSocketAddress(ip, 3000), ip + ":3000");
      System.out.printf("container %s (engine %s), cms-net IP %s%n", id, engineId.substring(0, 12), ip);
      System.out.printf("preview host form: Host: %s → 127.0.0.1:%d%n", preview.host, hostUrl.getPort());

      // wait for the app on both routes, then check both deliver exact sizes
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      for (Target t : List.of(direct, preview)) {
        while (true) {
          try {
            if (once(t, "/small") == SMALL_BYTES) break;
          } catch (IOException e) {
            // not up yet
          }
          if (System.nanoTime() > deadline) throw new IllegalStateException("the app did not answer on " + t.name);
          Thread.sleep(250);
        }
        int big = once(t, "/big");
        if (big != BIG_BYTES) throw new IllegalStateException(t.name + " /big delivered " + big + " bytes");
      }
      System.out.println("app answers on both routes (/small " + SMALL_BYTES + " B, /big " + BIG_BYTES + " B)");
      System.out.println();

      cpu = new Cpu(engineId);
      List<Result> results = new ArrayList<>();
      for (String path : List.of("/small", "/big")) {
        for (Target t : List.of(direct, preview)) {
          if (useJdk) results.add(print(jdk(t, path, CONNECTIONS, SECONDS)));
          if (useWrk) results.add(print(wrk(t, path)));
        }
      }
      if (SINGLE_SECONDS > 0) {
        for (String path : List.of("/small", "/big")) {
          for (Target t : List.of(direct, preview)) results.add(print(jdk(t, path, 1, SINGLE_SECONDS)));
        }
      }
      report(results, useJdk, useWrk);
    } finally {
      if (terminal != null) terminal.close();
      delete(id);
    }
  }

  // ---------------------------------------------------------------- results

  record Target(String name, InetSocketAddress addr, String host) {}

  /** Latencies in nanoseconds; -1 where the tool does not report it. */
  record Result(
      String tool, int conns, String route, String path, long requests, double seconds, long p50, long p90,
      long p99, long max, long errors, long connects, String cpu) {
    double rps() {
      return requests / seconds;
    }

    double mbps(int bytes) {
      return rps() * bytes / (1 << 20);
    }
  }

  static final String HEADER =
      String.format("%-5s %5s %-8s %-7s %9s %8s %8s %8s %8s %8s %6s %8s  %s", "tool", "conns", "route", "path",
          "req/s", "MiB/s", "p50", "p90", "p99", "max", "errors", "connects", "CPU % of one core: gateway / container / whole machine (of " + Runtime.getRuntime().availableProcessors() + " cores)");

  static boolean headerPrinted = false;

  static Result print(Result r) {
    if (!headerPrinted) {
      System.out.println(HEADER);
      headerPrinted = true;
    }
    int bytes = r.path.equals("/big") ? BIG_BYTES : SMALL_BYTES;
    System.out.printf(
        Locale.ROOT, "%-5s %5d %-8s %-7s %9.1f %8.1f %8s %8s %8s %8s %6d %8s  %s%n", r.tool, r.conns, r.route,
        r.path, r.rps(), r.mbps(bytes), ms(r.p50), ms(r.p90), ms(r.p99), ms(r.max), r.errors,
        r.connects < 0 ? "-" : r.connects, r.cpu);
    return r;
  }

  static String ms(long nanos) {
    return nanos < 0 ? "-" : String.format(Locale.ROOT, "%.3f", nanos / 1e6);
  }

  static void report(List<Result> results, boolean useJdk, boolean useWrk) {
    System.out.println("(latencies in milliseconds, first request byte written → last response byte read;"
        + " jdk: nearest rank; wrk: its own percentiles, p90 as printed by wrk)");
    System.out.println();
    System.out.println("ratios, preview vs direct (targets of issue 5 apply to the " + CONNECTIONS + "-connection runs):");
    for (String tool : List.of("jdk", "wrk")) {
      if (tool.equals("jdk") && !useJdk || tool.equals("wrk") && !useWrk) continue;
      for (String path : List.of("/small", "/big")) {
        Result d = find(results, tool, CONNECTIONS, "direct", path);
        Result p = find(results, tool, CONNECTIONS, "preview", path);
        double ratio = p.rps() / d.rps();
        double addedP50 = (p.p50 - d.p50) / 1e6;
        double addedP99 = (p.p99 - d.p99) / 1e6;
        System.out.printf(
            Locale.ROOT,
            "  %-4s c=%-3d %-7s throughput %6.1f%% of direct (%s); p50 +%.3f ms (%s); p99 +%.3f ms%n",
            tool, CONNECTIONS, path, 100 * ratio, ratio >= 0.5 ? "target ≥ 50% met" : "target ≥ 50% NOT met", addedP50,
            addedP50 < 2 ? "target < 2 ms met" : "target < 2 ms NOT met", addedP99);
      }
    }
    if (SINGLE_SECONDS > 0) {
      for (String path : List.of("/small", "/big")) {
        Result d = find(results, "jdk", 1, "direct", path);
        Result p = find(results, "jdk", 1, "preview", path);
        System.out.printf(
            Locale.ROOT, "  jdk  c=1   %-7s throughput %6.1f%% of direct; p50 +%.3f ms; p99 +%.3f ms (unloaded added latency)%n",
            path, 100 * p.rps() / d.rps(), (p.p50 - d.p50) / 1e6, (p.p99 - d.p99) / 1e6);
      }
    }
  }

  static Result find(List<Result> rs, String tool, int conns, String route, String path) {
    for (Result r : rs) {
      if (r.tool.equals(tool) && r.conns == conns && r.route.equals(route) && r.path.equals(path)) return r;
    }
    throw new IllegalStateException("no result " + tool + " " + route + " " + path);
  }

  // ---------------------------------------------------------------- jdk load generator

  static Result jdk(Target t, String path, int conns, int seconds) throws Exception {
    final int CONNECTIONS = conns;
    byte[] request =
        ("GET " + path + " HTTP/1.1\r\nHost: " + t.host + "\r\nUser-Agent: PreviewBench\r\nAccept: */*\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1);
    long start = System.nanoTime();
    long from = start + TimeUnit.SECONDS.toNanos(WARMUP);
    long to = from + TimeUnit.SECONDS.toNanos(seconds);
    AtomicLong errors = new AtomicLong();
    AtomicLong connects = new AtomicLong();
    List<long[]> perThread = new ArrayList<>();
    int[] counts = new int[CONNECTIONS];
    Thread[] threads = new Thread[CONNECTIONS];
    for (int i = 0; i < CONNECTIONS; i++) {
      final int n = i;
      long[][] holder = {new long[4096]};
      perThread.add(null);
      threads[i] =
          new Thread(
              () -> {
                byte[] sink = new byte[65536];
                Socket s = null;
                InputStream in = null;
                OutputStream out = null;
                int c = 0;
                while (System.nanoTime() < to) {
                  try {
                    if (s == null) {
                      s = new Socket();
                      s.setTcpNoDelay(true);
                      s.setSoTimeout(30_000);
                      s.connect(t.addr, 10_000);
                      in = new BufferedInputStream(s.getInputStream(), 65536);
                      out = s.getOutputStream();
                      connects.incrementAndGet();
                    }
                    long t0 = System.nanoTime();
                    out.write(request);
                    out.flush();
                    Response r = readResponse(in, sink);
                    long t1 = System.nanoTime();
                    if (r.status != 200) errors.incrementAndGet();
                    if (t1 >= from && t1 <= to) {
                      if (c == holder[0].length) holder[0] = Arrays.copyOf(holder[0], c * 2);
                      holder[0][c++] = t1 - t0;
                    }
                    if (r.close) {
                      s.close();
                      s = null;
                    }
                  } catch (IOException e) {
                    errors.incrementAndGet();
                    closeQuietly(s);
                    s = null;
                  }
                }
                closeQuietly(s);
                counts[n] = c;
                synchronized (perThread) {
                  perThread.set(n, holder[0]);
                }
              },
              "load-" + i);
      threads[i].start();
    }
    sleepUntil(from);
    Cpu.Sample c0 = cpu.sample();
    sleepUntil(to);
    String usage = cpu.since(c0);
    for (Thread th : threads) th.join();
    int total = 0;
    for (int c : counts) total += c;
    long[] all = new long[total];
    int k = 0;
    for (int i = 0; i < CONNECTIONS; i++) {
      System.arraycopy(perThread.get(i), 0, all, k, counts[i]);
      k += counts[i];
    }
    Arrays.sort(all);
    return new Result(
        "jdk", conns, t.name, path, total, seconds, rank(all, 50), rank(all, 90), rank(all, 99),
        total == 0 ? -1 : all[total - 1], errors.get(), connects.get(), usage);
  }

  record Response(int status, long bodyBytes, boolean close) {}

  /** Reads one response (head + body by Content-Length, chunked, or to EOF), discarding the body. */
  static Response readResponse(InputStream in, byte[] sink) throws IOException {
    String status = line(in);
    if (status.isEmpty()) throw new EOFException("empty status line");
    int code = Integer.parseInt(status.split(" ", 3)[1]);
    long length = -1;
    boolean chunked = false;
    boolean close = status.startsWith("HTTP/1.0");
    for (String h = line(in); !h.isEmpty(); h = line(in)) {
      int colon = h.indexOf(':');
      if (colon < 0) continue;
      String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = h.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
      switch (name) {
        case "content-length" -> length = Long.parseLong(value);
        case "transfer-encoding" -> chunked = value.contains("chunked");
        case "connection" -> close = value.contains("close") || (close && !value.contains("keep-alive"));
        default -> {}
      }
    }
    long body = 0;
    if (chunked) {
      while (true) {
        long size = Long.parseLong(line(in).split(";")[0].trim(), 16);
        if (size == 0) {
          while (!line(in).isEmpty()) {}
          break;
        }
        skip(in, size, sink);
        body += size;
        line(in);
      }
    } else if (length >= 0) {
      skip(in, length, sink);
      body = length;
    } else {
      for (int n; (n = in.read(sink)) >= 0; ) body += n;
      close = true;
    }
    return new Response(code, body, close);
  }

  static void skip(InputStream in, long n, byte[] sink) throws IOException {
    while (n > 0) {
      int r = in.read(sink, 0, (int) Math.min(sink.length, n));
      if (r < 0) throw new EOFException("body cut short");
      n -= r;
    }
  }

  static String line(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int c; (c = in.read()) != '\n'; ) {
      if (c < 0) {
        if (b.length() == 0) return "";
        throw new EOFException("connection closed in a line");
      }
      if (c != '\r') b.append((char) c);
    }
    return b.toString();
  }

  /** One request on its own connection; returns the body length of a 200, or -1. */
  static int once(Target t, String path) throws IOException {
    try (Socket s = new Socket()) {
      s.setSoTimeout(10_000);
      s.connect(t.addr, 5_000);
      s.getOutputStream()
          .write(("GET " + path + " HTTP/1.1\r\nHost: " + t.host + "\r\nAccept: */*\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      Response r = readResponse(new BufferedInputStream(s.getInputStream()), new byte[65536]);
      return r.status == 200 ? (int) r.bodyBytes : -1;
    }
  }

  static long rank(long[] sorted, int p) {
    if (sorted.length == 0) return -1;
    int r = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(1, r) - 1];
  }

  static void closeQuietly(Socket s) {
    try {
      if (s != null) s.close();
    } catch (IOException e) {
      // ignore
    }
  }

  static void sleepUntil(long nanoTime) throws InterruptedException {
    for (long left; (left = nanoTime - System.nanoTime()) > 0; ) TimeUnit.NANOSECONDS.sleep(left);
  }

  // ---------------------------------------------------------------- CPU accounting

  static Cpu cpu;

  /**
   * CPU used during a scenario: the gateway's JVM (/proc/<BENCH_SERVICE_PID>/stat utime+stime), the
   * container (cgroup v1 cpuacct.usage or v2 cpu.stat, whichever exists; node + agent + everything in
   * it) and the whole machine (/proc/stat, non-idle). Each as % of one core; "-" where unreadable.
   */
  static final class Cpu {
    record Sample(long at, long gateway, long container, long busy) {}

    final java.nio.file.Path containerFile;
    final long tick;

    Cpu(String engineId) {
      java.nio.file.Path found = null;
      for (String f : List.of(
          "/sys/fs/cgroup/cpuacct/docker/" + engineId + "/cpuacct.usage",
          "/sys/fs/cgroup/cpu,cpuacct/docker/" + engineId + "/cpuacct.usage",
          "/sys/fs/cgroup/system.slice/docker-" + engineId + ".scope/cpu.stat",
          "/sys/fs/cgroup/docker/" + engineId + "/cpu.stat")) {
        if (java.nio.file.Files.isReadable(java.nio.file.Path.of(f))) {
          found = java.nio.file.Path.of(f);
          break;
        }
      }
      containerFile = found;
      long t = 100;
      try {
        t = Long.parseLong(sh("getconf", "CLK_TCK").strip());
      } catch (Exception e) {
        // 100 on Linux
      }
      tick = 1_000_000_000L / t;
    }

    Sample sample() {
      return new Sample(System.nanoTime(), gateway(), container(), busy());
    }

    String since(Sample s0) {
      Sample s1 = sample();
      double wall = s1.at - s0.at;
      return pct(s0.gateway, s1.gateway, wall) + " / " + pct(s0.container, s1.container, wall) + " / "
          + pct(s0.busy, s1.busy, wall);
    }

    static String pct(long a, long b, double wall) {
      return a < 0 || b < 0 ? "-" : String.format(Locale.ROOT, "%.0f", 100 * (b - a) / wall);
    }

    long gateway() {
      if (SERVICE_PID.isEmpty()) return -1;
      try {
        String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + SERVICE_PID + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * tick; // fields 14 and 15
      } catch (Exception e) {
        return -1;
      }
    }

    long container() {
      if (containerFile == null) return -1;
      try {
        String s = java.nio.file.Files.readString(containerFile).strip();
        if (containerFile.getFileName().toString().equals("cpuacct.usage")) return Long.parseLong(s);
        return Long.parseLong(group(Pattern.compile("usage_usec (\\d+)"), s)) * 1000;
      } catch (Exception e) {
        return -1;
      }
    }

    long busy() {
      try {
        String[] f = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < Math.min(f.length, 9); i++) total += Long.parseLong(f[i]); // up to steal
        long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
        return (total - idle) * tick;
      } catch (Exception e) {
        return -1;
      }
    }
  }

  // ---------------------------------------------------------------- wrk

  static Result wrk(Target t, String path) throws Exception {
    String url = "http://" + t.addr.getAddress().getHostAddress() + ":" + t.addr.getPort() + path;
    int threads = Math.max(1, Math.min(CONNECTIONS, Runtime.getRuntime().availableProcessors()));
    List<String> common = List.of("-t" + threads, "-c" + CONNECTIONS, "--timeout", "30s", "-H", "Host: " + t.host);
    List<String> warm = new ArrayList<>(List.of("wrk", "-d" + WARMUP + "s"));
    warm.addAll(common);
    warm.add(url);
    sh(warm.toArray(String[]::new));
    List<String> cmd = new ArrayList<>(List.of("wrk", "-d" + SECONDS + "s", "--latency"));
    cmd.addAll(common);
    cmd.add(url);
    Cpu.Sample c0 = cpu.sample();
    String out = sh(cmd.toArray(String[]::new));
    String usage = cpu.since(c0);
    long requests = Long.parseLong(group(Pattern.compile("(\\d+) requests in"), out));
    double secs = duration(group(Pattern.compile("requests in ([0-9.]+[a-z]+)"), out));
    Matcher lat = Pattern.compile("Latency\\s+\\S+\\s+\\S+\\s+(\\S+)").matcher(out);
    long max = lat.find() ? duration(lat.group(1)) : -1;
    long errors = 0;
    Matcher se = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)").matcher(out);
    if (se.find()) for (int i = 1; i <= 4; i++) errors += Long.parseLong(se.group(i));
    Matcher non2xx = Pattern.compile("Non-2xx or 3xx responses: (\\d+)").matcher(out);
    if (non2xx.find()) errors += Long.parseLong(non2xx.group(1));
    return new Result(
        "wrk", CONNECTIONS, t.name, path, requests, secs / 1e9, pct(out, 50), pct(out, 90), pct(out, 99), max,
        errors, -1, usage);
  }

  static long pct(String wrkOut, int p) {
    return duration(group(Pattern.compile("\\s" + p + "%\\s+([0-9.]+[a-z]+)"), wrkOut));
  }

  /** A wrk duration ("812.00us", "1.23ms", "2.01s", "1.00m") in nanoseconds. */
  static long duration(String s) {
    Matcher m = Pattern.compile("([0-9.]+)([a-z]+)").matcher(s);
    if (!m.matches()) throw new IllegalArgumentException(s);
    double v = Double.parseDouble(m.group(1));
    double unit =
        switch (m.group(2)) {
          case "us" -> 1e3;
          case "ms" -> 1e6;
          case "s" -> 1e9;
          case "m" -> 60e9;
          case "h" -> 3600e9;
          default -> throw new IllegalArgumentException(s);
        };
    return Math.round(v * unit);
  }

  static String wrkVersion() {
    try {
      Process p = new ProcessBuilder("wrk", "--version").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor();
      return out.lines().findFirst().orElse("?").replaceAll("\\s+Copyright.*", "").strip();
    } catch (Exception e) {
      return "?";
    }
  }

  static boolean onPath(String cmd) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && java.nio.file.Files.isExecutable(java.nio.file.Path.of(dir, cmd))) return true;
    }
    return false;
  }

  // ---------------------------------------------------------------- terminal (to start the app)

  static final class Terminal implements WebSocket.Listener {
    WebSocket ws;
    String name;
    final StringBuilder text = new StringBuilder();
    final CompletableFuture<Void> attached = new CompletableFuture<>();

    static Terminal open(String wsUrl, String token, String name) throws Exception {
      Terminal t = new Terminal();
      t.name = name;
      URI uri = URI.create(wsUrl + "?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8) + "&terminal=" + name);
      t.ws = HttpClient.newHttpClient().newWebSocketBuilder()
          .connectTimeout(Duration.ofSeconds(10))
          .buildAsync(uri, t)
          .get(30, TimeUnit.SECONDS);
      t.attached.get(30, TimeUnit.SECONDS);
      return t;
    }

    void type(String data) {
      ws.sendText("{\"type\":\"input\",\"terminal\":\"" + name + "\",\"data\":\"" + json(data) + "\"}", true).join();
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket w, java.nio.ByteBuffer data, boolean last) {
      w.request(1); // terminal output: not needed
      return null;
    }

    @Override
    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        String m = text.toString();
        text.setLength(0);
        if (m.contains("\"type\":\"attached\"")) attached.complete(null);
        else if (m.contains("\"type\":\"error\"") || m.contains("\"type\":\"exit\"")) {
          System.err.println("gateway says: " + m);
          attached.completeExceptionally(new IllegalStateException(m));
        }
      }
      w.request(1);
      return null;
    }

    @Override
    public void onError(WebSocket w, Throwable e) {
      attached.completeExceptionally(e);
    }

    void close() {
      try {
        ws.sendText("{\"type\":\"kill\",\"terminal\":\"" + name + "\"}", true).get(5, TimeUnit.SECONDS);
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        // the container is deleted right after
      }
      ws.abort();
    }
  }

  // ---------------------------------------------------------------- service calls

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

  static void upload(String id, String path, String content) throws Exception {
    HttpRequest put =
        HttpRequest.newBuilder(
                URI.create(baseUrl + "/api/v1/containers/" + id + "/files?path="
                    + URLEncoder.encode(path, StandardCharsets.UTF_8)))
            .header("Authorization", "Bearer " + apiKey)
            .timeout(Duration.ofSeconds(60))
            .PUT(HttpRequest.BodyPublishers.ofString(content))
            .build();
    HttpResponse<String> r = HTTP.send(put, HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) throw new IllegalStateException("upload answered " + r.statusCode() + ": " + r.body());
  }

  static String api(String method, String path) throws Exception {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(baseUrl + path))
            .header("Authorization", "Bearer " + apiKey)
            .timeout(Duration.ofSeconds(60))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build();
    HttpResponse<String> r = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) throw new IllegalStateException(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
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

  // ---------------------------------------------------------------- helpers

  /** Runs a command, returns its stdout (stderr merged); fails on a non-zero exit. */
  static String sh(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    p.getInputStream().transferTo(out);
    int rc = p.waitFor();
    String s = out.toString(StandardCharsets.UTF_8);
    if (rc != 0) throw new IOException(String.join(" ", cmd) + " exited " + rc + ": " + s);
    return s;
  }

  static String json(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
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
