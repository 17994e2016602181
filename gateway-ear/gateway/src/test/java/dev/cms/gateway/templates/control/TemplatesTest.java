package dev.cms.gateway.templates.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cms.gateway.problems.ApiException;
import dev.cms.gateway.testing.FakeRuntime;
import dev.cms.gateway.testing.TestSettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The templates' lifecycle against an in-memory runtime: BUILDING → READY or FAILED, choose. */
class TemplatesTest {

  private final FakeRuntime runtime = new FakeRuntime();

  private Templates templates(Map<String, String> properties) {
    Templates t = new Templates();
    t.settings = TestSettings.of(properties);
    t.runtime = runtime;
    t.init();
    return t;
  }

  private static Map<String, String> nodeAndPython() {
    Map<String, String> p = new HashMap<>();
    p.put("cms.templates", "node,python");
    p.put("cms.template.node.description", "Node with pnpm");
    p.put("cms.template.node.setup", "npm i -g pnpm");
    p.put("cms.template.python.base", "python:3.12-slim");
    p.put("cms.template.python.setup", "pip install flask");
    return p;
  }

  @Test
  void beforeTheBuildEveryNamedTemplateIsBuildingAndAskingForOneIsA503WithRetryAfter() {
    Templates t = templates(nodeAndPython());

    assertThat(t.names()).containsExactly("default", "node", "python");
    assertThat(t.list(false))
        .extracting(TemplateView::status)
        .containsOnly(TemplateStatus.BUILDING);
    assertThatThrownBy(() -> t.choose("node"))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(503);
              assertThat(e.rule()).isEqualTo("template-building");
              assertThat(e.retryAfterSeconds()).isEqualTo(Templates.RETRY_AFTER_SECONDS);
            });
    assertThat(t.readyImage("node")).isEmpty();
    // the default never waits here: a create builds (or waits for) the AppContainer image itself
    assertThat(t.choose(null).image()).isEmpty();
    assertThat(t.choose("default").name()).isEqualTo("default");
    assertThat(runtime.calls).isEmpty();
  }

  @Test
  void buildAllMakesEveryImageDefaultFirstAndTheTemplatesBecomeReady() {
    Templates t = templates(nodeAndPython());

    t.buildAll();

    assertThat(runtime.calls)
        .containsExactly("ensureImage", "ensureTemplateImage node", "ensureTemplateImage python");
    assertThat(t.list(false)).extracting(TemplateView::status).containsOnly(TemplateStatus.READY);
    Templates.Choice node = t.choose("node");
    assertThat(node.name()).isEqualTo("node");
    assertThat(node.image())
        .hasValueSatisfying(i -> assertThat(i).startsWith("fake/template-node"));
    assertThat(t.readyImage(null)).hasValue(FakeRuntime.APP_IMAGE);
    assertThat(t.get("python", false).base()).isEqualTo("python:3.12-slim");
    // a template without a base of its own is built on the AppContainer's base
    assertThat(t.get("node", false).base()).isEqualTo("node:22-bookworm-slim");
    assertThat(t.get("node", false).description()).isEqualTo("Node with pnpm");

    // images are reused: a second pass (a restart) builds nothing
    int built = runtime.builds.get();
    templates(nodeAndPython()).buildAll();
    assertThat(runtime.builds.get()).isEqualTo(built);
  }

  @Test
  void aFailedBuildIsA409WithItsReasonAndOnlyAnAdminSeesTheBuildOutput() {
    runtime.failTemplate("python", "E: pip: command not found");
    Templates t = templates(nodeAndPython());

    t.buildAll();

    assertThat(t.get("node", false).status()).isEqualTo(TemplateStatus.READY);
    TemplateView user = t.get("python", false);
    TemplateView admin = t.get("python", true);
    assertThat(user.status()).isEqualTo(TemplateStatus.FAILED);
    assertThat(user.error()).contains("the setup failed").doesNotContain("pip: command not found");
    assertThat(admin.error()).contains("pip: command not found");
    assertThat(user.image()).isNull();
    assertThatThrownBy(() -> t.choose("python"))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(409);
              assertThat(e.rule()).isEqualTo("template-failed");
              assertThat(e.getMessage()).contains("python").doesNotContain("pip:");
            });
  }

  @Test
  void anUnknownTemplateIsA400NamingTheKnownOnesAndGetIsA404() {
    Templates t = templates(nodeAndPython());

    assertThatThrownBy(() -> t.choose("ruby"))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.rule()).isEqualTo("unknown-template");
              assertThat(e.getMessage()).contains("default, node, python");
            });
    assertThatThrownBy(() -> t.get("ruby", false))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
  }

  @Test
  void anUnusableConfigurationIsFailedAtOnceAndNeverBuilt() {
    Map<String, String> p = new HashMap<>();
    p.put("cms.templates", "bad,Not-A-Name");
    p.put("cms.template.bad.base", "not an image!");
    Templates t = templates(p);

    assertThat(t.names()).containsExactly("default", "bad");
    assertThat(t.get("bad", true).status()).isEqualTo(TemplateStatus.FAILED);
    assertThat(t.get("bad", true).error()).contains("configuration").contains("not an image");
    assertThat(t.whenSettled("bad", Duration.ofSeconds(1))).isDone();

    t.buildAll();
    assertThat(runtime.calls).containsExactly("ensureImage");
  }

  @Test
  void whenSettledCompletesOnceTheBuildEndsAndAfterTheTimeoutAtTheLatest() throws Exception {
    runtime.buildTime(Duration.ofMillis(300));
    Templates t = templates(nodeAndPython());

    CompletableFuture<Void> node = t.whenSettled("node", Duration.ofSeconds(30));
    CompletableFuture<Void> shortWait = t.whenSettled("python", Duration.ofMillis(50));
    assertThat(node).isNotDone();
    shortWait.get(5, TimeUnit.SECONDS); // the timeout ends the wait, not the build
    assertThat(t.get("python", false).status()).isEqualTo(TemplateStatus.BUILDING);

    CompletableFuture.runAsync(t::buildAll);
    node.get(10, TimeUnit.SECONDS);
    assertThat(t.get("node", false).status()).isEqualTo(TemplateStatus.READY);
    // the default and unknown names never wait
    assertThat(t.whenSettled(null, Duration.ofHours(1))).isDone();
    assertThat(t.whenSettled("ruby", Duration.ofHours(1))).isDone();
  }

  @Test
  void anUnreachableEngineIsTriedAgainUntilItAnswers() throws Exception {
    runtime.unreachable("connection refused");
    Templates t = templates(Map.of());
    Thread builder = new Thread(t::buildAll, "builder");
    builder.start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (runtime.calls.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(runtime.calls).containsExactly("ensureImage");
      assertThat(t.get("default", false).status()).isEqualTo(TemplateStatus.BUILDING);

      runtime.unreachable(null);
      // the first retry comes after 5 s
      builder.join(TimeUnit.SECONDS.toMillis(15));
      assertThat(builder.isAlive()).isFalse();
      assertThat(runtime.calls).containsExactly("ensureImage", "ensureImage");
      assertThat(t.get("default", false).status()).isEqualTo(TemplateStatus.READY);
      assertThat(t.get("default", false).image()).isEqualTo(FakeRuntime.APP_IMAGE);
    } finally {
      t.stop();
      builder.interrupt();
    }
  }

  @Test
  void stopEndsTheBuildsAtTheNextStep() {
    Templates t = templates(nodeAndPython());
    t.stop();
    t.buildAll();
    assertThat(runtime.calls).isEmpty();
  }
}
