package dev.cms.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A gateway whose Docker engine cannot be reached says so clearly and keeps its records true. */
class EngineDownIT {

  static Gateway gw;
  static String key;

  @BeforeAll
  static void boot() throws Exception {
    // no CMS_API_KEYS: the gateway must generate a key and keep it in the data directory
    gw =
        Gateway.dedicated(
            "noengine",
            Map.of("CMS_DOCKER_HOST", "unix:///tmp/cms-it-no-engine.sock", "CMS_API_KEYS", ""));
    gw.start();
    key = Files.readString(gw.dataDir().resolve("api-key")).strip();
  }

  @AfterAll
  static void shutdown() throws Exception {
    gw.stop();
  }

  @Test
  void withoutConfiguredKeysAGeneratedKeyIsStoredAndTheOthersAreRefused() throws Exception {
    assertThat(key).startsWith("cms_").hasSizeGreaterThan(30);
    assertThat(gw.get("/api/v1/containers", key).statusCode()).isEqualTo(200);
    assertThat(gw.get("/api/v1/containers", Gateway.KEY1).statusCode()).isEqualTo(401);
  }

  @Test
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
}
