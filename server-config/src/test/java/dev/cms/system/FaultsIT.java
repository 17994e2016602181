package dev.cms.system;

import static dev.cms.system.Gateway.KEY1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Faults against the real engine: the kernel's OOM killer, a full file system during an extraction,
 * the gateway killed with SIGKILL in the middle of an upload, and the Docker engine restarted while
 * containers run. Each leaves the records true and loses nothing that was committed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultsIT {

  static Gateway gw;

  @BeforeAll
  static void gateway() throws Exception {
    gw = Gateway.shared();
  }

  @Test
  @Order(1)
  void aContainerKilledForMemoryIsTerminatedWithReasonOomKilled() throws Exception {
    // given a small container
    var r = gw.post("/api/v1/containers?wait=ready", KEY1, "{\"memoryMb\":96}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    String id = Gateway.JSON.readTree(r.body()).get("id").asText();
    try {
      // when its memory fills up with pages no process owns (tmpfs is charged to the container),
      // the kernel kills the biggest process: the agent, and with it the container
      // (after a second: the agent first answers the start, the kill must not race that answer)
      startProcess(id, "sleep 1; head -c 60M /dev/zero > /dev/shm/fill; sleep 30");
      // then
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(250))
          .untilAsserted(
              () ->
                  assertThat(gw.container(id, KEY1).get("status").asText())
                      .isEqualTo("TERMINATED"));
      JsonNode c = gw.container(id, KEY1);
      assertThat(c.get("reason").asText()).contains("OOMKilled");
      assertThat(c.get("exitCode").asInt()).isEqualTo(137);
      assertThat(c.get("agentConnected").asBoolean()).isFalse();
      assertThat(Engine.byRecord(id).orElseThrow().getState().getOOMKilled()).isTrue();
    } finally {
      gw.delete("/api/v1/containers/" + id, KEY1);
    }
  }

  @Test
  @Order(2)
  void aFileSystemFullDuringAnExtractionIsRefusedNoSpaceAndLeavesTheTargetAsItWas()
      throws Exception {
    JsonNode created = gw.create(KEY1);
    String id = created.get("id").asText();
    try {
      // given a target with a file, on a 64 MiB tmpfs (the engine's /dev/shm) with about 8 MiB free
      assertThat(
              gw.put(
                      "/api/v1/containers/" + id + "/files?path=/dev/shm/site/keep.txt",
                      KEY1,
                      "before".getBytes(StandardCharsets.UTF_8))
                  .statusCode())
          .isEqualTo(200);
      assertThat(runToExit(id, "head -c 56M /dev/zero > /dev/shm/filler")).isZero();
      // a zip that fits when packed (about 3 MiB) and not when unpacked (16 MiB)
      Map<String, byte[]> files = new LinkedHashMap<>();
      Random random = new Random(7);
      for (int i = 0; i < 16; i++) {
        byte[] b = new byte[1 << 20];
        for (int j = 0; j < b.length; j++) {
          b[j] = (byte) (random.nextBoolean() ? 'a' : 'b');
        }
        files.put("part-" + i + ".txt", b);
      }
      files.put("keep.txt", "after".getBytes(StandardCharsets.UTF_8));
      byte[] zip = FilesIT.zip(files, Map.of());
      assertThat(zip.length).isLessThan(5 << 20);

      // when
      HttpResponse<String> r = gw.postArchive(id, KEY1, "/dev/shm/site", zip);

      // then
      assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
      assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
      assertThat(Gateway.JSON.readTree(r.body()).get("rule").asText()).isEqualTo("no-space");
      assertThat(Engine.exec(id, "cat", "/dev/shm/site/keep.txt")).isEqualTo("before");
      assertThat(Engine.exec(id, "ls", "-A", "/dev/shm/site")).isEqualTo("keep.txt\n");
      JsonNode after = gw.container(id, KEY1);
      assertThat(after.get("status").asText()).isEqualTo("RUNNING");
      assertThat(after.get("agentConnected").asBoolean()).isTrue();
    } finally {
      gw.delete("/api/v1/containers/" + id, KEY1);
    }
  }

  @Test
  @Order(3)
  void aGatewayKilledDuringA100MbUploadLeavesTheTargetUnchangedAndTheUploadCanBeRetried()
      throws Exception {
    JsonNode created = gw.create(KEY1);
    String id = created.get("id").asText();
    String target = "/api/v1/containers/" + id + "/files?path=/app/big.bin";
    try {
      assertThat(gw.put(target, KEY1, "before".getBytes(StandardCharsets.UTF_8)).statusCode())
          .isEqualTo(200);
      long size = 100L << 20;
      AtomicLong sent = new AtomicLong();
      CompletableFuture<HttpResponse<String>> upload =
          HttpClient.newHttpClient()
              .sendAsync(
                  HttpRequest.newBuilder(URI.create(gw.base() + target))
                      .header("Authorization", "Bearer " + KEY1)
                      .PUT(
                          HttpRequest.BodyPublishers.ofInputStream(
                              () -> new SlowPattern(size, sent)))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());

      // when the gateway dies with a third of the upload through
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> sent.get() > size / 3);
      gw.kill();
      assertThat(upload)
          .as("the interrupted upload fails for its client")
          .failsWithin(Duration.ofSeconds(30));

      // then the target is untouched and the agent removed its temporary file
      assertThat(Engine.exec(id, "cat", "/app/big.bin")).isEqualTo("before");
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(250))
          .untilAsserted(
              () ->
                  assertThat(Engine.exec(id, "sh", "-c", "ls -A /app | grep -c cms-upload || true"))
                      .isEqualTo("0\n"));

      // and after a restart the same upload goes through
      gw.start();
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(250))
          .until(() -> gw.container(id, KEY1).get("agentConnected").asBoolean());
      HttpResponse<String> retry =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(gw.base() + target))
                      .header("Authorization", "Bearer " + KEY1)
                      .PUT(
                          HttpRequest.BodyPublishers.ofInputStream(
                              () -> new SlowPattern(size, new AtomicLong(), 0)))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(retry.statusCode()).as(retry.body()).isEqualTo(200);
      assertThat(Engine.exec(id, "sha256sum", "/app/big.bin")).startsWith(SlowPattern.sha256(size));
    } finally {
      if (!gw.isAlive()) {
        gw.start(); // the tests after this one share the gateway
      }
      gw.delete("/api/v1/containers/" + id, KEY1);
    }
  }

  @Test
  @Order(4)
  void theDockerEngineRestartedWhileContainersRunLosesNothing() throws Exception {
    assertThat(Engine.docker().infoCmd().exec().getRawValues().get("LiveRestoreEnabled"))
        .as("the engine must run with live-restore (see README) for containers to outlive it")
        .isEqualTo(Boolean.TRUE);
    // given two running containers, one with a terminal printing
    JsonNode first = gw.create(KEY1);
    String a = first.get("id").asText();
    String b = gw.create(KEY1).get("id").asText();
    String url = first.get("websocketUrl").asText();
    String query = "token=" + first.get("token").asText() + "&terminal=keep";
    try {
      TerminalClient before = TerminalClient.connect(url, query);
      before.type("stty -echo; for i in $(seq 1 80); do echo tick-$i; sleep 0.25; done\r");
      before.awaitText(s -> s.contains("tick-2\r\n"), Duration.ofSeconds(20));
      long resumeAt = before.end();
      String part1 = before.text();
      before.abort();
      List<String> engineIdsBefore = engineIds();

      // when the engine restarts
      restartDockerd();

      // then the records, the agents and the terminal are as before, nothing doubled or orphaned
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .untilAsserted(
              () -> {
                assertThat(gw.get("/health/ready", null).statusCode()).isEqualTo(200);
                for (String id : List.of(a, b)) {
                  JsonNode c = gw.container(id, KEY1);
                  assertThat(c.get("status").asText()).isEqualTo("RUNNING");
                  assertThat(c.get("agentConnected").asBoolean()).isTrue();
                }
              });
      assertThat(engineIds()).containsExactlyInAnyOrderElementsOf(engineIdsBefore);
      try (TerminalClient after = TerminalClient.connect(url, query + "&offset=" + resumeAt)) {
        String rest = after.awaitText(s -> s.contains("tick-80\r\n"), Duration.ofSeconds(60));
        String all = part1 + rest;
        for (int i = 1; i <= 80; i++) {
          assertThat(all).as("tick-%d exactly once", i).containsOnlyOnce("tick-" + i + "\r\n");
        }
      }
      // and the gateway still follows the engine's events
      Engine.docker().killContainerCmd(Engine.engineId(b)).exec();
      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(200))
          .untilAsserted(
              () ->
                  assertThat(gw.container(b, KEY1).get("status").asText()).isEqualTo("TERMINATED"));
    } finally {
      gw.delete("/api/v1/containers/" + a, KEY1);
      gw.delete("/api/v1/containers/" + b, KEY1);
    }
  }

  private static List<String> engineIds() {
    List<String> ids = new ArrayList<>();
    for (var c :
        Engine.docker()
            .listContainersCmd()
            .withShowAll(true)
            .withLabelFilter(Map.of("cms.gateway", gw.id()))
            .exec()) {
      ids.add(c.getId());
    }
    return ids;
  }

  /**
   * Stops the running dockerd with SIGTERM and starts it again with the same command line, in its
   * own session, logging to {@code target/it-logs/dockerd-restart.log}.
   */
  static void restartDockerd() throws Exception {
    Process pgrep = new ProcessBuilder("pgrep", "-x", "dockerd").start();
    String pid = new String(pgrep.getInputStream().readAllBytes()).strip();
    assertThat(pid).as("a running dockerd").matches("\\d+");
    List<String> argv = new ArrayList<>();
    for (String part : Files.readString(Path.of("/proc", pid, "cmdline")).split("\0")) {
      if (!part.isEmpty()) {
        argv.add(part);
      }
    }
    new ProcessBuilder("kill", "-TERM", pid).start().waitFor(10, TimeUnit.SECONDS);
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> !Files.exists(Path.of("/proc", pid)));
    Path log = Path.of(System.getProperty("cms.jar", "target/cms.jar")).toAbsolutePath();
    log = log.getParent().resolve("it-logs").resolve("dockerd-restart.log");
    List<String> command = new ArrayList<>(List.of("setsid"));
    command.addAll(argv);
    new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .start();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(250))
        .ignoreExceptions()
        .until(
            () -> {
              Engine.docker().pingCmd().exec();
              return true;
            });
  }

  private static String startProcess(String id, String command) throws Exception {
    var started =
        gw.post(
            "/api/v1/containers/" + id + "/processes",
            KEY1,
            Gateway.JSON.createObjectNode().put("command", command).toString());
    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    return Gateway.JSON.readTree(started.body()).get("id").asText();
  }

  /** Runs a command as a process and waits for its exit code. */
  private static int runToExit(String id, String command) throws Exception {
    String pid = startProcess(id, command);
    int[] code = new int[1];
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              for (JsonNode p :
                  Gateway.JSON.readTree(
                      gw.get("/api/v1/containers/" + id + "/processes", KEY1).body())) {
                if (p.get("id").asText().equals(pid) && "EXITED".equals(p.get("status").asText())) {
                  code[0] = p.get("exitCode").asInt();
                  return true;
                }
              }
              return false;
            });
    return code[0];
  }

  /**
   * {@code size} bytes of a fixed pattern, counted in {@code sent}, at most about 40 MiB/s (unless
   * {@code pauseMillis} is 0) so that a test can act in the middle of the upload.
   */
  static final class SlowPattern extends InputStream {
    private final long size;
    private final AtomicLong sent;
    private final long pauseMillis;
    private long pos;

    SlowPattern(long size, AtomicLong sent) {
      this(size, sent, 25);
    }

    SlowPattern(long size, AtomicLong sent, long pauseMillis) {
      this.size = size;
      this.sent = sent;
      this.pauseMillis = pauseMillis;
    }

    static byte at(long i) {
      return (byte) (i * 31 + (i >> 12));
    }

    static String sha256(long size) throws Exception {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      for (long off = 0; off < size; off += buf.length) {
        int n = (int) Math.min(buf.length, size - off);
        for (int i = 0; i < n; i++) {
          buf[i] = at(off + i);
        }
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (pos >= size) {
        return -1;
      }
      int n = (int) Math.min(Math.min(len, 1 << 20), size - pos);
      for (int i = 0; i < n; i++) {
        b[off + i] = at(pos + i);
      }
      pos += n;
      sent.addAndGet(n);
      if (pauseMillis > 0 && n == 1 << 20) {
        try {
          Thread.sleep(pauseMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted", e);
        }
      }
      return n;
    }
  }
}
