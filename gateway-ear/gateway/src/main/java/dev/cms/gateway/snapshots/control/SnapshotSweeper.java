package dev.cms.gateway.snapshots.control;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.ejb.Schedule;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.inject.Inject;
import java.util.logging.Logger;

/**
 * Frees what the runtime keeps of snapshots without a record: at start (in the background, so an
 * unreachable engine delays nothing) and then every few minutes, which also frees the image of a
 * deleted snapshot once its last fork is gone.
 */
@Singleton
@Startup
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class SnapshotSweeper {

  private static final Logger LOG = Logger.getLogger(SnapshotSweeper.class.getName());

  @Inject Snapshots snapshots;

  @Resource ManagedExecutorService executor;

  @PostConstruct
  void start() {
    executor.submit(this::sweep);
  }

  @Schedule(hour = "*", minute = "*/2", persistent = false)
  void tick() {
    sweep();
  }

  private void sweep() {
    try {
      snapshots.sweep();
    } catch (RuntimeException e) {
      LOG.warning(() -> "cannot sweep orphan snapshots yet (will retry): " + e.getMessage());
    }
  }
}
