/*
 * Files and archives benchmark (issue 4). NOT a test: it prints numbers.
 *
 * Run through scripts/bench-files.sh, which starts the service; directly:
 *
 *   java -cp <BenchSupport classes> scripts/bench/FilesBench.java <baseUrl> <apiKey> [workDir]
 *
 * JDK 17 single-file source launch with scripts/bench/BenchSupport.java on the class path (its Api,
 * Echo and Engine are the clients): `java -cp <BenchSupport classes> scripts/bench/FilesBench.java …`;
 * needs the docker CLI and access to the Docker socket. It creates one container (POST /api/v1/containers?wait=ready), measures, and
 * deletes it again. Generated files go to workDir (a fresh temp dir when not given) and are deleted at
 * the end. Knobs (environment): BENCH_FILES (10000), BENCH_REPEATS (3), BENCH_BIG_MB (100), BENCH_KEYS
 * (300 timed keystrokes per phase), BENCH_WARMUP (50), BENCH_LINE (50), BENCH_DOCKER_SOCKET
 * (/var/run/docker.sock).
 *
 * Part 1, archive extraction vs docker cp: a node_modules-like tree (nested package directories, some
 * nested node_modules, files of 1–12 KiB of random-but-compressible JS-ish text, ~65 MB) is written to
 * the host and zipped. Alternating, BENCH_REPEATS times each:
 *  - ours: POST /api/v1/containers/{id}/archive?dest=/app/bench-ours-N with the zip as the raw body
 *    (JDK HttpClient, HTTP/1.1, BodyPublishers.ofFile); timed from the first body byte handed to the
 *    client until the 200 answer is complete (the time from send() is printed too);
 *  - docker cp: `docker cp <tree> <engine id>:/app/bench-cp-N`, wall time of the CLI process.
 * Each result is checked afterwards (not timed): number of files, sum of their sizes, owner. A host
 * `sync` runs (not timed) before every timed run so one run's dirty pages are not flushed in the next.
 * An untimed warm-up of each (a 250-file tree) comes first.
 *
 * Part 2, keystroke echo under a bulk upload: the KeystrokeEcho gateway path (client WebSocket terminal
 * `bench` running `cat`, tty echo; one printable character, wait for its echo; \r every BENCH_LINE
 * characters, not timed) in the same container, first without any upload (baseline), then while
 * `PUT /api/v1/containers/{id}/files?path=/app/big.bin` uploads BENCH_BIG_MB of random bytes, repeated
 * back to back until the keystrokes are done. A keystroke counts as "covered" when one and the same
 * upload was sending at its start and at the echo.
 */

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

public class FilesBench {

  static final int FILES = Integer.parseInt(BenchSupport.env("BENCH_FILES", "10000"));
  static final int REPEATS = Integer.parseInt(BenchSupport.env("BENCH_REPEATS", "3"));
  static final int BIG_MB = Integer.parseInt(BenchSupport.env("BENCH_BIG_MB", "100"));
  static final int KEYS = Integer.parseInt(BenchSupport.env("BENCH_KEYS", "300"));
  static final int WARMUP = Integer.parseInt(BenchSupport.env("BENCH_WARMUP", "50"));
  static final int LINE = Integer.parseInt(BenchSupport.env("BENCH_LINE", "50"));
  static final String TERMINAL = "bench";
  static final long QUIET_MS = 10;
  static final Duration ECHO_TIMEOUT = Duration.ofSeconds(30);

  static BenchSupport.Api api;
  static final BenchSupport.Engine ENGINE = new BenchSupport.Engine();

  public static void main(String[] args) throws Exception {
    if (args.length < 2 || args.length > 3) {
      System.err.println("usage: java -cp <BenchSupport classes> FilesBench.java <baseUrl> <apiKey> [workDir]");
      System.exit(2);
    }
    api = new BenchSupport.Api(args[0], args[1]);
    Path work = args.length == 3
        ? Files.createDirectories(Path.of(args[2]))
        : Files.createTempDirectory("files-bench");
    Path gen = Files.createTempDirectory(work, "gen");
    System.out.printf(
        "files benchmark: %s, %d files x %d repeats, %d MB uploads, %d timed keystrokes per phase (+%d warm-up)%n",
        api.baseUrl, FILES, REPEATS, BIG_MB, KEYS, WARMUP);
    try {
      Tree warm = Tree.generate(gen.resolve("warm"), gen.resolve("warm.zip"), 250, 7);
      long t0 = System.nanoTime();
      Tree tree = Tree.generate(gen.resolve("tree"), gen.resolve("tree.zip"), FILES, 42);
      System.out.printf(
          Locale.ROOT, "tree: %d files, %d directories, %.1f MB of files; zip %.1f MB (made in %.1f s)%n",
          tree.files, tree.dirs, tree.bytes / 1e6, Files.size(tree.zip) / 1e6, (System.nanoTime() - t0) / 1e9);
      Path big = gen.resolve("big.bin");
      writeRandom(big, (long) BIG_MB * 1024 * 1024);

      BenchSupport.Api.Created c = api.create("{}");
      String id = c.id();
      try {
        String engineId = ENGINE.engineId(id);
        System.out.printf("container %s (engine %s)%n", id, engineId.substring(0, 12));
        archiveVsCp(id, engineId, warm, tree);
        echoUnderUpload(id, c.websocketUrl(), c.token(), big);
      } finally {
        api.deleteQuietly(id);
      }
    } finally {
      deleteTree(gen);
      if (args.length < 3) deleteTree(work);
    }
  }

  // ---------------------------------------------------------------- part 1: archive vs docker cp

  static void archiveVsCp(String id, String engineId, Tree warm, Tree tree) throws Exception {
    System.out.println();
    System.out.println("== part 1: unpack the tree into the container: POST …/archive vs docker cp ==");
    System.out.println("load average: " + BenchSupport.loadavg());
    // untimed warm-up of both paths (JIT, connection, CLI page cache)
    extract(id, warm.zip, "/app/bench-warm-ours");
    dockerCp(warm.dir, engineId, "/app/bench-warm-cp");
    check(engineId, "/app/bench-warm-ours", warm);
    check(engineId, "/app/bench-warm-cp", warm);

    List<Long> ours = new ArrayList<>();
    List<Long> cp = new ArrayList<>();
    for (int n = 1; n <= REPEATS; n++) {
      sync();
      long[] o = extract(id, tree.zip, "/app/bench-ours-" + n);
      ours.add(o[0]);
      String oc = check(engineId, "/app/bench-ours-" + n, tree);
      System.out.printf(
          Locale.ROOT, "run %d  ours      %8.3f s (from send(): %.3f s)  %s%n", n, o[0] / 1e9, o[1] / 1e9, oc);
      sync();
      long c = dockerCp(tree.dir, engineId, "/app/bench-cp-" + n);
      cp.add(c);
      String cc = check(engineId, "/app/bench-cp-" + n, tree);
      System.out.printf(Locale.ROOT, "run %d  docker cp %8.3f s                         %s%n", n, c / 1e9, cc);
    }
    long mo = BenchSupport.median(ours);
    long mc = BenchSupport.median(cp);
    System.out.printf(
        Locale.ROOT, "median: ours %.3f s, docker cp %.3f s; ratio ours / docker cp %.2fx%n", mo / 1e9, mc / 1e9,
        (double) mo / mc);
    System.out.printf(
        Locale.ROOT, "throughput at the median: ours %.0f files/s (%.1f MB/s unpacked), docker cp %.0f files/s%n",
        tree.files / (mo / 1e9), tree.bytes / 1e6 / (mo / 1e9), tree.files / (mc / 1e9));
    System.out.println("target (issue 4): ours no slower than docker cp: " + (mo <= mc ? "met" : "NOT met"));
    System.out.println("load average: " + BenchSupport.loadavg());
  }

  /** POST the zip; returns {nanos from first body byte to complete 200, nanos from send()}. */
  static long[] extract(String id, Path zip, String dest) throws Exception {
    Counted pub = new Counted(HttpRequest.BodyPublishers.ofFile(zip));
    HttpRequest post =
        api.request("/api/v1/containers/" + id + "/archive?dest=" + URLEncoder.encode(dest, StandardCharsets.UTF_8))
            .header("Content-Type", "application/zip")
            .timeout(Duration.ofMinutes(10))
            .POST(pub)
            .build();
    long t0 = System.nanoTime();
    HttpResponse<String> r = api.send(post);
    long t1 = System.nanoTime();
    if (r.statusCode() != 200) throw new IllegalStateException("archive " + dest + " answered " + r.statusCode() + ": " + r.body());
    return new long[] {t1 - pub.firstByteAt, t1 - t0};
  }

  /** docker cp <dir> <engineId>:<dest>; returns the CLI's wall time in nanos. */
  static long dockerCp(Path dir, String engineId, String dest) throws Exception {
    long t0 = System.nanoTime();
    String out = BenchSupport.cli("docker", "cp", dir.toString(), engineId + ":" + dest);
    long t1 = System.nanoTime();
    if (!out.isBlank()) System.err.println("docker cp says: " + out.strip());
    return t1 - t0;
  }

  /** Counts files and bytes under dir in the container and names the owner; fails on a mismatch. */
  static String check(String engineId, String dir, Tree expected) throws Exception {
    String out = BenchSupport.cli("docker", "exec", "-u", "node", engineId, "sh", "-c",
        "find '" + dir + "' -type f -printf '%s\\n' | awk '{s+=$1} END {print NR, s+0}';"
            + " stat -c '%U:%G' '" + dir + "' \"$(find '" + dir + "' -type f | head -n 1)\"").strip();
    String[] lines = out.split("\n");
    String[] counts = lines[0].trim().split("\\s+");
    long files = Long.parseLong(counts[0]);
    long bytes = Long.parseLong(counts[1]);
    if (files != expected.files || bytes != expected.bytes) {
      throw new IllegalStateException(dir + ": " + files + " files, " + bytes + " bytes; expected "
          + expected.files + ", " + expected.bytes);
    }
    return "ok " + files + " files, owner " + lines[1].trim() + " (dir) / " + (lines.length > 2 ? lines[2].trim() : "?") + " (file)";
  }

  // ---------------------------------------------------------------- part 2: echo under upload

  static void echoUnderUpload(String id, String wsUrl, String token, Path big) throws Exception {
    System.out.println();
    System.out.printf("== part 2: keystroke echo (gateway terminal) with and without a %d MB upload in flight ==%n", BIG_MB);
    System.out.println("load average: " + BenchSupport.loadavg());
    List<long[]> baseline = new ArrayList<>();
    List<long[]> loaded = new ArrayList<>();
    List<String> uploads = Collections.synchronizedList(new ArrayList<>());
    try (BenchSupport.Echo p = BenchSupport.Echo.terminal(api.http, wsUrl, token, TERMINAL, "gateway", ECHO_TIMEOUT)) {
      p.startCat();
      run(p, WARMUP, null, null);
      run(p, KEYS, baseline, null);
      System.out.println("baseline done; load average: " + BenchSupport.loadavg());

      Uploader up = new Uploader(id, big, uploads);
      Thread t = new Thread(up, "uploader");
      t.setDaemon(true);
      t.start();
      // start typing once the first upload is really sending
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (up.sentOfCurrent() < 4L * 1024 * 1024) {
        if (up.failure != null) throw new IllegalStateException("upload failed: " + up.failure);
        if (System.nanoTime() > deadline) throw new IllegalStateException("the upload did not start sending");
        Thread.sleep(5);
      }
      try {
        run(p, KEYS, loaded, up);
      } finally {
        up.stop.set(true);
        t.join(TimeUnit.MINUTES.toMillis(5));
      }
      if (up.failure != null) throw new IllegalStateException("upload failed: " + up.failure);
      System.out.println("with upload done; load average: " + BenchSupport.loadavg());
    }
    System.out.println();
    System.out.println("uploads (PUT …/files?path=/app/big.bin, back to back; the last one finished after the keystrokes):");
    for (String u : uploads) System.out.println("  " + u);
    long covered = loaded.stream().filter(s -> s[1] == 1).count();
    System.out.println();
    System.out.printf("%-44s %5s %9s %9s %9s %9s%n", "keystroke echo (gateway)", "n", "p50", "p90", "p99", "max");
    long[] b = line("baseline, no upload", baseline);
    long[] l = line("during " + BIG_MB + " MB uploads (all)", loaded);
    List<long[]> cov = new ArrayList<>();
    for (long[] s : loaded) if (s[1] == 1) cov.add(s);
    if (!cov.isEmpty() && cov.size() != loaded.size()) line("during uploads (covered only)", cov);
    System.out.println("(milliseconds; percentiles by nearest rank; covered: " + covered + " of " + loaded.size()
        + " keystrokes had one upload sending from start to echo)");
    System.out.printf(
        Locale.ROOT, "ratio with upload / baseline: p50 %.2fx, p99 %.2fx%n", (double) l[0] / b[0], (double) l[2] / b[2]);
    System.out.println("target (issue 4): p99 under 50 ms during the upload: " + (l[2] < 50_000_000 ? "met" : "NOT met"));
  }

  static long[] line(String name, List<long[]> samples) {
    List<Long> v = new ArrayList<>();
    for (long[] s : samples) v.add(s[0]);
    Collections.sort(v);
    long[] pct = {BenchSupport.rank(v, 50), BenchSupport.rank(v, 90), BenchSupport.rank(v, 99), v.get(v.size() - 1)};
    System.out.printf(
        Locale.ROOT, "%-44s %5d %9.3f %9.3f %9.3f %9.3f%n", name, v.size(), pct[0] / 1e6, pct[1] / 1e6,
        pct[2] / 1e6, pct[3] / 1e6);
    return pct;
  }

  /** Uploads the big file again and again until stop; records each upload's time and rate. */
  static final class Uploader implements Runnable {
    final String id;
    final Path big;
    final List<String> log;
    final AtomicBoolean stop = new AtomicBoolean();
    volatile Counted current;
    final AtomicInteger seq = new AtomicInteger(); // +1 when an upload starts sending, +1 when it ends
    volatile String failure;

    Uploader(String id, Path big, List<String> log) {
      this.id = id;
      this.big = big;
      this.log = log;
    }

    long sentOfCurrent() {
      Counted c = current;
      return c == null ? 0 : c.sent.get();
    }

    /** An odd seq means an upload is sending; the same odd seq at start and end means one covered both. */
    int state() {
      return seq.get();
    }

    @Override
    public void run() {
      int n = 0;
      try {
        while (!stop.get()) {
          n++;
          Counted pub = new Counted(HttpRequest.BodyPublishers.ofFile(big));
          pub.onFirst = seq::incrementAndGet;
          current = pub;
          HttpRequest put =
              api.request("/api/v1/containers/" + id + "/files?path=/app/big.bin&mode=644")
                  .header("Content-Type", "application/octet-stream")
                  .timeout(Duration.ofMinutes(10))
                  .PUT(pub)
                  .build();
          long t0 = System.nanoTime();
          HttpResponse<String> r;
          try {
            r = api.send(put);
          } finally {
            if (pub.firstByteAt != 0) seq.incrementAndGet();
          }
          long t1 = System.nanoTime();
          if (r.statusCode() != 200 || !r.body().matches("(?s).*\"bytes\"\\s*:\\s*" + Files.size(big) + "\\b.*")) {
            throw new IllegalStateException("upload answered " + r.statusCode() + ": " + r.body());
          }
          double s = (t1 - pub.firstByteAt) / 1e9;
          log.add(String.format(
              Locale.ROOT, "upload %d: %.2f s from first byte (%.2f s from send()), %.1f MB/s", n, s, (t1 - t0) / 1e9,
              Files.size(big) / 1e6 / s));
        }
      } catch (Exception e) {
        failure = e.toString();
      }
    }
  }

  // ---------------------------------------------------------------- keystroke protocol (as KeystrokeEcho)

  static int nextChar = 0;

  /**
   * Types n characters, a \r after every LINE. Each timed sample is {nanos, covered (1/0)}; covered
   * means the uploader (if any) was in the middle of one and the same upload at send and at echo.
   */
  static void run(BenchSupport.Echo p, int n, List<long[]> samples, Uploader up) throws Exception {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < n; i++) {
      char c = (char) ('a' + nextChar++ % 26);
      int s0 = up == null ? 0 : up.state();
      long t0 = System.nanoTime();
      p.send(String.valueOf(c));
      long arrived = p.awaitByte((byte) c);
      int s1 = up == null ? 0 : up.state();
      if (samples != null) samples.add(new long[] {arrived - t0, (s0 == s1 && s0 % 2 == 1) ? 1 : 0});
      line.append(c);
      if (line.length() == LINE || i == n - 1) {
        p.send("\r");
        p.awaitText(line.toString());
        p.awaitQuiet(QUIET_MS);
        line.setLength(0);
      }
    }
  }

  // ---------------------------------------------------------------- request bodies

  /** Wraps a body publisher: notes when the first buffer went to the client and counts bytes. */
  static final class Counted implements HttpRequest.BodyPublisher {
    final HttpRequest.BodyPublisher inner;
    final AtomicLong sent = new AtomicLong();
    volatile long firstByteAt;
    volatile Runnable onFirst;

    Counted(HttpRequest.BodyPublisher inner) {
      this.inner = inner;
    }

    @Override
    public long contentLength() {
      return inner.contentLength();
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> s) {
      inner.subscribe(new Flow.Subscriber<ByteBuffer>() {
        @Override
        public void onSubscribe(Flow.Subscription sub) {
          s.onSubscribe(sub);
        }

        @Override
        public void onNext(ByteBuffer b) {
          if (firstByteAt == 0) {
            firstByteAt = System.nanoTime();
            Runnable r = onFirst;
            if (r != null) r.run();
          }
          sent.addAndGet(b.remaining());
          s.onNext(b);
        }

        @Override
        public void onError(Throwable t) {
          s.onError(t);
        }

        @Override
        public void onComplete() {
          s.onComplete();
        }
      });
    }
  }

  // ---------------------------------------------------------------- generated data

  /** A node_modules-like tree on the host and the same tree as a zip. */
  static final class Tree {
    Path dir;
    Path zip;
    long files;
    long dirs;
    long bytes;

    static final String[] WORDS = (
        "const let var function return if else for while new this async await import export default require module"
            + " exports value options config result error callback promise resolve reject props state render"
            + " element node parent child index length push map filter reduce keys object array string number"
            + " buffer stream event emit listener handler context request response headers body parse format"
            + " token cache key path file name type size data input output start end next prev first last")
        .split(" ");
    static final String[] SUBDIRS = {
      "", "", "lib", "lib", "lib/internal", "lib/utils", "dist", "dist/esm", "dist/cjs", "src", "src/core",
      "test", "types"
    };

    static Tree generate(Path dir, Path zip, int nFiles, long seed) throws IOException {
      Tree t = new Tree();
      t.dir = Files.createDirectories(dir);
      t.zip = zip;
      Random rnd = new Random(seed);
      Set<String> made = new HashSet<>();
      int perPkg = 25;
      try (ZipOutputStream z = new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(zip), 1 << 16))) {
        int pkg = 0;
        String parent = null;
        for (int i = 0; i < nFiles; pkg++) {
          String name = (pkg % 7 == 3 ? "@scope-" + (pkg % 5) + "/" : "") + word(rnd) + "-" + word(rnd) + "-" + pkg;
          // every 10th package sits in the previous package's own node_modules
          String root = pkg % 10 == 9 && parent != null ? parent + "/node_modules/" + name : name;
          if (pkg % 10 != 9) parent = root;
          for (int k = 0; k < perPkg && i < nFiles; k++, i++) {
            String sub = k == 0 ? "" : SUBDIRS[rnd.nextInt(SUBDIRS.length)];
            String file = k == 0 ? "package.json" : k == 1 ? "README.md" : word(rnd) + "-" + k + (k % 5 == 0 ? ".d.ts" : ".js");
            String rel = root + (sub.isEmpty() ? "" : "/" + sub) + "/" + file;
            // directory entries, parents first
            String[] parts = rel.split("/");
            StringBuilder d = new StringBuilder();
            for (int j = 0; j < parts.length - 1; j++) {
              d.append(parts[j]).append('/');
              if (made.add(d.toString())) {
                z.putNextEntry(new ZipEntry(d.toString()));
                z.closeEntry();
                Files.createDirectories(t.dir.resolve(d.toString()));
                t.dirs++;
              }
            }
            byte[] content = content(rnd, 1024 + rnd.nextInt(12 * 1024 - 1024 + 1));
            z.putNextEntry(new ZipEntry(rel));
            z.write(content);
            z.closeEntry();
            Files.write(t.dir.resolve(rel), content);
            t.files++;
            t.bytes += content.length;
          }
        }
      }
      return t;
    }

    static String word(Random rnd) {
      return WORDS[rnd.nextInt(WORDS.length)];
    }

    /** JS-ish text: repetitive keywords and identifiers with random suffixes, compressible ~3–5x. */
    static byte[] content(Random rnd, int size) {
      StringBuilder b = new StringBuilder(size + 200);
      b.append("'use strict';\n");
      while (b.length() < size) {
        switch (rnd.nextInt(5)) {
          case 0 -> b.append("function ").append(word(rnd)).append('_').append(Integer.toHexString(rnd.nextInt(4096)))
              .append('(').append(word(rnd)).append(", ").append(word(rnd)).append(") {\n");
          case 1 -> b.append("  const ").append(word(rnd)).append(rnd.nextInt(100)).append(" = ").append(word(rnd))
              .append('.').append(word(rnd)).append('(').append(rnd.nextInt(10000)).append(");\n");
          case 2 -> b.append("  if (").append(word(rnd)).append(" === ").append(word(rnd)).append(") return ")
              .append(word(rnd)).append(";\n");
          case 3 -> b.append("}\nmodule.exports.").append(word(rnd)).append(" = ").append(word(rnd)).append(";\n");
          default -> b.append("  // ").append(word(rnd)).append(' ').append(word(rnd)).append(' ')
              .append(Long.toString(rnd.nextLong() & 0xffffffffL, 36)).append('\n');
        }
      }
      byte[] all = b.toString().getBytes(StandardCharsets.US_ASCII);
      return java.util.Arrays.copyOf(all, size);
    }
  }

  static void writeRandom(Path file, long size) throws IOException {
    Random rnd = new Random(1);
    byte[] buf = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long left = size; left > 0; left -= buf.length) {
        rnd.nextBytes(buf);
        out.write(buf, 0, (int) Math.min(buf.length, left));
      }
    }
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) return;
    try (Stream<Path> s = Files.walk(root)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.delete(p);
        } catch (IOException e) {
          System.err.println("could not delete " + p + ": " + e);
        }
      });
    } catch (IOException e) {
      System.err.println("could not delete " + root + ": " + e);
    }
  }

  /** A host sync (not timed), so one run's dirty pages are not flushed during the next. */
  static void sync() throws Exception {
    BenchSupport.cli("sync");
  }
}
