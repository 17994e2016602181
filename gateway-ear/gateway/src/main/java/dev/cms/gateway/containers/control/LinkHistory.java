package dev.cms.gateway.containers.control;

import dev.cms.gateway.agents.control.Agents;
import dev.cms.gateway.agents.control.RateWindow;
import dev.cms.gateway.config.Settings;
import dev.cms.gateway.containers.entity.ContainerEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Records agent link changes in the container's history, at most {@link
 * Settings#linkEventsPerMinute()} a minute per container: a reconnect storm adds a bounded number
 * of rows, the rest are counted in one {@code AGENT_LINK_CHURN} row when the next minute starts.
 */
@ApplicationScoped
public class LinkHistory {

  private static final Logger LOG = Logger.getLogger(LinkHistory.class.getName());

  @Inject ContainerStore store;
  @Inject Settings settings;

  private volatile RateWindow window;

  void onAgentLink(@Observes Agents.LinkChanged change) {
    RateWindow.Decision d = window().admit(change.containerId());
    if (!d.allowed() && d.suppressedBefore() == 0) {
      return;
    }
    try {
      List<ContainerEvent> notes = new ArrayList<>(2);
      if (d.suppressedBefore() > 0) {
        notes.add(
            ContainerEvent.note(
                change.containerId(),
                "AGENT_LINK_CHURN",
                d.suppressedBefore()
                    + " more agent link changes not recorded (more than "
                    + settings.linkEventsPerMinute()
                    + " a minute)",
                Instant.now()));
      }
      if (d.allowed()) {
        notes.add(
            ContainerEvent.note(
                change.containerId(),
                change.connected() ? "AGENT_CONNECTED" : "AGENT_DISCONNECTED",
                change.detail(),
                Instant.now()));
      }
      store.note(change.containerId(), notes);
      if (d.suppressedBefore() > 0) {
        LOG.warning(
            () ->
                "agent of "
                    + change.containerId()
                    + ": "
                    + d.suppressedBefore()
                    + " link changes in a minute were not recorded (reconnect storm)");
      }
    } catch (RuntimeException e) {
      LOG.log(
          Level.WARNING, "could not record the agent link change of " + change.containerId(), e);
    }
  }

  private RateWindow window() {
    RateWindow w = window;
    if (w == null) {
      synchronized (this) {
        if (window == null) {
          window = new RateWindow(settings.linkEventsPerMinute(), 100_000);
        }
        w = window;
      }
    }
    return w;
  }
}
