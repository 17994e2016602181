package dev.cms.domain.env;

import dev.cms.domain.protocol.LengthPrefixed;
import dev.cms.domain.protocol.ProtocolException;
import dev.cms.domain.protocol.Utf8;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The messages of an {@code env} stream, which the gateway opens on the agent of a warm-pool
 * container it hands to a user: the create request's environment, which the agent applies to every
 * shell, process and command it starts from then on. Each message is {@code length:u32 type:u8
 * body}; {@code str} is {@code length:u16} plus UTF-8 bytes. Gateway → agent: {@link Set} (type 1,
 * {@code name:str value:str}) for each variable, then one {@link Commit} (type 2, {@code
 * count:u16}, the number of {@code Set}s before it). Agent → gateway: {@link Applied} (type 3,
 * {@code count:u16}) once the variables are in place; a refusal is a {@code RESET(REFUSED)} with
 * the reason.
 *
 * <p>The rules (checked by both sides, {@link #check}): at most {@value #MAX_VARS} variables, names
 * matching {@link #NAME}, no {@code CMS_} prefix (the service's own variables), values of at most
 * {@value #MAX_VALUE} characters without NUL, each name once.
 */
public final class EnvWire {

  /** Variable names. */
  public static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

  /** Most variables in one env stream. */
  public static final int MAX_VARS = 100;

  /** Longest value, in characters. */
  public static final int MAX_VALUE = 8192;

  /** The prefix of the service's own variables, never set through the stream. */
  public static final String RESERVED_PREFIX = "CMS_";

  /** Largest message body: a {@code Set} of the longest name and value (3 UTF-8 bytes a char). */
  public static final int MAX_MESSAGE = 1 + 2 + 128 + 2 + 3 * MAX_VALUE;

  private static final int SET = 1;
  private static final int COMMIT = 2;
  private static final int APPLIED = 3;

  private EnvWire() {}

  /** One message of an env stream. */
  public sealed interface Message {}

  /** One variable (gateway → agent). */
  public record Set(String name, String value) implements Message {
    public Set {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
    }
  }

  /** The end of the variables: {@code count} {@link Set}s came before it (gateway → agent). */
  public record Commit(int count) implements Message {}

  /** The agent applied {@code count} variables (agent → gateway). */
  public record Applied(int count) implements Message {}

  /**
   * Why a variable breaks the rules, or {@code null} when it keeps them.
   *
   * @param name the variable's name
   * @param value its value
   */
  public static String check(String name, String value) {
    if (name == null || !NAME.matcher(name).matches()) {
      return "bad-name: " + name;
    }
    if (name.startsWith(RESERVED_PREFIX)) {
      return "reserved: " + name + " (the service's own CMS_ variables)";
    }
    if (value == null || value.length() > MAX_VALUE || value.indexOf('\0') >= 0) {
      return "bad-value: " + name + " (at most " + MAX_VALUE + " characters, no NUL)";
    }
    return null;
  }

  /** The messages that carry {@code env}: a {@link Set} per variable, then the {@link Commit}. */
  public static List<Message> messages(Map<String, String> env) {
    if (env.size() > MAX_VARS) {
      throw new IllegalArgumentException("at most " + MAX_VARS + " variables");
    }
    List<Message> out = new java.util.ArrayList<>();
    env.forEach(
        (k, v) -> {
          String problem = check(k, v);
          if (problem != null) {
            throw new IllegalArgumentException(problem);
          }
          out.add(new Set(k, v));
        });
    out.add(new Commit(env.size()));
    return out;
  }

  /** Encodes one message, length prefix included. */
  public static byte[] encode(Message m) {
    ByteBuffer b = ByteBuffer.allocate(4 + MAX_MESSAGE);
    b.putInt(0);
    if (m instanceof Set s) {
      b.put((byte) SET);
      str(b, s.name());
      str(b, s.value());
    } else if (m instanceof Commit c) {
      b.put((byte) COMMIT).putShort((short) count(c.count()));
    } else {
      b.put((byte) APPLIED).putShort((short) count(((Applied) m).count()));
    }
    b.putInt(0, b.position() - 4);
    byte[] out = new byte[b.position()];
    b.get(0, out);
    return out;
  }

  private static int count(int n) {
    if (n < 0 || n > MAX_VARS) {
      throw new IllegalArgumentException("count must be 0.." + MAX_VARS + ", was " + n);
    }
    return n;
  }

  /** A decoder that reassembles messages from the stream's bytes, whatever the chunking. */
  public static LengthPrefixed<Message> decoder() {
    return new LengthPrefixed<>("env", MAX_MESSAGE, EnvWire::decodeBody);
  }

  /** Decodes one message, length prefix included, that must be exactly {@code bytes}. */
  public static Message decode(byte[] bytes) {
    LengthPrefixed<Message> d = decoder();
    List<Message> out = d.feed(bytes);
    if (out.size() != 1 || d.hasPartial()) {
      throw new ProtocolException("not exactly one env message");
    }
    return out.get(0);
  }

  private static Message decodeBody(ByteBuffer b) {
    int type = Byte.toUnsignedInt(b.get());
    try {
      Message m =
          switch (type) {
            case SET -> new Set(str(b), str(b));
            case COMMIT -> new Commit(countOf(b));
            case APPLIED -> new Applied(countOf(b));
            default -> throw new ProtocolException("unknown env message type " + type);
          };
      if (b.hasRemaining()) {
        throw new ProtocolException(b.remaining() + " trailing bytes in env message " + type);
      }
      return m;
    } catch (BufferUnderflowException e) {
      throw new ProtocolException("truncated env message " + type);
    }
  }

  private static int countOf(ByteBuffer b) {
    int n = Short.toUnsignedInt(b.getShort());
    if (n > MAX_VARS) {
      throw new ProtocolException("env count " + n + " above " + MAX_VARS);
    }
    return n;
  }

  private static void str(ByteBuffer b, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > 0xFFFF) {
      throw new IllegalArgumentException("string above 65535 bytes");
    }
    b.putShort((short) bytes.length).put(bytes);
  }

  private static String str(ByteBuffer b) {
    byte[] bytes = new byte[Short.toUnsignedInt(b.getShort())];
    b.get(bytes);
    return Utf8.decode(ByteBuffer.wrap(bytes), "invalid UTF-8 in env message");
  }

  /**
   * The agent's reader of one env stream: collects the {@link Set}s until the {@link Commit} and
   * checks every rule. Not thread-safe: feed it from the stream's receiving thread only.
   */
  public static final class Receiver {
    private final LengthPrefixed<Message> messages = decoder();
    private final Map<String, String> vars = new LinkedHashMap<>();
    private Map<String, String> committed;

    /**
     * Adds received bytes.
     *
     * @return the whole environment once the {@link Commit} arrived; {@code null} before
     * @throws ProtocolException when a message or a variable breaks the rules, or anything follows
     *     the commit
     */
    public Map<String, String> feed(byte[] chunk) {
      for (Message m : messages.feed(chunk)) {
        if (committed != null) {
          throw new ProtocolException("env message after the commit");
        }
        if (m instanceof Set s) {
          String problem = check(s.name(), s.value());
          if (problem != null) {
            throw new ProtocolException(problem);
          }
          if (vars.size() >= MAX_VARS) {
            throw new ProtocolException("too-many: more than " + MAX_VARS + " variables");
          }
          if (vars.putIfAbsent(s.name(), s.value()) != null) {
            throw new ProtocolException("duplicate: " + s.name());
          }
        } else if (m instanceof Commit c) {
          if (c.count() != vars.size()) {
            throw new ProtocolException(
                "bad-count: commit of " + c.count() + " after " + vars.size() + " variables");
          }
          committed = Collections.unmodifiableMap(vars);
        } else {
          throw new ProtocolException("the gateway sends no " + m);
        }
      }
      return committed;
    }
  }
}
