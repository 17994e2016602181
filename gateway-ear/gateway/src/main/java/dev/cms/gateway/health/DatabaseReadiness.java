package dev.cms.gateway.health;

import dev.cms.gateway.persistence.Database;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only while the record database answers. The answer names the check and UP/DOWN only (it is
 * served to anyone); why it is down goes to the log, once per change.
 */
@Readiness
@ApplicationScoped
public class DatabaseReadiness implements HealthCheck {

  private final DownLog log = new DownLog("database");

  @Inject Database db;

  @Override
  public HealthCheckResponse call() {
    try {
      db.ping();
      log.up();
      return HealthCheckResponse.named("database").up().build();
    } catch (Exception e) {
      log.down(e);
      return HealthCheckResponse.named("database").down().build();
    }
  }
}
