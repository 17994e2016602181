package dev.cms.gateway.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cms.gateway.testing.FakeRuntime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The engine and containment readiness checks follow the runtime, and say nothing more. */
class ReadinessTest {

  private final FakeRuntime runtime = new FakeRuntime();

  /** Outside the server there is no MicroProfile Health implementation: a plain builder. */
  @BeforeAll
  static void plainResponses() {
    HealthCheckResponse.setResponseProvider(PlainBuilder::new);
  }

  @Test
  void theEngineCheckIsDownWhileTheEngineCannotBeReachedAndUpAgainAfter() {
    EngineReadiness check = new EngineReadiness();
    check.runtime = runtime;

    assertUp(check.call(), "container-engine");
    runtime.unreachable("connection refused");
    HealthCheckResponse down = check.call();
    assertThat(down.getName()).isEqualTo("container-engine");
    assertThat(down.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
    // the answer is public: the engine's message is not in it
    assertThat(down.getData()).isEmpty();
    runtime.unreachable(null);
    assertUp(check.call(), "container-engine");
  }

  @Test
  void theContainmentCheckIsDownWithAProblemOrAnUnreachableEngine() {
    ContainmentReadiness check = new ContainmentReadiness();
    check.runtime = runtime;

    assertUp(check.call(), "containment");
    runtime.containmentProblem("the DOCKER-USER rules are missing");
    HealthCheckResponse down = check.call();
    assertThat(down.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
    assertThat(down.getData()).isEmpty();

    runtime.containmentProblem(null).unreachable("connection refused");
    assertThat(check.call().getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
    runtime.unreachable(null);
    assertUp(check.call(), "containment");
  }

  private static void assertUp(HealthCheckResponse r, String name) {
    assertThat(r.getName()).isEqualTo(name);
    assertThat(r.getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
  }

  private static final class PlainBuilder extends HealthCheckResponseBuilder {
    private String name;
    private boolean up;
    private final Map<String, Object> data = new LinkedHashMap<>();

    @Override
    public HealthCheckResponseBuilder name(String name) {
      this.name = name;
      return this;
    }

    @Override
    public HealthCheckResponseBuilder withData(String key, String value) {
      data.put(key, value);
      return this;
    }

    @Override
    public HealthCheckResponseBuilder withData(String key, long value) {
      data.put(key, value);
      return this;
    }

    @Override
    public HealthCheckResponseBuilder withData(String key, boolean value) {
      data.put(key, value);
      return this;
    }

    @Override
    public HealthCheckResponseBuilder up() {
      return status(true);
    }

    @Override
    public HealthCheckResponseBuilder down() {
      return status(false);
    }

    @Override
    public HealthCheckResponseBuilder status(boolean up) {
      this.up = up;
      return this;
    }

    @Override
    public HealthCheckResponse build() {
      return new HealthCheckResponse(
          name,
          up ? HealthCheckResponse.Status.UP : HealthCheckResponse.Status.DOWN,
          data.isEmpty() ? Optional.empty() : Optional.of(Map.copyOf(data)));
    }
  }
}
