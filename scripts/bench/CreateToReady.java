/*
 * Create-to-ready benchmark (issue 2). NOT a test: it prints numbers.
 *
 * Run through scripts/bench-create-to-ready.sh, which starts the service; directly:
 *
 *   java -cp <BenchSupport classes> scripts/bench/CreateToReady.java <baseUrl> <apiKey> <image>
 *
 * JDK 17 single-file source launch with scripts/bench/BenchSupport.java on the class path (its Api is
 * the REST client, its cli runs commands); the raw-engine scenarios call the `docker` CLI. Knobs (environment): BENCH_SEQ (20), BENCH_CONC (10), BENCH_LABEL (label value put on
 * raw containers as cms.bench=<value>, so a wrapper can clean them up), BENCH_NETWORK (cms-net).
 *
 * Scenarios:
 *  - ours: wall time of POST /api/v1/containers?wait=ready until 201 with agentConnected=true.
 *    Deletion is not timed. The container's history (GET /api/v1/containers/{id}/events) splits
 *    each sample into CREATING→RUNNING (image check + engine create/start) and
 *    RUNNING→AGENT_CONNECTED (agent JVM start + WebSocket dial-back).
 *  - raw node: docker run -d of the same image with a node TCP listener, then poll a TCP connect
 *    to the container's cms-net IP, port 7000, until it answers "ok". Timed from before docker run.
 *  - raw JVM+node: the same, but the container first starts a JVM (java -version, with the agent's
 *    JVM flags) and only then the node listener: a floor for "a JVM came up in the container".
 *  Raw containers get the same isolation and limits the gateway applies (init, user node, 1 GiB,
 *  1 CPU, pids 512, cap-drop ALL, no-new-privileges), so the comparison is like for like.
 *
 * Warm-pool mode (issue 14), BENCH_MODE=pool against a service started with CMS_WARM_POOL_SIZE (the
 * wrapper does this with BENCH_POOL_SIZE > 0; BENCH_POOL_ADMIN is an admin's session token for
 * GET /api/v1/pool):
 *  - pool: the same POST ?wait=ready as "ours", each sample taken with the pool full (the wait for the
 *    refill is not timed, it is reported as the refill time); concurrent: CONC creates at once on a
 *    full pool (a pool of at least CONC serves them all).
 *  - pool, back to back: SEQ creates one after another without waiting for the refill, so once the
 *    pool is empty creates miss and run cold: what a burst larger than the pool sees.
 *  A sample counts as a claim when the container's history says "claimed from the warm pool".
 */

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class CreateToReady {

  static final int SEQ = Integer.parseInt(BenchSupport.env("BENCH_SEQ", "20"));
  static final int CONC = Integer.parseInt(BenchSupport.env("BENCH_CONC", "10"));
  static final String LABEL = BenchSupport.env("BENCH_LABEL", "create-to-ready");
  static final String NETWORK = BenchSupport.env("BENCH_NETWORK", "cms-net");
  static final int PORT = 7000;
  static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

  static final String NODE_SERVER = "require('net').createServer(s=>s.end('ok')).listen(" + PORT + ")";
  // The agent image's own JVM flags (agent/Dockerfile ENTRYPOINT).
  static final String JVM_FLAGS = "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k -XX:MaxRAMPercentage=25";

  static BenchSupport.Api api;
  static String image;

  /**
   * One measured sample: total wall time and a two-part split (or -1). Ours: CREATING→RUNNING and
   * RUNNING→AGENT_CONNECTED from the history; raw: until `docker run -d` returned, and the rest.
   */
  record Sample(long totalMs, long engineMs, long agentMs) {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: java -cp <BenchSupport classes> CreateToReady.java <baseUrl> <apiKey> <image>");
      System.exit(2);
    }
    api = new BenchSupport.Api(args[0], args[1]);
    image = args[2];
    if ("pool".equals(BenchSupport.env("BENCH_MODE", "cold"))) {
      poolMain();
      return;
    }
    System.out.printf(
        "create-to-ready benchmark: %s, image %s, %d sequential + %d concurrent per scenario%n",
        api.baseUrl, image, SEQ, CONC);

    List<Row> rows = new ArrayList<>();
    List<Sample> oursSeq = sequential("ours", CreateToReady::ours);
    List<Sample> oursConc = concurrent("ours", CreateToReady::ours);
    List<Sample> nodeSeq = sequential("raw node", () -> raw(false));
    List<Sample> nodeConc = concurrent("raw node", () -> raw(false));
    List<Sample> jvmSeq = sequential("raw JVM+node", () -> raw(true));
    List<Sample> jvmConc = concurrent("raw JVM+node", () -> raw(true));

    rows.add(Row.of("ours: POST ?wait=ready → agentConnected", "seq", oursSeq, Sample::totalMs));
    rows.add(Row.of("ours: POST ?wait=ready → agentConnected", "conc", oursConc, Sample::totalMs));
    rows.add(Row.of("raw: docker run node listener → 'ok'", "seq", nodeSeq, Sample::totalMs));
    rows.add(Row.of("raw: docker run node listener → 'ok'", "conc", nodeConc, Sample::totalMs));
    rows.add(Row.of("raw: docker run JVM -version, then node → 'ok'", "seq", jvmSeq, Sample::totalMs));
    rows.add(Row.of("raw: docker run JVM -version, then node → 'ok'", "conc", jvmConc, Sample::totalMs));
    rows.add(Row.of("  ours split: CREATING→RUNNING (engine)", "seq", oursSeq, Sample::engineMs));
    rows.add(Row.of("  ours split: RUNNING→AGENT_CONNECTED", "seq", oursSeq, Sample::agentMs));
    rows.add(Row.of("  ours split: CREATING→RUNNING (engine)", "conc", oursConc, Sample::engineMs));
    rows.add(Row.of("  ours split: RUNNING→AGENT_CONNECTED", "conc", oursConc, Sample::agentMs));
    rows.add(Row.of("  raw node split: docker run -d returned", "seq", nodeSeq, Sample::engineMs));
    rows.add(Row.of("  raw node split: then inspect + listener 'ok'", "seq", nodeSeq, Sample::agentMs));
    rows.add(Row.of("  raw JVM split: docker run -d returned", "seq", jvmSeq, Sample::engineMs));
    rows.add(Row.of("  raw JVM split: then inspect + JVM + listener", "seq", jvmSeq, Sample::agentMs));

    System.out.println();
    System.out.printf(
        "%-50s %-5s %3s %7s %7s %7s %7s%n", "scenario", "mode", "n", "p50", "p90", "p99", "max");
    for (Row r : rows) {
      System.out.printf(
          "%-50s %-5s %3d %7d %7d %7d %7d%n", r.name, r.mode, r.n, r.p50, r.p90, r.p99, r.max);
    }
    System.out.println("(milliseconds; percentiles by nearest rank on the sorted samples)");
    System.out.println();
    System.out.printf("%-30s %-5s %9s %9s%n", "ratio ours / raw", "mode", "p50", "p99");
    for (String mode : List.of("seq", "conc")) {
      Row ours = rows.stream().filter(r -> r.mode.equals(mode) && r.name.startsWith("ours:")).findFirst().get();
      for (Row raw : rows) {
        if (raw.mode.equals(mode) && raw.name.startsWith("raw:")) {
          String label = raw.name.contains("JVM") ? "ours / raw JVM+node" : "ours / raw node";
          System.out.printf(
              Locale.ROOT, "%-30s %-5s %8.2fx %8.2fx%n", label, mode,
              (double) ours.p50 / raw.p50, (double) ours.p99 / raw.p99);
        }
      }
    }
  }

  // ---------------------------------------------------------------- warm pool (issue 14)

  static final java.util.concurrent.atomic.AtomicInteger CLAIMED =
      new java.util.concurrent.atomic.AtomicInteger();

  static void poolMain() throws Exception {
    int size = Integer.parseInt(BenchSupport.env("BENCH_POOL_SIZE", "10"));
    String admin = BenchSupport.env("BENCH_POOL_ADMIN", "");
    System.out.printf(
        "warm-pool benchmark: %s, pool size %d, %d sequential + %d concurrent%n",
        api.baseUrl, size, SEQ, CONC);
    long fill0 = System.nanoTime();
    awaitFull(admin, size);
    System.out.printf("  pool filled to %d in %d ms (after the service was ready)%n",
        size, (System.nanoTime() - fill0) / 1_000_000);

    List<Long> refills = new ArrayList<>();
    List<Sample> seq = new ArrayList<>();
    CLAIMED.set(0);
    for (int i = 0; i < SEQ; i++) {
      long w0 = System.nanoTime();
      awaitFull(admin, size);
      if (i > 0) refills.add((System.nanoTime() - w0) / 1_000_000);
      Measured m = ours();
      m.cleanup.run();
      seq.add(m.sample);
      System.out.printf("  %-13s seq  %2d/%d %6d ms%n", "pool", i + 1, SEQ, m.sample.totalMs);
    }
    int seqClaims = CLAIMED.getAndSet(0);

    awaitFull(admin, size);
    List<Sample> conc = concurrent("pool", CreateToReady::ours);
    int concClaims = CLAIMED.getAndSet(0);

    awaitFull(admin, size);
    List<Sample> burst = new ArrayList<>();
    List<Runnable> cleanups = new ArrayList<>();
    for (int i = 0; i < SEQ; i++) {
      Measured m = ours();
      cleanups.add(m.cleanup);
      burst.add(m.sample);
      System.out.printf("  %-13s b2b  %2d/%d %6d ms%n", "pool", i + 1, SEQ, m.sample.totalMs);
    }
    int burstClaims = CLAIMED.getAndSet(0);
    cleanups.forEach(Runnable::run);

    List<Row> rows = new ArrayList<>();
    rows.add(Row.of("pool: POST ?wait=ready → agentConnected", "seq", seq, Sample::totalMs));
    rows.add(Row.of("pool: POST ?wait=ready → agentConnected", "conc", conc, Sample::totalMs));
    rows.add(Row.of("pool: back to back, no wait for refill", "b2b", burst, Sample::totalMs));
    List<Sample> refillSamples = new ArrayList<>();
    for (long r : refills) refillSamples.add(new Sample(r, -1, -1));
    rows.add(Row.of("  refill after one claim (+ delete) to full", "seq", refillSamples, Sample::totalMs));
    System.out.println();
    System.out.printf(
        "%-50s %-5s %3s %7s %7s %7s %7s%n", "scenario", "mode", "n", "p50", "p90", "p99", "max");
    for (Row r : rows) {
      System.out.printf(
          "%-50s %-5s %3d %7d %7d %7d %7d%n", r.name, r.mode, r.n, r.p50, r.p90, r.p99, r.max);
    }
    System.out.println("(milliseconds; percentiles by nearest rank on the sorted samples)");
    System.out.printf(
        "claimed from the pool: seq %d/%d, conc %d/%d, back to back %d/%d%n",
        seqClaims, seq.size(), concClaims, conc.size(), burstClaims, burst.size());
    System.out.println("GET /api/v1/pool at the end: " + poolState(admin));
  }

  static String poolState(String admin) throws Exception {
    // an admin's session token, not the bench key
    HttpRequest get =
        api.request("/api/v1/pool")
            .setHeader("Authorization", "Bearer " + admin)
            .timeout(Duration.ofSeconds(30))
            .build();
    HttpResponse<String> r = api.send(get);
    if (r.statusCode() != 200) {
      throw new IllegalStateException("GET /api/v1/pool answered " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }

  static final Pattern WAITING = Pattern.compile("\"waiting\"\\s*:\\s*(\\d+)");

  /** Waits (at most 5 minutes) until the pool's default template has {@code size} waiting. */
  static void awaitFull(String admin, int size) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (true) {
      Matcher m = WAITING.matcher(poolState(admin));
      if (m.find() && Integer.parseInt(m.group(1)) >= size) return;
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the pool did not fill to " + size + ": " + poolState(admin));
      }
      Thread.sleep(50);
    }
  }

  // ---------------------------------------------------------------- scenarios

  /** A measured create; returns the sample and a cleanup action (not timed). */
  record Measured(Sample sample, Runnable cleanup) {}

  interface Scenario {
    Measured run() throws Exception;
  }

  static List<Sample> sequential(String name, Scenario s) throws Exception {
    List<Sample> out = new ArrayList<>();
    for (int i = 0; i < SEQ; i++) {
      Measured m = s.run();
      m.cleanup.run();
      out.add(m.sample);
      System.out.printf("  %-13s seq  %2d/%d %6d ms%n", name, i + 1, SEQ, m.sample.totalMs);
    }
    return out;
  }

  static List<Sample> concurrent(String name, Scenario s) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(CONC);
    CountDownLatch gate = new CountDownLatch(1);
    List<Future<Measured>> futures = new ArrayList<>();
    for (int i = 0; i < CONC; i++) {
      futures.add(
          pool.submit(
              (Callable<Measured>)
                  () -> {
                    gate.await();
                    return s.run();
                  }));
    }
    gate.countDown();
    List<Measured> done = new ArrayList<>();
    Exception first = null;
    for (Future<Measured> f : futures) {
      try {
        done.add(f.get(5, TimeUnit.MINUTES));
      } catch (Exception e) {
        if (first == null) first = e;
      }
    }
    pool.shutdown();
    for (Measured m : done) m.cleanup.run();
    if (first != null) throw first;
    List<Sample> out = new ArrayList<>();
    for (Measured m : done) out.add(m.sample);
    List<Long> ms = new ArrayList<>();
    for (Sample x : out) ms.add(x.totalMs);
    System.out.printf("  %-13s conc %d × together: %s ms%n", name, CONC, ms);
    return out;
  }

  static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");
  static final Pattern CONNECTED = Pattern.compile("\"agentConnected\"\\s*:\\s*true");

  static Measured ours() throws Exception {
    // timed as a client sees it, including a refusal: the raw request, not Api.create
    HttpRequest post =
        api.request("/api/v1/containers?wait=ready")
            .header("Content-Type", "application/json")
            .timeout(READY_TIMEOUT)
            .POST(HttpRequest.BodyPublishers.ofString("{}"))
            .build();
    long t0 = System.nanoTime();
    HttpResponse<String> r = api.send(post);
    long totalMs = (System.nanoTime() - t0) / 1_000_000;
    Matcher id = ID.matcher(r.body());
    String cid = id.find() ? id.group(1) : null;
    Runnable cleanup = cid == null ? () -> {} : () -> api.deleteQuietly(cid);
    if (r.statusCode() != 201 || !CONNECTED.matcher(r.body()).find()) {
      cleanup.run();
      throw new IllegalStateException("create answered " + r.statusCode() + ": " + r.body());
    }
    long[] split = split(cid);
    return new Measured(new Sample(totalMs, split[0], split[1]), cleanup);
  }

  /** Whether the container came from the warm pool (its history says so); counts it. */
  static void countClaim(String body) {
    if (body.contains("claimed from the warm pool")) CLAIMED.incrementAndGet();
  }

  /** CREATING→RUNNING and RUNNING→AGENT_CONNECTED in ms, from the container's history. */
  static long[] split(String cid) throws Exception {
    String body = api.expect(api.request("/api/v1/containers/" + cid + "/events").timeout(Duration.ofSeconds(30)).build(), 200);
    countClaim(body);
    Instant creating = null, running = null, connected = null;
    // the body is a flat JSON array of flat objects: split per object, read the fields we need
    for (String obj : body.split("\\}")) {
      Instant at = field(obj, "at").map(Instant::parse).orElse(null);
      if (at == null) continue;
      String kind = field(obj, "kind").orElse("");
      String to = field(obj, "to").orElse("");
      if (kind.equals("STATUS") && to.equals("CREATING") && creating == null) creating = at;
      if (kind.equals("STATUS") && to.equals("RUNNING") && running == null) running = at;
      if (kind.equals("AGENT_CONNECTED") && connected == null) connected = at;
    }
    long engine = creating != null && running != null ? Duration.between(creating, running).toMillis() : -1;
    long agent = running != null && connected != null ? Duration.between(running, connected).toMillis() : -1;
    return new long[] {engine, agent};
  }

  static java.util.Optional<String> field(String obj, String name) {
    Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]*)\"").matcher(obj);
    return m.find() ? java.util.Optional.of(m.group(1)) : java.util.Optional.empty();
  }

  static Measured raw(boolean jvmFirst) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(
        "docker", "run", "-d", "--label", "cms.bench=" + LABEL, "--network", NETWORK,
        // the isolation and limits the gateway applies to its own containers
        "--init", "--user", "node", "--memory", "1024m", "--memory-swap", "1024m", "--cpus", "1",
        "--pids-limit", "512", "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
        "-e", "SRV=" + NODE_SERVER));
    if (jvmFirst) {
      cmd.addAll(List.of("--entrypoint", "sh", image, "-c",
          "java " + JVM_FLAGS + " -version >/tmp/v 2>&1; exec node -e \"$SRV\""));
    } else {
      cmd.addAll(List.of("--entrypoint", "node", image, "-e", NODE_SERVER));
    }
    long t0 = System.nanoTime();
    String id = docker(cmd).trim();
    long runMs = (System.nanoTime() - t0) / 1_000_000;
    Runnable cleanup = () -> {
      try {
        docker(List.of("docker", "rm", "-f", id));
      } catch (Exception e) {
        System.err.println("docker rm -f " + id + " failed: " + e);
      }
    };
    try {
      String ip = docker(List.of("docker", "inspect", "-f",
          "{{(index .NetworkSettings.Networks \"" + NETWORK + "\").IPAddress}}", id)).trim();
      long deadline = t0 + READY_TIMEOUT.toNanos();
      while (System.nanoTime() < deadline) {
        if (answersOk(ip)) {
          long total = (System.nanoTime() - t0) / 1_000_000;
          return new Measured(new Sample(total, runMs, total - runMs), cleanup);
        }
        Thread.sleep(5);
      }
      throw new IllegalStateException("raw container " + id + " never answered on " + ip + ":" + PORT);
    } catch (Exception e) {
      cleanup.run();
      throw e;
    }
  }

  static boolean answersOk(String ip) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(ip, PORT), 200);
      s.setSoTimeout(1000);
      InputStream in = s.getInputStream();
      byte[] b = in.readNBytes(2);
      return "ok".equals(new String(b, StandardCharsets.US_ASCII));
    } catch (IOException e) {
      return false;
    }
  }

  static String docker(List<String> cmd) throws IOException, InterruptedException {
    return BenchSupport.cli(Duration.ofMinutes(5), cmd);
  }

  // ---------------------------------------------------------------- statistics

  record Row(String name, String mode, int n, long p50, long p90, long p99, long max) {
    static Row of(String name, String mode, List<Sample> samples, java.util.function.ToLongFunction<Sample> f) {
      List<Long> v = new ArrayList<>();
      for (Sample s : samples) {
        long x = f.applyAsLong(s);
        if (x >= 0) v.add(x);
      }
      Collections.sort(v);
      return new Row(name, mode, v.size(), BenchSupport.rank(v, 50), BenchSupport.rank(v, 90), BenchSupport.rank(v, 99), v.isEmpty() ? -1 : v.get(v.size() - 1));
    }
  }
}

