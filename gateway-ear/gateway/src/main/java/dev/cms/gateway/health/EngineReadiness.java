package dev.cms.gateway.health;

import dev.cms.gateway.runtime.ContainerRuntime;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only while the container engine answers. */
@Readiness
@ApplicationScoped
public class EngineReadiness implements HealthCheck {

  @Inject ContainerRuntime runtime;

  @Override
  public HealthCheckResponse call() {
    try {
      runtime.ping();
      return HealthCheckResponse.named("container-engine").up().build();
    } catch (RuntimeException e) {
      return HealthCheckResponse.named("container-engine")
          .down()
          .withData("error", String.valueOf(e.getMessage()))
          .build();
    }
  }
}
