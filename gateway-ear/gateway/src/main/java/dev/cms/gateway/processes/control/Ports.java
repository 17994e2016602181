package dev.cms.gateway.processes.control;

import dev.cms.domain.protocol.Stream;
import dev.cms.domain.protocol.StreamHandler;
import dev.cms.gateway.agents.control.Agents;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The ports listening in each container, followed through the agent's {@code ports} stream (opened
 * whenever an agent link comes up); every change is fired as a {@link PortChanged}.
 */
@ApplicationScoped
public class Ports {

  private static final Logger LOG = Logger.getLogger(Ports.class.getName());

  @Inject Agents agents;
  @Inject Event<PortChanged> changes;

  private final Map<String, Set<Integer>> open = new ConcurrentHashMap<>();

  /** The container's listening ports, ascending. */
  public SortedSet<Integer> of(String containerId) {
    return new TreeSet<>(open.getOrDefault(containerId, Set.of()));
  }

  void onLink(@Observes Agents.LinkChanged change) {
    if (!change.connected()) {
      return;
    }
    agents
        .link(change.containerId())
        .ifPresent(
            link ->
                link.mux()
                    .open("ports", Map.of(), new Follower(change.containerId()))
                    .whenComplete(
                        (s, e) -> {
                          if (e != null) {
                            LOG.log(Level.FINE, "no ports stream for " + change.containerId(), e);
                          }
                        }));
  }

  private final class Follower implements StreamHandler {
    private final String containerId;
    private final StringBuilder text = new StringBuilder();

    Follower(String containerId) {
      this.containerId = containerId;
    }

    @Override
    public void onData(Stream s, byte[] data) {
      text.append(new String(data, StandardCharsets.UTF_8));
      for (int nl; (nl = text.indexOf("\n")) >= 0; ) {
        String line = text.substring(0, nl).strip();
        text.delete(0, nl + 1);
        apply(line);
      }
    }

    @Override
    public void onClose(Stream s) {
      s.close();
    }

    private void apply(String line) {
      String[] parts = line.split(" ");
      Set<Integer> now = open.computeIfAbsent(containerId, k -> ConcurrentHashMap.newKeySet());
      try {
        switch (parts[0]) {
          case "snapshot" -> {
            Set<Integer> snapshot = new TreeSet<>();
            for (int i = 1; i < parts.length; i++) {
              snapshot.add(Integer.parseInt(parts[i]));
            }
            for (Integer p : Set.copyOf(now)) {
              if (!snapshot.contains(p)) {
                now.remove(p);
                changes.fire(new PortChanged(containerId, p, false));
              }
            }
            for (Integer p : snapshot) {
              if (now.add(p)) {
                changes.fire(new PortChanged(containerId, p, true));
              }
            }
          }
          case "open" -> {
            int p = Integer.parseInt(parts[1]);
            if (now.add(p)) {
              changes.fire(new PortChanged(containerId, p, true));
            }
          }
          case "closed" -> {
            int p = Integer.parseInt(parts[1]);
            if (now.remove(p)) {
              changes.fire(new PortChanged(containerId, p, false));
            }
          }
          default -> LOG.fine(() -> "unknown ports line: " + line);
        }
      } catch (RuntimeException e) {
        LOG.log(Level.FINE, "bad ports line: " + line, e);
      }
    }
  }
}
