package dev.cms.gateway.processes.control;

import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.ProtocolException;
import dev.cms.domain.protocol.Stream;
import dev.cms.domain.protocol.StreamHandler;
import dev.cms.domain.protocol.StreamRefusedException;
import dev.cms.domain.terminal.TerminalWire;
import dev.cms.gateway.agents.control.Agents;
import dev.cms.gateway.containers.control.Containers;
import dev.cms.gateway.problems.ApiException;
import dev.cms.gateway.security.Secrets;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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

  private static final Logger LOG = Logger.getLogger(Processes.class.getName());
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
  private static final long STOP_WAIT_MS = 10_000;

  @Inject Agents agents;
  @Inject Containers containers;
  @Inject Event<ProcessChanged> changes;

  private final Map<String, Map<String, Proc>> byContainer = new ConcurrentHashMap<>();

  /** One process and the gateway's watching stream on its terminal. */
  private final class Proc implements StreamHandler {
    final String containerId;
    final String id;
    final String command;
    final String cwd;
    final Integer port;
    final Instant startedAt = Instant.now();
    volatile String status = "STARTING";
    volatile Integer exitCode;
    volatile Instant endedAt;
    volatile Stream stream;
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
            ended(a.exitCode());
          } else if (!"RUNNING".equals(status)) {
            status = "RUNNING";
            started.complete(null);
            changes.fire(new ProcessChanged(containerId, view()));
          }
        } else if (m instanceof TerminalWire.Exited x) {
          ended(x.code());
        }
      }
    }

    @Override
    public void onClose(Stream s) {
      s.close();
    }

    @Override
    public void onReset(Stream s, int code, String reason) {
      stream = null;
    }

    synchronized void ended(int code) {
      if ("EXITED".equals(status)) {
        return;
      }
      exitCode = code;
      endedAt = Instant.now();
      status = "EXITED";
      started.complete(null);
      exited.complete(null);
      containers.note(
          containerId, "PROCESS_EXITED", id + " (" + command + ") exited with code " + code);
      changes.fire(new ProcessChanged(containerId, view()));
    }

    void watch(boolean create) {
      var link = agents.link(containerId);
      if (link.isEmpty()) {
        started.completeExceptionally(
            ApiException.unavailable(
                "the agent of container " + containerId + " is not connected", null));
        return;
      }
      Map<String, String> params = new HashMap<>();
      params.put("terminal", id);
      params.put("create", Boolean.toString(create));
      params.put("cols", "160");
      params.put("rows", "48");
      if (create) {
        params.put("command", command);
        params.put("cwd", cwd);
      }
      link.get()
          .mux()
          .open("terminal", withEnv(params), this)
          .whenComplete(
              (s, e) -> {
                if (e != null) {
                  Throwable cause = e.getCause() != null ? e.getCause() : e;
                  started.completeExceptionally(cause);
                  if (!create) {
                    ended(-1); // the agent no longer knows it (agent restarted)
                  }
                }
              });
    }

    private Map<String, String> env = Map.of();

    private Map<String, String> withEnv(Map<String, String> params) {
      env.forEach((k, v) -> params.put("env." + k, v));
      return params;
    }
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
    if (containers.statusOf(containerId) != dev.cms.domain.ContainerStatus.RUNNING) {
      throw ApiException.conflict("container " + containerId + " is not RUNNING");
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

  private ProcessView start(String containerId, StartRequest r) {
    if (r == null || r.command() == null || r.command().isBlank()) {
      throw ApiException.badRequest("command is required");
    }
    String cwd = r.cwd() == null || r.cwd().isBlank() ? "/app" : r.cwd();
    if (!cwd.startsWith("/")) {
      throw ApiException.badRequest("cwd must be an absolute path, was '" + cwd + "'");
    }
    if (r.port() != null && (r.port() < 1 || r.port() > 65535)) {
      throw ApiException.badRequest("port must be between 1 and 65535, was " + r.port());
    }
    Map<String, String> env = r.env() == null ? Map.of() : r.env();
    env.forEach(
        (k, v) -> {
          if (k == null || !ENV_NAME.matcher(k).matches() || v == null) {
            throw ApiException.badRequest("env name '" + k + "' is not a valid variable name");
          }
        });
    Proc p = new Proc(containerId, "p-" + Secrets.id(8), r.command(), cwd, r.port());
    p.env = Map.copyOf(env);
    byContainer.computeIfAbsent(containerId, k -> new ConcurrentHashMap<>()).put(p.id, p);
    p.watch(true);
    try {
      p.started.get(15, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      byContainer.get(containerId).remove(p.id);
      if (e.getCause() instanceof StreamRefusedException refused) {
        throw ApiException.badRequest("the process could not start: " + refused.getMessage());
      }
      if (e.getCause() instanceof ApiException api) {
        throw api;
      }
      throw ApiException.unavailable("the agent could not start the process: " + e.getCause(), e);
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
   * Whether this terminal id belongs to a process (re-opening it must not run the command again).
   */
  public boolean isProcess(String containerId, String terminal) {
    return byContainer.getOrDefault(containerId, Map.of()).containsKey(terminal);
  }

  /** The process that was started for a port, if any (for the preview's waiting page). */
  public java.util.Optional<ProcessView> forPort(String containerId, int port) {
    return byContainer.getOrDefault(containerId, Map.of()).values().stream()
        .filter(p -> p.port != null && p.port == port)
        .max(Comparator.comparing((Proc p) -> p.startedAt))
        .map(Proc::view);
  }

  void onLink(@Observes Agents.LinkChanged change) {
    if (!change.connected()) {
      return;
    }
    for (Proc p : byContainer.getOrDefault(change.containerId(), Map.of()).values()) {
      if (!"EXITED".equals(p.status)) {
        p.watch(false); // re-attach to keep following it; it keeps running in the container
      }
    }
  }
}
