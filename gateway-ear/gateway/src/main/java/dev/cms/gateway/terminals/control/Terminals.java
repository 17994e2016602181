package dev.cms.gateway.terminals.control;

import dev.cms.domain.client.ClientCodec;
import dev.cms.domain.client.ClientMessage;
import dev.cms.domain.client.OutputFrame;
import dev.cms.domain.client.ServerMessage;
import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.ProtocolException;
import dev.cms.domain.protocol.Stream;
import dev.cms.domain.protocol.StreamHandler;
import dev.cms.domain.protocol.StreamKind;
import dev.cms.domain.protocol.StreamRefusedException;
import dev.cms.domain.terminal.TerminalWire;
import dev.cms.gateway.agents.control.Agents;
import dev.cms.gateway.config.Settings;
import dev.cms.gateway.containers.control.ContainerStatusChanged;
import dev.cms.gateway.containers.control.Containers;
import dev.cms.gateway.files.control.FileChanged;
import dev.cms.gateway.metrics.Meters;
import dev.cms.gateway.preview.control.PreviewUrls;
import dev.cms.gateway.processes.control.Processes;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Relays client WebSockets to terminal streams on agent links. Each attached terminal of a client
 * is one {@code terminal} stream; output is forwarded as it is sent to the client and only then
 * credited back to the agent, so a slow client holds at most one stream window and never slows the
 * terminal or other clients (the agent's log is the catch-up). When the agent link drops and comes
 * back, attachments resume at the offset the client has seen.
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
  @Inject PreviewUrls previewUrls;
  @Inject SocketUploads.Factory uploadFactory;
  @Inject Settings settings;
  @Inject Meters meters;

  /** A per-container bound was reached; the boundary refuses with a clear reason. */
  public static final class LimitReached extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LimitReached(String message) {
      super(message);
    }
  }

  /**
   * Sends the RESETs of detached attachments: a client's close runs on a container thread, and a
   * RESET waits for the agent link's send lock; hundreds of clients closing at once must not hold
   * hundreds of request threads (seen with scripts/bench-load.sh: the HTTP pool grew to its 200).
   */
  @Resource ManagedExecutorService resets;

  /** Session property holding the Host header of the client's handshake. */
  public static final String HOST_PROPERTY = "cms.host";

  private final Map<String, Set<Client>> clientsByContainer = new ConcurrentHashMap<>();

  void atStart(@Observes @Initialized(ApplicationScoped.class) Object started) {
    // observing the start makes the bean (and its gauge) exist before the first scrape
  }

  @PostConstruct
  void registerGauge() {
    meters.gauge(
        "cms_client_sockets",
        "Client WebSockets (terminals, uploads) open on this gateway",
        () -> clientsByContainer.values().stream().mapToInt(Set::size).sum());
  }

  private final Map<String, Long> lastActivity = new ConcurrentHashMap<>();

  /** One client WebSocket. */
  public final class Client {
    private final String containerId;
    private final Session session;
    private final ClientSender out;
    private final Map<String, Attachment> attachments = new ConcurrentHashMap<>();
    private final SocketUploads uploads;

    Client(String containerId, Session session) {
      this.containerId = containerId;
      this.session = session;
      this.out = new ClientSender(session);
      this.uploads = uploadFactory.create(containerId, this::send);
    }

    /** Handles a binary frame: a chunk of an upload. */
    public void binary(java.nio.ByteBuffer frame) {
      uploads.chunk(frame);
    }

    void send(ServerMessage m) {
      out.text(ClientCodec.toJson(m));
    }

    /** Tells the client something went wrong; the socket stays open. */
    public void error(String terminal, String code, String message) {
      send(new ServerMessage.Error(terminal, code, message));
    }
  }

  /** One terminal attached by one client: a stream on the agent link while the link is up. */
  private final class Attachment implements StreamHandler {
    private final Client client;
    private final String terminal;
    private volatile int cols;
    private volatile int rows;
    private final TerminalWire.Decoder decoder = new TerminalWire.Decoder();
    private volatile Stream stream;
    private volatile long nextOffset =
        -1; // the end of what the client has been sent; -1 = nothing yet
    private volatile boolean detached;
    private final List<byte[]> early = new java.util.ArrayList<>();
    private int earlyBytes;
    // per stream: the agent sends Attached first and once, Exited at most once
    private boolean attachedSeen;
    private boolean exitedSeen;

    Attachment(Client client, String terminal, Long offset, int cols, int rows) {
      this.client = client;
      this.terminal = terminal;
      this.nextOffset = offset == null ? -1 : offset;
      this.cols = cols;
      this.rows = rows;
    }

    void connect() {
      var link = agents.link(client.containerId);
      if (link.isEmpty()) {
        client.error(
            terminal,
            "agent-unavailable",
            "the container's agent is not connected yet; will attach when it is");
        return;
      }
      Map<String, String> params = new HashMap<>();
      params.put("terminal", terminal);
      params.put("cols", Integer.toString(cols));
      params.put("rows", Integer.toString(rows));
      if (processes.isProcess(client.containerId, terminal)) {
        params.put("create", "false"); // attaching to a process must never run it again
      }
      if (nextOffset >= 0) {
        params.put("offset", Long.toString(nextOffset));
      }
      link.get()
          .mux()
          .open(StreamKind.TERMINAL, params, this)
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
          client.out.binary(new OutputFrame(terminal, o.offset(), o.data()).encode(), sent);
        } else if (m instanceof TerminalWire.Attached a) {
          client.send(
              new ServerMessage.Attached(
                  terminal,
                  a.offset(),
                  a.firstOffset(),
                  a.endOffset(),
                  a.truncated(),
                  a.running(),
                  a.running() ? null : a.exitCode()));
        } else if (m instanceof TerminalWire.Exited x) {
          client.send(new ServerMessage.Exit(terminal, x.code()));
        } else if (m instanceof TerminalWire.Failed f) {
          client.error(terminal, "terminal-failed", f.message());
        }
      }
      sent.run();
      activity(client.containerId);
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

  /**
   * Registers a freshly authenticated client and attaches its initial terminal, if it named one.
   */
  public Client connect(
      String containerId,
      Session session,
      String terminal,
      Long offset,
      Integer cols,
      Integer rows) {
    Client c = new Client(containerId, session);
    Set<Client> set =
        clientsByContainer.computeIfAbsent(containerId, k -> ConcurrentHashMap.newKeySet());
    synchronized (set) {
      if (set.size() >= settings.maxClientsPerContainer()) {
        throw new LimitReached(
            "too-many-clients: at most " + settings.maxClientsPerContainer() + " per container");
      }
      set.add(c);
    }
    c.send(
        new ServerMessage.Status(
            containerId, containers.statusOf(containerId).name(), agents.isConnected(containerId)));
    for (var p : processes.of(containerId)) {
      c.send(new ServerMessage.Process(p.id(), p.status(), p.exitCode()));
    }
    if (terminal != null && !terminal.isEmpty()) {
      open(c, new ClientMessage.Open(terminal, offset, cols, rows));
    }
    return c;
  }

  /** Handles one text frame of a client. */
  public void onText(Client c, String text) {
    ClientMessage m;
    try {
      m = ClientCodec.parseClient(text);
    } catch (ProtocolException e) {
      c.error(null, "bad-message", e.getMessage());
      return;
    }
    if (m instanceof ClientMessage.Open o) {
      open(c, o);
      return;
    }
    if (m instanceof ClientMessage.Upload u) {
      c.uploads.start(u);
      return;
    }
    if (m instanceof ClientMessage.UploadEnd u) {
      c.uploads.end(u.upload());
      return;
    }
    if (m instanceof ClientMessage.UploadAbort u) {
      c.uploads.abort(u.upload());
      return;
    }
    if (m instanceof ClientMessage.Run r) {
      run(c, r);
      return;
    }
    String terminal = terminalOf(m);
    Attachment a = c.attachments.get(terminal);
    if (a == null) {
      c.error(
          terminal,
          "unknown-terminal",
          "terminal '" + terminal + "' is not attached; send an open first");
      return;
    }
    try {
      if (m instanceof ClientMessage.Input i) {
        byte[] bytes = i.data().getBytes(StandardCharsets.UTF_8);
        for (int from = 0; from < bytes.length; from += INPUT_CHUNK) {
          a.write(
              new TerminalWire.Input(
                  java.util.Arrays.copyOfRange(
                      bytes, from, Math.min(bytes.length, from + INPUT_CHUNK))));
        }
        activity(c.containerId);
      } else if (m instanceof ClientMessage.Resize r) {
        a.cols = r.cols();
        a.rows = r.rows();
        a.write(new TerminalWire.Resize(r.cols(), r.rows()));
      } else if (m instanceof ClientMessage.Kill) {
        a.write(new TerminalWire.Kill());
      } else if (m instanceof ClientMessage.Detach) {
        c.attachments.remove(terminal);
        a.detach();
      }
    } catch (IOException e) {
      c.error(terminal, "agent-unavailable", e.getMessage());
    }
  }

  /** Forgets a client whose socket closed; its terminals keep running in the container. */
  public void disconnect(Client c) {
    Set<Client> set = clientsByContainer.get(c.containerId);
    if (set != null) {
      set.remove(c);
    }
    c.attachments.values().forEach(Attachment::detach);
    c.attachments.clear();
    c.uploads.abortAll();
  }

  private void run(Client c, ClientMessage.Run r) {
    dev.cms.gateway.processes.control.ProcessView p;
    try {
      p =
          processes.startForClient(
              c.containerId,
              new dev.cms.gateway.processes.control.StartRequest(
                  r.command(), r.cwd(), null, r.port()));
    } catch (dev.cms.gateway.problems.ApiException e) {
      c.error(null, "refused", e.getMessage());
      return;
    }
    // the process message (RUNNING) was pushed to every client by the start; this one also watches
    // it
    open(c, new ClientMessage.Open(p.terminal(), 0L, null, null));
  }

  private void open(Client c, ClientMessage.Open o) {
    if (!TERMINAL_ID.matcher(o.terminal()).matches()) {
      c.error(o.terminal(), "bad-message", "terminal ids match " + TERMINAL_ID.pattern());
      return;
    }
    if (!c.attachments.containsKey(o.terminal())) {
      int max = settings.maxTerminalsPerContainer();
      Set<String> attached = new java.util.HashSet<>();
      for (Client other : clientsByContainer.getOrDefault(c.containerId, Set.of())) {
        attached.addAll(other.attachments.keySet());
      }
      if (!attached.contains(o.terminal()) && attached.size() >= max) {
        c.error(
            o.terminal(),
            "refused",
            "too-many-terminals: at most " + max + " terminals attached per container");
        return;
      }
    }
    Attachment previous = c.attachments.remove(o.terminal());
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
    c.attachments.put(o.terminal(), a);
    a.connect();
  }

  private static String terminalOf(ClientMessage m) {
    if (m instanceof ClientMessage.Input i) {
      return i.terminal();
    } else if (m instanceof ClientMessage.Resize r) {
      return r.terminal();
    } else if (m instanceof ClientMessage.Detach d) {
      return d.terminal();
    } else if (m instanceof ClientMessage.Kill k) {
      return k.terminal();
    }
    throw new IllegalArgumentException(String.valueOf(m));
  }

  /**
   * Agent link up: re-attach every client's terminals where they left off. Down: tell the clients.
   */
  void onLink(@Observes Agents.LinkChanged change) {
    Set<Client> clients = clientsByContainer.getOrDefault(change.containerId(), Set.of());
    for (Client c : clients) {
      c.send(
          new ServerMessage.Status(
              change.containerId(),
              containers.statusOf(change.containerId()).name(),
              change.connected()));
      if (change.connected()) {
        for (Attachment a : c.attachments.values()) {
          if (a.stream == null && !a.detached) {
            a.connect();
          }
        }
      }
    }
  }

  void onProcess(@Observes dev.cms.gateway.processes.control.ProcessChanged change) {
    var p = change.process();
    for (Client c : clientsByContainer.getOrDefault(change.containerId(), Set.of())) {
      c.send(new ServerMessage.Process(p.id(), p.status(), p.exitCode()));
    }
  }

  void onPort(@Observes dev.cms.gateway.processes.control.PortChanged change) {
    for (Client c : clientsByContainer.getOrDefault(change.containerId(), Set.of())) {
      String url = null;
      String pathUrl = null;
      if (change.open()) {
        Object hostHeader = c.session.getUserProperties().get(HOST_PROPERTY);
        String host = PreviewUrls.hostOf(hostHeader == null ? "localhost" : hostHeader.toString());
        url = previewUrls.hostUrl(change.containerId(), change.port(), host);
        pathUrl = previewUrls.pathUrl(change.containerId(), change.port(), host);
      }
      c.send(new ServerMessage.Port(change.port(), change.open(), url, pathUrl));
    }
  }

  void onFile(@Observes FileChanged change) {
    for (Client c : clientsByContainer.getOrDefault(change.containerId(), Set.of())) {
      c.send(
          new ServerMessage.File(
              change.watch(),
              change.change(),
              change.type(),
              change.path(),
              "overflow".equals(change.change()) ? change.dropped() : null));
    }
  }

  void onStatus(@Observes ContainerStatusChanged change) {
    for (Client c : clientsByContainer.getOrDefault(change.containerId(), Set.of())) {
      c.send(
          new ServerMessage.Status(
              change.containerId(),
              change.status().name(),
              agents.isConnected(change.containerId())));
    }
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
