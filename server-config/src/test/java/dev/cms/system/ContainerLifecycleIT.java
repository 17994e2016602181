package dev.cms.system;

import static dev.cms.system.Gateway.KEY1;
import static dev.cms.system.Gateway.KEY2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The container lifecycle through the API of the real uber-jar, checked against the real engine.
 */
class ContainerLifecycleIT {

  static Gateway gw;

  @BeforeAll
  static void boot() throws Exception {
    gw = Gateway.shared();
  }

  @Test
  void createWithWaitReadyRunsAHardenedContainerWhoseAgentIsConnected() throws Exception {
    // when
    long start = System.nanoTime();
    HttpResponse<String> r = gw.post("/api/v1/containers?wait=ready", KEY1, null);
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    // then
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    assertThat(r.headers().firstValue("Location"))
        .hasValueSatisfying(l -> assertThat(l).contains("/api/v1/containers/c-"));
    JsonNode c = Gateway.JSON.readTree(r.body());
    String id = c.get("id").asText();
    assertThat(c.get("status").asText()).isEqualTo("RUNNING");
    assertThat(c.get("agentConnected").asBoolean()).isTrue();
    assertThat(took).isLessThan(Duration.ofSeconds(10));
    assertThat(c.get("token").asText()).hasSizeGreaterThanOrEqualTo(32);
    assertThat(c.get("websocketUrl").asText())
        .isEqualTo(gw.base().replace("http:", "ws:") + "/ws/v1/containers/" + id);
    assertThat(c.get("createdAt").asText()).isNotEmpty();

    var engine = Engine.byRecord(id).orElseThrow();
    var host = engine.getHostConfig();
    assertThat(host.getMemory()).isEqualTo(1024L * 1024 * 1024);
    assertThat(host.getNanoCPUs()).isEqualTo(1_000_000_000L);
    assertThat(host.getPidsLimit()).isEqualTo(512L);
    assertThat(host.getInit()).isTrue();
    assertThat(host.getSecurityOpts()).contains("no-new-privileges");
    assertThat(Arrays.stream(host.getCapDrop()).map(Object::toString)).contains("ALL");
    String network = System.getenv("CMS_NETWORK"); // as Gateway passes it on, when set
    assertThat(host.getNetworkMode())
        .isEqualTo(network == null || network.isBlank() ? "cms-net" : network);
    // its own disk (default 4096 MiB) holds all it may write; the rest is read-only
    assertThat(c.get("limits").get("diskMb").asLong()).isEqualTo(4096);
    assertThat(host.getReadonlyRootfs()).isTrue();
    assertThat(host.getTmpFs()).containsKey("/run");
    assertThat(engine.getMounts().stream().map(m -> m.getDestination().getPath()))
        .contains("/app", "/home/node", "/tmp", "/var/tmp");
    // init and the agent run as root with four capabilities; the user's code as node
    // (ContainmentIT)
    assertThat(engine.getConfig().getUser()).isEqualTo("0:0");
    assertThat(Arrays.stream(host.getCapAdd()).map(Object::toString))
        .containsExactlyInAnyOrder("SETUID", "SETGID", "SETPCAP", "KILL");
    assertThat(engine.getConfig().getLabels())
        .containsEntry("cms.gateway", gw.id())
        .containsEntry("cms.record", id)
        .containsKey("cms.owner");
    var top = Engine.docker().topContainerCmd(engine.getId()).withPsArgs("-o pid,uid,comm").exec();
    assertThat(top.getProcesses()).isNotEmpty();
    int user = Arrays.asList(top.getTitles()).indexOf("UID");
    int comm = Arrays.asList(top.getTitles()).indexOf("COMMAND");
    // before any shell: only the engine's init and the agent, both root
    assertThat(Arrays.stream(top.getProcesses()).map(p -> p[comm] + ":" + p[user]))
        .allMatch(p -> p.equals("docker-init:0") || p.equals("java:0"));
    var net = Engine.docker().inspectNetworkCmd().withNetworkId(host.getNetworkMode()).exec();
    assertThat(net.getOptions()).containsEntry("com.docker.network.bridge.enable_icc", "false");

    // and when deleted
    HttpResponse<String> d = gw.delete("/api/v1/containers/" + id, KEY1);
    assertThat(d.statusCode()).as(d.body()).isEqualTo(200);
    JsonNode deleted = Gateway.JSON.readTree(d.body());
    assertThat(deleted.get("deleted").asBoolean()).isTrue();
    assertThat(deleted.get("status").asText()).isEqualTo("DELETED");
    assertThat(Engine.byRecord(id)).isEmpty();
    assertThat(gw.container(id, KEY1).get("status").asText()).isEqualTo("DELETED");
    HttpResponse<String> again = gw.delete("/api/v1/containers/" + id, KEY1);
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(Gateway.JSON.readTree(again.body()).get("deleted").asBoolean()).isTrue();
  }

  @Test
  void everyApiCallNeedsAKnownKeyAndAKeySeesOnlyItsOwnContainers() throws Exception {
    HttpResponse<String> none = gw.get("/api/v1/containers", null);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(none.body()).contains("\"status\":401").contains("Authorization");
    assertThat(gw.post("/api/v1/containers", null, null).statusCode()).isEqualTo(401);
    assertThat(gw.get("/api/v1/containers", "wrong-key").statusCode()).isEqualTo(401);

    String id = gw.create(KEY1).get("id").asText();
    try {
      HttpResponse<String> other = gw.get("/api/v1/containers/" + id, KEY2);
      assertThat(other.statusCode()).isEqualTo(404);
      assertThat(other.headers().firstValue("Content-Type")).hasValue("application/problem+json");
      assertThat(gw.delete("/api/v1/containers/" + id, KEY2).statusCode()).isEqualTo(404);
      assertThat(gw.post("/api/v1/containers/" + id + "/stop", KEY2, null).statusCode())
          .isEqualTo(404);
      assertThat(Engine.byRecord(id)).isPresent();
      assertThat(gw.get("/api/v1/containers", KEY2).body()).doesNotContain(id);
      assertThat(gw.get("/api/v1/containers?status=RUNNING", KEY1).body()).contains(id);
    } finally {
      gw.delete("/api/v1/containers/" + id, KEY1);
    }
    HttpResponse<String> unknown = gw.get("/api/v1/containers/c-doesnotexist", KEY1);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).contains("c-doesnotexist");
  }

  @Test
  void badRequestsAreRefusedWithTheirReason() throws Exception {
    HttpResponse<String> tooBig = gw.post("/api/v1/containers", KEY1, "{\"memoryMb\": 999999}");
    assertThat(tooBig.statusCode()).isEqualTo(400);
    assertThat(tooBig.body()).contains("memoryMb");
    HttpResponse<String> cpus = gw.post("/api/v1/containers", KEY1, "{\"cpus\": 64}");
    assertThat(cpus.statusCode()).isEqualTo(400);
    assertThat(cpus.body()).contains("cpus");
    HttpResponse<String> malformed = gw.post("/api/v1/containers", KEY1, "{\"memoryMb\": ");
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(malformed.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    HttpResponse<String> env =
        gw.post("/api/v1/containers", KEY1, "{\"env\": {\"CMS_AGENT_SECRET\": \"x\"}}");
    assertThat(env.statusCode()).isEqualTo(400);
    assertThat(env.body()).contains("reserved");
    assertThat(gw.get("/api/v1/containers?status=NOPE", KEY1).statusCode()).isEqualTo(400);
    assertThat(gw.get("/health/ready", null).statusCode()).isEqualTo(200);
  }

  @Test
  void aBodyOfTheWrongTypeOrANegativeMemoryIsA400ListingTheFields() throws Exception {
    JsonNode wrongType = problem(gw.post("/api/v1/containers", KEY1, "{\"memoryMb\": \"lots\"}"));
    assertThat(fields(wrongType)).containsExactly("memoryMb");
    assertThat(wrongType.get("violations").get(0).get("message").asText())
        .isEqualTo("must be an integer");

    JsonNode negative =
        problem(gw.post("/api/v1/containers", KEY1, "{\"memoryMb\": -1, \"ttlSeconds\": 5}"));
    assertThat(fields(negative)).containsExactly("memoryMb", "ttlSeconds");
    assertThat(negative.get("detail").asText())
        .contains("memoryMb must be at least 64")
        .contains("ttlSeconds must be at least 10");

    JsonNode maps =
        problem(
            gw.post(
                "/api/v1/containers",
                KEY1,
                "{\"labels\": {\"-x\": \"a\", \"ok\": \"%s\"}, \"env\": {\"CMS_X\": \"1\"}}"
                    .formatted("v".repeat(1025))));
    assertThat(fields(maps)).containsExactly("env[CMS_X]", "labels[-x]", "labels[ok]");

    JsonNode tooMany = problem(gw.post("/api/v1/containers", KEY1, labels(33, 1).toString()));
    assertThat(fields(tooMany)).containsExactly("labels");

    JsonNode notJson = problem(gw.post("/api/v1/containers", KEY1, "{\"memoryMb\": 1"));
    assertThat(notJson.get("detail").asText()).startsWith("malformed JSON body");
    assertThat(notJson.has("violations")).isFalse();
  }

  @Test
  void aCreateWith32LabelsOfTheLargestSizeSucceedsAndKeepsThemAll() throws Exception {
    var body = labels(32, 1024);
    HttpResponse<String> r = gw.post("/api/v1/containers", KEY1, body.toString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    String id = Gateway.JSON.readTree(r.body()).get("id").asText();
    try {
      JsonNode got = Gateway.JSON.readTree(gw.get("/api/v1/containers/" + id, KEY1).body());
      assertThat(got.get("labels")).isEqualTo(body.get("labels"));
    } finally {
      gw.delete("/api/v1/containers/" + id, KEY1);
    }
  }

  /** {@code {"labels": {…}}} with n labels of the longest name-safe key and a value of size. */
  private static com.fasterxml.jackson.databind.node.ObjectNode labels(int n, int size) {
    var body = Gateway.JSON.createObjectNode();
    var labels = body.putObject("labels");
    for (int i = 0; i < n; i++) {
      String key = ("label-" + i + "-").concat("k".repeat(128)).substring(0, 128);
      labels.put(key, Character.toString('a' + i % 26).repeat(size));
    }
    return body;
  }

  private static JsonNode problem(HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    return Gateway.JSON.readTree(r.body());
  }

  private static List<String> fields(JsonNode problem) {
    List<String> fields = new ArrayList<>();
    problem.path("violations").forEach(v -> fields.add(v.get("field").asText()));
    return fields;
  }

  @Test
  void theEleventhLiveContainerOfOneKeyIsRefusedWith429() throws Exception {
    List<String> ids = new ArrayList<>();
    try {
      for (int i = 0; i < 10; i++) {
        HttpResponse<String> r = gw.post("/api/v1/containers", KEY2, "{\"memoryMb\": 256}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        ids.add(Gateway.JSON.readTree(r.body()).get("id").asText());
      }
      HttpResponse<String> eleventh = gw.post("/api/v1/containers", KEY2, null);
      assertThat(eleventh.statusCode()).isEqualTo(429);
      assertThat(eleventh.body()).contains("limit 10");
      // the other key is not affected
      String other = gw.create(KEY1).get("id").asText();
      gw.delete("/api/v1/containers/" + other, KEY1);
    } finally {
      for (String id : ids) {
        gw.delete("/api/v1/containers/" + id, KEY2);
      }
    }
    // deleting frees the quota
    JsonNode again = gw.create(KEY2);
    gw.delete("/api/v1/containers/" + again.get("id").asText(), KEY2);
  }

  @Test
  void aContainerKilledOutsideTheGatewayShowsTerminatedWithItsExitCodeWithinTwoSeconds()
      throws Exception {
    String id = gw.create(KEY1).get("id").asText();
    try {
      Engine.docker().killContainerCmd(Engine.engineId(id)).exec();
      await()
          .atMost(Duration.ofSeconds(2))
          .pollInterval(Duration.ofMillis(100))
          .untilAsserted(
              () -> {
                JsonNode c = gw.container(id, KEY1);
                assertThat(c.get("status").asText()).isEqualTo("TERMINATED");
                assertThat(c.get("exitCode").asInt()).isEqualTo(137);
                assertThat(c.get("agentConnected").asBoolean()).isFalse();
              });
      assertThat(gw.get("/api/v1/containers/" + id + "/events", KEY1).body())
          .contains("exited with code 137");
    } finally {
      gw.delete("/api/v1/containers/" + id, KEY1);
    }
  }

  @Test
  void aContainerRemovedOutsideTheGatewayShowsDeletedWithinTwoSeconds() throws Exception {
    String id = gw.create(KEY1).get("id").asText();
    Engine.docker().removeContainerCmd(Engine.engineId(id)).withForce(true).exec();
    await()
        .atMost(Duration.ofSeconds(2))
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(
            () -> assertThat(gw.container(id, KEY1).get("status").asText()).isEqualTo("DELETED"));
  }

  @Test
  void stopAndStartMoveBetweenStoppedAndRunningAndTheAgentComesBack() throws Exception {
    String id = gw.create(KEY1).get("id").asText();
    try {
      HttpResponse<String> stopped = gw.post("/api/v1/containers/" + id + "/stop", KEY1, null);
      assertThat(stopped.statusCode()).as(stopped.body()).isEqualTo(200);
      assertThat(Gateway.JSON.readTree(stopped.body()).get("status").asText()).isEqualTo("STOPPED");
      assertThat(Engine.byRecord(id).orElseThrow().getState().getRunning()).isFalse();
      Thread.sleep(500); // the engine's die event must not turn STOPPED into TERMINATED
      assertThat(gw.container(id, KEY1).get("status").asText()).isEqualTo("STOPPED");
      assertThat(gw.post("/api/v1/containers/" + id + "/stop", KEY1, null).statusCode())
          .isEqualTo(200);

      HttpResponse<String> started = gw.post("/api/v1/containers/" + id + "/start", KEY1, null);
      assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
      assertThat(Gateway.JSON.readTree(started.body()).get("status").asText()).isEqualTo("RUNNING");
      assertThat(Engine.byRecord(id).orElseThrow().getState().getRunning()).isTrue();
      await()
          .atMost(Duration.ofSeconds(15))
          .untilAsserted(
              () -> assertThat(gw.container(id, KEY1).get("agentConnected").asBoolean()).isTrue());
    } finally {
      gw.delete("/api/v1/containers/" + id, KEY1);
    }
    HttpResponse<String> startDeleted = gw.post("/api/v1/containers/" + id + "/start", KEY1, null);
    assertThat(startDeleted.statusCode()).isEqualTo(409);
  }

  @Test
  void healthAndOpenApiAnswer() throws Exception {
    HttpResponse<String> ready = gw.get("/health/ready", null);
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).contains("container-engine").contains("database");
    HttpResponse<String> openapi = gw.get("/openapi", null);
    assertThat(openapi.statusCode()).isEqualTo(200);
    assertThat(openapi.body()).contains("/api/v1/containers");
    HttpResponse<String> root = gw.get("/", null);
    assertThat(root.statusCode()).isEqualTo(302);
    assertThat(root.headers().firstValue("Location"))
        .hasValueSatisfying(l -> assertThat(l).endsWith("/console/"));
    // the console needs a signed-in user: its pages send to the sign-in page
    HttpResponse<String> console = gw.get("/console/", null);
    assertThat(console.statusCode()).isEqualTo(302);
    assertThat(console.headers().firstValue("Location"))
        .hasValueSatisfying(l -> assertThat(l).endsWith("/console/signin.xhtml"));
    assertThat(gw.get("/console/signin.xhtml", null).statusCode()).isEqualTo(200);
  }

  @Test
  void theReaperRemovesContainersPastTheirIdleTimeoutOrTimeToLiveAndRecordsWhy() throws Exception {
    // given: one idle for 10 s, one living 10 s whatever happens (kept busy by GETs)
    HttpResponse<String> idle =
        gw.post("/api/v1/containers", KEY1, "{\"idleTimeoutSeconds\": 10, \"memoryMb\": 256}");
    HttpResponse<String> ttl =
        gw.post("/api/v1/containers", KEY1, "{\"ttlSeconds\": 10, \"memoryMb\": 256}");
    assertThat(idle.statusCode()).as(idle.body()).isEqualTo(201);
    assertThat(ttl.statusCode()).as(ttl.body()).isEqualTo(201);
    String idleId = Gateway.JSON.readTree(idle.body()).get("id").asText();
    String ttlId = Gateway.JSON.readTree(ttl.body()).get("id").asText();

    // then (the list does not count as activity on a container; GET of one does)
    await()
        .atMost(Duration.ofSeconds(40))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              gw.get("/api/v1/containers/" + ttlId, KEY1);
              String deleted = gw.get("/api/v1/containers?status=DELETED", KEY1).body();
              assertThat(deleted).contains(idleId).contains(ttlId);
            });
    assertThat(gw.container(idleId, KEY1).get("reason").asText()).contains("idle");
    assertThat(gw.container(ttlId, KEY1).get("reason").asText()).contains("time to live");
    assertThat(Engine.byRecord(idleId)).isEmpty();
    assertThat(Engine.byRecord(ttlId)).isEmpty();
  }
}
