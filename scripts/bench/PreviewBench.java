/*
 * Preview benchmark (issues 5 and 11). NOT a test: it prints numbers. See docs/PERFORMANCE.md.
 *
 * Run through scripts/bench-preview.sh, which starts the service and compiles BenchSupport:
 *
 *   java -cp <BenchSupport classes> scripts/bench/PreviewBench.java <baseUrl> <apiKey>
 *
 * JDK 17 single-file source launch; needs the `docker` CLI (the container's address on CMS_NETWORK
 * and its processes' host pids) and, for the relay limit, `socat` on the PATH (else a JDK relay).
 *
 * It creates one container (BenchSupport.Api), uploads a zero-dependency Node app that answers
 * /b/<n> with n bytes (Content-Length, keep-alive), starts it in a terminal (BenchSupport.Term) and
 * loads it over these routes, all from this process, HTTP/1.1 keep-alive:
 *  - direct:  the container's IP on CMS_NETWORK, port 3000, straight to node;
 *  - preview: the gateway's preview listener (host form, `Host: 3000-<id>-<secret>.localhost:<port>`):
 *             client → listener → agent data connection → agent → node;
 *  - relay:   the machine's limit for the same hop without the gateway: a plain relay on the host
 *             (socat fork, one process per connection, read/write, TCP_NODELAY both sides; or, with
 *             BENCH_RELAY=jdk or no socat, this program's own two-threads-per-connection relay in a
 *             child JVM) → the container's IP:3000;
 *  - self:    the preview listener answering itself: its 404 for a host it does not know. The
 *             listener closes the connection after its own answers, so this is one TCP connection
 *             per request: the listener's accept + parse + answer ceiling.
 *
 * Plan: BENCH_WARMUP (20) seconds of untimed load on direct and preview (all sizes, 16 connections)
 * to warm the gateway's and agent's JVMs; then per case (connections × body size; BENCH_CONNECTIONS
 * "1,16,64", BENCH_SIZES "1024,65536,1048576") BENCH_PAIRS (5) alternating direct/preview pairs of
 * BENCH_SECONDS (10) timed seconds each (after a 1 s untimed lead-in on fresh connections); the
 * 16-connection 1 KiB and 1 MiB cases add a relay run to every pair. Then the fixed-rate open loop:
 * BENCH_RATE (1000) req/s of 1 KiB over BENCH_RATE_CONNECTIONS (16) connections, request i due at
 * start + i/rate on connection i mod n, its latency counted from that due time (no coordinated
 * omission), the same pairs. Then the self route, BENCH_PAIRS runs at 16 connections.
 * BENCH_QUICK=1: 1 pair of 3 s, 4 s warm-up, 1 and 16 connections, 1 KiB and 1 MiB.
 *
 * Per run: requests completed in the timed window, latency (first request byte written, or the due
 * time, → last response byte read; nearest rank), and CPU time of each party during the window:
 * gateway (its JVM, BENCH_SERVICE_PID), agent (the container's java process), app (node), client
 * (this JVM), relay (socat and its children, or the relay JVM), and the machine (/proc/stat).
 * The table gives per case and route the median over the pairs; ratios are taken per pair
 * (preview/direct of the same pair) and given as median with min–max; CPU per request and per MiB
 * is the sum over the pairs' windows divided by the sum of their requests / MiB.
 */

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

public class PreviewBench {

  static final boolean QUICK = BenchSupport.env("BENCH_QUICK", "0").equals("1");
  static final int WARMUP = BenchSupport.envInt("BENCH_WARMUP", QUICK ? 4 : 20);
  static final int PAIRS = BenchSupport.envInt("BENCH_PAIRS", QUICK ? 1 : 5);
  static final int SECONDS = BenchSupport.envInt("BENCH_SECONDS", QUICK ? 3 : 10);
  static final int LEAD = 1;
  static final List<Integer> CONNS = ints(BenchSupport.env("BENCH_CONNECTIONS", QUICK ? "1,16" : "1,16,64"));
  static final List<Integer> SIZES =
      ints(BenchSupport.env("BENCH_SIZES", QUICK ? "1024,1048576" : "1024,65536,1048576"));
  static final int RATE = BenchSupport.envInt("BENCH_RATE", 1000);
  static final int RATE_CONNS = BenchSupport.envInt("BENCH_RATE_CONNECTIONS", 16);
  static final String RELAY = BenchSupport.env("BENCH_RELAY", "auto");
  static final String SERVICE_PID = BenchSupport.env("BENCH_SERVICE_PID", "");
  static final int KIB = 1024;
  static final int MIB = 1 << 20;

  static final String SERVER_JS =
      """
      // PreviewBench app: zero dependencies, keep-alive; /b/<n> answers n bytes (n ≤ 16 MiB)
      const http = require('http');
      const bodies = new Map();
      const server = http.createServer((req, res) => {
        const m = /^\\/b\\/(\\d+)$/.exec(req.url.split('?')[0]);
        const n = m ? Number(m[1]) : -1;
        if (n < 0 || n > 16777216) {
          res.writeHead(404, {'content-type': 'text/plain', 'content-length': 10});
          res.end('not found\\n');
          return;
        }
        let body = bodies.get(n);
        if (!body) { body = Buffer.alloc(n, 0x61); if (bodies.size < 16) bodies.set(n, body); }
        res.writeHead(200, {'content-type': 'application/octet-stream', 'content-length': n});
        res.end(body);
      });
      server.keepAliveTimeout = 60000;
      server.headersTimeout = 61000;
      server.listen(3000, () => console.log('bench app listening on ' + 3000));
      """;

  static BenchSupport.Api api;
  static Parties parties;

  public static void main(String[] args) throws Exception {
    if (args.length == 4 && args[0].equals("relay")) {
      relayMain(Integer.parseInt(args[1]), args[2], Integer.parseInt(args[3]));
      return;
    }
    if (args.length != 2) {
      System.err.println("usage: java PreviewBench.java <baseUrl> <apiKey>");
      System.exit(2);
    }
    api = new BenchSupport.Api(args[0], args[1]);
    String relayKind = RELAY.equals("auto") ? (onPath("socat") ? "socat" : "jdk") : RELAY;
    System.out.printf(
        Locale.ROOT,
        "preview benchmark: %s; warm-up %d s; %d pair(s) of %d s (+%d s lead-in) per case; connections %s;"
            + " sizes %s; fixed rate %d req/s on %d connections; relay %s; %d cores%n",
        api.baseUrl, WARMUP, PAIRS, SECONDS, LEAD, CONNS, SIZES, RATE, RATE_CONNS, relayKind,
        Runtime.getRuntime().availableProcessors());

    BenchSupport.Api.Created c = api.create("{}");
    String id = c.id();
    BenchSupport.Term term = null;
    Process relay = null;
    try {
      api.expect(
          api.request("/api/v1/containers/" + id + "/files?path="
                  + URLEncoder.encode("/app/web/server.js", StandardCharsets.UTF_8))
              .PUT(HttpRequest.BodyPublishers.ofString(SERVER_JS))
              .build(),
          200);
      term = BenchSupport.Term.open(api.http, c.websocketUrl(), c.token(), "app", Duration.ofSeconds(30));
      term.awaitQuiet(500, 5_000); // bash's prompt
      var listening = term.expect("bench app listening");
      term.input("cd /app/web && exec node server.js\r");
      term.await(listening, "bench app listening", Duration.ofSeconds(60));

      String previews = api.expect(api.request("/api/v1/containers/" + id + "/preview/3000").GET().build(), 200);
      URI hostUrl = URI.create(BenchSupport.field(previews, "url"));
      Target preview =
          new Target("preview", new InetSocketAddress("127.0.0.1", hostUrl.getPort()),
              hostUrl.getHost() + ":" + hostUrl.getPort(), 200);
      Target self =
          new Target("self", new InetSocketAddress("127.0.0.1", hostUrl.getPort()),
              "nobody.localhost:" + hostUrl.getPort(), 404);
      String network = BenchSupport.env("CMS_NETWORK", "cms-net");
      String engineId = sh("docker", "ps", "-q", "--no-trunc", "--filter", "label=cms.record=" + id).strip();
      String ip = sh("docker", "inspect", "-f",
          "{{(index .NetworkSettings.Networks \"" + network + "\").IPAddress}}", engineId).strip();
      Target direct = new Target("direct", new InetSocketAddress(ip, 3000), ip + ":3000", 200);
      parties = new Parties(engineId);
      System.out.printf("container %s (engine %s), %s IP %s; pids: gateway %s, agent %d, app %d%n",
          id, engineId.substring(0, 12), network, ip, SERVICE_PID.isEmpty() ? "-" : SERVICE_PID,
          parties.agentPid, parties.appPid);

      int relayPort = freePort();
      relay = startRelay(relayKind, relayPort, ip);
      parties.relayPid = relay.pid();
      Target relayed = new Target("relay", new InetSocketAddress("127.0.0.1", relayPort), ip + ":3000", 200);
      System.out.printf("preview host form: Host: %s → 127.0.0.1:%d; relay (%s, pid %d) 127.0.0.1:%d → %s:3000%n",
          preview.host, hostUrl.getPort(), relayKind, relay.pid(), relayPort, ip);

      // every route answers with exact sizes before anything is measured
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      for (Target t : List.of(direct, preview, relayed)) {
        for (int size : List.of(KIB, MIB)) {
          while (true) {
            long got = -1;
            try {
              got = once(t, size);
            } catch (IOException e) {
              // not up yet
            }
            if (got == size) break;
            if (System.nanoTime() > deadline) throw new IllegalStateException(t.name + " did not deliver " + size + " bytes");
            Thread.sleep(250);
          }
        }
      }
      System.out.println("direct, preview and relay deliver exact sizes; warming up for " + WARMUP + " s");
      warmUp(List.of(direct, preview), WARMUP);

      List<Run> runs = new ArrayList<>();
      System.out.println();
      System.out.println(Run.HEADER);
      for (int conns : CONNS) {
        for (int size : SIZES) {
          boolean limit = conns == 16 && (size == KIB || size == MIB);
          List<Target> routes = limit ? List.of(direct, preview, relayed) : List.of(direct, preview);
          for (int pair = 0; pair < PAIRS; pair++) {
            // alternate the order so drifts of the machine's load hit both routes alike
            List<Target> order = new ArrayList<>(routes);
            if (pair % 2 == 1) java.util.Collections.reverse(order);
            for (Target t : order) runs.add(print(closed("c" + conns + " " + size(size), pair, t, size, conns, SECONDS)));
          }
        }
      }
      String fixedCase = "fixed " + RATE + "/s " + size(KIB);
      for (int pair = 0; pair < PAIRS; pair++) {
        List<Target> order = pair % 2 == 0 ? List.of(direct, preview) : List.of(preview, direct);
        for (Target t : order) runs.add(print(fixed(fixedCase, pair, t, KIB, RATE, RATE_CONNS, SECONDS)));
      }
      for (int pair = 0; pair < PAIRS; pair++) {
        runs.add(print(closed("c16 self 404", pair, self, 0, 16, SECONDS)));
      }
      report(runs, relayKind, fixedCase);
    } finally {
      if (relay != null) {
        relay.destroy();
        if (!relay.waitFor(5, TimeUnit.SECONDS)) relay.destroyForcibly();
      }
      if (term != null) term.close();
      api.deleteQuietly(id);
    }
  }

  static List<Integer> ints(String csv) {
    List<Integer> r = new ArrayList<>();
    for (String s : csv.split(",")) if (!s.isBlank()) r.add(Integer.parseInt(s.strip()));
    return r;
  }

  static String size(int bytes) {
    return bytes >= MIB ? bytes / MIB + " MiB" : bytes >= KIB ? bytes / KIB + " KiB" : bytes + " B";
  }

  // ---------------------------------------------------------------- runs

  record Target(String name, InetSocketAddress addr, String host, int status) {}

  /** One timed run; latencies in ns; cpu in ns per party (-1 unknown). */
  record Run(
      String kase, int pair, String route, int size, int conns, long requests, double seconds, long p50,
      long p99, long errors, long late, Map<String, Long> cpu) {
    static final String HEADER =
        String.format("%-22s %4s %-7s %10s %9s %9s %9s %6s  %s", "case", "pair", "route", "req/s", "MiB/s",
            "p50 ms", "p99 ms", "errors", "CPU % of one core: gateway / agent / app / client / relay / machine");

    double rps() {
      return requests / seconds;
    }

    double mibps() {
      return rps() * size / MIB;
    }
  }

  static Run print(Run r) {
    StringBuilder cpu = new StringBuilder();
    for (String p : Parties.NAMES) {
      long v = r.cpu.getOrDefault(p, -1L);
      if (cpu.length() > 0) cpu.append(" / ");
      cpu.append(v < 0 ? "-" : String.format(Locale.ROOT, "%.0f", 100 * v / (r.seconds * 1e9)));
    }
    System.out.printf(Locale.ROOT, "%-22s %4d %-7s %10.1f %9.1f %9.3f %9.3f %6d  %s%s%n", r.kase, r.pair + 1,
        r.route, r.rps(), r.mibps(), r.p50 / 1e6, r.p99 / 1e6, r.errors, cpu,
        r.late > 0 ? "  (" + r.late + " sends late)" : "");
    return r;
  }

  static void warmUp(List<Target> routes, int seconds) throws Exception {
    if (seconds <= 0) return;
    int slices = routes.size() * SIZES.size();
    int each = Math.max(1, (int) Math.ceil(seconds / (double) slices));
    for (int size : SIZES) for (Target t : routes) closed("warm-up", 0, t, size, 16, each);
  }

  /** Closed loop: conns connections, each sends its next request when the previous answer is read. */
  static Run closed(String kase, int pair, Target t, int size, int conns, int seconds) throws Exception {
    return load(kase, pair, t, size, conns, seconds, 0);
  }

  /** Open loop at rate req/s over conns connections; latency from each request's due time. */
  static Run fixed(String kase, int pair, Target t, int size, int rate, int conns, int seconds) throws Exception {
    return load(kase, pair, t, size, conns, seconds, rate);
  }

  static Run load(String kase, int pair, Target t, int size, int conns, int seconds, int rate) throws Exception {
    String path = t.status == 200 ? "/b/" + size : "/bench-self-404";
    byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: " + t.host + "\r\nUser-Agent: PreviewBench\r\nAccept: */*\r\n\r\n")
        .getBytes(StandardCharsets.ISO_8859_1);
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
    long from = start + TimeUnit.SECONDS.toNanos(LEAD);
    long to = from + TimeUnit.SECONDS.toNanos(seconds);
    long interval = rate > 0 ? 1_000_000_000L / rate : 0;
    AtomicLong errors = new AtomicLong();
    AtomicLong late = new AtomicLong();
    long[][] lat = new long[conns][];
    int[] counts = new int[conns];
    Thread[] threads = new Thread[conns];
    for (int i = 0; i < conns; i++) {
      final int k = i;
      threads[i] = new Thread(() -> {
        long[] mine = new long[1024];
        int c = 0;
        byte[] sink = new byte[65536];
        Socket s = null;
        InputStream in = null;
        OutputStream out = null;
        long seq = k; // open loop: this connection's requests are k, k+conns, …
        while (true) {
          long due = rate > 0 ? start + seq * interval : 0;
          if (rate > 0) {
            if (due >= to) break;
            long now = System.nanoTime();
            if (due > now) {
              try {
                sleepUntil(due);
              } catch (InterruptedException e) {
                break;
              }
            } else if (now - due > 1_000_000 && due >= from) {
              late.incrementAndGet();
            }
          } else if (System.nanoTime() >= to) {
            break;
          }
          try {
            if (s == null) {
              s = new Socket();
              s.setTcpNoDelay(true);
              s.setSoTimeout(30_000);
              s.connect(t.addr, 10_000);
              in = new BufferedInputStream(s.getInputStream(), 65536);
              out = s.getOutputStream();
            }
            long t0 = rate > 0 ? due : System.nanoTime();
            out.write(request);
            out.flush();
            Response r = readResponse(in, sink);
            long t1 = System.nanoTime();
            boolean counted = rate > 0 ? due >= from : t1 >= from && t1 <= to;
            if (counted) {
              if (r.status != t.status || (t.status == 200 && r.bodyBytes != size)) errors.incrementAndGet();
              if (c == mine.length) mine = Arrays.copyOf(mine, c * 2);
              mine[c++] = t1 - t0;
            }
            if (r.close) {
              s.close();
              s = null;
            }
          } catch (IOException e) {
            if (System.nanoTime() >= from) errors.incrementAndGet();
            closeQuietly(s);
            s = null;
          }
          seq += conns;
        }
        closeQuietly(s);
        lat[k] = mine;
        counts[k] = c;
      }, "load-" + i);
      threads[i].setDaemon(true);
      threads[i].start();
    }
    sleepUntil(from);
    Parties.Sample c0 = parties.sample();
    sleepUntil(to);
    Parties.Sample c1 = parties.sample();
    for (Thread th : threads) th.join(60_000);
    int total = 0;
    for (int i = 0; i < conns; i++) total += counts[i];
    long[] all = new long[total];
    int n = 0;
    for (int i = 0; i < conns; i++) {
      if (lat[i] == null) continue;
      System.arraycopy(lat[i], 0, all, n, counts[i]);
      n += counts[i];
    }
    Arrays.sort(all, 0, n);
    long[] sorted = Arrays.copyOf(all, n);
    return new Run(kase, pair, t.name, size, conns, n, (c1.at - c0.at) / 1e9, rank(sorted, 50), rank(sorted, 99),
        errors.get(), late.get(), Parties.delta(c0, c1));
  }

  // ---------------------------------------------------------------- report

  static List<Run> of(List<Run> runs, String kase, String route) {
    List<Run> r = new ArrayList<>();
    for (Run x : runs) if (x.kase.equals(kase) && x.route.equals(route)) r.add(x);
    return r;
  }

  static double median(List<Double> v) {
    if (v.isEmpty()) return Double.NaN;
    List<Double> s = new ArrayList<>(v);
    s.sort(null);
    int m = s.size();
    return m % 2 == 1 ? s.get(m / 2) : (s.get(m / 2 - 1) + s.get(m / 2)) / 2;
  }

  static double min(List<Double> v) {
    return v.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }

  static double max(List<Double> v) {
    return v.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }

  /** route/direct of the same pair, for each pair both ran in; the value by f. */
  static List<Double> ratios(List<Run> runs, String kase, String route, java.util.function.ToDoubleFunction<Run> f) {
    List<Double> r = new ArrayList<>();
    for (Run d : of(runs, kase, "direct")) {
      for (Run p : of(runs, kase, route)) {
        if (p.pair == d.pair && f.applyAsDouble(d) > 0) r.add(f.applyAsDouble(p) / f.applyAsDouble(d));
      }
    }
    return r;
  }

  /** route − direct of the same pair, in ms. */
  static List<Double> added(List<Run> runs, String kase, String route, java.util.function.ToLongFunction<Run> f) {
    List<Double> r = new ArrayList<>();
    for (Run d : of(runs, kase, "direct")) {
      for (Run p : of(runs, kase, route)) {
        if (p.pair == d.pair) r.add((f.applyAsLong(p) - f.applyAsLong(d)) / 1e6);
      }
    }
    return r;
  }

  static String pctRange(List<Double> r) {
    return r.isEmpty() ? "-" : String.format(Locale.ROOT, "%.1f %% (%.1f–%.1f)", 100 * median(r), 100 * min(r), 100 * max(r));
  }

  static String msRange(List<Double> r) {
    return r.isEmpty() ? "-" : String.format(Locale.ROOT, "%+.3f ms (%+.3f…%+.3f)", median(r), min(r), max(r));
  }

  static void report(List<Run> runs, String relayKind, String fixedCase) {
    List<String> cases = new ArrayList<>();
    for (Run r : runs) if (!cases.contains(r.kase)) cases.add(r.kase);
    System.out.println();
    System.out.println("Medians over " + PAIRS + " pair(s) of " + SECONDS + " s; ratio = route / direct of the same pair,"
        + " median (min–max); CPU per request (µs) and per MiB (ms) = CPU time of the party over the pairs' windows"
        + " / their requests or MiB. relay = " + relayKind + ", self = the listener's own 404 (a new connection per request).");
    System.out.println();
    System.out.println("| case | route | req/s | MiB/s | ratio vs direct | p50 ms | p99 ms | errors |"
        + " CPU µs/req gateway / agent / app / client / relay | CPU ms/MiB gateway / agent / app / client / relay | machine busy % |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
    for (String kase : cases) {
      for (String route : List.of("direct", "preview", "relay", "self")) {
        List<Run> rs = of(runs, kase, route);
        if (rs.isEmpty()) continue;
        List<Double> rps = new ArrayList<>(), mib = new ArrayList<>(), p50 = new ArrayList<>(), p99 = new ArrayList<>();
        long errors = 0, requests = 0;
        double mibs = 0, secs = 0;
        Map<String, Long> cpu = new LinkedHashMap<>();
        for (Run r : rs) {
          rps.add(r.rps());
          mib.add(r.mibps());
          p50.add(r.p50 / 1e6);
          p99.add(r.p99 / 1e6);
          errors += r.errors;
          requests += r.requests;
          mibs += (double) r.requests * r.size / MIB;
          secs += r.seconds;
          for (var e : r.cpu.entrySet()) cpu.merge(e.getKey(), e.getValue(), (a, b) -> a < 0 || b < 0 ? -1 : a + b);
        }
        boolean fixed = kase.startsWith("fixed");
        String ratio = route.equals("direct") || route.equals("self") ? "" :
            fixed ? "p50 " + msRange(added(runs, kase, route, Run::p50))
                : pctRange(ratios(runs, kase, route, rs.get(0).size >= MIB ? Run::mibps : Run::rps));
        StringBuilder perReq = new StringBuilder(), perMib = new StringBuilder();
        for (String p : List.of("gateway", "agent", "app", "client", "relay")) {
          long v = cpu.getOrDefault(p, -1L);
          if (perReq.length() > 0) {
            perReq.append(" / ");
            perMib.append(" / ");
          }
          boolean none = v < 0;
          perReq.append(none || requests == 0 ? "-" : String.format(Locale.ROOT, "%.1f", v / 1e3 / requests));
          perMib.append(none || mibs < 1 ? "-" : String.format(Locale.ROOT, "%.2f", v / 1e6 / mibs));
        }
        long busy = cpu.getOrDefault("machine", -1L);
        System.out.printf(Locale.ROOT, "| %s | %s | %,.1f | %,.1f | %s | %.3f | %.3f | %d | %s | %s | %s |%n", kase, route,
            median(rps), median(mib), ratio, median(p50), median(p99), errors, perReq, perMib,
            busy < 0 ? "-" : String.format(Locale.ROOT, "%.0f", 100 * busy / (secs * 1e9)));
      }
    }
    System.out.println();
    System.out.println("Issue 11's targets:");
    System.out.println();
    System.out.println("| target | measured (median, min–max over pairs) | met |");
    System.out.println("|---|---|---|");
    target(runs, "c16 1 KiB", "req/s ≥ 50 % of direct", ratios(runs, "c16 1 KiB", "preview", Run::rps), 0.5, true);
    target(runs, "c16 1 MiB", "MiB/s ≥ 40 % of direct", ratios(runs, "c16 1 MiB", "preview", Run::mibps), 0.4, true);
    target(runs, "c1 1 KiB", "one connection adds ≤ 0.5 ms p50", added(runs, "c1 1 KiB", "preview", Run::p50), 0.5, false);
    // an open loop that could not hold its rate measured the generator's backlog, not the path
    long late = 0, sent = 0;
    for (Run r : runs) {
      if (r.kase.equals(fixedCase)) {
        late += r.late;
        sent += r.requests;
      }
    }
    boolean held = sent > 0 && late <= sent / 100;
    target(runs, fixedCase, "fixed " + RATE + " req/s adds ≤ 1 ms p50"
        + (held ? "" : " — INVALID: " + late + " of " + sent + " sends > 1 ms late, the machine did not hold the rate"),
        added(runs, fixedCase, "preview", Run::p50), 1.0, false);
    List<Double> fixedP99 = added(runs, fixedCase, "preview", Run::p99);
    System.out.printf("| (fixed %d req/s, added p99: no target) | %s | |%n", RATE, msRange(fixedP99));
    System.out.println();
    System.out.println("The machine's limits on the same path (16 connections):");
    System.out.println();
    System.out.println("| case | preview / relay | direct / relay | preview / self (req/s) |");
    System.out.println("|---|---|---|---|");
    for (String kase : List.of("c16 1 KiB", "c16 1 MiB")) {
      if (of(runs, kase, "relay").isEmpty()) continue;
      List<Double> pr = new ArrayList<>(), dr = new ArrayList<>();
      for (Run r : of(runs, kase, "relay")) {
        for (Run p : of(runs, kase, "preview")) if (p.pair == r.pair) pr.add(p.rps() / r.rps());
        for (Run d : of(runs, kase, "direct")) if (d.pair == r.pair) dr.add(d.rps() / r.rps());
      }
      List<Double> selfR = new ArrayList<>();
      for (Run s : of(runs, "c16 self 404", "self")) for (Run p : of(runs, kase, "preview")) if (p.pair == s.pair) selfR.add(p.rps() / s.rps());
      System.out.printf("| %s | %s | %s | %s |%n", kase, pctRange(pr), pctRange(dr), kase.contains("KiB") ? pctRange(selfR) : "");
    }
  }

  static void target(List<Run> runs, String kase, String what, List<Double> v, double bound, boolean atLeast) {
    if (v.isEmpty()) {
      System.out.printf("| %s: %s | not measured | |%n", kase, what);
      return;
    }
    double m = median(v);
    boolean met = atLeast ? m >= bound : m <= bound;
    System.out.printf("| %s: %s | %s | %s |%n", kase, what, atLeast ? pctRange(v) : msRange(v),
        what.contains("INVALID") ? "not judged" : met ? "yes" : "NO");
  }

  // ---------------------------------------------------------------- CPU of the parties

  /**
   * CPU time (ns) of the gateway JVM, the agent (the container's java process), the app (node),
   * this client JVM, the relay (its process and children) and the machine (/proc/stat, non-idle).
   */
  static final class Parties {
    static final List<String> NAMES = List.of("gateway", "agent", "app", "client", "relay", "machine");
    static final long TICK = 1_000_000_000L / 100; // USER_HZ is 100 on Linux

    record Sample(long at, Map<String, Long> ns) {}

    final long agentPid;
    final long appPid;
    volatile long relayPid = -1;

    Parties(String engineId) throws Exception {
      long agent = -1, app = -1;
      // docker top: host pids of the container's processes
      for (String line : sh("docker", "top", engineId, "-eo", "pid,comm").split("\n")) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 2 || !f[0].matches("\\d+")) continue;
        if (f[1].equals("java")) agent = Long.parseLong(f[0]);
        if (f[1].equals("node")) app = Long.parseLong(f[0]);
      }
      if (agent < 0 || app < 0) throw new IllegalStateException("agent or node not found by docker top " + engineId);
      agentPid = agent;
      appPid = app;
    }

    Sample sample() {
      Map<String, Long> m = new LinkedHashMap<>();
      m.put("gateway", SERVICE_PID.isEmpty() ? -1 : proc(Long.parseLong(SERVICE_PID), false));
      m.put("agent", proc(agentPid, false));
      m.put("app", proc(appPid, false));
      m.put("client", proc(ProcessHandle.current().pid(), false));
      m.put("relay", relayPid < 0 ? -1 : tree(relayPid));
      m.put("machine", busy());
      return new Sample(System.nanoTime(), m);
    }

    static Map<String, Long> delta(Sample a, Sample b) {
      Map<String, Long> d = new LinkedHashMap<>();
      for (String k : NAMES) {
        long x = a.ns.getOrDefault(k, -1L), y = b.ns.getOrDefault(k, -1L);
        d.put(k, x < 0 || y < 0 ? -1 : Math.max(0, y - x));
      }
      return d;
    }

    /** utime+stime (+ reaped children's with {@code children}) of one process, in ns; -1 if gone. */
    static long proc(long pid, boolean children) {
      try {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long t = Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14, 15
        if (children) t += Long.parseLong(f[13]) + Long.parseLong(f[14]); // 16, 17
        return t * TICK;
      } catch (Exception e) {
        return -1;
      }
    }

    /** A process with its living descendants (socat forks one child per connection) and the reaped ones. */
    static long tree(long pid) {
      long t = proc(pid, true);
      if (t < 0) return -1;
      try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
        for (Path task : tasks.toList()) {
          Path ch = task.resolve("children");
          if (!Files.isReadable(ch)) continue;
          for (String c : Files.readString(ch).trim().split("\\s+")) {
            if (c.isEmpty()) continue;
            long ct = tree(Long.parseLong(c));
            if (ct > 0) t += ct;
          }
        }
      } catch (IOException e) {
        // the process ended
      }
      return t;
    }

    static long busy() {
      try {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < Math.min(f.length, 9); i++) total += Long.parseLong(f[i]);
        long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
        return (total - idle) * TICK;
      } catch (Exception e) {
        return -1;
      }
    }
  }

  // ---------------------------------------------------------------- the relay (machine limit)

  static Process startRelay(String kind, int port, String ip) throws Exception {
    List<String> cmd;
    if (kind.equals("socat")) {
      cmd = List.of("socat", "TCP-LISTEN:" + port + ",bind=127.0.0.1,fork,reuseaddr,nodelay,backlog=256",
          "TCP:" + ip + ":3000,nodelay");
    } else if (kind.equals("jdk")) {
      String cp = System.getProperty("java.class.path");
      cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", cp,
          "scripts/bench/PreviewBench.java", "relay", String.valueOf(port), ip, "3000");
    } else {
      throw new IllegalArgumentException("BENCH_RELAY must be auto, socat or jdk: " + kind);
    }
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
        return p;
      } catch (IOException e) {
        if (!p.isAlive()) throw new IllegalStateException(kind + " relay exited with " + p.exitValue());
        if (System.nanoTime() > deadline) throw new IllegalStateException(kind + " relay not listening on " + port);
        Thread.sleep(100);
      }
    }
  }

  /**
   * The JDK relay (a child JVM): each accepted connection is connected to host:port and copied both
   * ways by two threads with 64 KiB arrays, as the agent copies; at most 512 connections.
   */
  static void relayMain(int listen, String host, int port) throws Exception {
    java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(512);
    try (ServerSocket ss = new ServerSocket(listen, 256, InetAddress.getLoopbackAddress())) {
      while (true) {
        Socket a = ss.accept();
        if (!slots.tryAcquire()) {
          a.close();
          continue;
        }
        Thread t = new Thread(() -> {
          try (Socket in = a; Socket b = new Socket()) {
            in.setTcpNoDelay(true);
            b.setTcpNoDelay(true);
            b.connect(new InetSocketAddress(host, port), 5_000);
            Thread up = new Thread(() -> pump(in, b));
            up.setDaemon(true);
            up.start();
            pump(b, in);
            up.join(60_000);
          } catch (Exception e) {
            // one connection ended
          } finally {
            slots.release();
          }
        });
        t.setDaemon(true);
        t.start();
      }
    }
  }

  static void pump(Socket from, Socket to) {
    byte[] buf = new byte[65536];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      for (int n; (n = in.read(buf)) >= 0; ) out.write(buf, 0, n);
      to.shutdownOutput();
    } catch (IOException e) {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  // ---------------------------------------------------------------- HTTP/1.1 client side

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

  /** One request of size bytes on its own connection; the body length of a 200, or -1. */
  static long once(Target t, int size) throws IOException {
    try (Socket s = new Socket()) {
      s.setSoTimeout(10_000);
      s.connect(t.addr, 5_000);
      s.getOutputStream()
          .write(("GET /b/" + size + " HTTP/1.1\r\nHost: " + t.host + "\r\nAccept: */*\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      Response r = readResponse(new BufferedInputStream(s.getInputStream()), new byte[65536]);
      return r.status == 200 ? r.bodyBytes : -1;
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

  static boolean onPath(String cmd) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, cmd))) return true;
    }
    return false;
  }

  /** Runs a command, returns its stdout (stderr merged); fails on a non-zero exit. */
  static String sh(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + s);
    return s;
  }
}
