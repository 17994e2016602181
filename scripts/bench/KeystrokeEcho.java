/*
 * Terminal keystroke echo benchmark (issue 3). NOT a test: it prints numbers.
 *
 * Run through scripts/bench-terminal.sh, which starts the service; directly:
 *
 *   java -cp <BenchSupport classes> scripts/bench/KeystrokeEcho.java <baseUrl> <apiKey>
 *
 * JDK 17 single-file source launch with scripts/bench/BenchSupport.java on the class path (its Api,
 * Echo and Engine are the clients): `java -cp <BenchSupport classes> scripts/bench/KeystrokeEcho.java`.
 * It creates one container
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

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

public class KeystrokeEcho {

  static final int KEYS = BenchSupport.envInt("BENCH_KEYS", 1000);
  static final int WARMUP = BenchSupport.envInt("BENCH_WARMUP", 100);
  static final int LINE = BenchSupport.envInt("BENCH_LINE", 50);
  static final String TERMINAL = "bench";
  static final long QUIET_MS = 10;
  static final Duration ECHO_TIMEOUT = Duration.ofSeconds(5);

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: java -cp <BenchSupport classes> KeystrokeEcho.java <baseUrl> <apiKey>");
      System.exit(2);
    }
    BenchSupport.Api api = new BenchSupport.Api(args[0], args[1]);
    BenchSupport.Engine engine = new BenchSupport.Engine();
    System.out.printf(
        "keystroke echo benchmark: %s, %d timed keystrokes per path (+%d warm-up), \\r every %d%n",
        api.baseUrl, KEYS, WARMUP, LINE);

    BenchSupport.Api.Created c = api.create("{}");
    try {
      String engineId = engine.engineId(c.id());
      System.out.printf("container %s (engine %s)%n", c.id(), engineId.substring(0, 12));

      try (BenchSupport.Echo gateway =
              BenchSupport.Echo.terminal(
                  api.http, c.websocketUrl(), c.token(), TERMINAL,
                  "gateway: WebSocket → gateway → agent → PTY", ECHO_TIMEOUT);
          BenchSupport.Echo exec =
              BenchSupport.Echo.exec(engine, engineId, "docker exec -it: engine API → PTY", ECHO_TIMEOUT)) {
        List<BenchSupport.Echo> paths = List.of(gateway, exec);
        for (BenchSupport.Echo p : paths) p.startCat();
        // warm-up, untimed
        for (BenchSupport.Echo p : paths) run(p, WARMUP, null);
        // timed, interleaved line by line
        List<List<Long>> samples = List.of(new ArrayList<>(), new ArrayList<>());
        for (int done = 0; done < KEYS; done += LINE) {
          for (int i = 0; i < paths.size(); i++) run(paths.get(i), Math.min(LINE, KEYS - done), samples.get(i));
        }
        report(paths, samples);
      }
    } finally {
      api.deleteQuietly(c.id());
    }
  }

  // ---------------------------------------------------------------- keystroke protocol

  static int nextChar = 0;

  /** Types n characters (each timed into samples if not null), a \r after every LINE characters. */
  static void run(BenchSupport.Echo p, int n, List<Long> samples) throws Exception {
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
        p.awaitQuiet(QUIET_MS);
        line.setLength(0);
      }
    }
  }

  static void report(List<BenchSupport.Echo> paths, List<List<Long>> samples) {
    System.out.println();
    System.out.printf("%-42s %5s %9s %9s %9s %9s%n", "path", "n", "p50", "p90", "p99", "max");
    long[][] pct = new long[paths.size()][];
    for (int i = 0; i < paths.size(); i++) {
      List<Long> v = new ArrayList<>(samples.get(i));
      Collections.sort(v);
      pct[i] = new long[] {BenchSupport.rank(v, 50), BenchSupport.rank(v, 90), BenchSupport.rank(v, 99), v.get(v.size() - 1)};
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
}
