package dev.cms.system;

import static dev.cms.system.Gateway.KEY1;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a user's shell and processes see: the container's environment in the documented precedence
 * (the image's, the proxy and CA variables the gateway sets, the create request's {@code env}, the
 * process request's {@code env}), never the agent's own {@code CMS_*} variables; and, because of
 * that, a real {@code npm install} (the registry here needs the machine's CA bundle) that builds
 * and serves an app through the preview.
 */
class EnvironmentIT {

  static Gateway gw;
  static JsonNode container;
  static String id;

  @BeforeAll
  static void create() throws Exception {
    gw = Gateway.shared();
    var r =
        gw.post(
            "/api/v1/containers?wait=ready",
            KEY1,
            "{\"env\":{\"FOO\":\"bar\",\"GREETING\":\"hello world\",\"NO_PROXY\":\"from-create\"}}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    container = Gateway.JSON.readTree(r.body());
    id = container.get("id").asText();
  }

  @AfterAll
  static void remove() throws Exception {
    gw.delete("/api/v1/containers/" + id, KEY1);
  }

  private static final String PRINT =
      "echo \"FOO=$FOO|GREETING=$GREETING|ONLY=$ONLY|CA=$NODE_EXTRA_CA_CERTS|NPMCA=$NPM_CONFIG_CAFILE"
          + "|HTTP_PROXY=$HTTP_PROXY|NO_PROXY=$NO_PROXY|no_proxy=$no_proxy|HOME=$HOME|USER=$USER|END\";"
          + " env | grep -c '^CMS_' | sed 's/^/CMS_VARS=/'";

  @Test
  void aProcessSeesTheCreateEnvTheCaAndProxyVariablesAndItsOwnEnvButNoAgentVariable()
      throws Exception {
    var started =
        gw.post(
            "/api/v1/containers/" + id + "/processes",
            KEY1,
            Gateway.JSON
                .createObjectNode()
                .put("command", PRINT)
                .set("env", Gateway.JSON.createObjectNode().put("ONLY", "this-process"))
                .toString());
    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    String terminal = Gateway.JSON.readTree(started.body()).get("terminal").asText();
    try (TerminalClient t =
        TerminalClient.connect(
            container.get("websocketUrl").asText(),
            "token=" + container.get("token").asText() + "&terminal=" + terminal)) {
      String out = t.awaitText(s -> s.contains("CMS_VARS="), Duration.ofSeconds(20));
      assertThat(out)
          .contains("FOO=bar|GREETING=hello world|ONLY=this-process|")
          .contains("|CA=/etc/cms/extra-ca.crt|NPMCA=/etc/cms/extra-ca.crt|")
          .contains("|HTTP_PROXY=" + Gateway.TEST_PROXY + "|")
          // the create request's env wins over the gateway's proxy variables
          .contains("|NO_PROXY=from-create|no_proxy=" + Gateway.TEST_NO_PROXY + "|")
          .contains("|HOME=/home/node|USER=node|END")
          .contains("CMS_VARS=0");
    }
  }

  @Test
  void theInteractiveShellSeesTheSameAndNoAgentVariable() throws Exception {
    try (TerminalClient t =
        TerminalClient.connect(
            container.get("websocketUrl").asText(),
            "token=" + container.get("token").asText() + "&terminal=envcheck")) {
      t.type(PRINT + "\r");
      String out = t.awaitText(s -> s.matches("(?s).*CMS_VARS=\\d.*"), Duration.ofSeconds(20));
      assertThat(out)
          .contains("FOO=bar|GREETING=hello world|ONLY=|")
          .contains("|CA=/etc/cms/extra-ca.crt|NPMCA=/etc/cms/extra-ca.crt|")
          .contains("|HTTP_PROXY=" + Gateway.TEST_PROXY + "|")
          .contains("CMS_VARS=0");
      t.type("cat /proc/self/environ | tr '\\0' '\\n' | grep -c CMS_AGENT | sed 's/^/SELF=/'\r");
      assertThat(t.awaitText(s -> s.contains("SELF=0"), Duration.ofSeconds(10))).isNotEmpty();
    }
  }

  @Test
  void theContainerRecordDoesNotEchoEnvValues() throws Exception {
    JsonNode c = gw.container(id, KEY1);
    assertThat(c.toString()).doesNotContain("hello world").doesNotContain("bar\"");
  }

  @Test
  void buildAndRunInstallsARealDependencyFromTheRegistryAndServesTheAppThroughThePreview()
      throws Exception {
    String pkg =
        "{\"name\":\"envit\",\"version\":\"1.0.0\",\"scripts\":{\"start\":\"node server.js\"},"
            + "\"dependencies\":{\"ms\":\"2.1.3\"}}";
    String server =
        "const ms = require('ms');\n"
            + "require('http').createServer((q, r) => r.end('two minutes are ' + ms('2m') + ' ms'))"
            + ".listen(3000);\n";
    byte[] zip =
        FilesIT.zip(
            Map.of(
                "package.json", pkg.getBytes(StandardCharsets.UTF_8),
                "server.js", server.getBytes(StandardCharsets.UTF_8)),
            Map.of());
    var put = gw.postArchive(id, KEY1, "/app/envit", zip);
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);

    // what the console's Build & Run sends
    var started =
        gw.post(
            "/api/v1/containers/" + id + "/processes",
            KEY1,
            "{\"command\":\"npm install --no-audit --no-fund && npm start\",\"cwd\":\"/app/envit\","
                + "\"port\":3000}");
    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    JsonNode proc = Gateway.JSON.readTree(started.body());
    URI host = URI.create(proc.get("url").asText());

    Instant deadline = Instant.now().plus(Duration.ofSeconds(150));
    String page = "";
    while (Instant.now().isBefore(deadline) && !page.startsWith("HTTP/1.1 200")) {
      Thread.sleep(500);
      page = gw.rawPreviewGet("/", host.getHost() + ":" + host.getPort(), "text/html");
      JsonNode now = processView(proc.get("id").asText());
      assertThat(now.get("status").asText())
          .as("npm install && npm start ended early: %s", now)
          .isNotEqualTo("EXITED");
    }
    assertThat(page).startsWith("HTTP/1.1 200").contains("two minutes are 120000 ms");
    gw.post(
        "/api/v1/containers/" + id + "/processes/" + proc.get("id").asText() + "/stop", KEY1, null);
  }

  private static JsonNode processView(String pid) throws Exception {
    for (JsonNode p :
        Gateway.JSON.readTree(gw.get("/api/v1/containers/" + id + "/processes", KEY1).body())) {
      if (p.get("id").asText().equals(pid)) {
        return p;
      }
    }
    throw new AssertionError("process " + pid + " not listed");
  }
}
