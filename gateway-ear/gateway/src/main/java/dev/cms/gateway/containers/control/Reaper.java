package dev.cms.gateway.containers.control;

import dev.cms.domain.ContainerStatus;
import dev.cms.gateway.containers.entity.ContainerRecord;
import dev.cms.gateway.metrics.Meters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Removes this gateway's containers past their idle timeout or time to live ({@link Housekeeping}
 * runs it every few seconds) and counts the removals by reason for {@code /metrics}.
 */
@ApplicationScoped
public class Reaper {

  private static final Logger LOG = Logger.getLogger(Reaper.class.getName());

  @Inject ContainerLedger ledger;
  @Inject ContainerEngine engine;
  @Inject ContainerStore store;
  @Inject Meters meters;

  /**
   * One pass. A PAUSED container is never idle (pausing is a request to keep it; its idle clock
   * starts again at the resume), but its time to live runs on. A container waiting in the warm pool
   * is left alone: its clocks start at the claim, and the pool checks its health.
   */
  public void reap() {
    Instant now = Instant.now();
    for (ContainerRecord rec : store.inStatuses(ContainerLedger.ON_ENGINE)) {
      if (rec.pooled() || !ledger.ours(rec)) {
        continue;
      }
      var limits = rec.limits();
      String why = null;
      Meters.Reaped kind = null;
      if (Duration.between(rec.createdAt(), now).toSeconds() >= limits.ttlSeconds()) {
        why = "time to live of " + limits.ttlSeconds() + " s expired";
        kind = Meters.Reaped.TTL;
      } else if (rec.status() != ContainerStatus.PAUSED
          && Duration.between(rec.lastActivityAt(), now).toSeconds()
              >= limits.idleTimeoutSeconds()) {
        why = "idle for more than " + limits.idleTimeoutSeconds() + " s";
        kind = Meters.Reaped.IDLE;
      }
      if (why != null) {
        String reason = why;
        LOG.info(() -> "reaping container " + rec.id() + ": " + reason);
        try {
          engine.remove(rec.id(), reason);
          meters.reaped(kind);
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "could not reap " + rec.id(), e);
        }
      }
    }
  }
}
