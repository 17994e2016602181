package dev.cms.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A gateway whose Docker engine cannot be reached at start says so clearly, keeps its records true,
 * and recovers by itself when the engine appears.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EngineDownIT {

  static final Path SOCKET = Path.of("/tmp/cms-it-no-engine.sock");

  static Gateway gw;
  static String key;

  @BeforeAll
  static void boot() throws Exception {
    // no CMS_API_KEYS: the gateway must generate a key and keep it in the data directory
    gw =
        Gateway.dedicated(
            "noengine", Map.of("CMS_DOCKER_HOST", "unix://" + SOCKET, "CMS_API_KEYS", ""));
    gw.start();
    key = Files.readString(gw.dataDir().resolve("api-key")).strip();
  }

  @AfterAll
  static void shutdown() throws Exception {
    gw.stop();
  }

  @Test
  @Order(1)
  void withoutConfiguredKeysAGeneratedKeyIsStoredAndTheOthersAreRefused() throws Exception {
    assertThat(key).startsWith("cms_").hasSizeGreaterThan(30);
    assertThat(gw.get("/api/v1/containers", key).statusCode()).isEqualTo(200);
    assertThat(gw.get("/api/v1/containers", Gateway.KEY1).statusCode()).isEqualTo(401);
  }

  @Test
  @Order(2)
  void readinessFailsNamingTheEngineAndCreateAnswers503LeavingAFailedRecord() throws Exception {
    HttpResponse<String> ready = gw.get("/health/ready", null);
    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(ready.body()).contains("container-engine").contains("DOWN");

    HttpResponse<String> create = gw.post("/api/v1/containers", key, null);
    assertThat(create.statusCode()).as(create.body()).isEqualTo(503);
    assertThat(create.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(create.body()).contains("unreachable");

    JsonNode list = Gateway.JSON.readTree(gw.get("/api/v1/containers?status=FAILED", key).body());
    assertThat(list).hasSize(1);
    assertThat(list.get(0).get("reason").asText()).contains("unreachable");
  }

  @Test
  @Order(3)
  void whenTheEngineAppearsReadinessRecoversByItselfAndContainersCanBeCreated() throws Exception {
    try (SocketForwarder engine = SocketForwarder.start(SOCKET, Path.of("/var/run/docker.sock"))) {
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(250))
          .untilAsserted(
              () -> assertThat(gw.get("/health/ready", null).statusCode()).isEqualTo(200));
      JsonNode c = gw.create(key);
      assertThat(c.get("status").asText()).isEqualTo("RUNNING");
      assertThat(c.get("agentConnected").asBoolean()).isTrue();
      assertThat(gw.delete("/api/v1/containers/" + c.get("id").asText(), key).statusCode())
          .isEqualTo(200);
    } finally {
      Engine.removeAllLabelled("cms.gateway", gw.id());
    }
  }
}
