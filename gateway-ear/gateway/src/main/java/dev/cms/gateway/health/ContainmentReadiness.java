package dev.cms.gateway.health;

import dev.cms.gateway.runtime.ContainerRuntime;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import java.util.logging.Logger;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only while the containers' network containment is in place (or switched off by the operator
 * with {@code CMS_CONTAINMENT=off}). The reason goes to the log, not into the answer.
 */
@Readiness
@ApplicationScoped
public class ContainmentReadiness implements HealthCheck {

  private static final Logger LOG = Logger.getLogger(ContainmentReadiness.class.getName());

  @Inject ContainerRuntime runtime;

  @Override
  public HealthCheckResponse call() {
    Optional<String> problem;
    try {
      problem = runtime.containmentProblem();
    } catch (RuntimeException e) {
      problem = Optional.of(String.valueOf(e.getMessage()));
    }
    if (problem.isEmpty()) {
      return HealthCheckResponse.named("containment").up().build();
    }
    String why = problem.get();
    LOG.fine(() -> "readiness: containment DOWN: " + why);
    return HealthCheckResponse.named("containment").down().build();
  }
}
