package dev.cms.agent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * How the agent runs terminals: the shell, its environment and working directory, and how much
 * output each terminal keeps for clients that (re)attach.
 *
 * @param logBytes bytes of output each terminal keeps ({@code CMS_TERMINAL_LOG_BYTES})
 * @param shell the command line of a new shell
 * @param env the shell's whole environment (the container's, without the agent's own {@code CMS_*}
 *     variables: its secret is never passed on)
 * @param home the shell's {@code HOME}, its working directory when {@code cwd} does not exist
 * @param cwd the shell's working directory ({@code /app} in the container)
 * @param runAs the user shells and processes run as when the agent is root ({@code null}: as the
 *     agent)
 * @param overlay the environment a claimed warm-pool container got after its start, over {@code
 *     env} (see {@link #env()})
 */
record TerminalConfig(
    int logBytes,
    List<String> shell,
    Map<String, String> env,
    Path home,
    Path cwd,
    RunAs runAs,
    EnvOverlay overlay) {

  static final String LOG_BYTES = "CMS_TERMINAL_LOG_BYTES";
  static final int DEFAULT_LOG_BYTES = 4 * 1024 * 1024;
  static final int MIN_LOG_BYTES = 1024 * 1024;
  static final int MAX_LOG_BYTES = 256 * 1024 * 1024;
  static final String DEFAULT_HOME = "/home/node";
  static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  static final Path APP = Path.of("/app");

  TerminalConfig {
    if (logBytes <= 0) {
      throw new IllegalArgumentException("log size must be positive: " + logBytes);
    }
    shell = List.copyOf(shell);
    if (shell.isEmpty()) {
      throw new IllegalArgumentException("no shell");
    }
    env = Map.copyOf(env);
    Objects.requireNonNull(home, "home");
    Objects.requireNonNull(cwd, "cwd");
    Objects.requireNonNull(overlay, "overlay");
  }

  TerminalConfig(
      int logBytes, List<String> shell, Map<String, String> env, Path home, Path cwd, RunAs runAs) {
    this(logBytes, shell, env, home, cwd, runAs, new EnvOverlay());
  }

  TerminalConfig(int logBytes, List<String> shell, Map<String, String> env, Path home, Path cwd) {
    this(logBytes, shell, env, home, cwd, null);
  }

  /**
   * The environment of a shell, process or command started now: the container's ({@code env}) with
   * what the {@code env} stream applied since over it.
   */
  @Override
  public Map<String, String> env() {
    return overlay.over(env);
  }

  /** The command line that starts {@code argv} as the shell's user. */
  List<String> command(List<String> argv) {
    return runAs == null ? argv : runAs.wrap(argv);
  }

  /**
   * Reads the settings from the agent's environment: {@code /bin/bash} where present, else {@code
   * /bin/sh}; the shell's environment as {@link #shellEnv}; working directory {@code /app} when it
   * exists, else {@code HOME}.
   *
   * @throws IllegalArgumentException when {@code CMS_TERMINAL_LOG_BYTES} is not a number
   */
  static TerminalConfig fromEnv(Map<String, String> agentEnv) {
    return fromEnv(agentEnv, null);
  }

  /** As {@link #fromEnv(Map)}, for shells that run as {@code runAs} (may be {@code null}). */
  static TerminalConfig fromEnv(Map<String, String> agentEnv, RunAs runAs) {
    int logBytes = DEFAULT_LOG_BYTES;
    String raw = agentEnv.get(LOG_BYTES);
    if (raw != null && !raw.isBlank()) {
      long n;
      try {
        n = Long.parseLong(raw.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(LOG_BYTES + " must be a number of bytes, not " + raw);
      }
      logBytes = (int) Math.max(MIN_LOG_BYTES, Math.min(MAX_LOG_BYTES, n));
    }
    String shell = Files.isExecutable(Path.of("/bin/bash")) ? "/bin/bash" : "/bin/sh";
    Path home = Path.of(nonBlank(agentEnv.get("HOME"), DEFAULT_HOME));
    Path cwd = Files.isDirectory(APP) ? APP : home;
    Map<String, String> env = new TreeMap<>(shellEnv(agentEnv, shell, home));
    if (runAs != null) {
      env.put("USER", runAs.user());
      env.put("LOGNAME", runAs.user());
    }
    return new TerminalConfig(logBytes, List.of(shell), env, home, cwd, runAs);
  }

  /**
   * Prefix of the variables the service keeps to itself (the gateway refuses them in {@code env}).
   */
  static final String SERVICE_PREFIX = "CMS_";

  /**
   * The environment of a shell started by an agent whose environment is {@code agentEnv}: the
   * container's whole environment (the image's, then the proxy and CA variables the gateway sets,
   * then the create request's {@code env}, in that precedence, as the engine merged them) without
   * the service's own {@code CMS_*} variables (the agent's secret and gateway URL among them);
   * {@code TERM=xterm-256color}, {@code HOME}, {@code USER}, {@code LOGNAME} and {@code SHELL} of
   * the shell's user; {@code PATH} and {@code LANG} defaulted when the container has none.
   */
  static Map<String, String> shellEnv(Map<String, String> agentEnv, String shell, Path home) {
    String user = nonBlank(agentEnv.get("USER"), System.getProperty("user.name", "node"));
    Map<String, String> env = new TreeMap<>();
    agentEnv.forEach(
        (name, value) -> {
          if (!name.startsWith(SERVICE_PREFIX)) {
            env.put(name, value);
          }
        });
    env.put("TERM", "xterm-256color");
    env.put("HOME", home.toString());
    env.put("PATH", nonBlank(agentEnv.get("PATH"), DEFAULT_PATH));
    env.put("LANG", nonBlank(agentEnv.get("LANG"), "C.UTF-8"));
    env.put("USER", user);
    env.put("LOGNAME", user);
    env.put("SHELL", shell);
    return env;
  }

  /** The directory a new shell starts in: {@code cwd}, else {@code home}, else {@code /}. */
  Path workingDirectory() {
    if (Files.isDirectory(cwd)) {
      return cwd;
    }
    return Files.isDirectory(home) ? home : Path.of("/");
  }

  private static String nonBlank(String v, String fallback) {
    return v == null || v.isBlank() ? fallback : v;
  }
}
