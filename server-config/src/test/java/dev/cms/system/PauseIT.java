package dev.cms.system;

import static dev.cms.system.Gateway.KEY1;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Pause and resume: the engine freezes the container (a counter stops), PAUSED with its events, the
 * data plane answers 409 instead of hanging, and after the resume the counter runs on and the agent
 * is back.
 */
class PauseIT {

  private static final String COUNTER =
      "{\"command\":\"i=0; while true; do i=$((i+1)); echo $i > /tmp/counter; sleep 0.1; done\"}";

  private static long counter(String id) throws Exception {
    return Long.parseLong(Engine.readFile(id, "/tmp/counter").strip());
  }

  private static long awaitCounterAbove(String id, long floor) throws Exception {
    Instant deadline = Instant.now().plusSeconds(15);
    while (Instant.now().isBefore(deadline)) {
      try {
        long v = counter(id);
        if (v > floor) {
          return v;
        }
      } catch (java.io.IOException | RuntimeException notYet) {
        // not written yet
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the counter did not pass " + floor);
  }

  @Test
  void aPausedContainersCounterStopsAndRunsOnAfterTheResume() throws Exception {
    Gateway gw = Gateway.shared();
    try (EventsIT.Subscription events = new EventsIT.Subscription(gw, KEY1, null)) {
      events.await(e -> e.name().equals("hello"), Duration.ofSeconds(10));
      JsonNode made = gw.create(KEY1);
      String id = made.get("id").asText();
      try (TerminalClient shell =
          TerminalClient.connect(
              made.get("websocketUrl").asText(), "token=" + made.get("token").asText())) {
        shell.awaitMessage(
            dev.cms.domain.client.ServerMessage.Attached.class, Duration.ofSeconds(15));
        var started = gw.post("/api/v1/containers/" + id + "/processes", KEY1, COUNTER);
        assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
        awaitCounterAbove(id, 2);
        var watch =
            gw.post("/api/v1/containers/" + id + "/files/watch", KEY1, "{\"path\":\"/app\"}");
        assertThat(watch.statusCode()).as(watch.body()).isEqualTo(201);

        // when
        var paused = gw.post("/api/v1/containers/" + id + "/pause", KEY1, null);

        // then
        assertThat(paused.statusCode()).as(paused.body()).isEqualTo(200);
        JsonNode p = Gateway.JSON.readTree(paused.body());
        assertThat(p.get("status").asText()).isEqualTo("PAUSED");
        assertThat(p.get("agentConnected").asBoolean()).isFalse();
        assertThat(Engine.byRecord(id).orElseThrow().getState().getPaused()).isTrue();
        events.await(
            e ->
                e.name().equals("container")
                    && e.data().get("container").asText().equals(id)
                    && e.data().get("status").asText().equals("PAUSED"),
            Duration.ofSeconds(5));
        Instant seen = Instant.now().plusSeconds(5);
        while (shell.messages().stream()
            .noneMatch(
                m ->
                    m instanceof dev.cms.domain.client.ServerMessage.Status st
                        && st.status().equals("PAUSED")
                        && !st.agentConnected())) {
          assertThat(Instant.now()).as(shell.messages().toString()).isBefore(seen);
          Thread.sleep(50);
        }
        long frozen = counter(id);
        Thread.sleep(600);
        assertThat(counter(id)).isEqualTo(frozen);

        // the data plane says so at once
        Instant t0 = Instant.now();
        var exec = gw.post("/api/v1/containers/" + id + "/exec", KEY1, "{\"command\":\"true\"}");
        assertThat(exec.statusCode()).as(exec.body()).isEqualTo(409);
        assertThat(exec.body()).contains("paused");
        assertThat(Gateway.JSON.readTree(exec.body()).get("rule").asText()).isEqualTo("paused");
        assertThat(gw.get("/api/v1/containers/" + id + "/files?path=/app&list", KEY1).statusCode())
            .isEqualTo(409);
        assertThat(
                gw.post("/api/v1/containers/" + id + "/processes", KEY1, "{\"command\":\"true\"}")
                    .statusCode())
            .isEqualTo(409);
        assertThat(Duration.between(t0, Instant.now())).isLessThan(Duration.ofSeconds(3));
        // pausing again is harmless; a start is not for a paused one
        assertThat(gw.post("/api/v1/containers/" + id + "/pause", KEY1, null).statusCode())
            .isEqualTo(200);

        // when
        var resumed = gw.post("/api/v1/containers/" + id + "/resume", KEY1, null);

        // then
        assertThat(resumed.statusCode()).as(resumed.body()).isEqualTo(200);
        JsonNode r = Gateway.JSON.readTree(resumed.body());
        assertThat(r.get("status").asText()).isEqualTo("RUNNING");
        assertThat(r.get("agentConnected").asBoolean()).isTrue();
        events.await(
            e ->
                e.name().equals("container")
                    && e.data().get("container").asText().equals(id)
                    && e.data().get("status").asText().equals("RUNNING")
                    && e.data().get("reason").asText().contains("resumed"),
            Duration.ofSeconds(5));
        long after = awaitCounterAbove(id, frozen);
        Thread.sleep(500);
        assertThat(counter(id)).isGreaterThan(after);
        var ok = gw.post("/api/v1/containers/" + id + "/exec", KEY1, "{\"command\":\"echo ok\"}");
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(Gateway.JSON.readTree(ok.body()).get("stdout").asText()).isEqualTo("ok\n");
        // the attached terminal goes on
        shell.type("echo back-$((40+2))\r");
        shell.awaitText(t -> t.contains("back-42"), Duration.ofSeconds(15));
        // the file watch was opened again with the link (changes meanwhile are unknown: overflow)
        events.await(
            e ->
                e.name().equals("file")
                    && e.data().get("container").asText().equals(id)
                    && e.data().get("change").asText().equals("overflow"),
            Duration.ofSeconds(10));
        gw.post(
            "/api/v1/containers/" + id + "/exec",
            KEY1,
            "{\"command\":\"touch /app/after-resume\"}");
        events.await(
            e ->
                e.name().equals("file")
                    && e.data().get("path").asText().equals("/app/after-resume")
                    && e.data().get("change").asText().equals("created"),
            Duration.ofSeconds(10));
        // the process kept running through it
        JsonNode procs =
            Gateway.JSON.readTree(gw.get("/api/v1/containers/" + id + "/processes", KEY1).body());
        assertThat(procs.toString()).contains("RUNNING");
        assertThat(gw.get("/api/v1/containers/" + id + "/events", KEY1).body())
            .contains("paused by API")
            .contains("resumed by API");
        assertThat(gw.post("/api/v1/containers/" + id + "/resume", KEY1, null).statusCode())
            .isEqualTo(200);
      } finally {
        gw.delete("/api/v1/containers/" + id, KEY1);
      }
    }
  }

  @Test
  void aPauseOnTheEnginesSideIsFollowedAndAPausedContainerCanBeStoppedAndDeleted()
      throws Exception {
    Gateway gw = Gateway.shared();
    String id = gw.create(KEY1).get("id").asText();
    try {
      Engine.docker().pauseContainerCmd(Engine.engineId(id)).exec();
      awaitStatus(gw, id, "PAUSED");
      assertThat(
              gw.post("/api/v1/containers/" + id + "/exec", KEY1, "{\"command\":\"true\"}")
                  .statusCode())
          .isEqualTo(409);
      Engine.docker().unpauseContainerCmd(Engine.engineId(id)).exec();
      awaitStatus(gw, id, "RUNNING");
      Instant deadline = Instant.now().plusSeconds(15);
      while (!gw.container(id, KEY1).get("agentConnected").asBoolean()) {
        assertThat(Instant.now()).isBefore(deadline);
        Thread.sleep(100);
      }
      var ok = gw.post("/api/v1/containers/" + id + "/exec", KEY1, "{\"command\":\"echo ok\"}");
      assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);

      // a paused container stops (the engine cannot signal a frozen one: it is resumed first)
      assertThat(gw.post("/api/v1/containers/" + id + "/pause", KEY1, null).statusCode())
          .isEqualTo(200);
      var stop = gw.post("/api/v1/containers/" + id + "/stop", KEY1, null);
      assertThat(stop.statusCode()).as(stop.body()).isEqualTo(200);
      assertThat(Gateway.JSON.readTree(stop.body()).get("status").asText()).isEqualTo("STOPPED");
      assertThat(gw.post("/api/v1/containers/" + id + "/pause", KEY1, null).statusCode())
          .isEqualTo(409);
      var start = gw.post("/api/v1/containers/" + id + "/start", KEY1, null);
      assertThat(start.statusCode()).as(start.body()).isEqualTo(200);
      assertThat(gw.post("/api/v1/containers/" + id + "/pause", KEY1, null).statusCode())
          .isEqualTo(200);
    } finally {
      var del = gw.delete("/api/v1/containers/" + id, KEY1);
      assertThat(del.statusCode()).as(del.body()).isEqualTo(200);
    }
    assertThat(Engine.byRecord(id)).isEmpty();
  }

  private static void awaitStatus(Gateway gw, String id, String status) throws Exception {
    Instant deadline = Instant.now().plusSeconds(10);
    while (Instant.now().isBefore(deadline)) {
      if (gw.container(id, KEY1).get("status").asText().equals(status)) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(id + " did not become " + status + ": " + gw.container(id, KEY1));
  }
}
