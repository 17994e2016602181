package dev.cms.gateway.agents.control;

import dev.cms.domain.protocol.Mux;
import dev.cms.gateway.config.Settings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The live agent links, one per container at most: who is connected, since when, and its
 * multiplexer.
 */
@ApplicationScoped
public class Agents {

  private static final Logger LOG = Logger.getLogger(Agents.class.getName());

  /** One authenticated agent connection. */
  public record Link(
      String containerId, Session session, Mux mux, String agentVersion, Instant connectedAt) {}

  /** Fired when an agent link comes up or goes down. */
  public record LinkChanged(String containerId, boolean connected, String detail) {}

  private final Map<String, Link> links = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<Link>> waiters = new ConcurrentHashMap<>();

  @Inject Event<LinkChanged> changes;
  @Inject Settings settings;

  private volatile RateWindow linkUps;

  /**
   * Registers a freshly authenticated link, replacing (and closing) an older one of the same
   * container; refuses it (close 1013) beyond {@link Settings#agentLinksPerMinute()} links of the
   * container a minute, so a reconnect storm with a real credential costs a bounded amount of work.
   *
   * @return whether the link was registered
   */
  public boolean connected(Link link) {
    RateWindow.Decision d = linkUps().admit(link.containerId());
    if (d.suppressedBefore() > 0) {
      LOG.warning(
          () ->
              d.suppressedBefore()
                  + " agent links of "
                  + link.containerId()
                  + " were refused in the last minute (more than "
                  + settings.agentLinksPerMinute()
                  + " a minute)");
    }
    if (!d.allowed()) {
      if (d.firstRefused()) {
        LOG.warning(
            () ->
                "refusing new agent links of "
                    + link.containerId()
                    + " for the rest of the minute: more than "
                    + settings.agentLinksPerMinute()
                    + " a minute (reconnect storm)");
      }
      link.mux().closeAll("too many agent links a minute");
      close(
          link.session(),
          CloseReason.CloseCodes.TRY_AGAIN_LATER,
          "too many agent links of this container a minute");
      return false;
    }
    Link old = links.put(link.containerId(), link);
    if (old != null && old.session() != link.session()) {
      old.mux().closeAll("replaced by a newer connection");
      close(old.session(), CloseReason.CloseCodes.NORMAL_CLOSURE, "replaced by a newer connection");
    }
    CompletableFuture<Link> waiter = waiters.remove(link.containerId());
    if (waiter != null) {
      waiter.complete(link);
    }
    changes.fire(
        new LinkChanged(
            link.containerId(),
            true,
            "agent " + Untrusted.quote(link.agentVersion()) + " connected"));
    return true;
  }

  private RateWindow linkUps() {
    RateWindow w = linkUps;
    if (w == null) {
      synchronized (this) {
        if (linkUps == null) {
          linkUps = new RateWindow(settings.agentLinksPerMinute(), 100_000);
        }
        w = linkUps;
      }
    }
    return w;
  }

  /** Forgets a link when its session ended; a newer link of the same container stays. */
  public void disconnected(String containerId, Session session, String reason) {
    Link link = links.get(containerId);
    if (link != null && link.session() == session && links.remove(containerId, link)) {
      link.mux().closeAll(reason);
      changes.fire(new LinkChanged(containerId, false, reason));
    }
  }

  public boolean isConnected(String containerId) {
    return links.containsKey(containerId);
  }

  public Optional<Link> link(String containerId) {
    return Optional.ofNullable(links.get(containerId));
  }

  /**
   * Completes with {@code true} once the container's agent is connected, or with {@code false} when
   * {@code timeout} passed first (or the container went away). Holds no thread while waiting.
   */
  public CompletableFuture<Boolean> whenConnected(String containerId, Duration timeout) {
    if (isConnected(containerId)) {
      return CompletableFuture.completedFuture(true);
    }
    CompletableFuture<Link> f =
        waiters.computeIfAbsent(containerId, k -> new CompletableFuture<>());
    if (isConnected(containerId)) {
      return CompletableFuture.completedFuture(true);
    }
    return f.thenApply(link -> true)
        .completeOnTimeout(false, timeout.toMillis(), TimeUnit.MILLISECONDS)
        .exceptionally(e -> isConnected(containerId));
  }

  /** Drops the container's link, if any (the container is going away). */
  public void drop(String containerId, String reason) {
    Link link = links.remove(containerId);
    CompletableFuture<Link> waiter = waiters.remove(containerId);
    if (waiter != null) {
      waiter.cancel(false);
    }
    if (link != null) {
      link.mux().closeAll(reason);
      close(link.session(), CloseReason.CloseCodes.GOING_AWAY, reason);
    }
  }

  public int count() {
    return links.size();
  }

  private static void close(Session session, CloseReason.CloseCode code, String reason) {
    try {
      if (session.isOpen()) {
        session.close(
            new CloseReason(code, reason.length() > 120 ? reason.substring(0, 120) : reason));
      }
    } catch (IOException e) {
      LOG.log(Level.FINE, "closing an agent session", e);
    }
  }
}
