package dev.cms.agent;

import dev.cms.agent.run.ProcessSpec;
import dev.cms.domain.process.ProcessReport;
import dev.cms.domain.process.ProcessWire;
import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.StreamRefusedException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;

/**
 * The agent's terminals, by id. Agent-wide: a terminal is tied to no stream and no connection, so
 * it survives its clients and the agent's link to the gateway going away and coming back.
 *
 * <p>The terminals that run a command are the container's processes: {@link #subscribe} gives their
 * {@link ProcessReport}s and then every change, for the {@code processes} stream through which a
 * gateway learns them again after it (or the link) restarted.
 */
final class Terminals {
  /** Terminal ids. */
  static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,32}");

  /** At most this many terminals are kept; exited, unattached ones make room for new ones. */
  static final int MAX_TERMINALS = 64;

  private final TerminalConfig config;
  private final Executor workers;
  private final Duration killGrace;
  private final Map<String, Terminal> terminals = new LinkedHashMap<>(); // guarded by this

  // Reports are computed and handed out under this lock, so that every listener sees a terminal's
  // changes in the order they happened (a start and an exit are told from different threads).
  // Order: reports, then this, then a terminal's lock.
  private final Object reports = new Object();
  private final List<ProcessListener> listeners = new CopyOnWriteArrayList<>();

  /** Follows the processes; called under the report lock, so it must not block. */
  interface ProcessListener {
    /** Every process known at subscription, oldest terminal first. */
    void snapshot(List<ProcessReport> processes);

    /** A terminal changed: its report, or {@code null} when it is no longer a process. */
    void changed(String terminal, ProcessReport report);
  }

  Terminals(TerminalConfig config, Executor workers) {
    this(config, workers, ProcessSpec.killGrace(System.getenv()));
  }

  /**
   * @param killGrace how long a killed command gets between SIGTERM and SIGKILL ({@code
   *     CMS_KILL_GRACE_MS})
   */
  Terminals(TerminalConfig config, Executor workers, Duration killGrace) {
    this.config = config;
    this.workers = workers;
    this.killGrace = killGrace;
  }

  TerminalConfig config() {
    return config;
  }

  /** The result of {@link #open}: the terminal and whether this call started its shell. */
  record Opened(Terminal terminal, boolean started) {}

  /**
   * Finds a terminal and, with {@code create}, starts its shell when it has none running.
   *
   * @throws StreamRefusedException ({@link ErrorCode#REFUSED}) for a malformed id, an unknown id
   *     without {@code create}, too many terminals, or a shell that cannot be started
   */
  Opened open(String id, boolean create, int cols, int rows) throws StreamRefusedException {
    return open(id, create, cols, rows, null);
  }

  /**
   * Like {@link #open(String, boolean, int, int)}; a shell started by this call runs {@code launch}
   * (a command, directory, environment) when given, else what the terminal's previous shell ran (an
   * interactive shell for a new terminal).
   */
  Opened open(String id, boolean create, int cols, int rows, ProcessSpec launch)
      throws StreamRefusedException {
    if (id == null || !ID.matcher(id).matches()) {
      throw new StreamRefusedException(
          ErrorCode.REFUSED, "terminal id must match " + ID.pattern() + ", not " + id);
    }
    Terminal t;
    Terminal evicted = null;
    synchronized (this) {
      t = terminals.get(id);
      if (t == null) {
        if (!create) {
          throw new StreamRefusedException(ErrorCode.REFUSED, "no terminal " + id);
        }
        evicted = makeRoom();
        t = new Terminal(id, config, workers, killGrace, this::changed);
        terminals.put(id, t);
      }
    }
    if (evicted != null) {
      tell(evicted.id(), null);
    }
    if (!create) {
      return new Opened(t, false);
    }
    try {
      return new Opened(t, t.ensureRunning(cols, rows, launch));
    } catch (IOException | RuntimeException | LinkageError e) {
      synchronized (this) {
        if (!t.started()) {
          terminals.remove(id, t);
        }
      }
      throw new StreamRefusedException(
          ErrorCode.REFUSED, "cannot start a shell for terminal " + id + ": " + e.getMessage());
    }
  }

  /** The ids of the terminals, oldest first. */
  synchronized List<String> ids() {
    return new ArrayList<>(terminals.keySet());
  }

  /** Kills every shell at once. */
  void destroyAll() {
    List<Terminal> all;
    synchronized (this) {
      all = new ArrayList<>(terminals.values());
    }
    all.forEach(Terminal::destroy);
  }

  /** Subscribes a listener: it gets the snapshot at once, then every change until unsubscribed. */
  void subscribe(ProcessListener l) {
    synchronized (reports) {
      l.snapshot(processes());
      listeners.add(l);
    }
  }

  void unsubscribe(ProcessListener l) {
    listeners.remove(l);
  }

  /** The processes (terminals whose last run was started with a command), oldest first. */
  List<ProcessReport> processes() {
    List<Terminal> all;
    synchronized (this) {
      all = new ArrayList<>(terminals.values());
    }
    List<ProcessReport> out = new ArrayList<>();
    for (Terminal t : all) {
      ProcessReport r = t.report();
      if (r != null && out.size() < ProcessWire.MAX_PROCESSES) {
        out.add(r);
      }
    }
    return out;
  }

  private void changed(Terminal t) {
    synchronized (reports) {
      boolean kept;
      synchronized (this) {
        kept = terminals.get(t.id()) == t;
      }
      tell(t.id(), kept ? t.report() : null);
    }
  }

  private void tell(String id, ProcessReport report) {
    synchronized (reports) {
      for (ProcessListener l : listeners) {
        l.changed(id, report);
      }
    }
  }

  /** Forgets the oldest idle terminal when full; returns it, or null when there was room. */
  private Terminal makeRoom() throws StreamRefusedException { // holds this
    if (terminals.size() < MAX_TERMINALS) {
      return null;
    }
    for (Iterator<Terminal> it = terminals.values().iterator(); it.hasNext(); ) {
      Terminal t = it.next();
      if (t.idle()) {
        it.remove();
        return t;
      }
    }
    throw new StreamRefusedException(
        ErrorCode.REFUSED, "too many terminals (" + MAX_TERMINALS + " running or attached)");
  }
}
