package dev.cms.gateway.terminals.control;

import dev.cms.domain.client.ClientMessage;
import dev.cms.domain.client.OutputFrame;
import dev.cms.domain.client.ServerMessage;
import dev.cms.domain.kinds.KindParams;
import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.ProtocolException;
import dev.cms.domain.protocol.Stream;
import dev.cms.domain.protocol.StreamHandler;
import dev.cms.domain.protocol.StreamRefusedException;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
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
  private static final Duration INPUT_TIMEOUT = Duration.ofSeconds(5);
  private static final long ACTIVITY_EVERY_MS = 5_000;
  // a pasted block is split so each terminal message stays far below TerminalWire.MAX_MESSAGE
  private static final int INPUT_CHUNK = 16 * 1024;
  // input typed before a terminal stream is open is kept up to this much
  private static final int MAX_EARLY_BYTES = 64 * 1024;

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
    private final Map<String, Attachment> attached = new ConcurrentHashMap<>();

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
      attached.values().forEach(Attachment::detach);
      attached.clear();
    }

    private void error(String terminal, String code, String message) {
      viewer.send(new ServerMessage.Error(terminal, code, message));
    }

    private void with(String terminal, TerminalAction action) {
      Attachment a = attached.get(terminal);
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
    void on(Attachment a) throws IOException;
  }

  /** One terminal attached by one client: a stream on the agent link while the link is up. */
  private final class Attachment implements StreamHandler {
    private final Attachments client;
    private final String terminal;
    private volatile int cols;
    private volatile int rows;
    private final TerminalWire.Decoder decoder = new TerminalWire.Decoder();
    private volatile Stream stream;
    private volatile long nextOffset =
        -1; // the end of what the client has been sent; -1 = nothing yet
    private volatile boolean detached;
    private final List<byte[]> early = new ArrayList<>();
    private int earlyBytes;
    // per stream: the agent sends Attached first and once, Exited at most once
    private boolean attachedSeen;
    private boolean exitedSeen;

    Attachment(Attachments client, String terminal, Long offset, int cols, int rows) {
      this.client = client;
      this.terminal = terminal;
      this.nextOffset = offset == null ? -1 : offset;
      this.cols = cols;
      this.rows = rows;
    }

    void connect() {
      var link = agents.link(client.viewer.containerId());
      if (link.isEmpty()) {
        client.error(
            terminal,
            "agent-unavailable",
            "the container's agent is not connected yet; will attach when it is");
        return;
      }
      KindParams.Terminal params =
          new KindParams.Terminal(
              terminal,
              nextOffset >= 0 ? nextOffset : null,
              KindParams.Terminal.clamp(cols),
              KindParams.Terminal.clamp(rows),
              // attaching to a process must never run it again; otherwise the agent's default
              processes.isProcess(client.viewer.containerId(), terminal) ? Boolean.FALSE : null,
              null);
      link.get()
          .mux()
          .open(params.kind(), params.params(), this)
          .whenComplete(
              (s, e) -> {
                if (e != null) {
                  Throwable cause =
                      e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                  if (cause instanceof StreamRefusedException refused) {
                    client.error(terminal, "refused", refused.getMessage());
                  } else {
                    LOG.log(Level.FINE, "terminal stream did not open", cause);
                  }
                } else if (detached) {
                  s.reset(ErrorCode.CANCELLED, "detached");
                }
              });
    }

    @Override
    public void onOpen(Stream s) {
      attachedSeen = false;
      exitedSeen = false;
      synchronized (this) {
        stream = s;
        // what the client typed while the stream was opening goes first, in order
        try {
          for (byte[] b : early) {
            if (!s.write(b, 0, b.length, INPUT_TIMEOUT)) {
              throw new IOException("the agent did not take early input");
            }
            meters.relayed(Meters.Channel.TERMINAL, b.length);
          }
        } catch (IOException e) {
          client.error(
              terminal, "agent-unavailable", "input typed before the terminal was ready was lost");
        }
        early.clear();
        earlyBytes = 0;
      }
    }

    @Override
    public boolean autoCredit() {
      return false;
    }

    @Override
    public void onData(Stream s, byte[] data) {
      meters.relayed(Meters.Channel.TERMINAL, data.length);
      List<TerminalWire.Message> messages;
      try {
        messages = decoder.feed(data);
        for (TerminalWire.Message m : messages) {
          if (m instanceof TerminalWire.Attached) {
            if (attachedSeen) {
              throw new ProtocolException("a second Attached on one terminal stream");
            }
            attachedSeen = true;
          } else if (m instanceof TerminalWire.Failed) {
            continue; // may come at any time; the stream ends after it
          } else if (!attachedSeen) {
            throw new ProtocolException("terminal messages before Attached");
          } else if (exitedSeen) {
            throw new ProtocolException("terminal messages after Exited");
          } else if (m instanceof TerminalWire.Exited) {
            exitedSeen = true;
          }
        }
      } catch (ProtocolException e) {
        s.reset(ErrorCode.PROTOCOL, e.getMessage());
        client.error(terminal, "agent-error", "the agent sent a malformed terminal message");
        return;
      }
      // credit the agent once everything this chunk carried has left for the client
      int[] pending = {1};
      Runnable sent =
          () -> {
            synchronized (pending) {
              if (--pending[0] == 0) {
                s.credit(data.length);
              }
            }
          };
      for (TerminalWire.Message m : messages) {
        if (m instanceof TerminalWire.Output o) {
          if (o.end() <= nextOffset) {
            continue; // already delivered before a re-attach
          }
          synchronized (pending) {
            pending[0]++;
          }
          nextOffset = o.end();
          client.viewer.output(new OutputFrame(terminal, o.offset(), o.data()).encode(), sent);
        } else if (m instanceof TerminalWire.Attached a) {
          client.viewer.send(
              new ServerMessage.Attached(
                  terminal,
                  a.offset(),
                  a.firstOffset(),
                  a.endOffset(),
                  a.truncated(),
                  a.running(),
                  a.running() ? null : a.exitCode()));
        } else if (m instanceof TerminalWire.Exited x) {
          client.viewer.send(new ServerMessage.Exit(terminal, x.code()));
        } else if (m instanceof TerminalWire.Failed f) {
          client.error(terminal, "terminal-failed", f.message());
        }
      }
      sent.run();
      activity(client.viewer.containerId());
    }

    @Override
    public void onReset(Stream s, int code, String reason) {
      synchronized (this) {
        stream = null;
      }
      if (!detached && code != ErrorCode.CANCELLED) {
        client.error(terminal, "terminal-ended", reason);
      }
    }

    @Override
    public void onClose(Stream s) {
      stream = null;
      s.close();
    }

    void write(TerminalWire.Message m) throws IOException {
      byte[] bytes = TerminalWire.encode(m);
      Stream s;
      synchronized (this) {
        s = stream;
        if (s == null) {
          // the stream is still opening (or the agent link is coming back): keep a little input for
          // it
          if (earlyBytes + bytes.length > MAX_EARLY_BYTES) {
            throw new IOException(
                "terminal '"
                    + terminal
                    + "' is not connected to the agent right now; input dropped");
          }
          early.add(bytes);
          earlyBytes += bytes.length;
          return;
        }
      }
      if (!s.write(bytes, 0, bytes.length, INPUT_TIMEOUT)) {
        throw new IOException(
            "the agent did not take input for '"
                + terminal
                + "' within "
                + INPUT_TIMEOUT.toSeconds()
                + " s");
      }
      meters.relayed(Meters.Channel.TERMINAL, bytes.length);
    }

    void detach() {
      detached = true;
      Stream s = stream;
      stream = null;
      if (s != null) {
        try {
          resets.execute(() -> s.reset(ErrorCode.CANCELLED, "detached"));
        } catch (RuntimeException rejected) {
          s.reset(ErrorCode.CANCELLED, "detached");
        }
      }
    }
  }

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
    Attachment previous = c.attached.remove(o.terminal());
    if (previous != null) {
      previous.detach();
    }
    Attachment a =
        new Attachment(
            c,
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
      for (Attachment a : c.attached.values()) {
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
