package dev.cms.system;

import static dev.cms.system.Gateway.KEY1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cms.domain.client.ServerMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Restarts lose nothing: a gateway that restarts learns the agent's processes and ports again
 * (running and exited ones, also those that ended while it was down), and an agent that restarts
 * sweeps what interrupted uploads left behind.
 */
class ProcessRestartIT {

  static final String SERVER =
      "node -e \"require('http').createServer((q,r)=>r.end('hi')).listen(3000)\"";

  static Gateway gw;

  @BeforeAll
  static void boot() throws Exception {
    gw = Gateway.dedicated("procrestart", Map.of());
    gw.start();
  }

  @AfterAll
  static void halt() {
    if (gw != null) {
      gw.stopAndClean();
    }
  }

  @Test
  void aRestartedGatewayListsEveryProcessAndPortAsTheAgentKnowsThem() throws Exception {
    // given a server on port 3000, a process that exited with 3, and one that will exit with 5
    JsonNode c = gw.create(KEY1);
    String id = c.get("id").asText();
    String base = "/api/v1/containers/" + id;
    String server = start(base, "{\"command\":" + json(SERVER) + ",\"port\":3000}");
    String three = start(base, "{\"command\":\"exit 3\"}");
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> assertThat(process(base, three).path("exitCode").asInt(-1)).isEqualTo(3));
    String five = start(base, "{\"command\":\"sleep 12; exit 5\",\"cwd\":\"/tmp\"}");
    Instant fiveStarted = Instant.now();
    JsonNode port =
        await().atMost(Duration.ofSeconds(30)).until(() -> port(base, 3000), p -> p != null);
    assertThat(preview(port.get("pathUrl").asText())).isEqualTo("hi");
    Map<String, JsonNode> before = processes(base);
    assertThat(before.get(five).get("status").asText()).isEqualTo("RUNNING");

    // when the gateway is down while the third process ends, and starts again
    gw.stop();
    Duration left = Duration.between(Instant.now(), fiveStarted.plusSeconds(14));
    if (!left.isNegative()) {
      Thread.sleep(left.toMillis());
    }
    Instant restarted = Instant.now();
    gw.start();

    // then the agent's processes are listed again, as they are now
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(
            () -> {
              assertThat(gw.container(id, KEY1).get("agentConnected").asBoolean()).isTrue();
              Map<String, JsonNode> now = processes(base);
              assertThat(now).containsKeys(server, three, five);
              assertThat(now.get(five).get("status").asText()).isEqualTo("EXITED");
            });
    Map<String, JsonNode> after = processes(base);
    JsonNode s = after.get(server);
    assertThat(s.get("status").asText()).isEqualTo("RUNNING");
    assertThat(s.get("command").asText()).isEqualTo(SERVER);
    assertThat(s.get("cwd").asText()).isEqualTo("/app");
    assertThat(s.get("port").asInt()).isEqualTo(3000);
    assertThat(s.get("url").asText()).isEqualTo(before.get(server).get("url").asText());
    assertThat(s.has("exitCode")).isFalse();
    JsonNode t = after.get(three);
    assertThat(t.get("status").asText()).isEqualTo("EXITED");
    assertThat(t.get("exitCode").asInt()).isEqualTo(3);
    assertThat(t.get("command").asText()).isEqualTo("exit 3");
    JsonNode f = after.get(five);
    assertThat(f.get("exitCode").asInt()).isEqualTo(5);
    assertThat(f.get("cwd").asText()).isEqualTo("/tmp");
    assertThat(Instant.parse(f.get("endedAt").asText()))
        .as("it ended while the gateway was down")
        .isBefore(restarted);
    for (String pid : new String[] {server, three, five}) {
      assertThat(after.get(pid).get("startedAt").asText())
          .as("startedAt of " + pid)
          .isEqualTo(before.get(pid).get("startedAt").asText());
    }

    // the port is listed with the same preview URLs, and the preview serves the app
    JsonNode portAfter =
        await().atMost(Duration.ofSeconds(20)).until(() -> port(base, 3000), p -> p != null);
    assertThat(portAfter.get("url").asText()).isEqualTo(port.get("url").asText());
    assertThat(portAfter.get("pathUrl").asText()).isEqualTo(port.get("pathUrl").asText());
    assertThat(preview(portAfter.get("pathUrl").asText())).isEqualTo("hi");

    // the running process's terminal is attachable, as a process: a client hears of all three
    String url = c.get("websocketUrl").asText();
    String token = "token=" + c.get("token").asText();
    try (TerminalClient attached =
        TerminalClient.connect(url, token + "&terminal=" + server + "&offset=0")) {
      ServerMessage.Attached a =
          attached.awaitMessage(ServerMessage.Attached.class, Duration.ofSeconds(20));
      assertThat(a.terminal()).isEqualTo(server);
      assertThat(a.running()).isTrue();
      assertThat(attached.messages())
          .contains(
              new ServerMessage.Process(server, "RUNNING", null),
              new ServerMessage.Process(three, "EXITED", 3),
              new ServerMessage.Process(five, "EXITED", 5));
    }
    // an exited process's terminal replays its end and is not run again
    try (TerminalClient ended =
        TerminalClient.connect(url, token + "&terminal=" + three + "&offset=0")) {
      ServerMessage.Attached a =
          ended.awaitMessage(ServerMessage.Attached.class, Duration.ofSeconds(20));
      assertThat(a.running()).isFalse();
      assertThat(a.exitCode()).isEqualTo(3);
    }
    assertThat(process(base, three).get("status").asText()).isEqualTo("EXITED");

    // and it can still be stopped through the API
    HttpResponse<String> stopped = gw.post(base + "/processes/" + server + "/stop", KEY1, null);
    assertThat(stopped.statusCode()).as(stopped.body()).isEqualTo(200);
    assertThat(Gateway.JSON.readTree(stopped.body()).get("exitCode").asInt()).isEqualTo(143);
    gw.delete(base, KEY1);
  }

  @Test
  void aRestartedAgentSweepsWhatInterruptedUploadsLeftBehind() throws Exception {
    // given the leftovers of uploads an agent never finished, and user files that look alike
    JsonNode c = gw.create(KEY1);
    String id = c.get("id").asText();
    String made =
        Engine.exec(
            id,
            "sh",
            "-c",
            "mkdir -p /app/site /app/x/.cms-staging-1234567890/tree /tmp/.cms-staging-99/tree"
                + " && echo a > /app/site/.index.html.cms-upload-0123456789abcdef"
                + " && echo b > /app/x/.cms-staging-1234567890/upload.zip"
                + " && echo c > /tmp/.cms-staging-99/tree/c.txt"
                + " && echo d > /home/node/.notes.cms-upload-fedcba9876543210"
                + " && echo keep > /app/site/.cms-upload-x && mkdir /app/.cms-staging-x"
                + " && echo made");
    assertThat(made).contains("made");
    Thread.sleep(1100); // older than the next agent's start, whatever the clock's resolution

    // when the container (and with it the agent, its main process under the init) restarts
    Engine.docker().restartContainerCmd(Engine.engineId(id)).withTimeout(10).exec();

    // then the agent is back and its sweep removed the leftovers, and only them
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              assertThat(gw.container(id, KEY1).get("agentConnected").asBoolean()).isTrue();
              String listing =
                  Engine.exec(id, "sh", "-c", "ls -a /app/site /app/x /tmp /home/node");
              assertThat(listing)
                  .doesNotContain(".cms-upload-0123456789abcdef")
                  .doesNotContain(".cms-staging-1234567890")
                  .doesNotContain(".cms-staging-99")
                  .doesNotContain(".cms-upload-fedcba9876543210")
                  .contains(".cms-upload-x");
            });
    assertThat(Engine.exec(id, "ls", "-a", "/app")).contains(".cms-staging-x");
    // uploads still work after the sweep
    HttpResponse<String> put =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            gw.base() + "/api/v1/containers/" + id + "/files?path=/app/site/n.txt"))
                    .header("Authorization", "Bearer " + KEY1)
                    .PUT(HttpRequest.BodyPublishers.ofString("fresh"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(put.statusCode()).as(put.body()).isBetween(200, 204);
    assertThat(Engine.exec(id, "cat", "/app/site/n.txt")).isEqualTo("fresh");
    gw.delete("/api/v1/containers/" + id, KEY1);
  }

  private static String start(String base, String body) throws Exception {
    HttpResponse<String> r = gw.post(base + "/processes", KEY1, body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return Gateway.JSON.readTree(r.body()).get("id").asText();
  }

  private static JsonNode process(String base, String pid) throws Exception {
    return Gateway.JSON.readTree(gw.get(base + "/processes/" + pid, KEY1).body());
  }

  private static Map<String, JsonNode> processes(String base) throws Exception {
    HttpResponse<String> r = gw.get(base + "/processes", KEY1);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    Map<String, JsonNode> byId = new HashMap<>();
    for (JsonNode p : Gateway.JSON.readTree(r.body())) {
      byId.put(p.get("id").asText(), p);
    }
    return byId;
  }

  private static JsonNode port(String base, int port) throws Exception {
    HttpResponse<String> r = gw.get(base + "/ports", KEY1);
    if (r.statusCode() != 200) {
      return null;
    }
    for (JsonNode p : Gateway.JSON.readTree(r.body())) {
      if (p.get("port").asInt() == port) {
        return p;
      }
    }
    return null;
  }

  private static String preview(String pathUrl) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(pathUrl)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r.body();
  }

  private static String json(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
