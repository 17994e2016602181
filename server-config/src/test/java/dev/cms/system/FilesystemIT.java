package dev.cms.system;

import static dev.cms.system.Gateway.KEY1;
import static dev.cms.system.Gateway.KEY2;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * List, stat, delete, move, make directory and watch in a real container, as {@code node}, with the
 * path rules and clear refusals.
 */
class FilesystemIT {

  static Gateway gw;
  static String id;
  static JsonNode created;

  @BeforeAll
  static void container() throws Exception {
    gw = Gateway.shared();
    created = gw.create(KEY1);
    id = created.get("id").asText();
  }

  @AfterAll
  static void remove() throws Exception {
    gw.delete("/api/v1/containers/" + id, KEY1);
  }

  private static String files(String query) {
    return "/api/v1/containers/" + id + "/files" + query;
  }

  private static String q(String path) {
    return URLEncoder.encode(path, StandardCharsets.UTF_8);
  }

  private static JsonNode json(HttpResponse<String> r, int status) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    return Gateway.JSON.readTree(r.body());
  }

  private static byte[] zip(Map<String, String> files, Map<String, Integer> modes)
      throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipArchiveOutputStream z = new ZipArchiveOutputStream(bytes)) {
      for (var e : new TreeMap<>(files).entrySet()) {
        ZipArchiveEntry entry = new ZipArchiveEntry(e.getKey());
        if (modes.containsKey(e.getKey())) {
          entry.setUnixMode(0100000 | modes.get(e.getKey()));
        }
        z.putArchiveEntry(entry);
        z.write(e.getValue().getBytes(StandardCharsets.UTF_8));
        z.closeArchiveEntry();
      }
    }
    return bytes.toByteArray();
  }

  private static List<String> paths(JsonNode listing) {
    List<String> out = new ArrayList<>();
    listing.get("entries").forEach(e -> out.add(e.get("path").asText()));
    return out;
  }

  @Test
  void aListShowsWhatAZipPutThereWithTypesSizesModesAndDepth() throws Exception {
    byte[] zip =
        zip(
            Map.of(
                "README.md", "# hi\n",
                "src/main.js", "console.log(1)\n",
                "src/lib/util.js", "module.exports = {}\n",
                "bin/run.sh", "#!/bin/sh\n"),
            Map.of("bin/run.sh", 0755));
    assertThat(gw.postArchive(id, KEY1, "/app/list", zip).statusCode()).isEqualTo(200);
    Engine.exec(id, "ln", "-s", "/etc/passwd", "/app/list/link");

    JsonNode top = json(gw.get(files("?path=/app/list/&list"), KEY1), 200);
    assertThat(top.get("path").asText()).isEqualTo("/app/list");
    assertThat(top.get("truncated").asBoolean()).isFalse();
    assertThat(paths(top))
        .containsExactly("/app/list/README.md", "/app/list/bin", "/app/list/link", "/app/list/src");
    JsonNode readme = top.get("entries").get(0);
    assertThat(readme.get("name").asText()).isEqualTo("README.md");
    assertThat(readme.get("type").asText()).isEqualTo("file");
    assertThat(readme.get("size").asLong()).isEqualTo(5);
    assertThat(readme.get("mode").asText()).isEqualTo("0644");
    assertThat(readme.get("modified").asText()).isNotBlank();
    assertThat(top.get("entries").get(1).get("type").asText()).isEqualTo("dir");
    assertThat(top.get("entries").get(2).get("type").asText()).isEqualTo("symlink");

    JsonNode deep = json(gw.get(files("?path=/app/list&list&depth=3"), KEY1), 200);
    assertThat(paths(deep))
        .containsExactly(
            "/app/list/README.md",
            "/app/list/bin",
            "/app/list/bin/run.sh",
            "/app/list/link",
            "/app/list/src",
            "/app/list/src/lib",
            "/app/list/src/lib/util.js",
            "/app/list/src/main.js");
    assertThat(deep.get("entries").get(2).get("mode").asText()).isEqualTo("0755");

    JsonNode cut = json(gw.get(files("?path=/app/list&list&depth=3&limit=2"), KEY1), 200);
    assertThat(cut.get("entries")).hasSize(2);
    assertThat(cut.get("truncated").asBoolean()).isTrue();

    // bounds and rules
    assertThat(json(gw.get(files("?path=/app/list&list&depth=9"), KEY1), 400).toString())
        .contains("depth");
    assertThat(json(gw.get(files("?path=app/list&list"), KEY1), 400).get("rule").asText())
        .isEqualTo("bad-path");
    assertThat(json(gw.get(files("?path=/app/../etc&list"), KEY1), 400).get("rule").asText())
        .isEqualTo("bad-path");
    assertThat(json(gw.get(files("?path=/app/nope&list"), KEY1), 404).get("rule").asText())
        .isEqualTo("not-found");
    assertThat(
            json(gw.get(files("?path=/app/list/README.md&list"), KEY1), 400).get("rule").asText())
        .isEqualTo("not-a-directory");
    assertThat(gw.get(files("?path=/app/list&list"), KEY2).statusCode()).isEqualTo(404);
  }

  @Test
  void openApiListsTheNewEndpoints() throws Exception {
    String api = gw.get("/openapi", null).body();
    assertThat(api)
        .contains("/api/v1/containers/{id}/files/move")
        .contains("/api/v1/containers/{id}/files/mkdir")
        .contains("/api/v1/containers/{id}/files/watch")
        .contains("/api/v1/containers/{id}/files/watch/{watch}")
        .contains("/api/v1/containers/{id}/pause")
        .contains("/api/v1/containers/{id}/resume")
        .contains("overwrite") // the move body's schema
        .contains("directories"); // the watch's
  }

  @Test
  void statDescribesAPathAndALinkWithoutFollowingIt() throws Exception {
    assertThat(
            gw.put(files("?path=/app/stat/a.txt&mode=640"), KEY1, "hello".getBytes()).statusCode())
        .isEqualTo(200);
    JsonNode a = json(gw.get(files("?path=/app/stat/a.txt&stat"), KEY1), 200);
    assertThat(a.get("path").asText()).isEqualTo("/app/stat/a.txt");
    assertThat(a.get("name").asText()).isEqualTo("a.txt");
    assertThat(a.get("type").asText()).isEqualTo("file");
    assertThat(a.get("size").asLong()).isEqualTo(5);
    assertThat(a.get("mode").asText()).isEqualTo("0640");
    JsonNode dir = json(gw.get(files("?path=/app/stat&stat"), KEY1), 200);
    assertThat(dir.get("type").asText()).isEqualTo("dir");
    Engine.exec(id, "ln", "-s", "/nowhere", "/app/stat/dangling");
    assertThat(json(gw.get(files("?path=/app/stat/dangling&stat"), KEY1), 200).get("type").asText())
        .isEqualTo("symlink");
    assertThat(json(gw.get(files("?path=/app/stat/none&stat"), KEY1), 404).get("rule").asText())
        .isEqualTo("not-found");
  }

  @Test
  void deleteRefusesANonEmptyDirectoryWithoutRecursiveAndRunsAsNode() throws Exception {
    Engine.exec(
        id, "sh", "-c", "mkdir -p /app/del/d/e && echo x > /app/del/d/e/f && echo y > /app/del/g");
    JsonNode refused = json(gw.delete(files("?path=" + q("/app/del/d")), KEY1), 409);
    assertThat(refused.get("rule").asText()).isEqualTo("not-empty");
    assertThat(Engine.exec(id, "cat", "/app/del/d/e/f")).isEqualTo("x\n");

    JsonNode one = json(gw.delete(files("?path=/app/del/g"), KEY1), 200);
    assertThat(one.get("deleted").asInt()).isEqualTo(1);
    JsonNode tree = json(gw.delete(files("?path=/app/del/d&recursive=true"), KEY1), 200);
    assertThat(tree.get("deleted").asInt()).isEqualTo(3);
    assertThat(paths(json(gw.get(files("?path=/app/del&list"), KEY1), 200))).isEmpty();
    assertThat(json(gw.delete(files("?path=/app/del/g"), KEY1), 404).get("rule").asText())
        .isEqualTo("not-found");

    // as node: what root owns stays
    assertThat(json(gw.delete(files("?path=/etc/hostname"), KEY1), 403).get("rule").asText())
        .isEqualTo("permission-denied");
    assertThat(json(gw.delete(files("?path=/&recursive=true"), KEY1), 400).get("rule").asText())
        .isEqualTo("bad-path");
  }

  @Test
  void moveRenamesAndReplacesOnlyWithOverwrite() throws Exception {
    Engine.exec(id, "sh", "-c", "mkdir -p /app/mv && echo a > /app/mv/a && echo b > /app/mv/b");
    String base = "/api/v1/containers/" + id + "/files/move";
    JsonNode exists =
        json(gw.post(base, KEY1, "{\"from\":\"/app/mv/a\",\"to\":\"/app/mv/b\"}"), 409);
    assertThat(exists.get("rule").asText()).isEqualTo("already-exists");
    json(gw.post(base, KEY1, "{\"from\":\"/app/mv/a\",\"to\":\"/app/mv/c\"}"), 200);
    assertThat(Engine.exec(id, "cat", "/app/mv/c")).isEqualTo("a\n");
    assertThat(json(gw.get(files("?path=/app/mv/a&stat"), KEY1), 404).get("rule").asText())
        .isEqualTo("not-found");
    json(
        gw.post(base, KEY1, "{\"from\":\"/app/mv/c\",\"to\":\"/app/mv/b\",\"overwrite\":true}"),
        200);
    assertThat(Engine.exec(id, "cat", "/app/mv/b")).isEqualTo("a\n");
    assertThat(
            json(gw.post(base, KEY1, "{\"from\":\"/app/mv/b\",\"to\":\"/app/nodir/b\"}"), 404)
                .get("rule")
                .asText())
        .isEqualTo("not-found");
    assertThat(
            json(gw.post(base, KEY1, "{\"from\":\"/app/mv/b\",\"to\":\"/app/../etc/b\"}"), 400)
                .get("rule")
                .asText())
        .isEqualTo("bad-path");
    assertThat(json(gw.post(base, KEY1, "{\"from\":\"/app/mv/b\"}"), 400).toString())
        .contains("to");
  }

  @Test
  void mkdirMakesADirectoryOwnedByNodeWithParentsOnlyWhenAsked() throws Exception {
    String base = "/api/v1/containers/" + id + "/files/mkdir";
    json(gw.post(base, KEY1, "{\"path\":\"/app/mk\"}"), 201);
    assertThat(Engine.exec(id, "stat", "-c", "%a %U %F", "/app/mk"))
        .isEqualTo("755 node directory\n");
    assertThat(json(gw.post(base, KEY1, "{\"path\":\"/app/mk\"}"), 409).get("rule").asText())
        .isEqualTo("already-exists");
    assertThat(json(gw.post(base, KEY1, "{\"path\":\"/app/mk/x/y\"}"), 404).get("rule").asText())
        .isEqualTo("not-found");
    json(gw.post(base, KEY1, "{\"path\":\"/app/mk/x/y\",\"parents\":true}"), 201);
    json(gw.post(base, KEY1, "{\"path\":\"/app/mk/x/y\",\"parents\":true}"), 201);
    assertThat(Engine.exec(id, "stat", "-c", "%U", "/app/mk/x/y")).isEqualTo("node\n");
    assertThat(json(gw.post(base, KEY1, "{\"path\":\"/root/x\"}"), 403).get("rule").asText())
        .isEqualTo("permission-denied");
  }

  @Test
  void aWatchReportsWhatTheShellCreatesChangesAndDeletesOnTheEventStream() throws Exception {
    Engine.exec(id, "mkdir", "-p", "/app/w/sub");
    try (EventsIT.Subscription events = new EventsIT.Subscription(gw, KEY1, null);
        TerminalClient socket =
            TerminalClient.connect(
                created.get("websocketUrl").asText(),
                "token=" + created.get("token").asText() + "&terminal=")) {
      events.await(e -> e.name().equals("hello"), Duration.ofSeconds(10));
      socket.awaitMessage(dev.cms.domain.client.ServerMessage.Status.class, Duration.ofSeconds(10));
      JsonNode w =
          json(
              gw.post(
                  "/api/v1/containers/" + id + "/files/watch",
                  KEY1,
                  "{\"path\":\"/app/w\",\"recursive\":true}"),
              201);
      String watch = w.get("id").asText();
      assertThat(w.get("directories").asInt()).isEqualTo(2);
      assertThat(w.get("active").asBoolean()).isTrue();

      var shell =
          gw.post(
              "/api/v1/containers/" + id + "/exec",
              KEY1,
              "{\"command\":\"echo hi > /app/w/sub/from-shell.txt\"}");
      assertThat(shell.statusCode()).as(shell.body()).isEqualTo(200);
      EventsIT.Sse made =
          events.await(
              e ->
                  e.name().equals("file")
                      && e.data().get("path").asText().equals("/app/w/sub/from-shell.txt")
                      && e.data().get("change").asText().equals("created"),
              Duration.ofSeconds(10));
      assertThat(made.data().get("container").asText()).isEqualTo(id);
      assertThat(made.data().get("watch").asText()).isEqualTo(watch);
      assertThat(made.data().get("type").asText()).isEqualTo("file");
      // the container's client WebSocket gets it too
      Instant deadline = Instant.now().plusSeconds(10);
      while (socket.messages().stream()
          .noneMatch(
              m ->
                  m instanceof dev.cms.domain.client.ServerMessage.File f
                      && f.path().equals("/app/w/sub/from-shell.txt")
                      && f.change().equals("created")
                      && f.fileType().equals("file"))) {
        assertThat(Instant.now()).as(socket.messages().toString()).isBefore(deadline);
        Thread.sleep(50);
      }

      Thread.sleep(300);
      gw.post(
          "/api/v1/containers/" + id + "/exec",
          KEY1,
          "{\"command\":\"echo more >> /app/w/sub/from-shell.txt; mkdir /app/w/new\"}");
      events.await(
          e ->
              e.name().equals("file")
                  && e.data().get("path").asText().equals("/app/w/sub/from-shell.txt")
                  && e.data().get("change").asText().equals("modified"),
          Duration.ofSeconds(10));
      events.await(
          e ->
              e.name().equals("file")
                  && e.data().get("path").asText().equals("/app/w/new")
                  && e.data().get("type").asText().equals("dir"),
          Duration.ofSeconds(10));
      Thread.sleep(300); // the new directory is watched by then
      gw.post(
          "/api/v1/containers/" + id + "/exec",
          KEY1,
          "{\"command\":\"touch /app/w/new/inner; rm /app/w/sub/from-shell.txt\"}");
      events.await(
          e ->
              e.name().equals("file")
                  && e.data().get("path").asText().equals("/app/w/new/inner")
                  && e.data().get("change").asText().equals("created"),
          Duration.ofSeconds(10));
      events.await(
          e ->
              e.name().equals("file")
                  && e.data().get("path").asText().equals("/app/w/sub/from-shell.txt")
                  && e.data().get("change").asText().equals("deleted"),
          Duration.ofSeconds(10));

      JsonNode list = json(gw.get("/api/v1/containers/" + id + "/files/watch", KEY1), 200);
      assertThat(list).hasSize(1);
      assertThat(gw.delete("/api/v1/containers/" + id + "/files/watch/" + watch, KEY1).statusCode())
          .isEqualTo(204);
      assertThat(json(gw.get("/api/v1/containers/" + id + "/files/watch", KEY1), 200)).isEmpty();
      assertThat(gw.delete("/api/v1/containers/" + id + "/files/watch/" + watch, KEY1).statusCode())
          .isEqualTo(404);
      assertThat(
              json(
                      gw.post(
                          "/api/v1/containers/" + id + "/files/watch",
                          KEY1,
                          "{\"path\":\"/app/w/nope\"}"),
                      404)
                  .get("rule")
                  .asText())
          .isEqualTo("not-found");
    }
  }
}
