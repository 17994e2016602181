package dev.cms.gateway.containers.control;

import dev.cms.domain.ContainerStatus;
import dev.cms.gateway.agents.control.Agents;
import dev.cms.gateway.metrics.Meters;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.metrics.Tag;

/**
 * The containers' meters: records by state and connected agents (gauges, read at scrape time; the
 * state counts are one grouped query, at most once a second), and the time from a create request to
 * the container's agent connected. Registered when the application starts, so {@code /metrics}
 * lists them before the first container.
 */
@ApplicationScoped
public class ContainerMeters {

  private static final Logger LOG = Logger.getLogger(ContainerMeters.class.getName());
  private static final long COUNT_EVERY_NANOS = Duration.ofSeconds(1).toNanos();

  /** Creates waiting for their agent that are remembered at once (older ones are forgotten). */
  static final int MAX_PENDING = 10_000;

  @Inject Meters meters;
  @Inject ContainerStore store;
  @Inject Agents agents;

  /** Container id → System.nanoTime() of its create request, until its agent connects. */
  private final Map<String, Long> pending = new ConcurrentHashMap<>();

  private volatile Map<ContainerStatus, Long> counts = Map.of();
  private volatile long countedAt = System.nanoTime() - COUNT_EVERY_NANOS;

  void atStart(@Observes @Initialized(ApplicationScoped.class) Object started) {
    // observing the start makes the bean (and its gauges) exist before the first scrape
  }

  @PostConstruct
  void register() {
    for (ContainerStatus s : ContainerStatus.values()) {
      meters.gauge(
          "cms_containers",
          "Container records by state",
          () -> counts().getOrDefault(s, 0L),
          new Tag("state", s.name().toLowerCase(Locale.ROOT)));
    }
    meters.gauge(
        "cms_agents_connected", "Agents with a live link to this gateway", () -> agents.count());
  }

  /** A create served at once (a warm-pool claim) began at {@code began} (System.nanoTime()). */
  void readySince(long began) {
    meters.createdToReady(Duration.ofNanos(System.nanoTime() - began));
  }

  /**
   * A create request for {@code id} began at {@code began} (System.nanoTime()); its create-to-ready
   * time ends when its agent connects.
   */
  void created(String id, long began) {
    if (pending.size() >= MAX_PENDING) {
      // creates that never became ready (failed, deleted): drop the oldest half
      long cut = System.nanoTime() - Duration.ofMinutes(10).toNanos();
      for (Iterator<Long> it = pending.values().iterator(); it.hasNext(); ) {
        if (it.next() - cut < 0) {
          it.remove();
        }
      }
      if (pending.size() >= MAX_PENDING) {
        return;
      }
    }
    pending.put(id, began);
  }

  void onAgentLink(@Observes Agents.LinkChanged change) {
    if (!change.connected()) {
      return;
    }
    Long began = pending.remove(change.containerId());
    if (began != null) {
      meters.createdToReady(Duration.ofNanos(System.nanoTime() - began));
    }
  }

  void onStatus(@Observes ContainerStatusChanged change) {
    if (change.status().isFinal()) {
      pending.remove(change.containerId());
    }
  }

  private Map<ContainerStatus, Long> counts() {
    long now = System.nanoTime();
    if (now - countedAt < COUNT_EVERY_NANOS) {
      return counts;
    }
    synchronized (this) {
      if (now - countedAt >= COUNT_EVERY_NANOS) {
        try {
          Map<ContainerStatus, Long> m = store.countByStatus();
          counts = Map.copyOf(m);
        } catch (RuntimeException e) {
          LOG.log(Level.FINE, "cannot count the container records", e);
        }
        countedAt = System.nanoTime();
      }
    }
    return counts;
  }
}
