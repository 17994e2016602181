package dev.cms.gateway.commands.control;

import dev.cms.domain.exec.ExecWire;
import dev.cms.domain.kinds.KindParams;
import dev.cms.domain.protocol.LengthPrefixed;
import dev.cms.domain.protocol.ProtocolException;
import dev.cms.domain.protocol.Stream;
import dev.cms.domain.protocol.StreamHandler;
import dev.cms.domain.protocol.StreamRefusedException;
import dev.cms.gateway.agents.control.Agents;
import dev.cms.gateway.containers.control.Containers;
import dev.cms.gateway.problems.ApiException;
import dev.cms.gateway.problems.Bodies;
import dev.cms.gateway.processes.control.Processes;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs a command in a container and collects its end: an {@code exec} stream of the agent (no
 * terminal; stdout and stderr apart). Nothing waits on a request thread: the answer completes when
 * the agent sends the command's end, or fails at the timeout plus a grace.
 *
 * <p>Bounds: {@value #MAX_TIMEOUT_S} s at most, {@value #MAX_STDIN} bytes of input, {@value
 * #MAX_OUTPUT} bytes kept of each output (the agent cuts there; an agent sending more is cut here
 * too and the stream reset).
 */
@ApplicationScoped
public class Commands {

  static final int DEFAULT_TIMEOUT_S = 60;
  public static final int MAX_TIMEOUT_S = 600;
  static final int MAX_STDIN = 1024 * 1024;
  static final int MAX_OUTPUT = 1024 * 1024;
  public static final int MAX_COMMAND = 64 * 1024;
  private static final long OPEN_TIMEOUT_MS = 10_000;
  private static final long GRACE_MS = 10_000;
  private static final Logger LOG = Logger.getLogger(Commands.class.getName());

  @Inject Containers containers;
  @Inject Agents agents;

  @Resource ManagedExecutorService executor;

  /**
   * Starts {@code r} in the owner's container.
   *
   * @return completes with the result; exceptionally with an {@link ApiException}
   * @throws ApiException at once for a bad request, an unknown or not running container
   */
  public CompletionStage<ExecResult> exec(String owner, String id, ExecRequest r) {
    return start(owner, id, r, null).result();
  }

  /**
   * A started command: its result (exceptionally an {@link ApiException}) and its agent stream
   * (resetting it kills the command).
   */
  public record Run(CompletionStage<ExecResult> result, CompletableFuture<Stream> stream) {}

  /**
   * Starts {@code r} in the owner's container; {@code output}, if given, hears every piece of
   * stdout and stderr as it comes (within the kept bounds), on the agent link's thread.
   *
   * @throws ApiException at once for a bad request, an unknown or not running container
   */
  public Run start(String owner, String id, ExecRequest r, Output output) {
    KindParams.Exec params = params(r);
    int timeout = r.timeoutSeconds() == null ? DEFAULT_TIMEOUT_S : r.timeoutSeconds();
    byte[] stdin = r.stdin() == null ? new byte[0] : r.stdin().getBytes(StandardCharsets.UTF_8);
    if (stdin.length > MAX_STDIN) {
      throw ApiException.badRequest("stdin is above " + MAX_STDIN + " bytes");
    }
    containers.requireRunning(owner, id);
    Agents.Link link =
        agents
            .link(id)
            .orElseThrow(
                () -> ApiException.unavailable("the agent of " + id + " is not connected", null));
    Collector c = new Collector(System.nanoTime(), output);
    CompletableFuture<Stream> stream = new CompletableFuture<>();
    link.mux()
        .open(params.kind(), params.params(), c)
        .orTimeout(OPEN_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .whenComplete(
            (s, failure) -> {
              if (failure != null) {
                c.result.completeExceptionally(opening(failure));
                stream.completeExceptionally(failure);
                return;
              }
              stream.complete(s);
              executor.execute(() -> feed(s, stdin));
            });
    CompletionStage<ExecResult> result =
        c.result
            .orTimeout(timeout * 1000L + GRACE_MS, TimeUnit.MILLISECONDS)
            .exceptionally(
                f -> {
                  Throwable cause =
                      f instanceof java.util.concurrent.CompletionException ? f.getCause() : f;
                  if (cause instanceof ApiException a) {
                    throw a;
                  }
                  if (cause instanceof java.util.concurrent.TimeoutException) {
                    throw ApiException.unavailable(
                        "the agent did not report the command's end in time", null);
                  }
                  throw ApiException.unavailable("the command's stream failed: " + cause, cause);
                });
    return new Run(result, stream);
  }

  /** Hears a running command's output, stdout and stderr apart, as it comes. */
  public interface Output {
    void accept(boolean stderr, byte[] bytes);
  }

  private static ApiException opening(Throwable failure) {
    Throwable cause =
        failure instanceof java.util.concurrent.CompletionException ? failure.getCause() : failure;
    if (cause instanceof StreamRefusedException refused) {
      return ApiException.badRequest("the command could not start: " + refused.getMessage());
    }
    if (cause instanceof java.util.concurrent.TimeoutException) {
      return ApiException.unavailable("the agent did not answer within 10 s", null);
    }
    return ApiException.unavailable("the agent could not be reached", cause);
  }

  private static void feed(Stream s, byte[] stdin) {
    try {
      if (stdin.length > 0) {
        s.write(stdin);
      }
      s.close();
    } catch (IOException e) {
      LOG.log(Level.FINE, "sending a command's input", e);
    }
  }

  static KindParams.Exec params(ExecRequest r) {
    Bodies.required(r, "{\"command\":…}");
    String command = Processes.checkedCommand(r.command());
    if (command.length() > MAX_COMMAND) {
      throw ApiException.badRequest("command is above " + MAX_COMMAND + " characters");
    }
    String cwd = Processes.checkedCwd(r.cwd());
    if (r.timeoutSeconds() != null
        && (r.timeoutSeconds() < 1 || r.timeoutSeconds() > MAX_TIMEOUT_S)) {
      throw ApiException.badRequest(
          "timeoutSeconds must be between 1 and " + MAX_TIMEOUT_S + ", was " + r.timeoutSeconds());
    }
    Map<String, String> env = Processes.checkedEnv(r.env());
    env.keySet()
        .forEach(
            k -> {
              if (k.startsWith("CMS_")) {
                throw ApiException.badRequest("env name '" + k + "' is not allowed");
              }
            });
    return new KindParams.Exec(
        new KindParams.Launch(command, cwd, env, null),
        1000L * (r.timeoutSeconds() == null ? DEFAULT_TIMEOUT_S : r.timeoutSeconds()),
        MAX_OUTPUT);
  }

  /** Collects the agent's messages of one command, within the bounds. */
  static final class Collector implements StreamHandler {
    final CompletableFuture<ExecResult> result = new CompletableFuture<>();
    final LengthPrefixed<ExecWire.Message> decoder = ExecWire.decoder();
    final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    final long startedNanos;
    final Output output;
    boolean outCut;
    boolean errCut;

    Collector(long startedNanos, Output output) {
      this.startedNanos = startedNanos;
      this.output = output;
    }

    @Override
    public void onData(Stream s, byte[] data) {
      try {
        for (ExecWire.Message m : decoder.feed(data)) {
          if (m instanceof ExecWire.Output o) {
            ByteArrayOutputStream to = o.stderr() ? stderr : stdout;
            int room = Math.max(0, MAX_OUTPUT - to.size());
            int kept = Math.min(room, o.bytes().length);
            to.write(o.bytes(), 0, kept);
            if (output != null && kept > 0) {
              output.accept(
                  o.stderr(),
                  kept == o.bytes().length ? o.bytes() : java.util.Arrays.copyOf(o.bytes(), kept));
            }
            if (room < o.bytes().length) {
              if (o.stderr()) {
                errCut = true;
              } else {
                outCut = true;
              }
            }
          } else if (m instanceof ExecWire.End e) {
            result.complete(
                new ExecResult(
                    e.exitCode(),
                    stdout.toString(StandardCharsets.UTF_8),
                    stderr.toString(StandardCharsets.UTF_8),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos),
                    e.timedOut(),
                    e.stdoutTruncated() || outCut,
                    e.stderrTruncated() || errCut));
          }
        }
      } catch (ProtocolException e) {
        LOG.warning(() -> "an agent sent a malformed exec stream: " + e.getMessage());
        s.reset(dev.cms.domain.protocol.ErrorCode.PROTOCOL, "malformed exec message");
        result.completeExceptionally(
            ApiException.unavailable("the agent answered with a malformed stream", null));
      }
    }

    @Override
    public void onClose(Stream s) {
      if (!result.isDone()) {
        result.completeExceptionally(
            ApiException.unavailable("the agent ended the command's stream without its end", null));
      }
    }

    @Override
    public void onReset(Stream s, int code, String reason) {
      result.completeExceptionally(
          ApiException.unavailable("the command's stream was reset: " + reason, null));
    }
  }
}
