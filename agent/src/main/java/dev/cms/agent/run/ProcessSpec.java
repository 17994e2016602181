package dev.cms.agent.run;

import dev.cms.domain.files.ParamException;
import dev.cms.domain.kinds.KindParams;
import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.StreamRefusedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a terminal runs instead of (or how it runs) an interactive shell, from the {@code terminal}
 * stream's OPEN params: {@code command} (run as {@code <shell> -lc <command>}, {@code -c} when the
 * shell is not bash), {@code cwd} (an absolute directory; default the terminals' working directory,
 * {@code /app}), {@code env.<NAME>=<value>} (extra environment, over the shell's) and {@code port}
 * (the port the gateway expects the command to listen on; the agent only keeps it, so that it can
 * report it in the {@code processes} stream after a gateway restart).
 *
 * @param command the command line, {@code null} for an interactive shell
 * @param cwd the working directory, {@code null} for the default
 * @param env extra environment variables (sorted by name)
 * @param port the port the gateway gave with the command, or {@code null}
 */
public record ProcessSpec(String command, Path cwd, Map<String, String> env, Integer port) {
  /** Param prefix of extra environment variables. */
  public static final String ENV_PREFIX = KindParams.ENV_PREFIX;

  /** Environment variable names accepted in {@code env.<NAME>}. */
  public static final Pattern ENV_NAME = KindParams.ENV_NAME;

  /** The agent setting for the grace between SIGTERM and SIGKILL when a command is killed. */
  public static final String KILL_GRACE_ENV = "CMS_KILL_GRACE_MS";

  /** Default grace between SIGTERM and SIGKILL. */
  public static final Duration DEFAULT_KILL_GRACE = Duration.ofSeconds(5);

  public ProcessSpec {
    env = Map.copyOf(env);
  }

  /** A spec without a port. */
  public ProcessSpec(String command, Path cwd, Map<String, String> env) {
    this(command, cwd, env, null);
  }

  /** Whether this runs a command (not an interactive shell). */
  public boolean isCommand() {
    return command != null;
  }

  /**
   * Reads the launch params of a {@code terminal} or {@code exec} OPEN ({@link KindParams.Launch},
   * other keys ignored).
   *
   * @return {@code null} when none of {@code command}, {@code cwd}, {@code env.*}, {@code port} is
   *     present
   * @throws StreamRefusedException ({@link ErrorCode#REFUSED}) for an empty command, a {@code cwd}
   *     that is not an absolute path of an existing directory, a malformed variable name, or a
   *     {@code port} that is not a decimal 1..65535
   */
  public static ProcessSpec fromParams(Map<String, String> params) throws StreamRefusedException {
    try {
      return of(KindParams.Launch.of(params));
    } catch (ParamException e) {
      throw TcpStreams.refusal(e);
    }
  }

  /**
   * The spec of a decoded launch, its {@code cwd} normalized.
   *
   * @return {@code null} for {@code null}
   * @throws StreamRefusedException ({@link ErrorCode#REFUSED}) for a {@code cwd} that is not an
   *     existing directory
   */
  public static ProcessSpec of(KindParams.Launch launch) throws StreamRefusedException {
    if (launch == null) {
      return null;
    }
    Path cwd = null;
    if (launch.cwd() != null) {
      cwd = Path.of(launch.cwd()).normalize();
      if (!Files.isDirectory(cwd)) {
        throw refused("cwd is not a directory: " + cwd);
      }
    }
    return new ProcessSpec(launch.command(), cwd, launch.env(), launch.port());
  }

  /** The command line to start: the shell alone, or the shell running the command. */
  public List<String> argv(List<String> shell) {
    if (command == null) {
      return shell;
    }
    String sh = shell.get(0);
    return List.of(sh, sh.endsWith("/bash") ? "-lc" : "-c", command);
  }

  /** The environment: {@code base} with the extra variables over it. */
  public Map<String, String> environment(Map<String, String> base) {
    Map<String, String> all = new LinkedHashMap<>(base);
    all.putAll(env);
    return all;
  }

  /** The working directory: {@code cwd} when given, else {@code fallback}. */
  public Path directory(Path fallback) {
    return cwd != null ? cwd : fallback;
  }

  /**
   * For the log: the command (shortened) and the names of the extra variables, not their values.
   */
  public String describe() {
    String c = command == null ? "interactive shell" : command;
    if (c.length() > 200) {
      c = c.substring(0, 200) + "…";
    }
    return c
        + (cwd == null ? "" : " in " + cwd)
        + (env.isEmpty() ? "" : " with " + String.join(",", env.keySet()));
  }

  /**
   * The grace between SIGTERM and SIGKILL from the agent's environment ({@value #KILL_GRACE_ENV},
   * milliseconds, default 5 s, at least 0, at most 10 minutes; a malformed value means the
   * default).
   */
  public static Duration killGrace(Map<String, String> agentEnv) {
    String raw = agentEnv.get(KILL_GRACE_ENV);
    if (raw == null || raw.isBlank()) {
      return DEFAULT_KILL_GRACE;
    }
    long ms;
    try {
      ms = Long.parseLong(raw.trim());
    } catch (NumberFormatException e) {
      return DEFAULT_KILL_GRACE;
    }
    return Duration.ofMillis(Math.max(0, Math.min(600_000, ms)));
  }

  private static StreamRefusedException refused(String message) {
    return new StreamRefusedException(ErrorCode.REFUSED, message);
  }
}
