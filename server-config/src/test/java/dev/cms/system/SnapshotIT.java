package dev.cms.system;

import static dev.cms.system.Gateway.KEY1;
import static dev.cms.system.Gateway.KEY2;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Snapshots and forks against real containers: a snapshot keeps the files a user wrote (on the
 * container's disk volumes, which an engine commit alone misses) with content, mode and owner; a
 * fork from it starts with them and lives apart from its parent; owners see only their own; the
 * quota holds; deleting one (or its owner) removes its image from the engine and its archive from
 * the data dir.
 */
class SnapshotIT {
  static final int QUOTA = 3;

  static Gateway gw;
  static final List<String> containers = new CopyOnWriteArrayList<>();
  static final List<String[]> snapshots = new CopyOnWriteArrayList<>(); // {id, key}

  @BeforeAll
  static void gateway() throws Exception {
    gw =
        Gateway.dedicated(
            "snap",
            Map.of("CMS_MAX_SNAPSHOTS_PER_KEY", Integer.toString(QUOTA), "CMS_DISK_MB", "256"));
    gw.start();
  }

  @AfterAll
  static void stop() {
    if (gw == null) {
      return;
    }
    for (String[] s : snapshots) {
      try {
        gw.delete("/api/v1/snapshots/" + s[0], s[1]);
      } catch (Exception e) {
        System.err.println("SnapshotIT: could not delete snapshot " + s[0] + ": " + e);
      }
    }
    for (String id : containers) {
      try {
        gw.delete("/api/v1/containers/" + id, KEY1);
        gw.delete("/api/v1/containers/" + id, KEY2);
      } catch (Exception e) {
        System.err.println("SnapshotIT: could not delete " + id + ": " + e);
      }
    }
    gw.stopAndClean();
    // what the gateway could not remove any more (it is stopped): this gateway's images only
    try {
      for (var image :
          Engine.docker()
              .listImagesCmd()
              .withShowAll(true)
              .withLabelFilter(Map.of("cms.gateway", gw.id()))
              .exec()) {
        Engine.docker().removeImageCmd(image.getId()).withForce(true).exec();
      }
    } catch (RuntimeException e) {
      System.err.println("SnapshotIT: could not remove the snapshot images: " + e);
    }
  }

  private static String create(String key) throws Exception {
    String id = gw.create(key).get("id").asText();
    containers.add(id);
    return id;
  }

  private static JsonNode snapshot(String container, String key, String body) throws Exception {
    HttpResponse<String> r = gw.post("/api/v1/containers/" + container + "/snapshot", key, body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    JsonNode s = Gateway.JSON.readTree(r.body());
    snapshots.add(new String[] {s.get("id").asText(), key});
    assertThat(r.headers().firstValue("Location"))
        .hasValueSatisfying(l -> l.endsWith(s.get("id").asText()));
    return s;
  }

  private static JsonNode fork(String snapshot, String key) throws Exception {
    HttpResponse<String> r =
        gw.post(
            "/api/v1/containers?wait=ready",
            key,
            Gateway.JSON.createObjectNode().put("snapshot", snapshot).toString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    JsonNode c = Gateway.JSON.readTree(r.body());
    containers.add(c.get("id").asText());
    return c;
  }

  /** Runs a shell command as node through the API; its stdout, after checking exit code 0. */
  private static String sh(String container, String key, String command) throws Exception {
    HttpResponse<String> r =
        gw.post(
            "/api/v1/containers/" + container + "/exec",
            key,
            Gateway.JSON.createObjectNode().put("command", command).toString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode j = Gateway.JSON.readTree(r.body());
    assertThat(j.get("exitCode").asInt()).as(r.body()).isZero();
    return j.get("stdout").asText();
  }

  private static boolean imageExists(String snapshot) {
    return !Engine.docker()
        .listImagesCmd()
        .withShowAll(true)
        .withLabelFilter(Map.of("cms.snapshot", snapshot))
        .exec()
        .isEmpty();
  }

  @Test
  void aForkHasTheFilesAndRunsIndependentlyOfItsParent() throws Exception {
    // given a container with files in a subdirectory, an executable and a dot file in the home
    String parent = create(KEY1);
    sh(
        parent,
        KEY1,
        "mkdir -p /app/sub/deeper && printf 'hello snapshot' > /app/sub/deeper/note.txt"
            + " && printf '#!/bin/sh\\necho ran-$1\\n' > /app/tool.sh && chmod 750 /app/tool.sh"
            + " && echo marked > /home/node/.mark");

    // when it is snapshotted
    JsonNode s = snapshot(parent, KEY1, "{\"name\":\"first one\"}");
    String sid = s.get("id").asText();

    // then the snapshot is recorded with its parent, name and a size, and the parent runs on
    assertThat(sid).startsWith("s-");
    assertThat(s.get("name").asText()).isEqualTo("first one");
    assertThat(s.get("container").asText()).isEqualTo(parent);
    assertThat(s.get("sizeBytes").asLong()).isPositive();
    assertThat(s.get("workspaceBytes").asLong()).isPositive();
    assertThat(gw.container(parent, KEY1).get("status").asText()).isEqualTo("RUNNING");
    assertThat(sh(parent, KEY1, "echo still here")).isEqualTo("still here\n");
    HttpResponse<String> list = gw.get("/api/v1/snapshots", KEY1);
    assertThat(list.statusCode()).isEqualTo(200);
    JsonNode listed = null;
    for (JsonNode n : Gateway.JSON.readTree(list.body())) {
      if (n.get("id").asText().equals(sid)) {
        listed = n;
      }
    }
    assertThat(listed).as(list.body()).isNotNull();
    assertThat(listed.get("sizeBytes").asLong()).isPositive();
    assertThat(gw.get("/api/v1/snapshots/" + sid, KEY1).statusCode()).isEqualTo(200);
    assertThat(Files.isDirectory(gw.dataDir().resolve("snapshots").resolve(sid))).isTrue();

    // when a container is forked from it
    JsonNode f = fork(sid, KEY1);
    String fork = f.get("id").asText();

    // then it has the files: content, mode and owner as they were
    assertThat(f.get("snapshot").asText()).isEqualTo(sid);
    assertThat(f.get("agentConnected").asBoolean()).as(f.toString()).isTrue();
    assertThat(sh(fork, KEY1, "cat /app/sub/deeper/note.txt")).isEqualTo("hello snapshot");
    assertThat(sh(fork, KEY1, "/app/tool.sh x")).isEqualTo("ran-x\n");
    assertThat(
            sh(
                fork,
                KEY1,
                "stat -c '%n %a %U:%G' /app /app/tool.sh /app/sub /app/sub/deeper/note.txt"
                    + " /home/node/.mark"))
        .isEqualTo(
            "/app 755 node:node\n"
                + "/app/tool.sh 750 node:node\n"
                + "/app/sub 755 node:node\n"
                + "/app/sub/deeper/note.txt 644 node:node\n"
                + "/home/node/.mark 644 node:node\n");
    assertThat(sh(fork, KEY1, "id -un; touch /tmp/t && echo tmp-writable"))
        .isEqualTo("node\ntmp-writable\n");

    // and it lives apart from its parent: writes on either side stay there
    sh(fork, KEY1, "echo fork > /app/fork-only && echo changed > /app/sub/deeper/note.txt");
    sh(parent, KEY1, "echo parent > /app/parent-only");
    assertThat(sh(parent, KEY1, "ls /app; cat /app/sub/deeper/note.txt"))
        .doesNotContain("fork-only")
        .contains("parent-only")
        .endsWith("hello snapshot");
    assertThat(sh(fork, KEY1, "ls /app")).contains("fork-only").doesNotContain("parent-only");

    // when the parent is deleted the fork runs on
    assertThat(gw.delete("/api/v1/containers/" + parent, KEY1).statusCode()).isEqualTo(200);
    assertThat(gw.container(fork, KEY1).get("status").asText()).isEqualTo("RUNNING");
    assertThat(sh(fork, KEY1, "cat /app/fork-only")).isEqualTo("fork\n");

    // a snapshot of a fork forks again
    JsonNode again = snapshot(fork, KEY1, null);
    String grandchild = fork(again.get("id").asText(), KEY1).get("id").asText();
    assertThat(sh(grandchild, KEY1, "cat /app/fork-only /app/sub/deeper/note.txt"))
        .isEqualTo("fork\nchanged\n");
    for (String id : List.of(fork, grandchild)) {
      gw.delete("/api/v1/containers/" + id, KEY1);
    }
    for (String id : List.of(sid, again.get("id").asText())) {
      assertThat(gw.delete("/api/v1/snapshots/" + id, KEY1).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aStoppedContainerCanBeSnapshottedAndAGoneOneCannot() throws Exception {
    String c = create(KEY1);
    sh(c, KEY1, "echo kept > /app/kept.txt");
    assertThat(gw.post("/api/v1/containers/" + c + "/stop", KEY1, null).statusCode())
        .isEqualTo(200);
    JsonNode s = snapshot(c, KEY1, null);
    assertThat(gw.container(c, KEY1).get("status").asText()).isEqualTo("STOPPED");
    String f = fork(s.get("id").asText(), KEY1).get("id").asText();
    assertThat(sh(f, KEY1, "cat /app/kept.txt")).isEqualTo("kept\n");

    gw.delete("/api/v1/containers/" + c, KEY1);
    HttpResponse<String> gone = gw.post("/api/v1/containers/" + c + "/snapshot", KEY1, null);
    assertThat(gone.statusCode()).as(gone.body()).isEqualTo(409);
    assertThat(gone.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> t.contains("problem+json"));
    gw.delete("/api/v1/containers/" + f, KEY1);
    gw.delete("/api/v1/snapshots/" + s.get("id").asText(), KEY1);
  }

  @Test
  void anotherOwnerCannotSeeUseOrDeleteIt() throws Exception {
    String c = create(KEY1);
    String sid = snapshot(c, KEY1, null).get("id").asText();

    assertThat(gw.get("/api/v1/snapshots/" + sid, KEY2).statusCode()).isEqualTo(404);
    assertThat(gw.get("/api/v1/snapshots", KEY2).body()).doesNotContain(sid);
    HttpResponse<String> forked =
        gw.post("/api/v1/containers", KEY2, "{\"snapshot\":\"" + sid + "\"}");
    assertThat(forked.statusCode()).as(forked.body()).isEqualTo(404);
    assertThat(forked.body()).contains(sid);
    assertThat(gw.delete("/api/v1/snapshots/" + sid, KEY2).statusCode()).isEqualTo(404);
    assertThat(gw.post("/api/v1/containers/" + c + "/snapshot", KEY2, null).statusCode())
        .isEqualTo(404);
    // nothing of KEY2's was created by the refused fork
    assertThat(gw.get("/api/v1/containers", KEY2).body()).doesNotContain("\"snapshot\":\"" + sid);

    // the owner still has it, and an admin sees it
    assertThat(gw.get("/api/v1/snapshots/" + sid, KEY1).statusCode()).isEqualTo(200);
    assertThat(gw.get("/api/v1/snapshots", gw.adminToken()).body()).contains(sid);
    assertThat(gw.delete("/api/v1/snapshots/" + sid, KEY1).statusCode()).isEqualTo(200);
    gw.delete("/api/v1/containers/" + c, KEY1);
  }

  @Test
  void theQuotaPerOwnerHoldsAndDeletingFreesIt() throws Exception {
    String c = create(KEY2);
    List<String> taken = new ArrayList<>();
    for (int i = 0; i < QUOTA; i++) {
      taken.add(snapshot(c, KEY2, null).get("id").asText());
    }
    HttpResponse<String> over = gw.post("/api/v1/containers/" + c + "/snapshot", KEY2, null);
    assertThat(over.statusCode()).as(over.body()).isEqualTo(429);
    assertThat(over.body()).contains("snapshot-quota");
    assertThat(gw.container(c, KEY2).get("status").asText()).isEqualTo("RUNNING");

    assertThat(gw.delete("/api/v1/snapshots/" + taken.get(0), KEY2).statusCode()).isEqualTo(200);
    taken.set(0, snapshot(c, KEY2, null).get("id").asText());
    for (String sid : taken) {
      gw.delete("/api/v1/snapshots/" + sid, KEY2);
    }
    gw.delete("/api/v1/containers/" + c, KEY2);
  }

  @Test
  void deletingRemovesTheImageFromTheEngineAndTheArchive() throws Exception {
    String c = create(KEY1);
    try (EventsIT.Subscription events = new EventsIT.Subscription(gw, KEY1, null)) {
      events.await(e -> e.name().equals("hello"), java.time.Duration.ofSeconds(10));
      String sid = snapshot(c, KEY1, null).get("id").asText();
      assertThat(imageExists(sid)).isTrue();
      assertThat(gw.dataDir().resolve("snapshots").resolve(sid)).isDirectory();
      events.await(snapshotEvent(sid, "created"), java.time.Duration.ofSeconds(10));

      HttpResponse<String> deleted = gw.delete("/api/v1/snapshots/" + sid, KEY1);
      assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
      events.await(snapshotEvent(sid, "deleted"), java.time.Duration.ofSeconds(10));
      // the freeze for the capture was no pause of the user's
      assertThat(events.drained())
          .noneMatch(
              e ->
                  e.name().equals("container") && e.data().get("status").asText().equals("PAUSED"));
      assertGone(sid);
    }
    gw.delete("/api/v1/containers/" + c, KEY1);
  }

  private static java.util.function.Predicate<EventsIT.Sse> snapshotEvent(
      String sid, String change) {
    return e ->
        e.name().equals("snapshot")
            && e.data().get("snapshot").asText().equals(sid)
            && e.data().get("change").asText().equals(change);
  }

  private static void assertGone(String sid) throws Exception {
    assertThat(gw.get("/api/v1/snapshots/" + sid, KEY1).statusCode()).isEqualTo(404);
    assertThat(imageExists(sid)).isFalse();
    assertThat(gw.dataDir().resolve("snapshots").resolve(sid)).doesNotExist();
    HttpResponse<String> forked =
        gw.post("/api/v1/containers", KEY1, "{\"snapshot\":\"" + sid + "\"}");
    assertThat(forked.statusCode()).isEqualTo(404);
  }

  @Test
  void badRequestsAreRefusedClearly() throws Exception {
    assertThat(gw.post("/api/v1/containers/c-nosuch/snapshot", KEY1, null).statusCode())
        .isEqualTo(404);
    assertThat(gw.get("/api/v1/snapshots/s-nosuch", KEY1).statusCode()).isEqualTo(404);
    assertThat(gw.delete("/api/v1/snapshots/s-nosuch", KEY1).statusCode()).isEqualTo(404);
    HttpResponse<String> noFork =
        gw.post("/api/v1/containers", KEY1, "{\"snapshot\":\"s-nosuch\"}");
    assertThat(noFork.statusCode()).as(noFork.body()).isEqualTo(404);
    String c = create(KEY1);
    HttpResponse<String> malformed = gw.post("/api/v1/containers/" + c + "/snapshot", KEY1, "{");
    assertThat(malformed.statusCode()).as(malformed.body()).isEqualTo(400);
    HttpResponse<String> longName =
        gw.post(
            "/api/v1/containers/" + c + "/snapshot",
            KEY1,
            "{\"name\":\"" + "n".repeat(101) + "\"}");
    assertThat(longName.statusCode()).as(longName.body()).isEqualTo(400);
    assertThat(gw.get("/api/v1/snapshots", null).statusCode()).isEqualTo(401);
    gw.delete("/api/v1/containers/" + c, KEY1);
  }

  @Test
  void aDeletedUsersSnapshotsGoWithThem() throws Exception {
    String admin = gw.adminToken();
    HttpResponse<String> made =
        gw.post(
            "/api/v1/users",
            admin,
            "{\"name\":\"snapper\",\"password\":\"snapper-password-9\",\"role\":\"user\"}");
    assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
    String userId = Gateway.JSON.readTree(made.body()).get("id").asText();
    String user = gw.sessionToken("snapper", "snapper-password-9");
    String c = create(user);
    String sid = snapshot(c, user, null).get("id").asText();
    assertThat(imageExists(sid)).isTrue();

    assertThat(gw.delete("/api/v1/users/" + userId, admin).statusCode()).isIn(200, 204);

    assertThat(gw.get("/api/v1/snapshots", admin).body()).doesNotContain(sid);
    assertThat(imageExists(sid)).isFalse();
    assertThat(gw.dataDir().resolve("snapshots").resolve(sid)).doesNotExist();
    gw.delete("/api/v1/containers/" + c, admin);
  }

  @Test
  void aRestartedGatewayRemovesSnapshotImagesAndArchivesWithoutARecord() throws Exception {
    // given an image and an archive that look like this gateway's snapshot but have no record
    String c = create(KEY1);
    String orphan = "s-orphan" + Long.toString(System.nanoTime(), 36);
    Engine.docker()
        .commitCmd(Engine.engineId(c))
        .withRepository("cms-snapshot")
        .withTag(orphan)
        .withLabels(Map.of("cms.gateway", gw.id(), "cms.snapshot", orphan))
        .exec();
    java.nio.file.Path archive =
        Files.createDirectories(gw.dataDir().resolve("snapshots").resolve(orphan));
    Files.writeString(archive.resolve("app.tar"), "not really a tar");
    // and a real one, which must survive
    String kept = snapshot(c, KEY1, null).get("id").asText();
    assertThat(imageExists(orphan)).isTrue();

    // when the gateway restarts
    gw.stop();
    gw.start();

    // then the orphan goes, the recorded snapshot stays
    java.time.Instant deadline = java.time.Instant.now().plusSeconds(60);
    while ((imageExists(orphan) || Files.exists(archive))
        && java.time.Instant.now().isBefore(deadline)) {
      Thread.sleep(500);
    }
    assertThat(imageExists(orphan)).isFalse();
    assertThat(archive).doesNotExist();
    assertThat(imageExists(kept)).isTrue();
    assertThat(gw.get("/api/v1/snapshots/" + kept, KEY1).statusCode()).isEqualTo(200);
    assertThat(gw.dataDir().resolve("snapshots").resolve(kept)).isDirectory();
    assertThat(gw.delete("/api/v1/snapshots/" + kept, KEY1).statusCode()).isEqualTo(200);
    gw.delete("/api/v1/containers/" + c, KEY1);
  }

  @Test
  void openApiListsTheSnapshotEndpointsWithSchemas() throws Exception {
    HttpResponse<String> r = gw.get("/openapi", null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .contains("/api/v1/containers/{id}/snapshot")
        .contains("/api/v1/snapshots/{id}")
        .contains("SnapshotView")
        .contains("SnapshotRequest")
        .contains("workspaceBytes");
  }
}
