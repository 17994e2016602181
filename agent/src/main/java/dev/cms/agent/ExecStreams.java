package dev.cms.agent;

import dev.cms.agent.run.ProcessSpec;
import dev.cms.agent.run.TcpStreams;
import dev.cms.domain.exec.ExecWire;
import dev.cms.domain.files.ParamException;
import dev.cms.domain.kinds.KindParams;
import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.Frame;
import dev.cms.domain.protocol.Stream;
import dev.cms.domain.protocol.StreamHandler;
import dev.cms.domain.protocol.StreamRefusedException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Stream kind {@code exec}: runs {@code command} with the shell, without a terminal, as the shell's
 * user, with standard output and standard error apart ({@link ExecWire}). Params ({@link
 * KindParams.Exec}): {@code command}, {@code cwd}, {@code env.<NAME>} as for processes; {@code
 * timeoutMs} (default 60 000, at most one hour: then the command and everything it started are
 * killed) and {@code maxOutput} (bytes kept of each of stdout and stderr, default 1 MiB, at most 16
 * MiB; the rest is read and dropped, the end says so). The gateway's bytes are the command's
 * standard input; its CLOSE ends it. A RESET kills the command.
 */
final class ExecStreams {
  static final long DEFAULT_TIMEOUT_MS = KindParams.DEFAULT_TIMEOUT_MS;
  static final long MAX_TIMEOUT_MS = KindParams.MAX_TIMEOUT_MS;
  static final long DEFAULT_MAX_OUTPUT = KindParams.DEFAULT_MAX_OUTPUT;
  static final long MAX_OUTPUT = KindParams.MAX_OUTPUT;
  static final int MAX_RUNNING = 32;
  private static final long DRAIN_AFTER_EXIT_MS = 2_000;
  private static final Logger LOG = Logger.getLogger(ExecStreams.class.getName());
  private static final AtomicInteger RUNNING = new AtomicInteger();

  private ExecStreams() {}

  static StreamHandler accept(Frame.Open open, TerminalConfig config, Executor workers)
      throws StreamRefusedException {
    KindParams.Exec params;
    try {
      params = KindParams.Exec.of(open.params());
    } catch (ParamException e) {
      throw TcpStreams.refusal(e);
    }
    ProcessSpec spec = ProcessSpec.of(params.launch());
    long timeout = params.timeoutMs();
    long maxOutput = params.maxOutput();
    if (RUNNING.incrementAndGet() > MAX_RUNNING) {
      RUNNING.decrementAndGet();
      throw refused("too-many: at most " + MAX_RUNNING + " commands run at once");
    }
    ProcessBuilder pb =
        new ProcessBuilder(config.command(spec.argv(config.shell())))
            .directory(spec.directory(config.workingDirectory()).toFile());
    pb.environment().clear();
    pb.environment().putAll(new HashMap<>(spec.environment(config.env())));
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      RUNNING.decrementAndGet();
      throw refused("cannot-start: " + e.getMessage());
    }
    return new Exec(p, timeout, maxOutput, workers);
  }

  private static StreamRefusedException refused(String message) {
    return new StreamRefusedException(ErrorCode.REFUSED, message);
  }

  /** One running command and its stream. */
  private static final class Exec implements StreamHandler {
    private static final byte[] EOF = new byte[0];
    final Process process;
    final long timeoutMs;
    final long maxOutput;
    final Executor workers;
    final LinkedBlockingQueue<byte[]> stdin = new LinkedBlockingQueue<>();
    final CountDownLatch readers = new CountDownLatch(2);
    volatile boolean stdoutTruncated;
    volatile boolean stderrTruncated;
    volatile Stream stream;

    Exec(Process process, long timeoutMs, long maxOutput, Executor workers) {
      this.process = process;
      this.timeoutMs = timeoutMs;
      this.maxOutput = maxOutput;
      this.workers = workers;
    }

    @Override
    public void onOpen(Stream s) {
      stream = s;
      workers.execute(() -> read(process.getInputStream(), false));
      workers.execute(() -> read(process.getErrorStream(), true));
      workers.execute(this::feedStdin);
      workers.execute(this::await);
    }

    @Override
    public boolean autoCredit() {
      return false; // credited once written to the command: the window bounds what waits here
    }

    @Override
    public void onData(Stream s, byte[] data) {
      stdin.add(data);
    }

    @Override
    public void onClose(Stream s) {
      stdin.add(EOF);
    }

    @Override
    public void onReset(Stream s, int code, String reason) {
      kill();
      stdin.add(EOF);
    }

    private void feedStdin() {
      try (OutputStream out = process.getOutputStream()) {
        while (true) {
          byte[] b = stdin.poll(timeoutMs + DRAIN_AFTER_EXIT_MS, TimeUnit.MILLISECONDS);
          if (b == null || b == EOF) {
            return;
          }
          try {
            out.write(b);
            out.flush();
          } catch (IOException e) {
            // the command closed its input: the rest is dropped
          } finally {
            stream.credit(b.length);
          }
        }
      } catch (IOException e) {
        LOG.log(Level.FINE, "closing a command's input", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private void read(InputStream in, boolean stderr) {
      long kept = 0;
      byte[] buf = new byte[ExecWire.MAX_CHUNK];
      try (in) {
        int n;
        while ((n = in.read(buf)) > 0) {
          int keep = (int) Math.max(0, Math.min(n, maxOutput - kept));
          if (keep < n) {
            if (stderr) {
              stderrTruncated = true;
            } else {
              stdoutTruncated = true;
            }
          }
          if (keep > 0) {
            kept += keep;
            byte[] chunk = java.util.Arrays.copyOf(buf, keep);
            stream.write(ExecWire.encode(new ExecWire.Output(stderr, chunk)));
          }
        }
      } catch (IOException e) {
        LOG.log(Level.FINE, "reading a command's output ended", e);
      } finally {
        readers.countDown();
      }
    }

    private void await() {
      boolean timedOut = false;
      try {
        if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
          timedOut = true;
          kill();
          process.waitFor(5, TimeUnit.SECONDS);
        }
        // what the command started in the background may hold its output open: not for long
        if (!readers.await(DRAIN_AFTER_EXIT_MS, TimeUnit.MILLISECONDS)) {
          process.descendants().forEach(ProcessHandle::destroyForcibly);
          closeQuietly(process.getInputStream());
          closeQuietly(process.getErrorStream());
          readers.await(DRAIN_AFTER_EXIT_MS, TimeUnit.MILLISECONDS);
        }
        int code = process.isAlive() ? -1 : process.exitValue();
        stream.write(
            ExecWire.encode(new ExecWire.End(code, timedOut, stdoutTruncated, stderrTruncated)));
        stream.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        kill();
      } catch (IOException e) {
        LOG.log(Level.FINE, "the exec stream ended before the command's end was sent", e);
        kill();
      } finally {
        RUNNING.decrementAndGet();
        stdin.add(EOF);
      }
    }

    private void kill() {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }

    private static void closeQuietly(java.io.Closeable c) {
      try {
        c.close();
      } catch (IOException e) {
        // gone
      }
    }
  }
}
