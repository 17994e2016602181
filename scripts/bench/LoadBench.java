/*
 * Load benchmark (reliability issue). NOT a test: it prints numbers.
 *
 * Run through scripts/bench-load.sh, which starts the service and compiles BenchSupport; directly:
 *
 *   java -cp <BenchSupport classes> scripts/bench/LoadBench.java <baseUrl> <apiKey> <gatewayPid> <gatewayId>
 *
 * Parts:
 *  (a) BENCH_CONTAINERS (50) containers created in waves of BENCH_WAVE (10): each wave's creates are
 *      released together (a latch), each is POST /api/v1/containers?wait=ready with
 *      {"memoryMb":BENCH_MEMORY_MB} (128), timed by the client until 201 with agentConnected. The
 *      next wave starts when the previous one has answered. All containers stay up.
 *  (b) BENCH_SOCKETS (200) client WebSockets on the first container, all attached to terminal
 *      `main` (opened BENCH_OPEN_PARALLEL = 20 at a time). Then BENCH_ROUNDS (5) times: one socket types
 *      `echo LOAD<r>_$((6*7))_END\r`; the output holds LOAD<r>_42_END (the typed echo does not), and
 *      every socket must receive it. Per socket: from the send to the arrival of the frame that
 *      completed the marker.
 *  (c) the gateway's heap after a full GC (jcmd GC.run + GC.heap_info), threads and open fds
 *      (/proc/<pid>), and the engine's containers labelled cms.gateway=<id>: before (after one
 *      warm-up create + delete), after (a), at peak (a + the open sockets), after the sockets were
 *      closed, and BENCH_SETTLE_S (10) and BENCH_SETTLE2_S (60) s after every container was
 *      deleted. Between snapshots, the thread groups (by name) whose size changed are listed.
 */

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

public class LoadBench {

  static final int CONTAINERS = BenchSupport.envInt("BENCH_CONTAINERS", 50);
  static final int WAVE = BenchSupport.envInt("BENCH_WAVE", 10);
  static final int MEMORY_MB = BenchSupport.envInt("BENCH_MEMORY_MB", 128);
  static final int SOCKETS = BenchSupport.envInt("BENCH_SOCKETS", 200);
  static final int OPEN_PARALLEL = BenchSupport.envInt("BENCH_OPEN_PARALLEL", 20);
  static final int ROUNDS = BenchSupport.envInt("BENCH_ROUNDS", 5);
  static final int SETTLE_S = BenchSupport.envInt("BENCH_SETTLE_S", 10);
  static final int SETTLE2_S = BenchSupport.envInt("BENCH_SETTLE2_S", 60);
  static final Duration MARKER_TIMEOUT = Duration.ofSeconds(30);

  static BenchSupport.Api api;
  static BenchSupport.Gateway gateway;
  static final BenchSupport.Engine ENGINE = new BenchSupport.Engine();
  static String gatewayId;

  record Snap(String when, BenchSupport.Gateway.Snapshot g, int engineContainers, Map<String, Integer> threadGroups) {}

  static final List<Snap> SNAPS = new ArrayList<>();
  static Map<String, long[]> histBefore = Map.of();
  static Map<String, long[]> histAfter = Map.of();
  static final List<String> created = Collections.synchronizedList(new ArrayList<>());

  public static void main(String[] args) throws Exception {
    if (args.length != 4) {
      System.err.println("usage: java -cp … LoadBench.java <baseUrl> <apiKey> <gatewayPid> <gatewayId>");
      System.exit(2);
    }
    api = new BenchSupport.Api(args[0], args[1]);
    gateway = new BenchSupport.Gateway(Long.parseLong(args[2]));
    gatewayId = args[3];
    System.out.printf(
        "load benchmark: %s, gateway pid %d; %d containers in waves of %d (%d MB each); %d sockets, %d rounds%n",
        api.baseUrl, gateway.pid, CONTAINERS, WAVE, MEMORY_MB, SOCKETS, ROUNDS);

    boolean ok = true;
    List<Term> terms = new ArrayList<>();
    try {
      // warm-up, so "before" is a gateway that has served a create, a socket and a delete once
      BenchSupport.Api.Created w = api.create(body());
      try (BenchSupport.Term t = BenchSupport.Term.open(api.http, w.websocketUrl(), w.token(), "main", Duration.ofSeconds(30))) {
        t.awaitQuiet(200, 3000);
      }
      api.delete(w.id());
      Thread.sleep(2000);
      snap("before");
      histBefore = gateway.histogram();

      // ---- (a) containers in waves
      Creates a = createInWaves();
      snap("after " + created.size() + " creates");

      // ---- (b) sockets on one container
      Sockets b = null;
      if (!created.isEmpty()) {
        b = sockets(a.first, terms);
        snap("peak (+" + b.opened + " sockets)");
      }

      // ---- teardown
      long t0 = System.nanoTime();
      int closed = terms.size();
      for (Term t : terms) t.term.close();
      terms.clear();
      System.out.printf(Locale.ROOT, "closed %d sockets in %.1f s%n", closed, (System.nanoTime() - t0) / 1e9);
      Thread.sleep(2000);
      snap("sockets closed (+2 s)");
      t0 = System.nanoTime();
      Deletes d = deleteAll();
      System.out.printf(Locale.ROOT, "deleted %d containers in %.1f s (%d failed)%n",
          d.ok, (System.nanoTime() - t0) / 1e9, d.failed);
      Thread.sleep(SETTLE_S * 1000L);
      snap("after delete (+" + SETTLE_S + " s)");
      if (SETTLE2_S > SETTLE_S) {
        Thread.sleep((SETTLE2_S - SETTLE_S) * 1000L);
        snap("after delete (+" + SETTLE2_S + " s)");
      }
      histAfter = gateway.histogram();

      ok = report(a, b, d);
    } finally {
      for (Term t : terms) t.term.close();
      for (String id : new ArrayList<>(created)) api.deleteQuietly(id);
    }
    System.exit(ok ? 0 : 1);
  }

  static String body() {
    return "{\"memoryMb\":" + MEMORY_MB + "}";
  }

  static void snap(String when) throws Exception {
    Snap s = new Snap(when, gateway.snapshot(true), ENGINE.countLabelled("cms.gateway", gatewayId), gateway.threadGroups());
    SNAPS.add(s);
    System.out.printf("  [%s] heap after GC %s, threads %d, fds %d, rss %s, engine containers %d%n",
        when, BenchSupport.Gateway.mb(s.g.heapKb()), s.g.threads(), s.g.fds(),
        BenchSupport.Gateway.mb(s.g.rssKb()), s.engineContainers);
  }

  // ---------------------------------------------------------------- (a)

  record Creates(List<Long> ms, Map<String, Integer> failures, String first, double wallS) {}

  static Creates createInWaves() throws Exception {
    List<Long> ms = Collections.synchronizedList(new ArrayList<>());
    Map<String, Integer> failures = Collections.synchronizedMap(new LinkedHashMap<>());
    ExecutorService pool = Executors.newFixedThreadPool(WAVE);
    long start = System.nanoTime();
    String first = null;
    for (int done = 0, wave = 1; done < CONTAINERS; done += WAVE, wave++) {
      int n = Math.min(WAVE, CONTAINERS - done);
      CountDownLatch gate = new CountDownLatch(1);
      List<Future<String>> fs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        fs.add(pool.submit((Callable<String>) () -> {
          gate.await();
          long t0 = System.nanoTime();
          BenchSupport.Api.Created c = api.create(body());
          created.add(c.id());
          ms.add((System.nanoTime() - t0) / 1_000_000);
          return c.id();
        }));
      }
      long w0 = System.nanoTime();
      gate.countDown();
      List<Long> waveMs = new ArrayList<>();
      int before = ms.size();
      for (Future<String> f : fs) {
        try {
          String id = f.get(5, TimeUnit.MINUTES);
          if (first == null) first = id;
        } catch (Exception e) {
          Throwable c = e.getCause() == null ? e : e.getCause();
          String why = c.getClass().getSimpleName() + ": " + c.getMessage();
          failures.merge(why.length() > 200 ? why.substring(0, 200) : why, 1, Integer::sum);
        }
      }
      synchronized (ms) {
        waveMs.addAll(ms.subList(before, ms.size()));
      }
      Collections.sort(waveMs);
      System.out.printf(Locale.ROOT, "  wave %d: %d/%d ready in %.1f s; create-to-ready ms p50 %d max %d%n",
          wave, waveMs.size(), n, (System.nanoTime() - w0) / 1e9, BenchSupport.rank(waveMs, 50),
          waveMs.isEmpty() ? -1 : waveMs.get(waveMs.size() - 1));
    }
    pool.shutdown();
    List<Long> sorted = new ArrayList<>(ms);
    Collections.sort(sorted);
    return new Creates(sorted, failures, first, (System.nanoTime() - start) / 1e9);
  }

  // ---------------------------------------------------------------- (b)

  record Term(int index, BenchSupport.Term term) {}

  record Round(int received, int expected, List<Long> ms, List<String> missing) {}

  record Sockets(int opened, Map<String, Integer> openFailures, double openS, List<Round> rounds) {}

  static Sockets sockets(String containerId, List<Term> terms) throws Exception {
    // the create answer's token and websocketUrl again (GET …/token)
    String tok = api.expect(api.request("/api/v1/containers/" + containerId + "/token").GET().build(), 200);
    String wsUrl = BenchSupport.field(tok, "websocketUrl");
    String token = BenchSupport.field(tok, "token");
    // a client of its own for the many sockets, apart from the API's connections
    HttpClient http = BenchSupport.client(Duration.ofSeconds(30));

    Map<String, Integer> openFailures = new LinkedHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(OPEN_PARALLEL);
    long t0 = System.nanoTime();
    List<Future<BenchSupport.Term>> fs = new ArrayList<>();
    for (int i = 0; i < SOCKETS; i++) {
      fs.add(pool.submit(() -> BenchSupport.Term.open(http, wsUrl, token, "main", Duration.ofSeconds(60))));
    }
    for (int i = 0; i < fs.size(); i++) {
      try {
        terms.add(new Term(i, fs.get(i).get(3, TimeUnit.MINUTES)));
      } catch (Exception e) {
        Throwable c = e.getCause() == null ? e : e.getCause();
        openFailures.merge(c.getClass().getSimpleName() + ": " + c.getMessage(), 1, Integer::sum);
      }
    }
    pool.shutdown();
    double openS = (System.nanoTime() - t0) / 1e9;
    System.out.printf(Locale.ROOT, "  %d/%d sockets attached to terminal main in %.1f s%n", terms.size(), SOCKETS, openS);
    openFailures.forEach((k, v) -> System.out.printf("    open failed %d×: %s%n", v, k));

    List<Round> rounds = new ArrayList<>();
    if (terms.isEmpty()) return new Sockets(0, openFailures, openS, rounds);
    BenchSupport.Term typist = terms.get(0).term;
    typist.awaitQuiet(300, 5000);
    for (int r = 1; r <= ROUNDS; r++) {
      String marker = "LOAD" + r + "_42_END";
      List<CompletableFuture<Long>> got = new ArrayList<>();
      for (Term t : terms) got.add(t.term.expect(marker));
      long sent = System.nanoTime();
      typist.input("echo LOAD" + r + "_$((6*7))_END\r");
      List<Long> ms = new ArrayList<>();
      List<String> missing = new ArrayList<>();
      long deadline = System.nanoTime() + MARKER_TIMEOUT.toNanos();
      for (int i = 0; i < terms.size(); i++) {
        try {
          long at = got.get(i).get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
          ms.add(Math.max(0, at - sent));
        } catch (Exception e) {
          Term t = terms.get(i);
          String why = t.term.failure() != null ? t.term.failure() : "no marker within " + MARKER_TIMEOUT;
          missing.add("socket " + t.index + ": " + why);
        }
      }
      Collections.sort(ms);
      Round round = new Round(ms.size(), terms.size(), ms, missing);
      rounds.add(round);
      System.out.printf(Locale.ROOT, "  round %d: %d/%d sockets got %s; p50 %.1f ms, last %.1f ms%n",
          r, ms.size(), terms.size(), marker, BenchSupport.ms(BenchSupport.rank(ms, 50)),
          ms.isEmpty() ? -1.0 : BenchSupport.ms(ms.get(ms.size() - 1)));
      for (String m : missing.subList(0, Math.min(5, missing.size()))) System.out.println("    missing: " + m);
      typist.awaitQuiet(300, 5000);
    }
    return new Sockets(terms.size(), openFailures, openS, rounds);
  }

  // ---------------------------------------------------------------- teardown

  record Deletes(int ok, int failed) {}

  static Deletes deleteAll() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(WAVE);
    List<String> ids = new ArrayList<>(created);
    List<Future<Boolean>> fs = new ArrayList<>();
    for (String id : ids) {
      fs.add(pool.submit(() -> {
        try {
          api.delete(id);
          created.remove(id);
          return true;
        } catch (Exception e) {
          System.err.println("delete " + id + ": " + e.getMessage());
          return false;
        }
      }));
    }
    int ok = 0, failed = 0;
    for (Future<Boolean> f : fs) if (f.get(5, TimeUnit.MINUTES)) ok++; else failed++;
    pool.shutdown();
    return new Deletes(ok, failed);
  }

  // ---------------------------------------------------------------- report

  static boolean report(Creates a, Sockets b, Deletes d) {
    boolean ok = true;
    System.out.println();
    System.out.println("== load benchmark summary ==");
    int failed = a.failures.values().stream().mapToInt(Integer::intValue).sum();
    System.out.printf("%-44s %5s %6s %8s %8s %8s%n", "(a) create ?wait=ready", "ok", "failed", "p50", "p99", "max");
    System.out.printf(Locale.ROOT, "%-44s %5d %6d %8d %8d %8d%n",
        CONTAINERS + " in waves of " + WAVE + ", " + MEMORY_MB + " MB (ms)", a.ms.size(), failed,
        BenchSupport.rank(a.ms, 50), BenchSupport.rank(a.ms, 99), a.ms.isEmpty() ? -1 : a.ms.get(a.ms.size() - 1));
    a.failures.forEach((k, v) -> System.out.printf("  failed %d×: %s%n", v, k));
    System.out.printf(Locale.ROOT, "  all waves took %.1f s%n", a.wallS);
    if (failed > 0) ok = false;

    System.out.println();
    if (b != null) {
      System.out.printf("%-44s %9s %8s %8s %8s%n", "(b) marker to every socket (ms after send)", "received", "p50", "p99", "last");
      List<Long> all = new ArrayList<>();
      for (int i = 0; i < b.rounds.size(); i++) {
        Round r = b.rounds.get(i);
        all.addAll(r.ms);
        System.out.printf(Locale.ROOT, "%-44s %9s %8.1f %8.1f %8.1f%n", "round " + (i + 1),
            r.received + "/" + r.expected, BenchSupport.ms(BenchSupport.rank(r.ms, 50)),
            BenchSupport.ms(BenchSupport.rank(r.ms, 99)), r.ms.isEmpty() ? -1.0 : BenchSupport.ms(r.ms.get(r.ms.size() - 1)));
        if (r.received != SOCKETS) ok = false;
      }
      Collections.sort(all);
      System.out.printf(Locale.ROOT, "%-44s %9s %8.1f %8.1f %8.1f%n", "all rounds", all.size() + "/" + (SOCKETS * b.rounds.size()),
          BenchSupport.ms(BenchSupport.rank(all, 50)), BenchSupport.ms(BenchSupport.rank(all, 99)),
          all.isEmpty() ? -1.0 : BenchSupport.ms(all.get(all.size() - 1)));
      System.out.printf(Locale.ROOT, "  %d/%d sockets attached in %.1f s (%d at a time)%n", b.opened, SOCKETS, b.openS, OPEN_PARALLEL);
      if (b.opened != SOCKETS) ok = false;
    } else {
      System.out.println("(b) skipped: no container was created");
      ok = false;
    }

    System.out.println();
    System.out.printf("%-28s %12s %8s %6s %10s %8s%n", "(c) gateway", "heap (GC'd)", "threads", "fds", "rss", "engine");
    for (Snap s : SNAPS) {
      System.out.printf("%-28s %12s %8d %6d %10s %8d%n", s.when, BenchSupport.Gateway.mb(s.g.heapKb()),
          s.g.threads(), s.g.fds(), BenchSupport.Gateway.mb(s.g.rssKb()), s.engineContainers);
    }
    System.out.println("(heap: used after jcmd GC.run; engine: containers labelled cms.gateway=" + gatewayId + ")");
    for (int i = 1; i < SNAPS.size(); i++) {
      List<String> changes = BenchSupport.Gateway.groupChanges(SNAPS.get(i - 1).threadGroups, SNAPS.get(i).threadGroups, 6);
      if (!changes.isEmpty()) {
        System.out.println("thread groups, " + SNAPS.get(i - 1).when + " → " + SNAPS.get(i).when + ":");
        changes.forEach(System.out::println);
      }
    }
    if (d.failed > 0) ok = false;
    Snap last = SNAPS.get(SNAPS.size() - 1);
    if (last.engineContainers != 0) {
      System.out.println("LEFT OVER: " + last.engineContainers + " containers still on the engine");
      ok = false;
    }
    List<String> grown = BenchSupport.Gateway.histogramGrowth(histBefore, histAfter, 12);
    if (!grown.isEmpty()) {
      System.out.println("live heap growth by class, before → " + SNAPS.get(SNAPS.size() - 1).when + " (jcmd GC.class_histogram):");
      grown.forEach(System.out::println);
    }
    System.out.println(ok ? "result: no failures" : "result: FAILURES (see above)");
    return ok;
  }
}
