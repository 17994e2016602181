package dev.cms.domain.kinds;

import dev.cms.domain.files.ParamException;
import dev.cms.domain.files.Params;
import dev.cms.domain.files.Rule;
import dev.cms.domain.protocol.StreamKind;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The open parameters of the stream kinds {@link StreamKind#TCP}, {@link StreamKind#PORTS}, {@link
 * StreamKind#PROCESSES} and {@link StreamKind#ENV} as records (the file kinds have {@code
 * dev.cms.domain.files.FileOp} and {@code Transfer}). {@code params()} encodes a record into the
 * {@code OPEN} map, {@code of(map)} decodes and checks it, refusing a malformed or unknown
 * parameter with a {@link ParamException} whose message is the refusal's reason.
 */
public final class KindParams {

  private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");

  private KindParams() {}

  /** The open parameters of one of these kinds. */
  public sealed interface Open permits Tcp, Ports, Processes, Env {
    /** The kind of stream these parameters open. */
    StreamKind kind();

    /** The parameters as they go into {@code OPEN} (sorted by key). */
    Map<String, String> params();
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
