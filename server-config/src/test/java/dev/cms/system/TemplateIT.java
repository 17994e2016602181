package dev.cms.system;

import static dev.cms.system.Gateway.KEY1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Templates on the real engine: a gateway configured with a real toolchain ({@code lua}: Debian's
 * lua5.4, which the local base lacks; its python3 is already there) and a setup that fails ({@code
 * failing}: {@code exit 3}). Both build in the background at start; a create with {@code lua} runs
 * Lua as node, an unknown one is a 400, the failed one says why, and a second start reuses the
 * image built by the first.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TemplateIT {

  /** Unique per run, so that the first start really builds (and the test cleans up its image). */
  private static final String RUN = Long.toString(System.nanoTime(), 36);

  /** The file the lua setup waits for (created in its build container by the test). */
  private static final String GO = "/tmp/cms-template-go";

  private static Gateway gw;
  private static String luaImage;

  @BeforeAll
  static void start() throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("CMS_TEMPLATES", "lua,failing");
    env.put("CMS_TEMPLATE_LUA_DESCRIPTION", "Lua 5.4 from Debian");
    // it waits (bounded) for the test to let it go on, so it is BUILDING when the test looks
    env.put(
        "CMS_TEMPLATE_LUA_SETUP",
        ": run "
            + RUN
            + "; i=0; while [ ! -e "
            + GO
            + " ] && [ $i -lt 600 ]; do i=$((i+1)); sleep 1; done;"
            + " apt-get update && apt-get install -y --no-install-recommends lua5.4"
            + " && rm -rf /var/lib/apt/lists/*");
    env.put("CMS_TEMPLATE_FAILING_SETUP", "echo about to fail " + RUN + "; exit 3");
    // bounds ?wait=ready; kept below 30 s, where the server ends a request held on an h2c
    // connection (the JDK client upgrades to it)
    env.put("CMS_READY_TIMEOUT_SECONDS", "15");
    env.put("CMS_TEMPLATE_BUILD_TIMEOUT_SECONDS", "900");
    if (Files.isReadable(Gateway.SYSTEM_CA_BUNDLE)) {
      env.put("CMS_EXTRA_CA_BUNDLE", Gateway.SYSTEM_CA_BUNDLE.toString());
    }
    gw = Gateway.dedicated("templates", env);
    gw.start();
  }

  @AfterAll
  static void stop() {
    if (gw != null) {
      gw.stopAndClean();
    }
    if (luaImage != null) {
      try {
        Engine.docker().removeImageCmd(luaImage).withForce(true).exec();
      } catch (RuntimeException e) {
        // already gone
      }
    }
  }

  private static JsonNode json(HttpResponse<String> r, int status) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    return Gateway.JSON.readTree(r.body());
  }

  /**
   * Lets the lua setup go on: finds its build container on the engine (running this run's setup
   * script) and creates the file it waits for.
   */
  private static void letTheLuaBuildGoOn() {
    String[] build = new String[1];
    await()
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              for (var c : Engine.docker().listContainersCmd().exec()) {
                if (c.getCommand() != null
                    && c.getCommand().contains("/opt/cms/template-setup.sh")
                    && Engine.execIn(c.getId(), "0", "cat", "/opt/cms/template-setup.sh")
                        .contains(": run " + RUN + ";")) {
                  build[0] = c.getId();
                  return true;
                }
              }
              return false;
            });
    try {
      Engine.execIn(build[0], "0", "touch", GO);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode template(String name) throws Exception {
    return json(gw.get("/api/v1/templates/" + name, KEY1), 200);
  }

  @Test
  @Order(1)
  void theTemplatesAreListedAndOneStillBuildingIsA503WithRetryAfter() throws Exception {
    JsonNode list = json(gw.get("/api/v1/templates", KEY1), 200);
    assertThat(list)
        .extracting(t -> t.get("name").asText())
        .containsExactly("default", "lua", "failing");
    JsonNode lua = list.get(1);
    assertThat(lua.get("description").asText()).isEqualTo("Lua 5.4 from Debian");
    assertThat(lua.get("base").asText()).isEqualTo("cms-base:bookworm");
    assertThat(lua.get("status").asText()).isEqualTo("BUILDING");
    assertThat(lua.hasNonNull("image")).isFalse();

    HttpResponse<String> early = gw.post("/api/v1/containers", KEY1, "{\"template\":\"lua\"}");
    JsonNode problem = json(early, 503);
    assertThat(problem.get("rule").asText()).isEqualTo("template-building");
    assertThat(early.headers().firstValue("Retry-After")).hasValue("10");
    assertThat(gw.get("/api/v1/containers", KEY1).body()).as("no record for it").isEqualTo("[]");
    assertThat(list.get(2).get("status").asText()).as("queued behind lua").isEqualTo("BUILDING");

    // ?wait=ready waits for the build, bounded by CMS_READY_TIMEOUT_SECONDS, then says so
    Instant t0 = Instant.now();
    HttpResponse<String> waited =
        gw.post("/api/v1/containers?wait=ready", KEY1, "{\"template\":\"lua\"}");
    assertThat(json(waited, 503).get("rule").asText()).isEqualTo("template-building");
    assertThat(Duration.between(t0, Instant.now())).isGreaterThanOrEqualTo(Duration.ofSeconds(14));

    letTheLuaBuildGoOn();
  }

  @Test
  @Order(2)
  void aCreateWithTheTemplateRunsItsToolchainAsNode() throws Exception {
    await()
        .atMost(Duration.ofMinutes(5))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> !"BUILDING".equals(template("lua").get("status").asText()));
    HttpResponse<String> r =
        gw.post("/api/v1/containers?wait=ready", KEY1, "{\"template\":\"lua\"}");
    JsonNode created = json(r, 201);
    String id = created.get("id").asText();
    assertThat(created.get("template").asText()).isEqualTo("lua");
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> gw.container(id, KEY1).get("agentConnected").asBoolean());

    JsonNode lua = template("lua");
    assertThat(lua.get("status").asText()).isEqualTo("READY");
    luaImage = lua.get("image").asText();
    assertThat(luaImage).startsWith("cms-template-lua:");
    assertThat(Engine.byRecord(id).orElseThrow().getConfig().getImage()).isEqualTo(luaImage);

    JsonNode run =
        json(
            gw.post(
                "/api/v1/containers/" + id + "/exec",
                KEY1,
                "{\"command\":\"id -un; lua5.4 -e 'print(6*7)'\"}"),
            200);
    assertThat(run.get("stderr").asText()).isEmpty();
    assertThat(run.get("stdout").asText()).isEqualTo("node\n42\n");
    assertThat(gw.container(id, KEY1).get("template").asText()).isEqualTo("lua");
  }

  @Test
  @Order(3)
  void theDefaultTemplateIsTheAppContainerImageWithoutTheToolchain() throws Exception {
    JsonNode created = gw.create(KEY1);
    String id = created.get("id").asText();
    assertThat(created.get("template").asText()).isEqualTo("default");
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> gw.container(id, KEY1).get("agentConnected").asBoolean());
    JsonNode run =
        json(
            gw.post(
                "/api/v1/containers/" + id + "/exec",
                KEY1,
                "{\"command\":\"command -v lua5.4 || echo none\"}"),
            200);
    assertThat(run.get("stdout").asText()).isEqualTo("none\n");
    assertThat(template("default").get("status").asText()).isEqualTo("READY");
  }

  @Test
  @Order(4)
  void anUnknownTemplateIsA400NamingTheKnownOnes() throws Exception {
    JsonNode problem = json(gw.post("/api/v1/containers", KEY1, "{\"template\":\"cobol\"}"), 400);
    assertThat(problem.get("rule").asText()).isEqualTo("unknown-template");
    assertThat(problem.get("detail").asText())
        .contains("'cobol'")
        .contains("default, lua, failing");
    assertThat(gw.get("/api/v1/templates/cobol", KEY1).statusCode()).isEqualTo(404);
  }

  @Test
  @Order(5)
  void aFailedBuildMarksItsTemplateFailedWithItsReasonAndACreateGetsIt() throws Exception {
    await()
        .atMost(Duration.ofMinutes(5))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> !"BUILDING".equals(template("failing").get("status").asText()));
    JsonNode failing = template("failing");
    assertThat(failing.get("status").asText()).isEqualTo("FAILED");
    assertThat(failing.get("error").asText()).contains("non-zero code: 3");
    assertThat(failing.get("error").asText())
        .as("the build's output is for admins")
        .doesNotContain("about to fail");
    JsonNode asAdmin = json(gw.get("/api/v1/templates/failing", gw.adminToken()), 200);
    assertThat(asAdmin.get("error").asText()).contains("about to fail " + RUN);

    JsonNode problem =
        json(gw.post("/api/v1/containers?wait=ready", KEY1, "{\"template\":\"failing\"}"), 409);
    assertThat(problem.get("rule").asText()).isEqualTo("template-failed");
    assertThat(problem.get("detail").asText()).contains("non-zero code: 3");
    assertThat(gw.get("/health/ready", null).statusCode()).as("the gateway is fine").isEqualTo(200);
  }

  @Test
  @Order(6)
  void openApiListsTheTemplatesEndpointsWithTheirSchema() throws Exception {
    String api = gw.get("/openapi", null).body();
    assertThat(api)
        .contains("/api/v1/templates")
        .contains("/api/v1/templates/{name}")
        .contains("TemplateView")
        .contains("BUILDING");
  }

  @Test
  @Order(7)
  void aSecondStartReusesTheBuiltImage() throws Exception {
    String idBefore = Engine.docker().inspectImageCmd(luaImage).exec().getId();
    gw.stop();
    gw.start();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> "READY".equals(template("lua").get("status").asText()));
    assertThat(template("lua").get("image").asText()).isEqualTo(luaImage);
    assertThat(Engine.docker().inspectImageCmd(luaImage).exec().getId()).isEqualTo(idBefore);
    String log = Files.readString(gw.lastLog());
    assertThat(log).contains("template lua image " + luaImage + " present; reusing it");
    assertThat(log).doesNotContain("building template lua image");
  }
}
