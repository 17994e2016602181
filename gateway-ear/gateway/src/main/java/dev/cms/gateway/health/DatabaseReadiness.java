package dev.cms.gateway.health;

import dev.cms.gateway.persistence.SchemaMigrations;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import javax.sql.DataSource;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only while the record database answers (a connection of the gateway's data source, checked
 * by the driver). The answer names the check and UP/DOWN only (it is served to anyone); why it is
 * down goes to the log, once per change.
 */
@Readiness
@ApplicationScoped
public class DatabaseReadiness implements HealthCheck {

  private static final int PING_SECONDS = 5;

  private final DownLog log = new DownLog("database");

  @Resource(lookup = SchemaMigrations.DATA_SOURCE)
  DataSource dataSource;

  @Override
  public HealthCheckResponse call() {
    try (Connection c = dataSource.getConnection()) {
      if (!c.isValid(PING_SECONDS)) {
        throw new IllegalStateException(
            "the database did not answer within " + PING_SECONDS + " s");
      }
      log.up();
      return HealthCheckResponse.named("database").up().build();
    } catch (Exception e) {
      log.down(e);
      return HealthCheckResponse.named("database").down().build();
    }
  }
}
