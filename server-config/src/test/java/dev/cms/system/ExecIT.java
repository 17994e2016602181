package dev.cms.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code POST /api/v1/containers/{id}/exec}: run and wait, stdout and stderr apart, exit code. */
class ExecIT {

  private static Gateway gw;
  private static String id;

  @BeforeAll
  static void container() throws Exception {
    gw = Gateway.shared();
    id = gw.create(Gateway.KEY1).get("id").asText();
  }

  @AfterAll
  static void remove() throws Exception {
    gw.delete("/api/v1/containers/" + id, Gateway.KEY1);
  }

  private static JsonNode exec(String body, int status) throws Exception {
    var r = gw.post("/api/v1/containers/" + id + "/exec", Gateway.KEY1, body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    return Gateway.JSON.readTree(r.body());
  }

  @Test
  void stdoutStderrAndTheExitCodeComeApart() throws Exception {
    JsonNode r = exec("{\"command\":\"echo out; echo err >&2; exit 3\"}", 200);
    assertThat(r.get("stdout").asText()).isEqualTo("out\n");
    assertThat(r.get("stderr").asText()).isEqualTo("err\n");
    assertThat(r.get("exitCode").asInt()).isEqualTo(3);
    assertThat(r.get("timedOut").asBoolean()).isFalse();
    assertThat(r.get("durationMs").asLong()).isGreaterThanOrEqualTo(0);
  }

  @Test
  void itRunsAsNodeInTheWorkspaceWithItsEnvAndStdin() throws Exception {
    JsonNode r =
        exec(
            "{\"command\":\"id -u; pwd; echo $GREETING; cat\",\"env\":{\"GREETING\":\"hi there\"},"
                + "\"stdin\":\"from stdin\"}",
            200);
    assertThat(r.get("stdout").asText()).isEqualTo("1000\n/app\nhi there\nfrom stdin");
    assertThat(r.get("exitCode").asInt()).isZero();
  }

  @Test
  void aCommandPastItsTimeoutIsKilledAndSaysSo() throws Exception {
    Instant t0 = Instant.now();
    JsonNode r = exec("{\"command\":\"echo started; sleep 60\",\"timeoutSeconds\":1}", 200);
    assertThat(Duration.between(t0, Instant.now())).isLessThan(Duration.ofSeconds(10));
    assertThat(r.get("timedOut").asBoolean()).isTrue();
    assertThat(r.get("stdout").asText()).isEqualTo("started\n");
  }

  @Test
  void bigOutputIsCutAtTheLimitAndFlagged() throws Exception {
    JsonNode r = exec("{\"command\":\"yes | head -c 3000000\"}", 200);
    assertThat(r.get("stdout").asText()).hasSize(1024 * 1024);
    assertThat(r.get("stdoutTruncated").asBoolean()).isTrue();
    assertThat(r.get("exitCode").asInt()).isZero();
  }

  @Test
  void badRequestsAreRefusedClearly() throws Exception {
    assertThat(exec("{}", 400).toString()).contains("command is required");
    assertThat(exec("{\"command\":\"true\",\"timeoutSeconds\":0}", 400).toString())
        .contains("timeoutSeconds");
    assertThat(exec("{\"command\":\"true\",\"env\":{\"CMS_X\":\"1\"}}", 400).toString())
        .contains("CMS_X");
    var other =
        gw.post("/api/v1/containers/" + id + "/exec", Gateway.KEY2, "{\"command\":\"true\"}");
    assertThat(other.statusCode()).isEqualTo(404);
  }
}
