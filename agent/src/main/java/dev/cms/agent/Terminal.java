package dev.cms.agent;

import com.pty4j.PtyProcess;
import com.pty4j.PtyProcessBuilder;
import com.pty4j.WinSize;
import com.pty4j.unix.UnixPtyProcess;
import dev.cms.agent.run.ProcessSpec;
import dev.cms.domain.process.ProcessReport;
import dev.cms.domain.terminal.TerminalWire;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One terminal: a shell on a PTY, the {@link OutputLog} of everything it wrote, and the attachments
 * (client streams) that follow it.
 *
 * <p>One reader thread per shell copies the PTY's output into the log and wakes the attachments; it
 * never waits for a client, so a slow client only falls behind (and, past the log's capacity, loses
 * the oldest bytes). The terminal outlives its attachments and the agent's link to the gateway.
 * When the shell exited, {@link #ensureRunning} starts a new one whose output continues the same
 * log at the same offsets.
 *
 * <p>Window size: the most recently active attachment wins. An attachment becomes the most recent
 * when it sends input or a resize; on input its size is applied if it differs from the PTY's.
 */
final class Terminal {
  /** Bytes of recent output replayed to an attachment that names no offset. */
  static final int RECENT_BYTES = 64 * 1024;

  static final long KILL_GRACE_MILLIS = 2000;

  private static final Logger LOG = Logger.getLogger(Terminal.class.getName());
  private static final int READ_BUFFER = 16 * 1024;

  private final String id;
  private final TerminalConfig config;
  private final Executor workers;
  private final Executor writer;
  private final Duration commandKillGrace;
  private final Consumer<Terminal> changed;
  private final Object lock = new Object();

  // guarded by lock
  private final OutputLog log;
  private final List<Attachment> byActivity = new ArrayList<>(); // most recent last
  private Run run;
  private ProcessSpec spec; // what the last shell ran: null for a plain interactive shell
  private int ptyCols;
  private int ptyRows;

  Terminal(String id, TerminalConfig config, Executor workers) {
    this(id, config, workers, ProcessSpec.DEFAULT_KILL_GRACE, t -> {});
  }

  /**
   * @param commandKillGrace how long {@link #kill} waits after SIGTERM before SIGKILL when the
   *     terminal runs a command
   * @param changed told (with no lock held) after a shell started and after it exited
   */
  Terminal(
      String id,
      TerminalConfig config,
      Executor workers,
      Duration commandKillGrace,
      Consumer<Terminal> changed) {
    this.id = id;
    this.config = config;
    this.workers = workers;
    this.commandKillGrace = commandKillGrace;
    this.changed = changed;
    this.writer = new EchoStreams.SerialExecutor(workers);
    this.log = new OutputLog(config.logBytes());
  }

  String id() {
    return id;
  }

  /**
   * Starts a shell unless one is running.
   *
   * @return whether a shell was started
   * @throws IOException when the shell cannot be started
   */
  boolean ensureRunning(int cols, int rows) throws IOException {
    return ensureRunning(cols, rows, null);
  }

  /**
   * Starts a shell unless one is running: with {@code launch}, the command / directory /
   * environment it names (remembered for later starts); without, what the previous shell ran (an
   * interactive shell at first).
   *
   * @return whether a shell was started
   * @throws IOException when the shell cannot be started
   */
  boolean ensureRunning(int cols, int rows, ProcessSpec launch) throws IOException {
    boolean started = start(cols, rows, launch);
    if (started) {
      changed.accept(this);
    }
    return started;
  }

  private boolean start(int cols, int rows, ProcessSpec launch) throws IOException {
    synchronized (lock) {
      if (run != null && !run.exited) {
        return false;
      }
      String shell = config.shell().get(0);
      if (!Files.isExecutable(Path.of(shell))) {
        throw new IOException("no executable " + shell);
      }
      ProcessSpec s = launch != null ? launch : spec;
      List<String> argv = config.command(s == null ? config.shell() : s.argv(config.shell()));
      PtyProcess process =
          new PtyProcessBuilder(argv.toArray(String[]::new))
              .setEnvironment(new HashMap<>(s == null ? config.env() : s.environment(config.env())))
              .setDirectory(
                  (s == null ? config.workingDirectory() : s.directory(config.workingDirectory()))
                      .toString())
              .setInitialColumns(cols)
              .setInitialRows(rows)
              .setConsole(false)
              .start();
      Run r = new Run(process, log.endOffset(), s != null && s.isCommand(), now());
      run = r;
      spec = s;
      ptyCols = cols;
      ptyRows = rows;
      String name = "terminal-" + id + "-" + process.pid();
      Thread reader = daemon(() -> read(r), name + "-reader");
      daemon(() -> awaitExit(r, reader), name + "-exit").start();
      reader.start();
      LOG.info(
          "terminal "
              + id
              + ": started "
              + (s == null ? config.shell() : s.describe())
              + " as pid "
              + process.pid()
              + " at "
              + r.startOffset);
      return true;
    }
  }

  /** Whether a shell was ever started (a failed start leaves the terminal without one). */
  boolean started() {
    synchronized (lock) {
      return run != null;
    }
  }

  /** Whether the current shell exited (or none was started) and nobody is attached. */
  boolean idle() {
    synchronized (lock) {
      return (run == null || run.exited) && byActivity.isEmpty();
    }
  }

  /**
   * Attaches a client.
   *
   * @param offset where the client wants the replay to start; {@code null} for recent output
   * @param cols the client's columns
   * @param rows the client's rows
   * @param started whether this attachment just started the shell (its size is the PTY's)
   */
  Attachment attach(Long offset, int cols, int rows, boolean started) {
    synchronized (lock) {
      if (run == null) {
        throw new IllegalStateException("terminal " + id + " has no shell");
      }
      long first = log.firstOffset();
      long end = log.endOffset();
      long start;
      boolean truncated;
      if (offset == null) {
        start = Math.max(first, end - RECENT_BYTES);
        truncated = false;
      } else if (offset < first || offset > end) {
        start = first;
        truncated = true;
      } else {
        start = offset;
        truncated = false;
      }
      Attachment a = new Attachment(run, start, cols, rows);
      a.attached =
          new TerminalWire.Attached(
              id, start, first, end, truncated, !run.exited, run.exited ? run.exitCode : -1);
      if (byActivity.isEmpty() || started) {
        byActivity.add(a);
        applySize(a.cols, a.rows);
      } else {
        byActivity.add(0, a);
      }
      return a;
    }
  }

  /**
   * The next message for the attachment, waiting for output: an {@link TerminalWire.Output} of at
   * most {@link TerminalWire#MAX_OUTPUT_CHUNK} bytes, or, once the attachment's shell exited and
   * everything up to its exit was returned, {@link TerminalWire.Exited} (once).
   *
   * @return {@code null} when the attachment was detached or got its {@code Exited}
   */
  TerminalWire.Message next(Attachment a) throws InterruptedException {
    synchronized (lock) {
      while (true) {
        if (a.detached || a.exitSent) {
          return null;
        }
        long first = log.firstOffset();
        if (a.cursor < first) {
          a.cursor = first; // overwritten before this client took it: the gap shows in the offset
        }
        Run r = a.run;
        long limit = r.exited ? r.exitOffset : log.endOffset();
        if (a.cursor < limit) {
          byte[] data =
              log.read(a.cursor, (int) Math.min(TerminalWire.MAX_OUTPUT_CHUNK, limit - a.cursor));
          TerminalWire.Output out = new TerminalWire.Output(a.cursor, data);
          a.cursor += data.length;
          return out;
        }
        if (r.exited) {
          a.exitSent = true;
          return new TerminalWire.Exited(r.exitCode);
        }
        lock.wait();
      }
    }
  }

  /** The client went away: its sender stops; the terminal keeps running. */
  void detach(Attachment a) {
    synchronized (lock) {
      a.detached = true;
      boolean wasMostRecent = !byActivity.isEmpty() && byActivity.get(byActivity.size() - 1) == a;
      byActivity.remove(a);
      if (wasMostRecent && !byActivity.isEmpty()) {
        Attachment next = byActivity.get(byActivity.size() - 1);
        applySize(next.cols, next.rows);
      }
      lock.notifyAll();
    }
  }

  /**
   * Keystrokes from an attachment: it becomes the most recent (its size applies); the bytes are
   * written to the shell on the terminal's writer, never on the caller's thread.
   *
   * @param done runs after the bytes were written (or dropped), on the writer
   */
  void input(Attachment a, List<byte[]> data, Runnable done) {
    Run r;
    synchronized (lock) {
      r = a.run;
      if (!data.isEmpty() && !a.detached) {
        touch(a);
        applySize(a.cols, a.rows);
      }
    }
    writer.execute(
        () -> {
          try {
            for (byte[] b : data) {
              if (r.exited) {
                break;
              }
              r.stdin.write(b);
            }
            r.stdin.flush();
          } catch (IOException | RuntimeException e) {
            LOG.log(
                Level.FINE, "terminal {0}: input dropped: {1}", new Object[] {id, e.toString()});
          } finally {
            done.run();
          }
        });
  }

  /** A client's new size: it becomes the most recent attachment and its size applies. */
  void resize(Attachment a, int cols, int rows) {
    synchronized (lock) {
      a.cols = cols;
      a.rows = rows;
      if (!a.detached) {
        touch(a);
        applySize(cols, rows);
      }
    }
  }

  /**
   * Ends the attachment's shell: an interactive shell with SIGHUP, then SIGKILL after {@link
   * #KILL_GRACE_MILLIS}; a command with SIGTERM to its process group, then SIGKILL to the group
   * after the command kill grace.
   */
  void kill(Attachment a) {
    Run r = a.run;
    synchronized (lock) {
      if (r.exited) {
        return;
      }
    }
    LOG.info("terminal " + id + ": killing pid " + r.process.pid());
    PtyProcess p = r.process;
    long grace = KILL_GRACE_MILLIS;
    if (r.command) {
      p.destroy(); // SIGTERM to the process group (pty4j: killpg, else kill)
      grace = commandKillGrace.toMillis();
    } else if (p instanceof UnixPtyProcess u) {
      u.hangup();
    } else {
      p.destroy();
    }
    long wait = grace;
    workers.execute(
        () -> {
          try {
            if (!p.waitFor(wait, TimeUnit.MILLISECONDS)) {
              p.destroyForcibly();
            }
          } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
          }
        });
  }

  /** Kills the shell at once (agent shutdown, tests). */
  void destroy() {
    Run r;
    synchronized (lock) {
      r = run;
    }
    if (r != null && !r.exited) {
      r.process.destroyForcibly();
    }
  }

  /**
   * What the {@code processes} stream reports about this terminal: its current (or last) run when
   * that run was started with a command, else {@code null} (an interactive shell, or none yet).
   */
  ProcessReport report() {
    synchronized (lock) {
      Run r = run;
      if (r == null || !r.command || spec == null) {
        return null;
      }
      String command = ProcessReport.fitCommand(spec.command());
      String cwd = spec.directory(config.workingDirectory()).toString();
      return r.exited
          ? ProcessReport.exited(id, command, cwd, spec.port(), r.startedAt, r.endedAt, r.exitCode)
          : ProcessReport.running(id, command, cwd, spec.port(), r.startedAt);
    }
  }

  // --- internals (lock held where noted) -----------------------------------------------------

  /** Wall-clock time at the wire's precision, so a report reads back equal to itself. */
  private static Instant now() {
    return Instant.ofEpochMilli(System.currentTimeMillis());
  }

  private void touch(Attachment a) { // lock held
    byActivity.remove(a);
    byActivity.add(a);
  }

  private void applySize(int cols, int rows) { // lock held
    if (run == null || run.exited || (cols == ptyCols && rows == ptyRows)) {
      return;
    }
    try {
      run.process.setWinSize(new WinSize(cols, rows));
      ptyCols = cols;
      ptyRows = rows;
    } catch (RuntimeException e) {
      LOG.log(Level.FINE, "terminal {0}: resize failed: {1}", new Object[] {id, e.toString()});
    }
  }

  private void read(Run r) {
    byte[] buf = new byte[READ_BUFFER];
    try (InputStream in = r.process.getInputStream()) {
      int n;
      while ((n = in.read(buf)) >= 0) {
        if (n > 0) {
          synchronized (lock) {
            log.append(buf, 0, n);
            lock.notifyAll();
          }
        }
      }
    } catch (IOException e) {
      LOG.log(Level.FINE, "terminal {0}: output ended: {1}", new Object[] {id, e.toString()});
    }
  }

  private void awaitExit(Run r, Thread reader) {
    int code;
    try {
      code = r.process.waitFor();
      reader.join(1000); // let the output written just before the exit arrive first
    } catch (InterruptedException e) {
      return;
    }
    synchronized (lock) {
      r.exited = true;
      r.exitCode = code;
      r.exitOffset = log.endOffset();
      r.endedAt = now();
      lock.notifyAll();
    }
    changed.accept(this);
    LOG.info(
        "terminal "
            + id
            + ": pid "
            + r.process.pid()
            + " exited with "
            + code
            + " at "
            + r.exitOffset);
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /** One shell's life. */
  private static final class Run {
    final PtyProcess process;
    final OutputStream stdin;
    final long startOffset;
    final boolean command; // runs a command (killed with SIGTERM), not an interactive shell
    final Instant startedAt;
    volatile boolean exited; // written under the terminal's lock
    int exitCode = -1;
    long exitOffset;
    Instant endedAt;

    Run(PtyProcess process, long startOffset, boolean command, Instant startedAt) {
      this.process = process;
      this.stdin = process.getOutputStream();
      this.startOffset = startOffset;
      this.command = command;
      this.startedAt = startedAt;
    }
  }

  /** One client following the terminal; fields guarded by the terminal's lock. */
  static final class Attachment {
    private final Run run;
    private long cursor;
    private int cols;
    private int rows;
    private boolean detached;
    private boolean exitSent;
    private TerminalWire.Attached attached;

    private Attachment(Run run, long start, int cols, int rows) {
      this.run = run;
      this.cursor = start;
      this.cols = cols;
      this.rows = rows;
    }

    /** The first message of the attachment's stream. */
    TerminalWire.Attached attached() {
      return attached;
    }
  }
}
