package dev.cms.gateway.containers.control;

import dev.cms.gateway.runtime.ContainerRuntime;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.Schedule;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.inject.Inject;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps the records true over time: on start it follows the engine's events and reconciles the
 * records with the engine (retrying until the engine answers), warms the AppContainer image in the
 * background, and every few seconds reaps containers past their idle timeout or time to live.
 */
@Singleton
@Startup
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class Housekeeping {

  private static final Logger LOG = Logger.getLogger(Housekeeping.class.getName());

  @Inject EngineSync sync;
  @Inject Reaper reaper;
  @Inject ContainerRuntime runtime;
  @Inject GatewayIdentity identity;

  @Resource ManagedExecutorService executor;

  private AutoCloseable watch;
  private volatile boolean reconciled;
  private int ticks;

  @PostConstruct
  void start() {
    LOG.info(() -> "gateway " + identity.id() + " starting housekeeping");
    watch = runtime.watch(sync.watchedLabels(), sync::onRuntimeEvent);
    executor.submit(this::warmUp);
  }

  private void warmUp() {
    // the containment rules go in at start, before any container runs
    runtime.containmentProblem();
    tryReconcile();
    try {
      String image = runtime.ensureImage();
      LOG.info(() -> "AppContainer image ready: " + image);
    } catch (RuntimeException e) {
      LOG.warning(() -> "AppContainer image not ready yet: " + e.getMessage());
    }
  }

  private synchronized void tryReconcile() {
    if (reconciled) {
      return;
    }
    try {
      sync.reconcile();
      reconciled = true;
    } catch (RuntimeException e) {
      LOG.warning(() -> "cannot reconcile with the engine yet (will retry): " + e.getMessage());
    }
  }

  @Schedule(hour = "*", minute = "*", second = "*/10", persistent = false)
  void tick() {
    if (!reconciled) {
      tryReconcile();
      return;
    }
    try {
      reaper.reap();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "reaper run failed: " + e.getMessage());
    }
    if (++ticks % 6 == 0) { // about once a minute
      try {
        runtime.releaseLeftovers();
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "releasing leftover disks failed: " + e.getMessage());
      }
    }
  }

  @PreDestroy
  void stop() {
    try {
      watch.close();
    } catch (Exception e) {
      LOG.log(Level.FINE, "closing the event watch", e);
    }
  }
}
