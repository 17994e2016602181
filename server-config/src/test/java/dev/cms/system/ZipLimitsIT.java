package dev.cms.system;

import static dev.cms.system.Gateway.KEY1;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A zip of millions of empty entries (a few hundred bytes of headers each would exhaust the agent's
 * heap if its central directory were parsed) is refused by its entry count, quickly, and the agent
 * stays connected. The gateway runs with the default upload and entry limits (256 MiB, 50 000).
 */
class ZipLimitsIT {
  static final long ENTRIES = 5_000_000;

  static Gateway gw;
  static String id;
  static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void container() throws Exception {
    gw =
        Gateway.dedicated(
            "ziplimits", Map.of("CMS_MAX_UPLOAD_MB", "256", "CMS_MAX_ARCHIVE_ENTRIES", "50000"));
    gw.start();
    id = gw.create(KEY1).get("id").asText();
  }

  @AfterAll
  static void remove() throws Exception {
    if (gw != null) {
      gw.delete("/api/v1/containers/" + id, KEY1);
      gw.stopAndClean();
    }
  }

  @Test
  void fiveMillionEmptyEntriesAreRefusedWithinSecondsAndTheAgentStaysConnected() throws Exception {
    // given: 5 million central-directory entries pointing at one local header, ZIP64 end records
    long size = ManyEntriesZipStream.size(ENTRIES);
    assertThat(size).isLessThan(256L * 1024 * 1024).isGreaterThan(200L * 1024 * 1024);

    // when: streamed, never held in memory
    long start = System.nanoTime();
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create(
                        gw.base()
                            + "/api/v1/containers/"
                            + id
                            + "/archive?dest="
                            + URLEncoder.encode("/app/many", StandardCharsets.UTF_8)))
                .timeout(Duration.ofSeconds(120))
                .header("Authorization", "Bearer " + KEY1)
                .header("Content-Type", "application/zip")
                .POST(
                    HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofInputStream(
                            () -> new ManyEntriesZipStream(ENTRIES)),
                        size))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    System.out.println("ZipLimitsIT: " + size + " bytes uploaded and refused in " + took);

    // then
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    JsonNode problem = Gateway.JSON.readTree(r.body());
    assertThat(problem.get("rule").asText()).as(r.body()).isEqualTo("too-many-entries");
    assertThat(problem.get("detail").asText()).contains("5000000").contains("50000");
    // uploading 235 MB takes a few seconds here (about 60 MB/s); the refusal itself is instant
    assertThat(took).as("upload and refusal").isLessThan(Duration.ofSeconds(30));
    assertThat(Engine.exec(id, "sh", "-c", "ls -a /app | grep -c cms-staging || true").strip())
        .isEqualTo("0");
    // nothing was unpacked (dest itself is created before the upload is read)
    assertThat(Engine.exec(id, "sh", "-c", "find /app/many -mindepth 1 | wc -l").strip())
        .isEqualTo("0");
    assertThat(gw.container(id, KEY1).get("agentConnected").asBoolean()).isTrue();
    HttpResponse<String> small =
        gw.put(
            "/api/v1/containers/" + id + "/files?path=/app/after.txt",
            KEY1,
            "still here".getBytes(StandardCharsets.UTF_8));
    assertThat(small.statusCode()).as(small.body()).isEqualTo(200);
    assertThat(Engine.exec(id, "cat", "/app/after.txt")).isEqualTo("still here");
  }

  /**
   * The zip, generated as it is read: one local header of an empty file {@code a}, {@code n}
   * identical central-directory entries pointing at it, ZIP64 end record, locator, classic end
   * record claiming 0xFFFF entries.
   */
  static final class ManyEntriesZipStream extends InputStream {
    static final int LOCAL = 31;
    static final int CENTRAL = 47;
    private final long n;
    private final byte[] head;
    private final byte[] entry;
    private final byte[] tail;
    private final long total;
    private long pos;

    ManyEntriesZipStream(long n) {
      this.n = n;
      ByteBuffer h = le(LOCAL);
      h.putInt(0x04034b50).putShort((short) 20).putShort((short) 0).putShort((short) 0);
      h.putShort((short) 0).putShort((short) 0x21).putInt(0).putInt(0).putInt(0);
      h.putShort((short) 1).putShort((short) 0).put((byte) 'a');
      head = h.array();
      ByteBuffer c = le(CENTRAL);
      c.putInt(0x02014b50).putShort((short) 0x031e).putShort((short) 20).putShort((short) 0);
      c.putShort((short) 0).putShort((short) 0).putShort((short) 0x21);
      c.putInt(0).putInt(0).putInt(0);
      c.putShort((short) 1).putShort((short) 0).putShort((short) 0).putShort((short) 0);
      c.putShort((short) 0).putInt(0100644 << 16).putInt(0).put((byte) 'a');
      entry = c.array();
      long cdSize = n * CENTRAL;
      ByteBuffer t = le(56 + 20 + 22);
      t.putInt(0x06064b50).putLong(44).putShort((short) 45).putShort((short) 45);
      t.putInt(0).putInt(0).putLong(n).putLong(n).putLong(cdSize).putLong(LOCAL);
      t.putInt(0x07064b50).putInt(0).putLong(LOCAL + cdSize).putInt(1);
      t.putInt(0x06054b50).putShort((short) 0).putShort((short) 0);
      t.putShort((short) 0xffff).putShort((short) 0xffff);
      t.putInt((int) Math.min(cdSize, 0xffffffffL)).putInt(LOCAL).putShort((short) 0);
      tail = t.array();
      total = size(n);
    }

    static long size(long n) {
      return LOCAL + n * CENTRAL + 56 + 20 + 22;
    }

    private static ByteBuffer le(int size) {
      return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (pos >= total) {
        return -1;
      }
      int done = 0;
      while (done < len && pos < total) {
        byte[] part;
        int at;
        long cdEnd = LOCAL + n * CENTRAL;
        if (pos < LOCAL) {
          part = head;
          at = (int) pos;
        } else if (pos < cdEnd) {
          part = entry;
          at = (int) ((pos - LOCAL) % CENTRAL);
        } else {
          part = tail;
          at = (int) (pos - cdEnd);
        }
        int k = Math.min(len - done, part.length - at);
        System.arraycopy(part, at, b, off + done, k);
        done += k;
        pos += k;
      }
      return done;
    }
  }
}
