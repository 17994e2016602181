package dev.cms.domain.kinds;

import dev.cms.domain.files.ParamException;
import dev.cms.domain.files.Params;
import dev.cms.domain.files.Rule;
import dev.cms.domain.protocol.StreamKind;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The open parameters of the stream kinds {@link StreamKind#TERMINAL}, {@link StreamKind#EXEC},
 * {@link StreamKind#TCP}, {@link StreamKind#PORTS}, {@link StreamKind#PROCESSES} and {@link
 * StreamKind#ENV} as records (the file kinds have {@code dev.cms.domain.files.FileOp} and {@code
 * Transfer}). {@code params()} encodes a record into the {@code OPEN} map, {@code of(map)} decodes
 * and checks it, refusing a malformed or unknown parameter with a {@link ParamException} whose
 * message is the refusal's reason.
 */
public final class KindParams {

  private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");

  /** Param prefix of a launch's extra environment variables. */
  public static final String ENV_PREFIX = "env.";

  /** Environment variable names accepted in {@code env.<NAME>}. */
  public static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

  /** A terminal's default size, and the bound its columns and rows are clamped to (1..1000). */
  public static final int DEFAULT_COLS = 80;

  public static final int DEFAULT_ROWS = 24;
  public static final int MAX_SIZE = 1000;

  /** An exec's time limit by default and at most (ms), and its output kept per channel (bytes). */
  public static final long DEFAULT_TIMEOUT_MS = 60_000;

  public static final long MAX_TIMEOUT_MS = 3_600_000;
  public static final long DEFAULT_MAX_OUTPUT = 1024 * 1024;
  public static final long MAX_OUTPUT = 16L * 1024 * 1024;

  private KindParams() {}

  /** The open parameters of one of these kinds. */
  public sealed interface Open permits Terminal, Exec, Tcp, Ports, Processes, Env {
    /** The kind of stream these parameters open. */
    StreamKind kind();

    /** The parameters as they go into {@code OPEN} (sorted by key). */
    Map<String, String> params();
  }

  /**
   * What a shell runs (part of {@code terminal} and {@code exec}): {@code command} (a line of
   * shell, {@code null} for an interactive shell), {@code cwd} (an absolute path, {@code null}: the
   * default; the agent checks it is a directory), {@code env.<NAME>} (extra variables) and {@code
   * port} (the port the command is expected to listen on, kept by the agent for its {@code
   * processes} reports; {@code null} when absent).
   */
  public record Launch(String command, String cwd, Map<String, String> env, Integer port) {
    public Launch {
      env = new TreeMap<>(Objects.requireNonNull(env, "env"));
      env.forEach(
          (k, v) -> {
            // values are checked by the agent (a NUL refuses the stream), names here already
            if (!ENV_NAME.matcher(k).matches() || v == null) {
              throw new IllegalArgumentException("bad environment variable name " + k);
            }
          });
      env = Collections.unmodifiableMap(env);
      if (port != null && (port < 1 || port > 65_535)) {
        throw new IllegalArgumentException("port " + port + " out of 1..65535");
      }
    }

    /** Nothing given: the terminal runs what it ran before (or an interactive shell). */
    public boolean isEmpty() {
      return command == null && cwd == null && env.isEmpty() && port == null;
    }

    /** Adds this launch's parameters to {@code m}. */
    void into(Map<String, String> m) {
      if (command != null) {
        m.put("command", command);
      }
      if (cwd != null) {
        m.put("cwd", cwd);
      }
      if (port != null) {
        m.put("port", Integer.toString(port));
      }
      env.forEach((k, v) -> m.put(ENV_PREFIX + k, v));
    }

    /**
     * Reads the launch parameters among {@code p} (other keys are the kind's to check).
     *
     * @return {@code null} when none of {@code command}, {@code cwd}, {@code env.*}, {@code port}
     *     is present
     * @throws ParamException for an empty command, a {@code cwd} that is not an absolute path, a
     *     malformed variable name or a NUL in a value, a {@code port} not a decimal 1..65535
     */
    public static Launch of(Map<String, String> p) {
      String command = p.get("command");
      String rawCwd = p.get("cwd");
      Map<String, String> env = new TreeMap<>();
      for (Map.Entry<String, String> e : p.entrySet()) {
        if (e.getKey().startsWith(ENV_PREFIX)) {
          String name = e.getKey().substring(ENV_PREFIX.length());
          if (!ENV_NAME.matcher(name).matches()) {
            throw bad("bad environment variable name: " + Params.printable(e.getKey()));
          }
          if (e.getValue().indexOf('\0') >= 0) {
            throw bad("environment variable " + name + " contains a NUL character");
          }
          env.put(name, e.getValue());
        }
      }
      String rawPort = p.get("port");
      if (command == null && rawCwd == null && env.isEmpty() && rawPort == null) {
        return null;
      }
      Integer port = null;
      if (rawPort != null) {
        try {
          port = Integer.parseInt(rawPort);
        } catch (NumberFormatException e) {
          port = -1;
        }
        if (port < 1 || port > 65_535) {
          throw bad("port must be a decimal number 1..65535, not " + Params.printable(rawPort));
        }
      }
      if (command != null && (command.isBlank() || command.indexOf('\0') >= 0)) {
        throw bad("command must be a non-empty line of shell without NUL characters");
      }
      if (rawCwd != null) {
        boolean absolute;
        try {
          absolute = Path.of(rawCwd).isAbsolute();
        } catch (InvalidPathException e) {
          absolute = false;
        }
        if (!absolute) {
          throw bad("cwd must be an absolute path, not " + Params.printable(rawCwd));
        }
      }
      return new Launch(command, rawCwd, env, port);
    }

    private static boolean isLaunchKey(String k) {
      return k.equals("command") || k.equals("cwd") || k.equals("port") || k.startsWith(ENV_PREFIX);
    }
  }

  /**
   * {@code terminal}: attaches to terminal {@code terminal}, replaying from byte {@code offset}
   * ({@code null}: the most recent bytes), at {@code cols}×{@code rows} (default 80×24, clamped to
   * 1..1000); {@code create} {@code false} refuses a missing terminal, {@code true} or {@code null}
   * (absent, the default) starts its shell when missing or exited, running {@code launch} ({@code
   * null}: what it ran before).
   */
  public record Terminal(
      String terminal, Long offset, int cols, int rows, Boolean create, Launch launch)
      implements Open {
    public Terminal {
      Objects.requireNonNull(terminal, "terminal");
      if (offset != null && offset < 0) {
        throw new IllegalArgumentException("offset " + offset + " is negative");
      }
      if (cols < 1 || cols > MAX_SIZE || rows < 1 || rows > MAX_SIZE) {
        throw new IllegalArgumentException("cols or rows out of 1.." + MAX_SIZE);
      }
      if (launch != null && launch.isEmpty()) {
        launch = null;
      }
    }

    /** {@code v} clamped to a terminal size, 1..1000, as the agent clamps it. */
    public static int clamp(int v) {
      return Math.max(1, Math.min(MAX_SIZE, v));
    }

    /** Whether a missing or exited shell is started. */
    public boolean creates() {
      return create == null || create;
    }

    @Override
    public StreamKind kind() {
      return StreamKind.TERMINAL;
    }

    @Override
    public Map<String, String> params() {
      Map<String, String> m = new TreeMap<>();
      m.put("terminal", terminal);
      if (offset != null) {
        m.put("offset", Long.toString(offset));
      }
      m.put("cols", Integer.toString(cols));
      m.put("rows", Integer.toString(rows));
      if (create != null) {
        m.put("create", Boolean.toString(create));
      }
      if (launch != null) {
        launch.into(m);
      }
      return m;
    }

    public static Terminal of(Map<String, String> p) {
      for (String k : p.keySet()) {
        if (!Launch.isLaunchKey(k)
            && !Set.of("terminal", "offset", "cols", "rows", "create").contains(k)) {
          throw bad("unknown parameter " + Params.printable(k));
        }
      }
      String id = p.get("terminal");
      if (id == null) {
        throw bad("parameter terminal (the terminal id) is required");
      }
      Long offset = null;
      String rawOffset = p.get("offset");
      if (rawOffset != null) {
        try {
          offset = Long.parseLong(rawOffset);
        } catch (NumberFormatException e) {
          offset = -1L;
        }
        if (offset < 0) {
          throw bad(
              "offset must be a non-negative decimal number, not " + Params.printable(rawOffset));
        }
      }
      int cols = size(p, "cols", DEFAULT_COLS);
      int rows = size(p, "rows", DEFAULT_ROWS);
      String rawCreate = p.get("create");
      Boolean create;
      if (rawCreate == null) {
        create = null;
      } else if ("true".equals(rawCreate)) {
        create = true;
      } else if ("false".equals(rawCreate)) {
        create = false;
      } else {
        throw bad("create must be true or false, not " + Params.printable(rawCreate));
      }
      return new Terminal(id, offset, cols, rows, create, Launch.of(p));
    }

    private static int size(Map<String, String> p, String name, int fallback) {
      String raw = p.get(name);
      if (raw == null) {
        return fallback;
      }
      try {
        return (int) Math.max(1, Math.min(MAX_SIZE, Long.parseLong(raw)));
      } catch (NumberFormatException e) {
        throw bad(name + " must be a decimal number, not " + Params.printable(raw));
      }
    }
  }

  /**
   * {@code exec}: runs {@code launch} (its command required) without a terminal, killed after
   * {@code timeoutMs} (1..3 600 000, default 60 000), keeping {@code maxOutput} bytes of each of
   * stdout and stderr (1..16 MiB, default 1 MiB). Refusals start with {@code bad-command:} or
   * {@code bad-param:}.
   */
  public record Exec(Launch launch, long timeoutMs, long maxOutput) implements Open {
    public Exec {
      Objects.requireNonNull(launch, "launch");
      if (launch.command() == null) {
        throw new IllegalArgumentException("an exec needs a command");
      }
      if (timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS || maxOutput < 1 || maxOutput > MAX_OUTPUT) {
        throw new IllegalArgumentException("timeoutMs or maxOutput out of range");
      }
    }

    @Override
    public StreamKind kind() {
      return StreamKind.EXEC;
    }

    @Override
    public Map<String, String> params() {
      Map<String, String> m = new TreeMap<>();
      launch.into(m);
      m.put("timeoutMs", Long.toString(timeoutMs));
      m.put("maxOutput", Long.toString(maxOutput));
      return m;
    }

    public static Exec of(Map<String, String> p) {
      for (String k : p.keySet()) {
        if (!Launch.isLaunchKey(k) && !k.equals("timeoutMs") && !k.equals("maxOutput")) {
          throw bad("bad-param: unknown parameter " + Params.printable(k));
        }
      }
      Launch launch = Launch.of(p);
      if (launch == null || launch.command() == null) {
        throw bad("bad-command: command is required");
      }
      return new Exec(
          launch,
          number(p.get("timeoutMs"), DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS),
          number(p.get("maxOutput"), DEFAULT_MAX_OUTPUT, MAX_OUTPUT));
    }

    private static long number(String raw, long dflt, long max) {
      if (raw == null || raw.isBlank()) {
        return dflt;
      }
      try {
        long v = Long.parseLong(raw.strip());
        if (v < 1 || v > max) {
          throw new NumberFormatException();
        }
        return v;
      } catch (NumberFormatException e) {
        throw bad("bad-param: " + Params.printable(raw) + " (1.." + max + ")");
      }
    }
  }

  /**
   * {@code tcp}: a connection to {@code port} (1..65535) on {@code host} inside the container;
   * {@code host} is {@code null} when absent (the agent then connects to 127.0.0.1), otherwise a
   * loopback address literal or {@code localhost}, which the agent checks. Refusals start with
   * {@code bad-port:} or {@code bad-param:}.
   */
  public record Tcp(int port, String host) implements Open {
    public Tcp {
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port " + port + " out of 1..65535");
      }
    }

    /** To {@code port} on the default host. */
    public Tcp(int port) {
      this(port, null);
    }

    @Override
    public StreamKind kind() {
      return StreamKind.TCP;
    }

    @Override
    public Map<String, String> params() {
      Map<String, String> m = new TreeMap<>();
      m.put("port", Integer.toString(port));
      if (host != null) {
        m.put("host", host);
      }
      return m;
    }

    public static Tcp of(Map<String, String> p) {
      unknown(p, "bad-param: ", "port", "host");
      String raw = p.get("port");
      if (raw == null) {
        throw new ParamException(Rule.BAD_PARAM, "bad-port: parameter port is required");
      }
      int port = PORT.matcher(raw).matches() ? Integer.parseInt(raw) : -1;
      if (port < 1 || port > 65535) {
        throw new ParamException(
            Rule.BAD_PARAM, "bad-port: " + Params.printable(raw) + " (1..65535)");
      }
      return new Tcp(port, p.get("host"));
    }
  }

  /** {@code ports}: no parameters; the agent reports listening ports as they open and close. */
  public record Ports() implements Open {
    @Override
    public StreamKind kind() {
      return StreamKind.PORTS;
    }

    @Override
    public Map<String, String> params() {
      return Map.of();
    }

    /** Decodes; any parameter is refused. */
    public static Ports of(Map<String, String> p) {
      unknown(p, "");
      return new Ports();
    }
  }

  /** {@code processes}: no parameters; the agent reports its processes. */
  public record Processes() implements Open {
    @Override
    public StreamKind kind() {
      return StreamKind.PROCESSES;
    }

    @Override
    public Map<String, String> params() {
      return Map.of();
    }

    /** Decodes; any parameter is refused. */
    public static Processes of(Map<String, String> p) {
      unknown(p, "");
      return new Processes();
    }
  }

  /**
   * {@code env}: no parameters; the environment itself travels as {@code
   * dev.cms.domain.env.EnvWire} messages on the stream.
   */
  public record Env() implements Open {
    @Override
    public StreamKind kind() {
      return StreamKind.ENV;
    }

    @Override
    public Map<String, String> params() {
      return Map.of();
    }

    /** Decodes; any parameter is refused. */
    public static Env of(Map<String, String> p) {
      unknown(p, "");
      return new Env();
    }
  }

  private static ParamException bad(String message) {
    return new ParamException(Rule.BAD_PARAM, message);
  }

  private static void unknown(Map<String, String> p, String prefix, String... keys) {
    Objects.requireNonNull(p, "params");
    Set<String> allowed = Set.of(keys);
    for (String k : p.keySet()) {
      if (!allowed.contains(k)) {
        throw new ParamException(
            Rule.BAD_PARAM, prefix + "unknown parameter " + Params.printable(k));
      }
    }
  }
}
