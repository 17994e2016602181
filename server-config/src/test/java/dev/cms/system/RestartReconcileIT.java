package dev.cms.system;

import static dev.cms.system.Gateway.KEY1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cms.domain.client.ServerMessage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Stop the service with containers in every state and a shell busy printing, change things behind
 * its back, start it again: records are reconciled and the same terminal resumes without losing a
 * byte.
 */
class RestartReconcileIT {

  @Test
  void aRestartedGatewayReconcilesEveryRecordAndTheSameTerminalResumes() throws Exception {
    Gateway gw = Gateway.shared();
    // given
    JsonNode created = gw.create(KEY1);
    String running = created.get("id").asText();
    String killed = gw.create(KEY1).get("id").asText();
    String removed = gw.create(KEY1).get("id").asText();
    String stopped = gw.create(KEY1).get("id").asText();
    assertThat(gw.post("/api/v1/containers/" + stopped + "/stop", KEY1, null).statusCode())
        .isEqualTo(200);
    String image = Engine.byRecord(running).orElseThrow().getConfig().getImage();

    String url = created.get("websocketUrl").asText();
    String query = "token=" + created.get("token").asText() + "&terminal=keep";
    TerminalClient before = TerminalClient.connect(url, query);
    before.type(
        "export MARK=kept-$((6*7)); stty -echo; for i in $(seq 1 60); do echo tick-$i; sleep 0.5; done\r");
    before.awaitText(s -> s.contains("tick-2\r\n"), Duration.ofSeconds(20));

    // when the service is down, the engine changes
    gw.stop();
    long resumeAt = before.end();
    String part1 = before.text();
    before.abort();
    Engine.docker().killContainerCmd(Engine.engineId(killed)).exec();
    Engine.docker().removeContainerCmd(Engine.engineId(removed)).withForce(true).exec();
    String orphan =
        Engine.docker()
            .createContainerCmd(image)
            .withEntrypoint("sleep", "600")
            .withLabels(Map.of("cms.gateway", gw.id(), "cms.record", "c-orphan000000"))
            .exec()
            .getId();
    Engine.docker().startContainerCmd(orphan).exec();
    gw.start();

    // then
    try {
      await()
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(250))
          .untilAsserted(
              () -> {
                assertThat(gw.container(running, KEY1).get("status").asText()).isEqualTo("RUNNING");
                assertThat(gw.container(running, KEY1).get("agentConnected").asBoolean()).isTrue();
                assertThat(gw.container(killed, KEY1).get("status").asText())
                    .isEqualTo("TERMINATED");
                assertThat(gw.container(killed, KEY1).get("exitCode").asInt()).isEqualTo(137);
                assertThat(gw.container(removed, KEY1).get("status").asText()).isEqualTo("DELETED");
                assertThat(gw.container(stopped, KEY1).get("status").asText()).isEqualTo("STOPPED");
                assertThat(
                        Engine.docker()
                            .listContainersCmd()
                            .withShowAll(true)
                            .withIdFilter(List.of(orphan))
                            .exec())
                    .as("orphan container removed")
                    .isEmpty();
              });
      // the history written before the restart survived it
      String history = gw.get("/api/v1/containers/" + running + "/events", KEY1).body();
      assertThat(history).contains("created by API").contains("AGENT_CONNECTED");
      assertThat(gw.get("/api/v1/containers/" + killed + "/events", KEY1).body())
          .contains("found at gateway start");

      // the same shell kept running and logging: resume from the offset, no gap, no duplicate
      try (TerminalClient after = TerminalClient.connect(url, query + "&offset=" + resumeAt)) {
        ServerMessage.Attached attached =
            after.awaitMessage(ServerMessage.Attached.class, Duration.ofSeconds(20));
        assertThat(attached.offset()).isEqualTo(resumeAt);
        after.awaitText(s -> s.contains("tick-60\r\n"), Duration.ofSeconds(60));
        String all = part1 + after.text();
        StringBuilder ticks = new StringBuilder();
        for (int i = 1; i <= 60; i++) {
          ticks.append("tick-").append(i).append("\r\n");
        }
        assertThat(all.substring(all.indexOf("tick-1\r\n"), all.indexOf("tick-60\r\n") + 9))
            .isEqualTo(ticks.toString());
        after.type("echo $MARK\r");
        after.awaitText(s -> s.contains("kept-42\r\n"), Duration.ofSeconds(20));
      }
    } finally {
      for (String id : new String[] {running, killed, removed, stopped}) {
        gw.delete("/api/v1/containers/" + id, KEY1);
      }
    }
  }
}
