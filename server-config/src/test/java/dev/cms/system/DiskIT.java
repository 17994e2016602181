package dev.cms.system;

import static dev.cms.system.Gateway.KEY1;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A container cannot fill the host's disk: everything it may write sits on its own disk of {@code
 * CMS_DISK_MB} (64 MiB here); writing twice that fails inside with ENOSPC while the host loses at
 * most the limit, the container and its agent carry on, and deleting the container frees it all.
 */
class DiskIT {
  static final long LIMIT_MB = 64;
  static final long SLACK_MB = 32; // others may write to the same host disk meanwhile

  static Gateway gw;
  static final List<String> created = new java.util.concurrent.CopyOnWriteArrayList<>();

  @BeforeAll
  static void gateway() throws Exception {
    gw = Gateway.dedicated("disk", Map.of("CMS_DISK_MB", Long.toString(LIMIT_MB)));
    gw.start();
  }

  @AfterAll
  static void stop() {
    if (gw != null) {
      // through the gateway, so that the disks are released too (stopAndClean removes containers
      // only)
      for (String id : created) {
        try {
          gw.delete("/api/v1/containers/" + id, KEY1);
        } catch (Exception e) {
          System.err.println("DiskIT: could not delete " + id + ": " + e);
        }
      }
      gw.stopAndClean();
    }
  }

  private static JsonNode create() throws Exception {
    JsonNode c = gw.create(KEY1);
    created.add(c.get("id").asText());
    return c;
  }

  @Test
  void writingPastTheLimitIsNoSpaceInsideAndTheHostLosesAtMostTheLimit() throws Exception {
    // given
    JsonNode c = create();
    String id = c.get("id").asText();
    assertThat(c.get("limits").get("diskMb").asLong()).isEqualTo(LIMIT_MB);
    String name = "cms-" + id;
    Path disks = gw.dataDir().resolve("disks");
    Path image = disks.resolve(name + ".img");
    Path mount = disks.resolve(name);
    assertThat(image).exists();
    assertThat(mounted(mount)).isTrue();
    // the sparse file costs far less than its size until written
    assertThat(allocatedMb(image)).isLessThan(LIMIT_MB / 2);
    long freeBefore = freeMb(gw.dataDir());

    // the image's content arrived on the disk, owned as in the image; the rest is read-only
    assertThat(
            Engine.exec(
                id,
                "stat",
                "-c",
                "%n %U %a",
                "/app",
                "/home/node",
                "/home/node/.bashrc",
                "/tmp",
                "/var/tmp"))
        .isEqualTo(
            "/app node 755\n/home/node node 755\n/home/node/.bashrc node 644\n/tmp root 1777\n"
                + "/var/tmp root 1777\n");
    assertThat(Engine.exec(id, "sh", "-c", "touch /etc/x 2>&1; touch /usr/x 2>&1 || true"))
        .contains("Read-only file system");

    // when: twice the limit, as the user would, in a terminal
    try (TerminalClient t =
        TerminalClient.connect(
            c.get("websocketUrl").asText(), "token=" + c.get("token").asText() + "&terminal=dd")) {
      t.type(
          "dd if=/dev/zero of=/app/big bs=1M count="
              + 2 * LIMIT_MB
              + " 2>&1; echo dd-$((40+2))-done\r");
      String out = t.awaitText(s -> s.contains("dd-42-done\r\n"), Duration.ofSeconds(120));

      // then
      assertThat(out).contains("No space left on device");
      long freeAfter = freeMb(gw.dataDir());
      assertThat(freeBefore - freeAfter)
          .as("host space used by a container that wrote %d MiB", 2 * LIMIT_MB)
          .isLessThanOrEqualTo(LIMIT_MB + SLACK_MB);
      assertThat(allocatedMb(image)).isLessThanOrEqualTo(LIMIT_MB);
      // the other places share the same limit
      assertThat(
              Engine.exec(
                  id, "sh", "-c", "{ head -c 2000000 /dev/zero > /tmp/more; } 2>&1 || true"))
          .contains("No space left on device");
      HttpResponse<String> full =
          gw.put(
              "/api/v1/containers/" + id + "/files?path=/home/node/f.bin",
              KEY1,
              new byte[20_000]); // small: the JDK client sends a body whole before it reads
      assertThat(full.statusCode()).as(full.body()).isEqualTo(413);
      assertThat(Gateway.JSON.readTree(full.body()).get("rule").asText()).isEqualTo("no-space");

      // the container and its agent carry on: the shell still answers, space freed is usable
      t.type("rm /app/big; echo $((20+23))-ok\r");
      t.awaitText(s -> s.contains("43-ok\r\n"), Duration.ofSeconds(20));
    }
    JsonNode after = gw.container(id, KEY1);
    assertThat(after.get("status").asText()).isEqualTo("RUNNING");
    assertThat(after.get("agentConnected").asBoolean()).isTrue();
    HttpResponse<String> small =
        gw.put(
            "/api/v1/containers/" + id + "/files?path=/app/small.txt",
            KEY1,
            "fits".getBytes(StandardCharsets.UTF_8));
    assertThat(small.statusCode()).as(small.body()).isEqualTo(200);
    assertThat(gw.get("/health/ready", null).statusCode()).isEqualTo(200);

    // when: full again, then deleted
    Engine.exec(id, "sh", "-c", "dd if=/dev/zero of=/app/big bs=1M count=" + 2 * LIMIT_MB);
    long held = allocatedMb(image);
    assertThat(held).isGreaterThan(LIMIT_MB / 2);
    long freeFull = freeMb(gw.dataDir());
    HttpResponse<String> deleted = gw.delete("/api/v1/containers/" + id, KEY1);
    assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);

    // then: file, mount and volumes are gone, the space is back
    assertThat(image).doesNotExist();
    assertThat(mount).doesNotExist();
    assertThat(mounted(mount)).isFalse();
    for (String dir : List.of("app", "home", "tmp", "vartmp")) {
      assertThat(
              Engine.docker().listVolumesCmd().exec().getVolumes().stream()
                  .filter(v -> v.getName().equals(name + "-" + dir))
                  .count())
          .as("volume " + name + "-" + dir)
          .isZero();
    }
    // others write to this disk too: the best of a few samples
    long freeAfter = 0;
    for (int i = 0; i < 5; i++, Thread.sleep(300)) {
      freeAfter = Math.max(freeAfter, freeMb(gw.dataDir()));
    }
    assertThat(freeAfter - freeFull).as("MiB given back to the host").isGreaterThan(held - 8);
  }

  @Test
  void aStoppedContainerKeepsItsFilesAndStartsAgainOnItsDisk() throws Exception {
    JsonNode c = create();
    String id = c.get("id").asText();
    try {
      assertThat(
              gw.put(
                      "/api/v1/containers/" + id + "/files?path=/app/kept.txt",
                      KEY1,
                      "kept".getBytes(StandardCharsets.UTF_8))
                  .statusCode())
          .isEqualTo(200);
      assertThat(gw.post("/api/v1/containers/" + id + "/stop", KEY1, null).statusCode())
          .isEqualTo(200);
      assertThat(gw.post("/api/v1/containers/" + id + "/start", KEY1, null).statusCode())
          .isEqualTo(200);
      assertThat(Engine.exec(id, "cat", "/app/kept.txt")).isEqualTo("kept");
      assertThat(Engine.exec(id, "sh", "-c", "df -m /app | tail -n 1 | awk '{print $2}'").strip())
          .satisfies(total -> assertThat(Long.parseLong(total)).isLessThanOrEqualTo(LIMIT_MB));
    } finally {
      gw.delete("/api/v1/containers/" + id, KEY1);
    }
  }

  private static boolean mounted(Path dir) throws Exception {
    String want = dir.toAbsolutePath().normalize().toString();
    return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
        .map(l -> l.split(" "))
        .anyMatch(f -> f.length > 4 && f[4].replace("\\040", " ").equals(want));
  }

  private static long freeMb(Path dir) throws Exception {
    return Files.getFileStore(dir).getUsableSpace() / (1024 * 1024);
  }

  /** Blocks the file really takes on the host (st_blocks), in MiB. */
  private static long allocatedMb(Path file) throws Exception {
    Process p = new ProcessBuilder("stat", "-c", "%b %B", file.toString()).start();
    String[] out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split(" ");
    p.waitFor();
    return Long.parseLong(out[0].strip()) * Long.parseLong(out[1].strip()) / (1024 * 1024);
  }
}
