package dev.cms.system;

import static dev.cms.system.Gateway.KEY1;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cms.domain.client.ClientMessage;
import dev.cms.domain.client.OutputFrame;
import dev.cms.domain.client.ServerMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Files and zips into and out of a real container, and every refusal rule. */
class FilesIT {

  static Gateway gw;
  static String id;
  static JsonNode created;
  static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

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

  @Test
  void aNestedFileLandsWithItsModeAndParentsAndRoundTrips() throws Exception {
    byte[] content = "#!/bin/sh\necho héllo ✓\n".getBytes(StandardCharsets.UTF_8);
    HttpResponse<String> put = putFile("/app/src/deep/er/run.sh", "755", content);
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    assertThat(Gateway.JSON.readTree(put.body()).get("bytes").asLong()).isEqualTo(content.length);
    assertThat(Engine.exec(id, "stat", "-c", "%a %U", "/app/src/deep/er/run.sh"))
        .isEqualTo("755 node\n");
    assertThat(Engine.exec(id, "/app/src/deep/er/run.sh")).isEqualTo("héllo ✓\n");
    assertThat(download("files", "/app/src/deep/er/run.sh").body()).isEqualTo(content);

    // overwrite replaces it whole
    byte[] second = new byte[3 * 1024 * 1024];
    new Random(7).nextBytes(second);
    assertThat(putFile("/app/src/deep/er/run.sh", null, second).statusCode()).isEqualTo(200);
    assertThat(sha256(download("files", "/app/src/deep/er/run.sh").body()))
        .isEqualTo(sha256(second));
    assertThat(
            Engine.exec(id, "sh", "-c", "ls -a /app/src/deep/er | grep -c cms-upload || true")
                .strip())
        .isEqualTo("0");
    assertThat(gw.get("/api/v1/containers/" + id + "/events", KEY1).body())
        .contains("FILE_WRITTEN");
  }

  @Test
  void aTenThousandEntryZipLandsIntactWithModesAndTheDirectoryDownloadsAsAZip() throws Exception {
    Map<String, byte[]> files = new TreeMap<>();
    Random r = new Random(42);
    for (int i = 0; i < 10_000; i++) {
      byte[] b = new byte[20 + r.nextInt(200)];
      r.nextBytes(b);
      files.put("node_modules/pkg" + (i % 100) + "/lib/f" + i + ".js", b);
    }
    byte[] zip =
        zip(
            files,
            Map.of("bin/start.sh", "#!/bin/sh\necho started\n".getBytes(StandardCharsets.UTF_8)));
    HttpResponse<String> post = postArchive("/app/big", zip);
    assertThat(post.statusCode()).as(post.body()).isEqualTo(200);
    assertThat(Gateway.JSON.readTree(post.body()).get("entries").asLong())
        .isGreaterThanOrEqualTo(10_001);

    String count = Engine.exec(id, "sh", "-c", "find /app/big -type f | wc -l").strip();
    assertThat(count).isEqualTo("10001");
    String sums =
        Engine.exec(
            id,
            "sh",
            "-c",
            "cd /app/big && find node_modules -type f -exec sha256sum {} + | sort -k2");
    StringBuilder expected = new StringBuilder();
    files.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e ->
                expected.append(sha256(e.getValue())).append("  ").append(e.getKey()).append('\n'));
    assertThat(sums.lines().sorted().toList())
        .isEqualTo(expected.toString().lines().sorted().toList());
    assertThat(Engine.exec(id, "stat", "-c", "%a", "/app/big/bin/start.sh")).isEqualTo("755\n");
    assertThat(Engine.exec(id, "/app/big/bin/start.sh")).isEqualTo("started\n");
    assertThat(Engine.exec(id, "sh", "-c", "ls -a /app/big | grep -c cms-staging || true").strip())
        .isEqualTo("0");

    // the directory comes back as a zip, byte for byte
    HttpResponse<byte[]> dl = download("archive", "/app/big/node_modules/pkg7");
    assertThat(dl.statusCode()).isEqualTo(200);
    Map<String, byte[]> back = unzip(dl.body());
    Map<String, byte[]> want = new TreeMap<>();
    files.forEach(
        (k, v) -> {
          if (k.startsWith("node_modules/pkg7/")) {
            want.put(k.substring("node_modules/pkg7/".length()), v);
          }
        });
    assertThat(back.keySet()).isEqualTo(want.keySet());
    want.forEach((k, v) -> assertThat(back.get(k)).as(k).isEqualTo(v));
  }

  @Test
  void everyRefusedUploadNamesItsRuleAndLeavesTheTargetUntouched() throws Exception {
    assertThat(
            postArchive("/app/t", zip(Map.of("keep.txt", "before".getBytes()), Map.of()))
                .statusCode())
        .isEqualTo(200);
    String before = snapshot();
    byte[] zeros = new byte[5 * 1024 * 1024];
    Map<String, byte[]> manyEntries = new TreeMap<>();
    for (int i = 0; i < 20_001; i++) {
      manyEntries.put("m/" + i, new byte[0]);
    }
    byte[] stored25mb = storedZip("big.bin", new byte[25 * 1024 * 1024]);
    Object[][] cases = {
      {"absolute-entry", evilZip("/abs.txt", 0100644)},
      {"dotdot-entry", evilZip("../evil", 0100644)},
      {"dotdot-entry", evilZip("a/../../evil", 0100644)},
      {"backslash-entry", evilZip("dir/a\\b", 0100644)},
      {"symlink-entry", evilZip("link", 0120777)},
      {"special-entry", evilZip("fifo", 0010644)},
      {"duplicate-entry", duplicateZip()},
      {"compression-ratio", zip(Map.of("zeros.bin", zeros), Map.of())},
      {"too-many-entries", zip(manyEntries, Map.of())},
      {"unpacked-too-large", stored25mb},
      {"corrupt-zip", "this is not a zip at all".getBytes()},
    };
    for (Object[] c : cases) {
      HttpResponse<String> r = postArchive("/app/t", (byte[]) c[1]);
      assertThat(r.statusCode()).as(c[0] + ": " + r.body()).isBetween(400, 499);
      assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
      JsonNode p = Gateway.JSON.readTree(r.body());
      assertThat(p.get("rule").asText()).as(r.body()).isEqualTo(c[0]);
      assertThat(snapshot()).as("target after " + c[0]).isEqualTo(before);
    }
    HttpResponse<String> outside =
        postArchive("/etc/cms-test", zip(Map.of("x", "x".getBytes()), Map.of()));
    assertThat(outside.statusCode()).as(outside.body()).isEqualTo(403);
    assertThat(Gateway.JSON.readTree(outside.body()).get("rule").asText())
        .isEqualTo("permission-denied");
    long huge = 129L * 1024 * 1024;
    HttpResponse<String> tooBig =
        HTTP.send(
            request("/files?path=" + enc("/app/t/huge.bin"))
                .PUT(
                    HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofInputStream(() -> new PatternStream(huge)),
                        huge))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(tooBig.statusCode()).isEqualTo(413);
    assertThat(Gateway.JSON.readTree(tooBig.body()).get("rule").asText()).isEqualTo("too-large");
    HttpResponse<String> relative = putFile("relative/x.txt", null, "x".getBytes());
    assertThat(relative.statusCode()).isEqualTo(400);
    assertThat(Gateway.JSON.readTree(relative.body()).get("rule").asText()).isEqualTo("bad-path");
    HttpResponse<String> dotdot = putFile("/app/t/../../etc/x", null, "x".getBytes());
    assertThat(dotdot.statusCode()).isEqualTo(400);
    assertThat(download("files", "/app/t/missing.txt").statusCode()).isEqualTo(404);

    assertThat(snapshot()).isEqualTo(before);
    assertThat(Engine.exec(id, "sh", "-c", "ls -a /app/t | grep -c cms- || true").strip())
        .isEqualTo("0");
    assertThat(gw.get("/health/ready", null).statusCode()).isEqualTo(200);
  }

  private static String snapshot() throws InterruptedException {
    return Engine.exec(
        id,
        "sh",
        "-c",
        "cd /app/t && find . -printf '%p %m %s\\n' | sort && find . -type f -exec sha256sum {} + | sort");
  }

  private static HttpResponse<String> putFile(String path, String mode, byte[] body)
      throws Exception {
    String q = "?path=" + enc(path) + (mode == null ? "" : "&mode=" + mode);
    return HTTP.send(
        request("/files" + q).PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> postArchive(String dest, byte[] zip) throws Exception {
    return HTTP.send(
        request("/archive?dest=" + enc(dest))
            .header("Content-Type", "application/zip")
            .POST(HttpRequest.BodyPublishers.ofByteArray(zip))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<byte[]> download(String what, String path) throws Exception {
    return HTTP.send(
        request("/" + what + "?path=" + enc(path)).GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  private static HttpRequest.Builder request(String tail) {
    // Expect: 100-continue lets the gateway refuse an oversized upload before the body is sent (the
    // JDK
    // client reads no answer while it is still sending)
    return HttpRequest.newBuilder(URI.create(gw.base() + "/api/v1/containers/" + id + tail))
        .expectContinue(true)
        .timeout(Duration.ofSeconds(180))
        .header("Authorization", "Bearer " + KEY1);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static byte[] zip(Map<String, byte[]> files, Map<String, byte[]> executables) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipArchiveOutputStream z = new ZipArchiveOutputStream(out)) {
      for (var e : files.entrySet()) {
        add(z, e.getKey(), e.getValue(), 0100644);
      }
      for (var e : executables.entrySet()) {
        add(z, e.getKey(), e.getValue(), 0100755);
      }
    }
    return out.toByteArray();
  }

  private static void add(ZipArchiveOutputStream z, String name, byte[] data, int mode)
      throws IOException {
    ZipArchiveEntry entry = new ZipArchiveEntry(name);
    entry.setUnixMode(mode);
    z.putArchiveEntry(entry);
    z.write(data);
    z.closeArchiveEntry();
  }

  private static byte[] evilZip(String name, int mode) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipArchiveOutputStream z = new ZipArchiveOutputStream(out)) {
      add(z, "fine.txt", "fine".getBytes(), 0100644);
      add(z, name, "target".getBytes(), mode);
    }
    return out.toByteArray();
  }

  private static byte[] duplicateZip() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipArchiveOutputStream z = new ZipArchiveOutputStream(out)) {
      add(z, "same.txt", "one".getBytes(), 0100644);
      add(z, "same.txt", "two".getBytes(), 0100644);
    }
    return out.toByteArray();
  }

  private static byte[] storedZip(String name, byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipArchiveOutputStream z = new ZipArchiveOutputStream(out)) {
      ZipArchiveEntry entry = new ZipArchiveEntry(name);
      entry.setMethod(ZipArchiveEntry.STORED);
      entry.setSize(data.length);
      java.util.zip.CRC32 crc = new java.util.zip.CRC32();
      crc.update(data);
      entry.setCrc(crc.getValue());
      entry.setUnixMode(0100644);
      z.putArchiveEntry(entry);
      z.write(data);
      z.closeArchiveEntry();
    }
    return out.toByteArray();
  }

  private static Map<String, byte[]> unzip(byte[] zip) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    try (ZipArchiveInputStream in = new ZipArchiveInputStream(new ByteArrayInputStream(zip))) {
      for (ZipArchiveEntry e; (e = in.getNextEntry()) != null; ) {
        if (!e.isDirectory()) {
          out.put(e.getName(), in.readAllBytes());
        }
      }
    }
    return out;
  }

  private static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void uploadsOverTheWebSocketReportProgressAndTheirResultOrRule() throws Exception {
    try (TerminalClient ws =
        TerminalClient.connect(
            created.get("websocketUrl").asText(),
            "token=" + created.get("token").asText() + "&terminal=")) {
      // a 3 MB file in 32 KiB chunks: progress, then ok
      byte[] file = new byte[3 * 1024 * 1024];
      new Random(11).nextBytes(file);
      ws.send(new ClientMessage.Upload("u1", "file", "/app/ws/data.bin", "600"));
      for (int off = 0; off < file.length; off += 32 * 1024) {
        byte[] chunk =
            java.util.Arrays.copyOfRange(file, off, Math.min(file.length, off + 32 * 1024));
        ws.sendBinary(new OutputFrame("u1", off, chunk).encode());
      }
      ws.send(new ClientMessage.UploadEnd("u1"));
      ServerMessage.UploadResult ok = awaitResult(ws, "u1");
      assertThat(ok.ok()).as(ok.toString()).isTrue();
      assertThat(ok.bytes()).as(ws.messages().toString()).isEqualTo(file.length);
      assertThat(ws.messages())
          .anySatisfy(m -> assertThat(m).isInstanceOf(ServerMessage.UploadProgress.class));
      assertThat(sha256(download("files", "/app/ws/data.bin").body())).isEqualTo(sha256(file));
      assertThat(Engine.exec(id, "stat", "-c", "%a", "/app/ws/data.bin")).isEqualTo("600\n");

      // a zip with ../evil: refused with its rule, nothing written
      byte[] evil = evilZip("../evil", 0100644);
      ws.send(new ClientMessage.Upload("u2", "zip", "/app/ws", null));
      ws.sendBinary(new OutputFrame("u2", 0, evil).encode());
      ws.send(new ClientMessage.UploadEnd("u2"));
      ServerMessage.UploadResult refused = awaitResult(ws, "u2");
      assertThat(refused.ok()).isFalse();
      assertThat(refused.rule()).isEqualTo("dotdot-entry");
      assertThat(
              Engine.exec(id, "sh", "-c", "ls /app/ws /app | grep -c -e evil -e fine.txt || true")
                  .strip())
          .isEqualTo("0");
    }
  }

  @Test
  void aHundredMegabyteUploadDoesNotStarveTheTerminal() throws Exception {
    try (TerminalClient t =
        TerminalClient.connect(
            created.get("websocketUrl").asText(),
            "token=" + created.get("token").asText() + "&terminal=busy")) {
      t.awaitMessage(ServerMessage.Attached.class, Duration.ofSeconds(10));
      long size = 100L * 1024 * 1024;
      var upload =
          HTTP.sendAsync(
              request("/files?path=" + enc("/app/big-upload.bin"))
                  .PUT(
                      HttpRequest.BodyPublishers.fromPublisher(
                          HttpRequest.BodyPublishers.ofInputStream(() -> new PatternStream(size)),
                          size))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      // wait until the upload is well under way, then type
      Thread.sleep(1000);
      assertThat(upload).isNotDone();
      t.type("echo during-$((2+3))\r");
      t.awaitText(s -> s.contains("during-5\r\n"), Duration.ofSeconds(10));
      boolean stillUploading = !upload.isDone();
      HttpResponse<String> r = upload.get(180, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(stillUploading)
          .as("the echo came back while the upload was still streaming")
          .isTrue();
    }
  }

  /**
   * A repeating pattern produced on the fly (never held in memory), at most 16 KiB per millisecond,
   * so the upload lasts several seconds whatever the machine.
   */
  private static final class PatternStream extends java.io.InputStream {
    private long left;

    PatternStream(long size) {
      this.left = size;
    }

    @Override
    public int read() {
      if (left <= 0) {
        return -1;
      }
      left--;
      return (int) (left & 0x7f);
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (left <= 0) {
        return -1;
      }
      int n = (int) Math.min(Math.min(len, 16 * 1024), left);
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      for (int i = 0; i < n; i++) {
        b[off + i] = (byte) ((left - i) & 0x7f);
      }
      left -= n;
      return n;
    }
  }

  private static ServerMessage.UploadResult awaitResult(TerminalClient ws, String upload)
      throws Exception {
    java.time.Instant deadline = java.time.Instant.now().plusSeconds(60);
    while (java.time.Instant.now().isBefore(deadline)) {
      for (ServerMessage m : ws.messages()) {
        if (m instanceof ServerMessage.UploadResult r && r.upload().equals(upload)) {
          return r;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no result for upload " + upload + "; got " + ws.messages());
  }
}
