package dev.cms.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.Frame;
import dev.cms.domain.protocol.FrameCodec;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gateway treats the agent as untrusted input: a hostile agent that holds a real container's
 * credential (it replaces the real agent's link: the newest link wins) floods the gateway, and the
 * gateway's heap and threads stay bounded, another container's terminal keeps echoing, and the
 * hostile link is dropped with a logged reason.
 */
class HostileAgentIT {

  /** Live heap (after a full GC) the gateway may grow by during the attacks. */
  private static final long HEAP_GROWTH_BOUND_MB = 64;

  /** Threads the gateway may add during the attacks. */
  private static final int THREAD_GROWTH_BOUND = 50;

  private static Gateway gw;
  private static String victim; // container A: its agent is impersonated
  private static String bystander; // container B: its terminal must keep echoing
  private static JsonNode bystanderJson;
  private static final List<String> created = new ArrayList<>();

  /** Links a container may open a minute, on this test's gateway (lower than the default 30). */
  private static final int LINKS_PER_MINUTE = 10;

  /** History rows of link changes a container gets a minute, on this test's gateway. */
  private static final int LINK_ROWS_PER_MINUTE = 5;

  @BeforeAll
  static void twoContainers() throws Exception {
    // its own gateway: the attacks must not disturb other tests, its heap and threads are its own,
    // and its storm bounds are small enough to be met in one test
    gw =
        Gateway.dedicated(
            "hostile",
            Map.of(
                "CMS_AGENT_LINKS_PER_MINUTE", Integer.toString(LINKS_PER_MINUTE),
                "CMS_LINK_EVENTS_PER_MINUTE", Integer.toString(LINK_ROWS_PER_MINUTE),
                "CMS_AGENT_CONNECTS_PER_MINUTE", "100"));
    gw.start();
    victim = gw.create(Gateway.KEY1).get("id").asText();
    created.add(victim);
    JsonNode b = gw.create(Gateway.KEY1);
    bystanderJson = b;
    bystander = b.get("id").asText();
    created.add(bystander);
  }

  @AfterAll
  static void removeThem() throws Exception {
    try {
      freezeAgent(victim, false);
    } catch (RuntimeException | AssertionError gone) {
      // fine
    }
    for (String id : created) {
      gw.delete("/api/v1/containers/" + id, Gateway.KEY1);
    }
    gw.stopAndClean();
  }

  /**
   * Container A's agent credential, as the agent itself holds it. Today that is the {@code
   * CMS_AGENT_SECRET} variable of the container; the one place to change when the credential moves
   * (for example to a root-only file inside the container).
   */
  static String agentCredential(String containerId) throws InterruptedException {
    // the link credential the agent got for its one-time secret, kept root-only in the container:
    // the engine's side (a root exec) can read it, code in the container cannot (ContainmentIT)
    String credential = "";
    for (int i = 0; i < 100 && credential.isEmpty(); i++) {
      credential = Engine.execAsRoot(containerId, "cat", "/run/cms/agent-credential").strip();
      if (credential.isEmpty()) {
        Thread.sleep(100);
      }
    }
    if (credential.isEmpty()) {
      throw new AssertionError("container " + containerId + " has no agent credential");
    }
    return credential;
  }

  /** Stops ({@code SIGSTOP}) or continues the container's agent process, as root in it. */
  static void freezeAgent(String containerId, boolean freeze) throws InterruptedException {
    Engine.execAsRoot(
        containerId,
        "sh",
        "-c",
        "for d in /proc/[0-9]*; do [ \"$(cat $d/comm 2>/dev/null)\" = java ] && kill -"
            + (freeze ? "STOP" : "CONT")
            + " ${d#/proc/}; done; true");
  }

  @Test
  void aHostileAgentCannotExhaustTheGatewayAndIsDroppedWithALoggedReason() throws Exception {
    String secret = agentCredential(victim);
    // the real agent must not win its link back while we attack: freeze it (a signal, not the
    // engine's pause, which would make the container PAUSED and refuse the calls under test)
    freezeAgent(victim, true);
    long pid = gw.pid();
    long heapBefore = liveHeapMb(pid);
    int threadsBefore = threads(pid);
    Monitor monitor = new Monitor(pid);
    Echoer echo = new Echoer(bystanderJson);
    try {
      monitor.start();
      echo.start();

      // 1. an endless line on the ports stream: the gateway resets the stream, it does not keep
      // crediting and buffering
      try (Hostile a = Hostile.connect(gw, victim, secret)) {
        Frame.Open ports = a.awaitOpen("ports", Duration.ofSeconds(20));
        a.send(new Frame.OpenOk(ports.streamId(), 1 << 20));
        a.window(ports.streamId(), ports.window());
        long sent = a.sendEndlessLine(ports.streamId(), 100L << 20, Duration.ofSeconds(60));
        assertThat(a.resetOf(ports.streamId()))
            .as("the ports stream is reset for its endless line")
            .isNotNull();
        assertThat(a.resetOf(ports.streamId()).code()).isEqualTo(ErrorCode.PROTOCOL);
        assertThat(sent).as("bytes taken before the reset").isLessThan(1L << 20);
        assertThat(a.isOpen()).as("a bad stream costs the stream, not the link").isTrue();
      }
      awaitLog("broke the ports stream: a ports line longer than 65536 bytes");

      // 2. unanswered OPENs: the gateway's requests fail in bounded time and the streams are
      // forgotten (RESET to the agent)
      try (Hostile a = Hostile.connect(gw, victim, secret)) {
        a.awaitOpen("ports", Duration.ofSeconds(20)); // left unanswered, like everything below
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
          List<Future<HttpResponse<String>>> answers = new ArrayList<>();
          Instant start = Instant.now();
          for (int i = 0; i < 16; i++) {
            answers.add(
                pool.submit(
                    () ->
                        gw.get(
                            "/api/v1/containers/" + victim + "/files?path=/etc/hostname",
                            Gateway.KEY1)));
          }
          for (Future<HttpResponse<String>> f : answers) {
            HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
            assertThat(r.body()).contains("agent").doesNotContain("Exception");
          }
          assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(40));
        } finally {
          pool.shutdownNow();
        }
        a.awaitFrame(f -> f instanceof Frame.Reset, Duration.ofSeconds(20));
        assertThat(a.isOpen()).isTrue();
      }

      // 3. ten thousand OPENs: refused, and past the bound the link is dropped
      try (Hostile a = Hostile.connect(gw, victim, secret)) {
        int opened = 0;
        for (int id = 2; opened < 10_000 && a.isOpen(); id += 2, opened++) {
          if (!a.trySend(new Frame.Open(id, "tcp", 65_536, Map.of("port", "1")))) {
            break;
          }
        }
        assertThat(a.closed.get(30, TimeUnit.SECONDS)).isNotNull();
        assertThat(a.count(f -> f instanceof Frame.OpenFail)).isLessThanOrEqualTo(100);
        assertThat(a.goAway()).isNotNull();
        assertThat(a.goAway().code()).isEqualTo(ErrorCode.PROTOCOL);
      }
      awaitLog("dropping the agent link of " + victim);
      awaitLog("more than 64 refused OPENs on this link");

      // 4. malformed frames: the link is dropped with its reason logged
      try (Hostile a = Hostile.connect(gw, victim, secret)) {
        a.trySend(ByteBuffer.wrap(new byte[] {1, 99, 0, 0, 0, 7, 1, 2, 3}));
        assertThat(a.closed.get(30, TimeUnit.SECONDS)).isNotNull();
      }
      awaitLog("protocol violation: \"unknown frame type 99\"");

      // 5. a HELLO with a forged log line in its fields is logged once, cut and escaped
      try (Hostile a =
          Hostile.hello(
              gw,
              new Frame.Hello(
                  1,
                  "c-x\nSEVERE: forged line " + "y".repeat(500),
                  "wrong",
                  "v\u001b[31m",
                  List.of()))) {
        assertThat(a.closed.get(30, TimeUnit.SECONDS)).isEqualTo(1008);
      }
      String log = awaitLog("HELLO container=\"c-x\\u000aSEVERE: forged line");
      assertThat(log).doesNotContain("\nSEVERE: forged line").doesNotContain("y".repeat(100));

      // 6. a reconnect storm with the real credential: links beyond the bound a minute are refused
      // (close 1013), and the history gets a bounded number of rows
      Instant stormStart = Instant.now();
      int accepted = 0;
      int refused = 0;
      for (int i = 0; i < 35; i++) {
        try (Hostile a = Hostile.connect(gw, victim, secret)) {
          a.trySend(new Frame.Ping(i));
          CompletableFuture<Object> pong =
              CompletableFuture.supplyAsync(
                  () -> {
                    try {
                      return a.awaitFrame(f -> f instanceof Frame.Pong, Duration.ofSeconds(10));
                    } catch (InterruptedException | AssertionError e) {
                      return null;
                    }
                  });
          Object first = CompletableFuture.anyOf(pong, a.closed).get(15, TimeUnit.SECONDS);
          if (first instanceof Integer code) {
            assertThat(code).as("close code of a refused link").isEqualTo(1013);
            refused++;
          } else {
            accepted++;
          }
        }
      }
      // at most LINKS_PER_MINUTE a minute; the storm may straddle two minutes
      assertThat(accepted).as("links accepted in the storm").isBetween(1, 2 * LINKS_PER_MINUTE);
      assertThat(refused).as("links refused in the storm").isGreaterThanOrEqualTo(10);
      awaitLog("refusing new agent links of " + victim);
      Thread.sleep(1000); // the last link-down is recorded asynchronously
      Instant stormEnd = Instant.now();
      JsonNode events =
          Gateway.JSON.readTree(
              gw.get("/api/v1/containers/" + victim + "/events", Gateway.KEY1).body());
      int linkRows = 0;
      int allLinkRows = 0;
      for (JsonNode e : events) {
        String kind = e.path("kind").asText();
        Instant at = Instant.parse(e.path("at").asText());
        if (kind.startsWith("AGENT_")) {
          allLinkRows++;
          if (!at.isBefore(stormStart.minusSeconds(1)) && !at.isAfter(stormEnd)) {
            linkRows++;
          }
        }
      }
      // at most LINK_ROWS_PER_MINUTE a minute; the storm may straddle two minutes; one summary row
      // (none at all when the links before the storm used up its minute: the summary comes later)
      assertThat(linkRows)
          .as("history rows of a storm of 35 links")
          .isBetween(0, 2 * LINK_ROWS_PER_MINUTE + 1);
      assertThat(allLinkRows).as("link rows recorded at all").isPositive();

      // throughout: bounded heap and threads, the bystander kept echoing
      monitor.stop();
      echo.stop();
      long heapAfter = liveHeapMb(pid);
      System.out.printf(
          "HostileAgentIT: live heap %d MB before, %d MB at most during, %d MB after; threads %d"
              + " before, %d at most during; %d bystander echoes%n",
          heapBefore,
          monitor.maxHeapMb.get(),
          heapAfter,
          threadsBefore,
          monitor.maxThreads.get(),
          echo.echoes.get());
      assertThat(monitor.maxHeapMb.get())
          .as("live heap during the attacks (before: " + heapBefore + " MB)")
          .isLessThan(heapBefore + HEAP_GROWTH_BOUND_MB);
      assertThat(heapAfter).isLessThan(heapBefore + HEAP_GROWTH_BOUND_MB);
      assertThat(monitor.maxThreads.get())
          .as("gateway threads during the attacks (before: " + threadsBefore + ")")
          .isLessThan(threadsBefore + THREAD_GROWTH_BOUND);
      assertThat(echo.failures).as("bystander echo failures").isEmpty();
      assertThat(echo.echoes.get()).as("bystander echoes").isGreaterThan(5);
      assertThat(gw.get("/health/ready", null).statusCode()).isEqualTo(200);
    } finally {
      monitor.stop();
      echo.stop();
      freezeAgent(victim, false);
    }
    // the real agent comes back and wins its link again
    // (once the minute of the storm is over: its links are refused until then)
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
    while (!gw.container(victim, Gateway.KEY1).get("agentConnected").asBoolean()) {
      assertThat(System.nanoTime()).as("the real agent reconnects").isLessThan(deadline);
      Thread.sleep(250);
    }
  }

  // --- measuring the gateway -------------------------------------------------------------------

  private static final Pattern USED = Pattern.compile("used (\\d+)K");

  /** The gateway's live heap in MiB: used heap right after a full GC. */
  static long liveHeapMb(long pid) throws Exception {
    jcmd(pid, "GC.run");
    String info = jcmd(pid, "GC.heap_info");
    Matcher m = USED.matcher(info);
    if (!m.find()) {
      throw new AssertionError("no heap usage in: " + info);
    }
    return Long.parseLong(m.group(1)) / 1024;
  }

  static int threads(long pid) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("Threads:")) {
        return Integer.parseInt(line.substring("Threads:".length()).strip());
      }
    }
    throw new AssertionError("no thread count for " + pid);
  }

  private static String jcmd(long pid, String command) throws Exception {
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid),
                command)
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new AssertionError("jcmd " + command + " failed: " + out);
    }
    return out;
  }

  /** Waits until the gateway's log has the text; returns the log. */
  private static String awaitLog(String text) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      String log = Files.readString(gw.lastLog());
      if (log.contains(text)) {
        return log;
      }
      assertThat(System.nanoTime()).as("log line containing: " + text).isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  /** Samples the gateway's live heap and thread count in the background. */
  private static final class Monitor {
    final AtomicLong maxHeapMb = new AtomicLong();
    final AtomicLong maxThreads = new AtomicLong();
    private final long pid;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    Monitor(long pid) {
      this.pid = pid;
      this.thread = new Thread(this::run, "gateway-monitor");
      thread.setDaemon(true);
    }

    void start() {
      thread.start();
    }

    void stop() throws InterruptedException {
      running.set(false);
      thread.join(120_000);
    }

    private void run() {
      while (running.get()) {
        try {
          maxThreads.accumulateAndGet(threads(pid), Math::max);
          maxHeapMb.accumulateAndGet(liveHeapMb(pid), Math::max);
          Thread.sleep(1500);
        } catch (InterruptedException e) {
          return;
        } catch (Exception e) {
          // the next sample tells
        }
      }
    }
  }

  /** Types into container B's shell every half second and checks each echo comes back soon. */
  private static final class Echoer {
    final List<String> failures = new CopyOnWriteArrayList<>();
    final AtomicLong echoes = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private final JsonNode container;

    Echoer(JsonNode container) {
      this.container = container;
      this.thread = new Thread(this::run, "bystander-echo");
      thread.setDaemon(true);
    }

    void start() {
      thread.start();
    }

    void stop() throws InterruptedException {
      running.set(false);
      thread.join(30_000);
    }

    private void run() {
      try {
        try (TerminalClient t =
            TerminalClient.connect(
                container.get("websocketUrl").asText(),
                "token=" + container.get("token").asText())) {
          for (int i = 0; running.get(); i++) {
            String mark = "tock-" + i + "-";
            t.type("echo " + mark + "$((6*7))\r");
            try {
              t.awaitText(s -> s.contains(mark + "42"), Duration.ofSeconds(5));
              echoes.incrementAndGet();
            } catch (AssertionError e) {
              failures.add("echo " + i + " took over 5 s: " + e.getMessage());
            }
            Thread.sleep(500);
          }
        }
      } catch (Exception e) {
        failures.add("bystander terminal failed: " + e);
      }
    }
  }

  // --- the hostile agent -----------------------------------------------------------------------

  /** A WebSocket client speaking the agent protocol badly on purpose. */
  private static final class Hostile implements WebSocket.Listener, AutoCloseable {
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final LinkedBlockingQueue<Frame> inbox = new LinkedBlockingQueue<>();
    private final List<Frame> seen = new CopyOnWriteArrayList<>();
    private final Map<Integer, AtomicLong> windows = new java.util.concurrent.ConcurrentHashMap<>();
    private final ByteArrayOutputStream parts = new ByteArrayOutputStream();
    private WebSocket ws;
    private Thread pinger;

    static Hostile connect(Gateway gw, String containerId, String secret) throws Exception {
      Hostile h = hello(gw, new Frame.Hello(1, containerId, secret, "hostile", List.of()));
      Frame first = h.inbox.poll(20, TimeUnit.SECONDS);
      assertThat(first).as("the gateway's answer to HELLO").isInstanceOf(Frame.Welcome.class);
      h.startPinging();
      return h;
    }

    static Hostile hello(Gateway gw, Frame.Hello hello) {
      Hostile h = new Hostile();
      h.ws =
          HttpClient.newHttpClient()
              .newWebSocketBuilder()
              .buildAsync(URI.create("ws://localhost:" + gw.agentPort() + "/ws/v1/agent"), h)
              .join();
      h.send(hello);
      return h;
    }

    private void startPinging() {
      pinger =
          new Thread(
              () -> {
                for (long i = 1; !closed.isDone(); i++) {
                  try {
                    Thread.sleep(2000);
                    trySend(new Frame.Ping(1_000_000 + i));
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "hostile-pinger");
      pinger.setDaemon(true);
      pinger.start();
    }

    synchronized void send(Frame f) {
      ws.sendBinary(FrameCodec.encode(f), true).join();
    }

    /** Sends unless the link is gone; returns whether it was sent. */
    boolean trySend(Frame f) {
      return trySend(FrameCodec.encode(f));
    }

    synchronized boolean trySend(ByteBuffer raw) {
      if (closed.isDone()) {
        return false;
      }
      try {
        ws.sendBinary(raw, true).get(30, TimeUnit.SECONDS);
        return true;
      } catch (Exception e) {
        return false;
      }
    }

    boolean isOpen() {
      return !closed.isDone() && !ws.isOutputClosed();
    }

    void window(int stream, int initial) {
      windows.computeIfAbsent(stream, k -> new AtomicLong()).addAndGet(initial);
    }

    /**
     * Sends one line without a newline, {@code max} bytes at most, within the window the gateway
     * grants; stops at a RESET of the stream. Returns the bytes sent.
     */
    long sendEndlessLine(int stream, long max, Duration timeout) throws InterruptedException {
      byte[] chunk = new byte[FrameCodec.MAX_DATA];
      Arrays.fill(chunk, (byte) 'x');
      AtomicLong window = windows.get(stream);
      long sent = 0;
      long deadline = System.nanoTime() + timeout.toNanos();
      while (sent < max && resetOf(stream) == null && isOpen() && System.nanoTime() < deadline) {
        if (window.get() < chunk.length) {
          Thread.sleep(5);
          continue;
        }
        window.addAndGet(-chunk.length);
        if (!trySend(new Frame.Data(stream, chunk))) {
          break;
        }
        sent += chunk.length;
      }
      // the RESET may still be on its way
      awaitFrame(f -> f instanceof Frame.Reset r && r.streamId() == stream, Duration.ofSeconds(10));
      return sent;
    }

    Frame.Open awaitOpen(String kind, Duration timeout) throws InterruptedException {
      return (Frame.Open)
          awaitFrame(f -> f instanceof Frame.Open o && o.kind().equals(kind), timeout);
    }

    Frame awaitFrame(java.util.function.Predicate<Frame> which, Duration timeout)
        throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        for (Frame f : seen) {
          if (which.test(f)) {
            return f;
          }
        }
        Thread.sleep(10);
      }
      throw new AssertionError("no such frame within " + timeout + "; seen: " + summary());
    }

    Frame.Reset resetOf(int stream) {
      for (Frame f : seen) {
        if (f instanceof Frame.Reset r && r.streamId() == stream) {
          return r;
        }
      }
      return null;
    }

    Frame.GoAway goAway() {
      for (Frame f : seen) {
        if (f instanceof Frame.GoAway g) {
          return g;
        }
      }
      return null;
    }

    long count(java.util.function.Predicate<Frame> which) {
      return seen.stream().filter(which).count();
    }

    private String summary() {
      StringBuilder b = new StringBuilder();
      int n = 0;
      for (Frame f : seen) {
        if (n++ > 20) {
          b.append("…");
          break;
        }
        b.append(f.type()).append(' ');
      }
      return b.toString();
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
      byte[] b = new byte[data.remaining()];
      data.get(b);
      parts.writeBytes(b);
      if (last) {
        Frame f = FrameCodec.decode(parts.toByteArray());
        parts.reset();
        if (f instanceof Frame.Window win) {
          window(win.streamId(), win.increment());
        }
        seen.add(f);
        inbox.add(f);
      }
      w.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket w, int statusCode, String reason) {
      closed.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket w, Throwable error) {
      closed.complete(-1);
    }

    @Override
    public void close() {
      if (pinger != null) {
        pinger.interrupt();
      }
      if (!closed.isDone()) {
        try {
          ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
          closed.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
          ws.abort();
        }
      }
    }
  }
}
