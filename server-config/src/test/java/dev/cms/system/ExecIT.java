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

  @Test
  void aBackgroundCommandStreamsStdoutAndStderrApartAndIsWaitedFor() throws Exception {
    var started =
        gw.post(
            "/api/v1/containers/" + id + "/exec?background=true",
            Gateway.KEY1,
            "{\"command\":\"echo out; sleep 1; echo err >&2; exit 3\"}");
    assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
    JsonNode job = Gateway.JSON.readTree(started.body());
    String exec = job.get("execId").asText();
    assertThat(job.get("status").asText()).isEqualTo("RUNNING");
    String base = "/api/v1/containers/" + id + "/exec/" + exec;

    // the stream: stdout and stderr as their own events, then the end
    var http = java.net.http.HttpClient.newHttpClient();
    var sse =
        http.send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create(gw.base() + base + "/stream"))
                .header("Authorization", "Bearer " + Gateway.KEY1)
                .header("Accept", "text/event-stream")
                .timeout(Duration.ofSeconds(60))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(sse.statusCode()).isEqualTo(200);
    String events = sse.body();
    assertThat(events).contains("event: stdout\ndata: {\"data\":\"out\\n\"}");
    assertThat(events).contains("event: stderr\ndata: {\"data\":\"err\\n\"}");
    assertThat(events.indexOf("event: stdout")).isLessThan(events.indexOf("event: stderr"));
    assertThat(events).contains("event: end");

    JsonNode ended = Gateway.JSON.readTree(gw.get(base + "?wait=30", Gateway.KEY1).body());
    assertThat(ended.get("status").asText()).isEqualTo("EXITED");
    assertThat(ended.get("result").get("exitCode").asInt()).isEqualTo(3);
    assertThat(ended.get("result").get("stdout").asText()).isEqualTo("out\n");
    assertThat(ended.get("result").get("stderr").asText()).isEqualTo("err\n");
    assertThat(gw.get(base, Gateway.KEY2).statusCode()).isEqualTo(404);
  }

  @Test
  void aBackgroundCommandIsKilledWithWhatItStarted() throws Exception {
    var started =
        gw.post(
            "/api/v1/containers/" + id + "/exec?background=true",
            Gateway.KEY1,
            "{\"command\":\"echo begun; sleep 300 & wait\",\"timeoutSeconds\":600}");
    assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
    String base =
        "/api/v1/containers/"
            + id
            + "/exec/"
            + Gateway.JSON.readTree(started.body()).get("execId").asText();
    Thread.sleep(1_000);
    assertThat(gw.delete(base, Gateway.KEY2).statusCode()).isEqualTo(404);
    var killed = gw.delete(base, Gateway.KEY1);
    assertThat(killed.statusCode()).as(killed.body()).isEqualTo(200);
    JsonNode ended = Gateway.JSON.readTree(gw.get(base + "?wait=30", Gateway.KEY1).body());
    assertThat(ended.get("status").asText()).isEqualTo("KILLED");
    assertThat(ended.get("result").get("exitCode").asInt()).isEqualTo(137);
    assertThat(ended.get("result").get("stdout").asText()).isEqualTo("begun\n");
    // nothing of it runs on
    // ([0] keeps the pattern from matching this shell's own command line)
    JsonNode ps =
        exec(
            "{\"command\":\"for i in 1 2 3 4 5 6 7 8 9 10; do pgrep -f 'sleep 30[0]' >/dev/null"
                + " || { echo none; exit; }; sleep 0.5; done; echo still running\"}",
            200);
    assertThat(ps.get("stdout").asText()).isEqualTo("none\n");
  }
}
