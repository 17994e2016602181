package dev.cms.system;

import static dev.cms.system.Gateway.KEY1;
import static dev.cms.system.Gateway.KEY2;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The warm pool (issue 14) on a gateway of its own with {@code CMS_WARM_POOL_SIZE=2}: it fills with
 * started containers whose agents are connected; a create claims one (fast), with its environment
 * in shells and exec and its memory limit on the engine; the pool refills; concurrent creates get
 * distinct containers; waiting containers are in nobody's list or quota; a stopped gateway leaves
 * none of them behind.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WarmPoolIT {

  static final int SIZE = 2;
  static Gateway gw;
  static String admin;
  static final Set<String> claimed = new HashSet<>();

  @BeforeAll
  static void start() throws Exception {
    gw =
        Gateway.dedicated(
            "pool",
            Map.of(
                "CMS_WARM_POOL_SIZE", Integer.toString(SIZE), "CMS_MAX_CONTAINERS_PER_KEY", "3"));
    gw.start();
    admin = gw.adminToken();
  }

  @AfterAll
  static void stop() {
    if (gw != null) {
      gw.stopAndClean();
    }
  }

  /** The records of the containers the engine runs for this gateway's pool, not yet claimed. */
  static Set<String> waitingOnEngine() {
    Set<String> ids = new HashSet<>();
    for (var c :
        Engine.docker()
            .listContainersCmd()
            .withLabelFilter(Map.of("cms.gateway", gw.id(), "cms.pool", "default"))
            .exec()) {
      String record = c.getLabels().get("cms.record");
      if ("running".equals(c.getState()) && !claimed.contains(record)) {
        ids.add(record);
      }
    }
    return ids;
  }

  static JsonNode pool() throws Exception {
    HttpResponse<String> r = gw.get("/api/v1/pool", admin);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Gateway.JSON.readTree(r.body());
  }

  static int waiting() throws Exception {
    return pool().get("templates").get(0).get("waiting").asInt();
  }

  static void await(String what, Duration timeout, BooleanSupplier condition) throws Exception {
    Instant deadline = Instant.now().plus(timeout);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("not within " + timeout + ": " + what + "; pool " + pool());
      }
      Thread.sleep(250);
    }
  }

  static BooleanSupplier poolIsFull() {
    return () -> {
      try {
        return waiting() == SIZE && waitingOnEngine().size() == SIZE;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };
  }

  @Test
  @Order(1)
  void thePoolFillsWithStartedContainersWhoseAgentsAreConnected() throws Exception {
    await("the pool holds " + SIZE, Duration.ofSeconds(120), poolIsFull());
    JsonNode p = pool();
    assertThat(p.get("size").asInt()).isEqualTo(SIZE);
    assertThat(p.get("templates").get(0).get("template").asText()).isEqualTo("default");
    // its members run on the engine, labelled for the pool, owned by nobody
    for (String id : waitingOnEngine()) {
      var c = Engine.byRecord(id).orElseThrow();
      assertThat(c.getConfig().getLabels()).containsEntry("cms.owner", "cms:pool");
      assertThat(c.getState().getRunning()).isTrue();
    }
    // only an admin sees the pool
    HttpResponse<String> r = gw.get("/api/v1/pool", KEY1);
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).contains("admin-only");
  }

  @Test
  @Order(2)
  void waitingContainersAreInNobodysListAndNotFoundById() throws Exception {
    Set<String> waiting = waitingOnEngine();
    assertThat(waiting).hasSize(SIZE);
    for (String key : List.of(KEY1, KEY2, admin)) {
      String list = gw.get("/api/v1/containers", key).body();
      for (String id : waiting) {
        assertThat(list).as("list of " + key).doesNotContain(id);
        assertThat(gw.get("/api/v1/containers/" + id, key).statusCode()).isEqualTo(404);
        assertThat(gw.delete("/api/v1/containers/" + id, key).statusCode()).isEqualTo(404);
      }
    }
  }

  @Test
  @Order(3)
  void aCreateClaimsAPooledContainerFastWithItsEnvLabelsAndMemoryLimit() throws Exception {
    Set<String> waiting = waitingOnEngine();
    long claimsBefore = pool().get("claims").asLong();
    Instant t0 = Instant.now();
    HttpResponse<String> r =
        gw.post(
            "/api/v1/containers?wait=ready",
            KEY1,
            "{\"memoryMb\":320,\"cpus\":0.5,\"env\":{\"FOO\":\"bar\",\"GREETING\":\"hello world\"},"
                + "\"labels\":{\"team\":\"blue\"}}");
    Duration took = Duration.between(t0, Instant.now());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    JsonNode c = Gateway.JSON.readTree(r.body());
    String id = c.get("id").asText();
    claimed.add(id);

    // the create took a waiting container, and it answered ready at once
    assertThat(waiting).contains(id);
    assertThat(took).isLessThan(Duration.ofSeconds(3));
    assertThat(c.get("agentConnected").asBoolean()).isTrue();
    assertThat(c.get("status").asText()).isEqualTo("RUNNING");
    assertThat(c.get("labels").get("team").asText()).isEqualTo("blue");
    assertThat(c.get("limits").get("memoryMb").asInt()).isEqualTo(320);
    assertThat(pool().get("claims").asLong()).isEqualTo(claimsBefore + 1);
    String history = gw.get("/api/v1/containers/" + id + "/events", KEY1).body();
    assertThat(history)
        .contains("created for the warm pool")
        .contains("claimed from the warm pool");
    assertThat(gw.get("/api/v1/containers", KEY1).body()).contains(id);

    // the limits went through the engine's update
    var host = Engine.byRecord(id).orElseThrow().getHostConfig();
    assertThat(host.getMemory()).isEqualTo(320L * 1024 * 1024);
    assertThat(host.getNanoCPUs()).isEqualTo(500_000_000L);

    // the environment reaches exec and the shell, the agent's own variables do not
    HttpResponse<String> exec =
        gw.post(
            "/api/v1/containers/" + id + "/exec",
            KEY1,
            "{\"command\":\"echo \\\"[$FOO|$GREETING|$(env | grep -c ^CMS_)]\\\"\"}");
    assertThat(exec.statusCode()).as(exec.body()).isEqualTo(200);
    assertThat(Gateway.JSON.readTree(exec.body()).get("stdout").asText())
        .isEqualTo("[bar|hello world|0]\n");
    try (TerminalClient t =
        TerminalClient.connect(
            c.get("websocketUrl").asText(), "token=" + c.get("token").asText())) {
      t.type("echo \"SHELL:$FOO:$GREETING:END\"\r");
      assertThat(t.awaitText(s -> s.contains("SHELL:bar:hello world:END"), Duration.ofSeconds(20)))
          .isNotEmpty();
    }
  }

  @Test
  @Order(4)
  void thePoolRefills() throws Exception {
    await("the pool refills to " + SIZE, Duration.ofSeconds(120), poolIsFull());
  }

  @Test
  @Order(5)
  void twoConcurrentCreatesGetDistinctPooledContainers() throws Exception {
    Set<String> waiting = waitingOnEngine();
    ExecutorService two = Executors.newFixedThreadPool(2);
    try {
      List<CompletableFuture<HttpResponse<String>>> creates =
          List.of(
              CompletableFuture.supplyAsync(() -> create(KEY2), two),
              CompletableFuture.supplyAsync(() -> create(KEY2), two));
      Set<String> ids = new HashSet<>();
      for (var f : creates) {
        HttpResponse<String> r = f.get();
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        ids.add(Gateway.JSON.readTree(r.body()).get("id").asText());
      }
      claimed.addAll(ids);
      assertThat(ids).hasSize(2);
      assertThat(waiting).containsAll(ids);
    } finally {
      two.shutdownNow();
    }
  }

  @Test
  @Order(6)
  void theQuotaCountsClaimsButNotTheWaitingContainers() throws Exception {
    await("the pool refills to " + SIZE, Duration.ofSeconds(120), poolIsFull());
    // KEY2 has 2 of its 3; SIZE more wait in the pool and count for nobody
    HttpResponse<String> third = create(KEY2);
    assertThat(third.statusCode()).as(third.body()).isEqualTo(201);
    claimed.add(Gateway.JSON.readTree(third.body()).get("id").asText());
    long claims = pool().get("claims").asLong();
    HttpResponse<String> fourth = create(KEY2);
    assertThat(fourth.statusCode()).as(fourth.body()).isEqualTo(429);
    assertThat(fourth.headers().firstValue("Content-Type").orElse(""))
        .contains("application/problem+json");
    // the refused create took nothing from the pool
    assertThat(pool().get("claims").asLong()).isEqualTo(claims);
    assertThat(Gateway.JSON.readTree(gw.get("/api/v1/containers", KEY2).body())).hasSize(3);
  }

  @Test
  @Order(7)
  void aStoppedGatewayLeavesNoWaitingContainerBehind() throws Exception {
    await("the pool refills to " + SIZE, Duration.ofSeconds(120), poolIsFull());
    Set<String> waiting = waitingOnEngine();
    gw.stop();
    for (String id : waiting) {
      assertThat(Engine.byRecord(id)).as("pooled " + id + " after the stop").isEmpty();
    }
    // the users' containers stay, as they do over any restart
    for (String id : claimed) {
      assertThat(Engine.byRecord(id)).as("claimed " + id).isPresent();
    }
  }

  private static HttpResponse<String> create(String key) {
    try {
      return gw.post("/api/v1/containers?wait=ready", key, null);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
