package dev.cms.gateway.terminals.control;

import dev.cms.domain.client.ClientMessage;
import dev.cms.domain.client.ServerMessage;
import dev.cms.domain.terminal.TerminalWire;
import dev.cms.gateway.agents.control.Agents;
import dev.cms.gateway.config.Settings;
import dev.cms.gateway.containers.control.ContainerStatusChanged;
import dev.cms.gateway.containers.control.Containers;
import dev.cms.gateway.metrics.Meters;
import dev.cms.gateway.processes.control.Processes;
import jakarta.annotation.Priority;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Attaches terminals and resumes them: each terminal a viewer (a client WebSocket) attaches is one
 * {@code terminal} stream on the container's agent link. Output is forwarded as it is sent to the
 * viewer and only then credited back to the agent, so a slow viewer holds at most one stream window
 * and never slows the terminal or other viewers (the agent's log is the catch-up). When the agent
 * link drops and comes back, attachments resume at the offset the viewer has seen. Which messages
 * reach it, and how they are read, is the client socket's business ({@code clientsocket}).
 */
@ApplicationScoped
public class Terminals {

  private static final Logger LOG = Logger.getLogger(Terminals.class.getName());
  private static final Pattern TERMINAL_ID = Pattern.compile("[A-Za-z0-9_-]{1,32}");
  private static final long ACTIVITY_EVERY_MS = 5_000;
  // a pasted block is split so each terminal message stays far below TerminalWire.MAX_MESSAGE
  private static final int INPUT_CHUNK = 16 * 1024;

  @Inject Agents agents;
  @Inject Containers containers;
  @Inject Processes processes;
  @Inject Settings settings;
  @Inject Meters meters;

  /**
   * Sends the RESETs of detached attachments: a client's close runs on a container thread, and a
   * RESET waits for the agent link's send lock; hundreds of clients closing at once must not hold
   * hundreds of request threads (seen with scripts/bench-load.sh: the HTTP pool grew to its 200).
   */
  @Resource ManagedExecutorService resets;

  /** Where the messages of a viewer's terminals go: the client socket that attached them. */
  public interface Viewer {
    /** The container whose terminals it views. */
    String containerId();

    /** Sends a JSON message (attached, exit, error). */
    void send(ServerMessage message);

    /** Sends an output frame; {@code onSent} runs once it left (or could not be sent). */
    void output(ByteBuffer frame, Runnable onSent);
  }

  private final Map<String, Set<Attachments>> byContainer = new ConcurrentHashMap<>();
  private final Map<String, Long> lastActivity = new ConcurrentHashMap<>();

  /** Starts tracking the terminals a viewer attaches; {@link Attachments#leave()} ends it. */
  public Attachments join(Viewer viewer) {
    Attachments a = new Attachments(viewer);
    byContainer.computeIfAbsent(viewer.containerId(), k -> ConcurrentHashMap.newKeySet()).add(a);
    return a;
  }

  /** The terminals one viewer has attached, by terminal id. */
  public final class Attachments {
    private final Viewer viewer;
    private final Map<String, TerminalStream> attached = new ConcurrentHashMap<>();

    private Attachments(Viewer viewer) {
      this.viewer = viewer;
    }

    /** Attaches the terminal (creating it in the agent when missing or exited). */
    public void open(ClientMessage.Open o) {
      Terminals.this.open(this, o);
    }

    /** Types into an attached terminal, in chunks the terminal stream takes. */
    public void input(ClientMessage.Input i) {
      with(
          i.terminal(),
          a -> {
            byte[] bytes = i.data().getBytes(StandardCharsets.UTF_8);
            for (int from = 0; from < bytes.length; from += INPUT_CHUNK) {
              a.write(
                  new TerminalWire.Input(
                      Arrays.copyOfRange(bytes, from, Math.min(bytes.length, from + INPUT_CHUNK))));
            }
            activity(viewer.containerId());
          });
    }

    /** Resizes an attached terminal. */
    public void resize(ClientMessage.Resize r) {
      with(
          r.terminal(),
          a -> {
            a.cols = r.cols();
            a.rows = r.rows();
            a.write(new TerminalWire.Resize(r.cols(), r.rows()));
          });
    }

    /** Ends an attached terminal's process. */
    public void kill(ClientMessage.Kill k) {
      with(k.terminal(), a -> a.write(new TerminalWire.Kill()));
    }

    /** Stops relaying an attached terminal; it keeps running in the container. */
    public void detach(ClientMessage.Detach d) {
      with(
          d.terminal(),
          a -> {
            attached.remove(d.terminal());
            a.detach();
          });
    }

    /** The viewer went: every attachment is detached; the terminals keep running. */
    public void leave() {
      Set<Attachments> set = byContainer.get(viewer.containerId());
      if (set != null) {
        set.remove(this);
      }
      attached.values().forEach(TerminalStream::detach);
      attached.clear();
    }

    private void error(String terminal, String code, String message) {
      viewer.send(new ServerMessage.Error(terminal, code, message));
    }

    private void with(String terminal, TerminalAction action) {
      TerminalStream a = attached.get(terminal);
      if (a == null) {
        error(
            terminal,
            "unknown-terminal",
            "terminal '" + terminal + "' is not attached; send an open first");
        return;
      }
      try {
        action.on(a);
      } catch (IOException e) {
        error(terminal, "agent-unavailable", e.getMessage());
      }
    }
  }

  private interface TerminalAction {
    void on(TerminalStream a) throws IOException;
  }

  /** What a terminal's stream needs of the gateway. */
  record Relay(
      Agents agents,
      Processes processes,
      Meters meters,
      Executor resets,
      Consumer<String> activity) {}

  private void open(Attachments c, ClientMessage.Open o) {
    if (!TERMINAL_ID.matcher(o.terminal()).matches()) {
      c.error(o.terminal(), "bad-message", "terminal ids match " + TERMINAL_ID.pattern());
      return;
    }
    if (!c.attached.containsKey(o.terminal())) {
      int max = settings.maxTerminalsPerContainer();
      Set<String> attached = new HashSet<>();
      for (Attachments other : byContainer.getOrDefault(c.viewer.containerId(), Set.of())) {
        attached.addAll(other.attached.keySet());
      }
      if (!attached.contains(o.terminal()) && attached.size() >= max) {
        c.error(
            o.terminal(),
            "refused",
            "too-many-terminals: at most " + max + " terminals attached per container");
        return;
      }
    }
    TerminalStream previous = c.attached.remove(o.terminal());
    if (previous != null) {
      previous.detach();
    }
    TerminalStream a =
        new TerminalStream(
            new Relay(agents, processes, meters, resets, this::activity),
            c.viewer,
            o.terminal(),
            o.offset(),
            o.cols() == null ? 80 : o.cols(),
            o.rows() == null ? 24 : o.rows());
    c.attached.put(o.terminal(), a);
    a.connect();
  }

  /**
   * Agent link up: re-attach every viewer's terminals where they left off. Runs after the client
   * sockets were told of the change (their observer has a higher priority), as it always did.
   */
  void onLink(
      @Observes @Priority(Interceptor.Priority.APPLICATION + 600) Agents.LinkChanged change) {
    if (!change.connected()) {
      return;
    }
    for (Attachments c : byContainer.getOrDefault(change.containerId(), Set.of())) {
      for (TerminalStream a : c.attached.values()) {
        if (a.stream == null && !a.detached) {
          a.connect();
        }
      }
    }
  }

  void onStatus(@Observes ContainerStatusChanged change) {
    if (change.status().isFinal()) {
      lastActivity.remove(change.containerId());
    }
  }

  private void activity(String containerId) {
    long now = System.currentTimeMillis();
    Long last = lastActivity.get(containerId);
    if (last == null || now - last > ACTIVITY_EVERY_MS) {
      lastActivity.put(containerId, now);
      try {
        containers.activity(containerId);
      } catch (RuntimeException e) {
        LOG.log(Level.FINE, "recording activity", e);
      }
    }
  }
}
