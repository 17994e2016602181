package dev.cms.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A gateway whose Docker engine cannot be reached says so clearly and keeps its records true. */
class EngineDownIT {

  static Gateway gw;

  @BeforeAll
  static void boot() throws Exception {
    gw =
        Gateway.dedicated(
            "noengine", Map.of("CMS_DOCKER_HOST", "unix:///tmp/cms-it-no-engine.sock"));
    gw.start();
  }

  @AfterAll
  static void shutdown() throws Exception {
    gw.stop();
  }

  @Test
  void readinessFailsNamingTheEngineAndCreateAnswers503LeavingAFailedRecord() throws Exception {
    HttpResponse<String> ready = gw.get("/health/ready", null);
    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(ready.body()).contains("container-engine").contains("DOWN");

    HttpResponse<String> create = gw.post("/api/v1/containers", Gateway.KEY1, null);
    assertThat(create.statusCode()).as(create.body()).isEqualTo(503);
    assertThat(create.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(create.body()).contains("unreachable");

    JsonNode list =
        Gateway.JSON.readTree(gw.get("/api/v1/containers?status=FAILED", Gateway.KEY1).body());
    assertThat(list).hasSize(1);
    assertThat(list.get(0).get("reason").asText()).contains("unreachable");
  }
}
