package dev.cms.gateway.pool.control;

import dev.cms.gateway.containers.control.EngineSync;
import jakarta.annotation.PreDestroy;
import jakarta.ejb.Schedule;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps the warm pool over time: every few seconds, once the records were reconciled with the
 * engine, {@link WarmPool#maintain}; at the gateway's stop, {@link WarmPool#drain}.
 */
@Singleton
@Startup
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class PoolKeeper {

  private static final Logger LOG = Logger.getLogger(PoolKeeper.class.getName());

  @Inject WarmPool pool;
  @Inject EngineSync sync;

  @Schedule(hour = "*", minute = "*", second = "*/5", persistent = false)
  void tick() {
    // also with the pool off: what an earlier run with a pool left is removed at the first tick
    if (!sync.reconciled()) {
      return;
    }
    try {
      pool.maintain();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "warm pool upkeep failed: " + e.getMessage());
    }
  }

  @PreDestroy
  void stop() {
    try {
      pool.drain();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "draining the warm pool failed: " + e.getMessage());
    }
  }
}
