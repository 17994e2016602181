package dev.cms.gateway.processes.control;

import dev.cms.domain.kinds.KindParams;
import dev.cms.domain.process.ProcessReport;
import dev.cms.domain.process.ProcessState;
import dev.cms.domain.process.ProcessWire;
import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.Mux;
import dev.cms.domain.protocol.ProtocolException;
import dev.cms.domain.protocol.Stream;
import dev.cms.domain.protocol.StreamHandler;
import dev.cms.domain.protocol.StreamRefusedException;
import dev.cms.domain.terminal.TerminalWire;
import dev.cms.gateway.agents.control.Agents;
import dev.cms.gateway.config.Settings;
import dev.cms.gateway.containers.control.ContainerStatusChanged;
import dev.cms.gateway.containers.control.Containers;
import dev.cms.gateway.problems.ApiException;
import dev.cms.gateway.problems.Bodies;
import dev.cms.gateway.security.Secrets;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/** Starts, watches and stops processes in containers; see the package documentation. */
@ApplicationScoped
public class Processes {
  /** The {@code processes} stream's open parameters: none. */
  private static final KindParams.Processes PROCESSES = new KindParams.Processes();

  private static final Logger LOG = Logger.getLogger(Processes.class.getName());
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
  private static final long STOP_WAIT_MS = 10_000;

  /** Process ids (their terminal ids) start with this; the API never attaches them as shells. */
  public static final String ID_PREFIX = "p-";

  /**
   * Records kept per container; the oldest exited ones go first. The agent keeps fewer (64
   * terminals), so this is history the gateway holds beyond the agent's.
   */
  static final int MAX_KEPT = ProcessWire.MAX_PROCESSES;

  @Inject Agents agents;
  @Inject Containers containers;
  @Inject Settings settings;
  @Inject Event<ProcessChanged> changes;

  private final Map<String, Map<String, Proc>> byContainer = new ConcurrentHashMap<>();

  /**
   * One process and the gateway's watching stream on its terminal. Its fields follow two sources:
   * the watching stream (while the gateway started or re-attached it) and the agent's {@code
   * processes} stream, which is the truth after a restart; the state only ever moves forward
   * (STARTING, RUNNING, EXITED), so a late report from either cannot undo an exit.
   */
  private final class Proc implements StreamHandler {
    final String containerId;
    final String id;
    volatile String command;
    volatile String cwd;
    volatile Integer port;
    volatile Instant startedAt = Instant.now();
    volatile String status = "STARTING";
    volatile Integer exitCode;
    volatile Instant endedAt;
    volatile Stream stream;
    volatile boolean watching; // a watching stream is open or opening
    volatile Mux reportedOn; // the link whose processes stream last reported it
    final CompletableFuture<Void> started = new CompletableFuture<>();
    final CompletableFuture<Void> exited = new CompletableFuture<>();
    private final TerminalWire.Decoder decoder = new TerminalWire.Decoder();

    Proc(String containerId, String id, String command, String cwd, Integer port) {
      this.containerId = containerId;
      this.id = id;
      this.command = command;
      this.cwd = cwd;
      this.port = port;
    }

    ProcessView view() {
      return new ProcessView(id, id, command, cwd, port, status, exitCode, startedAt, endedAt);
    }

    @Override
    public void onOpen(Stream s) {
      stream = s;
    }

    @Override
    public void onData(Stream s, byte[] data) {
      List<TerminalWire.Message> messages;
      try {
        messages = decoder.feed(data);
      } catch (ProtocolException e) {
        s.reset(ErrorCode.PROTOCOL, e.getMessage());
        return;
      }
      for (TerminalWire.Message m : messages) {
        if (m instanceof TerminalWire.Attached a) {
          if (!a.running()) {
            ended(a.exitCode(), Instant.now(), true);
          } else {
            running();
          }
        } else if (m instanceof TerminalWire.Exited x) {
          ended(x.code(), Instant.now(), true);
        }
      }
    }

    @Override
    public void onClose(Stream s) {
      watching = false;
      s.close();
    }

    @Override
    public void onReset(Stream s, int code, String reason) {
      watching = false;
      stream = null;
    }

    void running() {
      synchronized (this) {
        if (!"STARTING".equals(status)) {
          return;
        }
        status = "RUNNING";
      }
      started.complete(null);
      changes.fire(new ProcessChanged(containerId, view()));
    }

    /**
     * The process ended; {@code note} records it in the container's history (not for an exit first
     * learned from a snapshot: a gateway before the restart may have recorded it already).
     */
    void ended(int code, Instant at, boolean note) {
      synchronized (this) {
        if ("EXITED".equals(status)) {
          return;
        }
        exitCode = code;
        endedAt = at;
        status = "EXITED";
      }
      started.complete(null);
      exited.complete(null);
      if (note) {
        containers.note(
            containerId, "PROCESS_EXITED", id + " (" + command + ") exited with code " + code);
      }
      changes.fire(new ProcessChanged(containerId, view()));
    }

    /** Takes what the agent reports: its times are the truth, and the state moves forward. */
    void learn(ProcessReport r, Mux on, boolean noteExit) {
      reportedOn = on;
      startedAt = r.startedAt();
      if (r.state() == ProcessState.EXITED) {
        boolean wasExited = "EXITED".equals(status);
        ended(r.exitCode(), r.endedAt(), noteExit);
        if (wasExited) {
          endedAt = r.endedAt(); // the agent's clock rather than when the gateway heard of it
        }
      } else {
        running();
        if (!watching) {
          watch(false); // attached, so that a stop can reach it
        }
      }
    }

    void watch(boolean create) {
      var link = agents.link(containerId);
      watching = link.isPresent();
      if (link.isEmpty()) {
        started.completeExceptionally(
            ApiException.unavailable(
                "the agent of container " + containerId + " is not connected", null));
        return;
      }
      // a created process gets its command, cwd and port (the agent reports it after a restart)
      KindParams.Launch launch =
          create
              ? new KindParams.Launch(command, cwd, env, port)
              : new KindParams.Launch(null, null, env, null);
      KindParams.Terminal params = new KindParams.Terminal(id, null, 160, 48, create, launch);
      link.get()
          .mux()
          .open(params.kind(), params.params(), this)
          .whenComplete(
              (s, e) -> {
                if (e != null) {
                  watching = false;
                  Throwable cause = e.getCause() != null ? e.getCause() : e;
                  started.completeExceptionally(cause);
                  if (!create && reportedOn == null) {
                    ended(-1, Instant.now(), true); // the agent no longer knows it (it restarted)
                  }
                }
              });
    }

    private Map<String, String> env = Map.of();
  }

  /** Runs a command in the caller's running container. */
  public ProcessView start(String owner, String containerId, StartRequest r) {
    containers.requireRunning(owner, containerId);
    return start(containerId, r);
  }

  /**
   * Runs a command for a client of the container's WebSocket (its token already proved access to
   * this one container).
   */
  public ProcessView startForClient(String containerId, StartRequest r) {
    dev.cms.domain.ContainerStatus status = containers.statusOf(containerId);
    if (status != dev.cms.domain.ContainerStatus.RUNNING) {
      throw ApiException.conflict(
          status == dev.cms.domain.ContainerStatus.PAUSED
              ? "container " + containerId + " is paused; resume it first"
              : "container " + containerId + " is not RUNNING");
    }
    return start(containerId, r);
  }

  /** The container's processes, for a client that just connected. */
  public List<ProcessView> of(String containerId) {
    return byContainer.getOrDefault(containerId, Map.of()).values().stream()
        .sorted(Comparator.comparing((Proc p) -> p.startedAt))
        .map(Proc::view)
        .toList();
  }

  /**
   * The command line of a request to run something.
   *
   * @throws ApiException 400 when it is missing or blank
   */
  public static String checkedCommand(String command) {
    if (command == null || command.isBlank()) {
      throw ApiException.badRequest("command is required");
    }
    return command;
  }

  /**
   * The working directory of a request to run something: {@code /app} when none is given.
   *
   * @throws ApiException 400 when it is not an absolute path
   */
  public static String checkedCwd(String cwd) {
    String c = cwd == null || cwd.isBlank() ? "/app" : cwd;
    if (!c.startsWith("/")) {
      throw ApiException.badRequest("cwd must be an absolute path, was '" + c + "'");
    }
    return c;
  }

  /**
   * The extra environment of a request to run something (none when {@code null}).
   *
   * @throws ApiException 400 for a name that is not a variable name or a missing value
   */
  public static Map<String, String> checkedEnv(Map<String, String> env) {
    Map<String, String> e = env == null ? Map.of() : env;
    e.forEach(
        (k, v) -> {
          if (k == null || !ENV_NAME.matcher(k).matches() || v == null) {
            throw ApiException.badRequest("env name '" + k + "' is not a valid variable name");
          }
        });
    return e;
  }

  private ProcessView start(String containerId, StartRequest r) {
    Bodies.required(r, "{\"command\":…}");
    checkedCommand(r.command());
    String cwd = checkedCwd(r.cwd());
    if (r.port() != null && (r.port() < 1 || r.port() > 65535)) {
      throw ApiException.badRequest("port must be between 1 and 65535, was " + r.port());
    }
    Map<String, String> env = checkedEnv(r.env());
    int max = settings.maxProcessesPerContainer();
    long running =
        byContainer.getOrDefault(containerId, Map.of()).values().stream()
            .filter(q -> !"EXITED".equals(q.status))
            .count();
    if (running >= max) {
      throw new ApiException(
              429,
              "Too Many Requests",
              "too-many-processes: at most " + max + " running processes per container",
              null)
          .withRule("too-many-processes");
    }
    Proc p = new Proc(containerId, ID_PREFIX + Secrets.id(8), r.command(), cwd, r.port());
    p.env = Map.copyOf(env);
    keep(containerId, p);
    p.watch(true);
    try {
      p.started.get(15, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      byContainer.get(containerId).remove(p.id);
      if (e.getCause() instanceof StreamRefusedException refused
          && String.valueOf(refused.getMessage()).startsWith("too-many-streams")) {
        throw new ApiException(429, "Too Many Requests", refused.getMessage(), null)
            .withRule("too-many-streams");
      }
      if (e.getCause() instanceof StreamRefusedException refused) {
        throw ApiException.badRequest("the process could not start: " + refused.getMessage());
      }
      if (e.getCause() instanceof ApiException api) {
        throw api;
      }
      throw ApiException.unavailable("the agent could not start the process", e);
    } catch (TimeoutException e) {
      throw ApiException.unavailable("the agent did not start the process within 15 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApiException.unavailable("interrupted", e);
    }
    containers.note(containerId, "PROCESS_STARTED", p.id + ": " + p.command + " in " + p.cwd);
    return p.view();
  }

  /** The container's processes, newest first. */
  public List<ProcessView> list(String owner, String containerId) {
    containers.get(owner, containerId, "");
    return byContainer.getOrDefault(containerId, Map.of()).values().stream()
        .sorted(Comparator.comparing((Proc p) -> p.startedAt).reversed())
        .map(Proc::view)
        .toList();
  }

  public ProcessView get(String owner, String containerId, String pid) {
    containers.get(owner, containerId, "");
    return proc(containerId, pid).view();
  }

  /**
   * Stops a process (SIGTERM, then SIGKILL after the agent's grace period) and waits for its exit
   * code.
   */
  public ProcessView stop(String owner, String containerId, String pid) {
    containers.get(owner, containerId, "");
    Proc p = proc(containerId, pid);
    if (!"EXITED".equals(p.status)) {
      Stream s = p.stream;
      if (s == null) {
        throw ApiException.unavailable(
            "the agent of container " + containerId + " is not connected", null);
      }
      byte[] kill = TerminalWire.encode(new TerminalWire.Kill());
      try {
        s.write(kill, 0, kill.length, Duration.ofSeconds(5));
        p.exited.get(STOP_WAIT_MS, TimeUnit.MILLISECONDS);
      } catch (IOException | ExecutionException | TimeoutException e) {
        LOG.log(Level.FINE, "stopping " + pid, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return p.view();
  }

  private Proc proc(String containerId, String pid) {
    Proc p = byContainer.getOrDefault(containerId, Map.of()).get(pid);
    if (p == null) {
      throw ApiException.notFound("no process '" + pid + "' in container " + containerId);
    }
    return p;
  }

  /**
   * Whether this terminal id belongs to a process (re-opening it must not run the command again): a
   * known process, or an id of the processes' form, which may be one the agent has not reported yet
   * (just after a gateway restart).
   */
  public boolean isProcess(String containerId, String terminal) {
    return terminal.startsWith(ID_PREFIX)
        || byContainer.getOrDefault(containerId, Map.of()).containsKey(terminal);
  }

  /** The process that was started for a port, if any (for the preview's waiting page). */
  public Optional<ProcessView> forPort(String containerId, int port) {
    return byContainer.getOrDefault(containerId, Map.of()).values().stream()
        .filter(p -> p.port != null && p.port == port)
        .max(Comparator.comparing((Proc p) -> p.startedAt))
        .map(Proc::view);
  }

  /**
   * Agent link up: open its {@code processes} stream, whose snapshot tells every process the agent
   * has (so a restarted gateway lists them again) and whose changes keep them true. An agent that
   * does not know the kind (an older one) gets the previous behaviour: re-attach what is known.
   */
  /** A deleted container's process records go with it (they are history only while it exists). */
  void onStatus(@Observes ContainerStatusChanged change) {
    if (change.status().isFinal()) {
      byContainer.remove(change.containerId());
    }
  }

  void onLink(@Observes Agents.LinkChanged change) {
    if (!change.connected()) {
      return;
    }
    String containerId = change.containerId();
    agents
        .link(containerId)
        .ifPresent(
            link ->
                link.mux()
                    .open(
                        PROCESSES.kind(),
                        PROCESSES.params(),
                        new ProcessResync(this, containerId, link.mux()))
                    .whenComplete(
                        (s, e) -> {
                          if (e != null) {
                            Throwable cause =
                                e instanceof CompletionException && e.getCause() != null
                                    ? e.getCause()
                                    : e;
                            LOG.log(Level.FINE, "no processes stream for " + containerId, cause);
                            reattachKnown(containerId);
                          }
                        }));
  }

  private void reattachKnown(String containerId) {
    for (Proc p : byContainer.getOrDefault(containerId, Map.of()).values()) {
      if (!"EXITED".equals(p.status)) {
        p.watch(false); // re-attach to keep following it; it keeps running in the container
      }
    }
  }

  /**
   * The agent's snapshot: every process it has now. A running process the gateway knew from an
   * earlier link that the agent no longer has ended while nobody watched (the agent restarted with
   * its container): its exit code is unknown, -1.
   */
  void synced(String containerId, Mux on, List<ProcessReport> reports) {
    Set<String> reported = new HashSet<>();
    for (ProcessReport r : reports) {
      reported.add(r.terminal());
      learn(containerId, on, r, false);
    }
    for (Proc p : List.copyOf(byContainer.getOrDefault(containerId, Map.of()).values())) {
      if (!reported.contains(p.id)
          && "RUNNING".equals(p.status)
          && p.reportedOn != on
          && !p.watching) {
        p.ended(-1, Instant.now(), true);
      }
    }
    LOG.fine(() -> containerId + ": the agent reports " + reports.size() + " processes");
  }

  /** A process the agent reported (in its snapshot, or as a change after it). */
  void learn(String containerId, Mux on, ProcessReport r, boolean noteExit) {
    Map<String, Proc> procs =
        byContainer.computeIfAbsent(containerId, k -> new ConcurrentHashMap<>());
    Proc p = procs.get(r.terminal());
    if (p == null) {
      p = new Proc(containerId, r.terminal(), r.command(), r.cwd(), r.port());
      Proc raced = procs.putIfAbsent(p.id, p);
      if (raced != null) {
        p = raced;
      } else {
        keep(containerId, p);
      }
    }
    p.learn(r, on, noteExit);
  }

  /** Adds a record, forgetting the oldest exited ones beyond {@link #MAX_KEPT}. */
  private void keep(String containerId, Proc p) {
    Map<String, Proc> procs =
        byContainer.computeIfAbsent(containerId, k -> new ConcurrentHashMap<>());
    procs.put(p.id, p);
    while (procs.size() > MAX_KEPT) {
      Optional<Proc> oldest =
          procs.values().stream()
              .filter(q -> "EXITED".equals(q.status))
              .min(Comparator.comparing((Proc q) -> q.startedAt));
      if (oldest.isEmpty()) {
        return;
      }
      procs.remove(oldest.get().id, oldest.get());
    }
  }
}
