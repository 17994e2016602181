package dev.cms.gateway.health;

import dev.cms.gateway.runtime.ContainerRuntime;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only while the container engine answers. The answer names the check and UP/DOWN only (it is
 * served to anyone); the engine's message goes to the log, once per change.
 */
@Readiness
@ApplicationScoped
public class EngineReadiness implements HealthCheck {

  private final DownLog log = new DownLog("container-engine");

  @Inject ContainerRuntime runtime;

  @Override
  public HealthCheckResponse call() {
    try {
      runtime.ping();
      log.up();
      return HealthCheckResponse.named("container-engine").up().build();
    } catch (RuntimeException e) {
      log.down(e);
      return HealthCheckResponse.named("container-engine").down().build();
    }
  }
}
