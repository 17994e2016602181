package dev.cms.gateway.templates.control;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.inject.Inject;
import java.util.concurrent.Future;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Starts the templates' image builds in the background when the gateway starts: one managed task
 * builds them one after the other (a 2-core machine builds one image well, several badly).
 */
@Singleton
@Startup
public class TemplateBuilds {

  private static final Logger LOG = Logger.getLogger(TemplateBuilds.class.getName());

  @Inject Templates templates;
  @Resource ManagedExecutorService executor;

  private Future<?> running;

  @PostConstruct
  void start() {
    running =
        executor.submit(
            () -> {
              try {
                templates.buildAll();
              } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "template builds stopped", e);
              }
            });
  }

  @PreDestroy
  void stop() {
    templates.stop();
    if (running != null) {
      running.cancel(true);
    }
  }
}
