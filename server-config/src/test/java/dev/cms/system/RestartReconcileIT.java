package dev.cms.system;

import static dev.cms.system.Gateway.KEY1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Stop the service with containers in every state, change things behind its back, start it again.
 */
class RestartReconcileIT {

  @Test
  void aRestartedGatewayReconcilesEveryRecordWithTheEngine() throws Exception {
    Gateway gw = Gateway.shared();
    // given
    String running = gw.create(KEY1).get("id").asText();
    String killed = gw.create(KEY1).get("id").asText();
    String removed = gw.create(KEY1).get("id").asText();
    String stopped = gw.create(KEY1).get("id").asText();
    assertThat(gw.post("/api/v1/containers/" + stopped + "/stop", KEY1, null).statusCode())
        .isEqualTo(200);
    String image = Engine.byRecord(running).orElseThrow().getConfig().getImage();

    // when the service is down, the engine changes
    gw.stop();
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
                            .withIdFilter(java.util.List.of(orphan))
                            .exec())
                    .as("orphan container removed")
                    .isEmpty();
              });
      // the history written before the restart survived it
      String history = gw.get("/api/v1/containers/" + running + "/events", KEY1).body();
      assertThat(history).contains("created by API").contains("AGENT_CONNECTED");
      assertThat(gw.get("/api/v1/containers/" + killed + "/events", KEY1).body())
          .contains("found at gateway start");
    } finally {
      for (String id : new String[] {running, killed, removed, stopped}) {
        gw.delete("/api/v1/containers/" + id, KEY1);
      }
    }
  }
}
