package dev.cms.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.Test;

/**
 * {@code /metrics} (Prometheus text, MicroProfile Metrics): the gateway's own meters are listed
 * before any container exists and move with a create, a terminal, a file and a refused zip.
 */
class MetricsIT {

  private static final String READY = "cms_container_create_to_ready_ms_count";
  private static final String RUNNING = "cms_containers{state=\"running\"}";
  private static final String FILES = "cms_relayed_bytes_total{channel=\"files\"}";
  private static final String TERMINAL = "cms_relayed_bytes_total{channel=\"terminal\"}";
  private static final String DOTDOT = "cms_upload_refusals_total{rule=\"dotdot-entry\"}";
  private static final String AGENTS = "cms_agents_connected";
  private static final String SOCKETS = "cms_client_sockets";

  @Test
  void theMetersMoveWithACreateATerminalAFileAndARefusal() throws Exception {
    Gateway gw = Gateway.shared();
    String text = scrape(gw);
    assertThat(text)
        .contains("# TYPE cms_relayed_bytes_total counter")
        .contains("# TYPE cms_containers gauge")
        .contains("cms_reaper_removals_total{mp_scope=\"application\",reason=\"idle\"}")
        .contains("cms_upload_refusals_total{mp_scope=\"application\",rule=\"too-large\"}");
    Map<String, Double> before = parse(text);

    JsonNode c = gw.create(Gateway.KEY1);
    String id = c.get("id").asText();
    try {
      byte[] file = new byte[10_000];
      assertThat(
              gw.put("/api/v1/containers/" + id + "/files?path=/app/m.bin", Gateway.KEY1, file)
                  .statusCode())
          .isIn(200, 201, 204);
      HttpResponse<String> zip = gw.postArchive(id, Gateway.KEY1, "/app/z", dotdotZip());
      assertThat(zip.statusCode()).as(zip.body()).isEqualTo(400);

      try (TerminalClient t =
          TerminalClient.connect(
              c.get("websocketUrl").asText(), "token=" + c.get("token").asText() + "&terminal=m")) {
        t.type("echo metered-$((6*7))\r");
        t.awaitText(s -> s.contains("metered-42"), Duration.ofSeconds(30));
        Thread.sleep(1_100); // the state gauge counts at most once a second
        Map<String, Double> during = parse(scrape(gw));
        assertThat(during.get(SOCKETS)).isGreaterThanOrEqualTo(1);
        assertThat(during.get(AGENTS)).isGreaterThanOrEqualTo(1);
        assertThat(during.get(RUNNING)).isGreaterThan(before.get(RUNNING));
        assertThat(during.get(READY)).isGreaterThan(before.get(READY));
        assertThat(during.get(FILES)).isGreaterThanOrEqualTo(before.get(FILES) + 10_000);
        assertThat(during.get(TERMINAL)).isGreaterThan(before.get(TERMINAL));
        assertThat(during.get(DOTDOT)).isEqualTo(before.get(DOTDOT) + 1);
        // milliseconds: a create here takes more than a millisecond and well under two minutes
        double sum = during.get("cms_container_create_to_ready_ms_sum");
        assertThat(sum - before.get("cms_container_create_to_ready_ms_sum"))
            .isGreaterThan(1)
            .isLessThan(120_000);
        assertThat(during.get("cms_container_create_to_ready_ms_max")).isLessThan(120_000);
      }
    } finally {
      gw.delete("/api/v1/containers/" + id, Gateway.KEY1);
    }
  }

  private static String scrape(Gateway gw) throws Exception {
    HttpResponse<String> r = gw.get("/metrics", null);
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  /** Sample name with its tags minus {@code mp_scope} → value, for the application's samples. */
  static Map<String, Double> parse(String text) {
    Map<String, Double> m = new HashMap<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("#") || !line.contains("mp_scope=\"application\"")) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      String key =
          line.substring(0, space)
              .replace("mp_scope=\"application\",", "")
              .replace(",mp_scope=\"application\"", "")
              .replace("{mp_scope=\"application\"}", "");
      m.put(key, Double.parseDouble(line.substring(space + 1)));
    }
    return m;
  }

  private static byte[] dotdotZip() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipArchiveOutputStream z = new ZipArchiveOutputStream(out)) {
      ZipArchiveEntry e = new ZipArchiveEntry("../evil");
      byte[] data = "x".getBytes();
      e.setSize(data.length);
      z.putArchiveEntry(e);
      z.write(data);
      z.closeArchiveEntry();
    }
    return out.toByteArray();
  }
}
