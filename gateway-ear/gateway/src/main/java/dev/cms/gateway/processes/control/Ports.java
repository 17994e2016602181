package dev.cms.gateway.processes.control;

import dev.cms.domain.kinds.KindParams;
import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.LineBuffer;
import dev.cms.domain.protocol.ProtocolException;
import dev.cms.domain.protocol.Stream;
import dev.cms.domain.protocol.StreamHandler;
import dev.cms.gateway.agents.control.Agents;
import dev.cms.gateway.containers.control.ContainerStatusChanged;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The ports listening in each container, followed through the agent's {@code ports} stream (opened
 * whenever an agent link comes up, so also after a gateway restart or an agent reconnect: its
 * snapshot replaces what was known); every change is fired as a {@link PortChanged}.
 */
@ApplicationScoped
public class Ports {
  /** The {@code ports} stream's open parameters: none. */
  private static final KindParams.Ports PORTS = new KindParams.Ports();

  private static final Logger LOG = Logger.getLogger(Ports.class.getName());

  @Inject Agents agents;
  @Inject Event<PortChanged> changes;

  private final Map<String, Set<Integer>> open = new ConcurrentHashMap<>();

  /** The container's listening ports, ascending. */
  public SortedSet<Integer> of(String containerId) {
    return new TreeSet<>(open.getOrDefault(containerId, Set.of()));
  }

  /** A deleted container's ports go with it. */
  void onStatus(@Observes ContainerStatusChanged change) {
    if (change.status().isFinal()) {
      open.remove(change.containerId());
    }
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
                    .open(PORTS.kind(), PORTS.params(), follower(change.containerId()))
                    .whenComplete(
                        (s, e) -> {
                          if (e != null) {
                            LOG.log(Level.FINE, "no ports stream for " + change.containerId(), e);
                          }
                        }));
  }

  /**
   * Longest {@code ports} line accepted: a snapshot of about ten thousand ports. The agent is not
   * trusted; a longer line, or a malformed one, resets the stream (the known ports stay).
   */
  public static final int MAX_LINE = 64 * 1024;

  /** The reader of one container's {@code ports} stream. */
  StreamHandler follower(String containerId) {
    return new Follower(containerId);
  }

  private final class Follower implements StreamHandler {
    private final String containerId;
    private final LineBuffer lines = new LineBuffer("ports", MAX_LINE);
    private boolean broken;

    Follower(String containerId) {
      this.containerId = containerId;
    }

    @Override
    public void onData(Stream s, byte[] data) {
      if (broken) {
        return;
      }
      try {
        for (String line : lines.feed(data)) {
          apply(line.strip());
        }
      } catch (IllegalArgumentException | ProtocolException e) {
        broken = true;
        LOG.warning(() -> "agent of " + containerId + " broke the ports stream: " + e.getMessage());
        s.reset(ErrorCode.PROTOCOL, "bad ports line: " + e.getMessage());
      }
    }

    @Override
    public void onClose(Stream s) {
      s.close();
    }

    private void apply(String line) {
      String[] parts = line.split(" ");
      Set<Integer> now = open.computeIfAbsent(containerId, k -> ConcurrentHashMap.newKeySet());
      switch (parts[0]) {
        case "snapshot" -> {
          Set<Integer> snapshot = new TreeSet<>();
          for (int i = 1; i < parts.length; i++) {
            snapshot.add(port(parts[i]));
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
          int p = port(single(parts));
          if (now.add(p)) {
            changes.fire(new PortChanged(containerId, p, true));
          }
        }
        case "closed" -> {
          int p = port(single(parts));
          if (now.remove(p)) {
            changes.fire(new PortChanged(containerId, p, false));
          }
        }
        default -> LOG.fine(() -> "unknown ports line: " + line); // a newer agent's addition
      }
    }

    private static String single(String[] parts) {
      if (parts.length != 2) {
        throw new IllegalArgumentException("expected one port, got " + (parts.length - 1));
      }
      return parts[1];
    }

    private static int port(String text) {
      int p;
      try {
        p = Integer.parseInt(text);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("not a port: " + shorten(text));
      }
      if (p < 1 || p > 65_535) {
        throw new IllegalArgumentException("port out of range: " + p);
      }
      return p;
    }

    private static String shorten(String s) {
      return s.length() > 20 ? s.substring(0, 20) + "…" : s;
    }
  }
}
