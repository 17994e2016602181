package dev.cms.gateway.clientsocket.control;

import dev.cms.domain.client.ClientMessage;
import dev.cms.domain.client.ServerMessage;
import dev.cms.domain.protocol.ProtocolException;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.stream.JsonGenerator;
import jakarta.json.stream.JsonGeneratorFactory;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParserFactory;
import jakarta.json.stream.JsonParsingException;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Reads and writes the JSON text frames of the client WebSocket on JSON-P: {@link ClientMessage}s
 * (browser to gateway) and {@link ServerMessage}s (gateway to browser). See {@code
 * docs/PROTOCOL.md}.
 *
 * <p>Each frame is one flat JSON object whose {@code type} names the message. Writing is
 * deterministic and byte for byte the canonical form of the golden samples: {@code type} first,
 * then the fields in the order of the record components, no whitespace, null fields left out,
 * non-ASCII characters as they are, strings escaped as JavaScript's {@code JSON.stringify} does
 * ({@code \"}, {@code \\}, {@code \b \f \n \r \t}, other control characters as lower-case {@code
 * \}{@code u00xx}; {@code /} is not escaped) &mdash; which is what JSON-P's generator (Parsson)
 * writes; unpaired surrogates, which the generator would pass through, are refused first. Reading
 * uses JSON-P's streaming parser, so any RFC 8259 spelling is accepted; an explicit {@code null} is
 * an absent optional field and unknown fields are ignored. Everything else is a {@link
 * ProtocolException} naming the field: unknown {@code type}, missing required field, wrong field
 * type, fractions or exponents for integers, values out of range, invalid terminal ids, non-object
 * JSON, nested objects or arrays (refused at their first token, so nesting never grows), duplicate
 * fields, unpaired surrogates, and frames over {@link #MAX_FRAME} bytes (refused before parsing).
 */
public final class ClientCodec {

  /** Largest text frame, in UTF-8 bytes, either side reads or writes (64 KiB). */
  public static final int MAX_FRAME = 64 * 1024;

  private static final JsonParserFactory PARSERS = Json.createParserFactory(Map.of());
  private static final JsonGeneratorFactory GENERATORS = Json.createGeneratorFactory(Map.of());

  private ClientCodec() {}

  /**
   * Parses a text frame the browser sent.
   *
   * @throws ProtocolException when the frame is not a valid client message
   */
  public static ClientMessage parseClient(String json) {
    Fields f = new Fields(json);
    String type = f.type();
    switch (type) {
      case "open":
        return new ClientMessage.Open(
            f.terminal(),
            f.optionalLong("offset"),
            f.optionalInt("cols", ClientMessage.MIN_SIZE, ClientMessage.MAX_SIZE),
            f.optionalInt("rows", ClientMessage.MIN_SIZE, ClientMessage.MAX_SIZE));
      case "input":
        return new ClientMessage.Input(f.terminal(), f.string("data"));
      case "resize":
        return new ClientMessage.Resize(
            f.terminal(),
            f.integer("cols", ClientMessage.MIN_SIZE, ClientMessage.MAX_SIZE),
            f.integer("rows", ClientMessage.MIN_SIZE, ClientMessage.MAX_SIZE));
      case "detach":
        return new ClientMessage.Detach(f.terminal());
      case "kill":
        return new ClientMessage.Kill(f.terminal());
      case "upload":
        return new ClientMessage.Upload(
            f.string("upload"), f.string("kind"), f.string("path"), f.optionalString("mode"));
      case "upload-end":
        return new ClientMessage.UploadEnd(f.string("upload"));
      case "upload-abort":
        return new ClientMessage.UploadAbort(f.string("upload"));
      case "run":
        return new ClientMessage.Run(
            f.string("command"), f.optionalString("cwd"), f.optionalInt("port", 1, 65535));
      default:
        throw new ProtocolException("unknown client message type " + quote(type));
    }
  }

  /**
   * Writes a client message as a text frame.
   *
   * @throws ProtocolException when a string holds an unpaired surrogate or the frame would exceed
   *     {@link #MAX_FRAME} bytes
   */
  public static String toJson(ClientMessage message) {
    Writer w = new Writer();
    if (message instanceof ClientMessage.Open m) {
      w.field("type", "open").field("terminal", m.terminal()).field("offset", m.offset());
      w.field("cols", m.cols()).field("rows", m.rows());
    } else if (message instanceof ClientMessage.Input m) {
      w.field("type", "input").field("terminal", m.terminal()).field("data", m.data());
    } else if (message instanceof ClientMessage.Resize m) {
      w.field("type", "resize").field("terminal", m.terminal());
      w.field("cols", (Integer) m.cols()).field("rows", (Integer) m.rows());
    } else if (message instanceof ClientMessage.Detach m) {
      w.field("type", "detach").field("terminal", m.terminal());
    } else if (message instanceof ClientMessage.Kill m) {
      w.field("type", "kill").field("terminal", m.terminal());
    } else if (message instanceof ClientMessage.Upload m) {
      w.field("type", "upload").field("upload", m.upload()).field("kind", m.kind());
      w.field("path", m.path()).field("mode", m.mode());
    } else if (message instanceof ClientMessage.UploadEnd m) {
      w.field("type", "upload-end").field("upload", m.upload());
    } else if (message instanceof ClientMessage.UploadAbort m) {
      w.field("type", "upload-abort").field("upload", m.upload());
    } else if (message instanceof ClientMessage.Run m) {
      w.field("type", "run").field("command", m.command()).field("cwd", m.cwd());
      w.field("port", m.port());
    } else {
      throw new IllegalArgumentException("not a client message: " + message);
    }
    return checkSize(w.end());
  }

  /**
   * Parses a text frame the gateway sent.
   *
   * @throws ProtocolException when the frame is not a valid server message
   */
  public static ServerMessage parseServer(String json) {
    Fields f = new Fields(json);
    String type = f.type();
    switch (type) {
      case "attached":
        return new ServerMessage.Attached(
            f.terminal(),
            f.longValue("offset"),
            f.longValue("firstOffset"),
            f.longValue("endOffset"),
            f.bool("truncated"),
            f.bool("running"),
            f.optionalInt("exitCode", Integer.MIN_VALUE, Integer.MAX_VALUE));
      case "exit":
        return new ServerMessage.Exit(
            f.terminal(), f.integer("code", Integer.MIN_VALUE, Integer.MAX_VALUE));
      case "status":
        return new ServerMessage.Status(
            f.string("container"), f.string("status"), f.bool("agentConnected"));
      case "error":
        return new ServerMessage.Error(
            f.optionalString("terminal"), f.string("code"), f.string("message"));
      case "port":
        return new ServerMessage.Port(
            f.integer("port", 1, 65535),
            f.bool("open"),
            f.optionalString("url"),
            f.optionalString("pathUrl"));
      case "process":
        return new ServerMessage.Process(
            f.string("process"),
            f.string("status"),
            f.optionalInt("exitCode", Integer.MIN_VALUE, Integer.MAX_VALUE));
      case "upload-progress":
        return new ServerMessage.UploadProgress(f.string("upload"), f.longValue("bytes"));
      case "upload-result":
        return new ServerMessage.UploadResult(
            f.string("upload"),
            f.bool("ok"),
            f.longValue("bytes"),
            f.longValue("entries"),
            f.optionalString("rule"),
            f.optionalString("message"));
      case "file":
        return new ServerMessage.File(
            f.string("watch"),
            f.string("change"),
            f.optionalString("fileType"),
            f.string("path"),
            f.optionalLong("dropped"));
      default:
        throw new ProtocolException("unknown server message type " + quote(type));
    }
  }

  /**
   * Writes a server message as a text frame.
   *
   * @throws ProtocolException when a string holds an unpaired surrogate or the frame would exceed
   *     {@link #MAX_FRAME} bytes
   */
  public static String toJson(ServerMessage message) {
    Writer w = new Writer();
    if (message instanceof ServerMessage.Attached m) {
      w.field("type", "attached").field("terminal", m.terminal());
      w.field("offset", (Long) m.offset()).field("firstOffset", (Long) m.firstOffset());
      w.field("endOffset", (Long) m.endOffset());
      w.field("truncated", m.truncated()).field("running", m.running());
      w.field("exitCode", m.exitCode());
    } else if (message instanceof ServerMessage.Exit m) {
      w.field("type", "exit").field("terminal", m.terminal()).field("code", (Integer) m.code());
    } else if (message instanceof ServerMessage.Status m) {
      w.field("type", "status").field("container", m.container()).field("status", m.status());
      w.field("agentConnected", m.agentConnected());
    } else if (message instanceof ServerMessage.Error m) {
      w.field("type", "error").field("terminal", m.terminal());
      w.field("code", m.code()).field("message", m.message());
    } else if (message instanceof ServerMessage.Port m) {
      w.field("type", "port").field("port", (Integer) m.port()).field("open", m.open());
      w.field("url", m.url()).field("pathUrl", m.pathUrl());
    } else if (message instanceof ServerMessage.Process m) {
      w.field("type", "process").field("process", m.process()).field("status", m.status());
      w.field("exitCode", m.exitCode());
    } else if (message instanceof ServerMessage.UploadProgress m) {
      w.field("type", "upload-progress").field("upload", m.upload());
      w.field("bytes", (Long) m.bytes());
    } else if (message instanceof ServerMessage.UploadResult m) {
      w.field("type", "upload-result").field("upload", m.upload()).field("ok", m.ok());
      w.field("bytes", (Long) m.bytes()).field("entries", (Long) m.entries());
      w.field("rule", m.rule()).field("message", m.message());
    } else if (message instanceof ServerMessage.File m) {
      w.field("type", "file").field("watch", m.watch()).field("change", m.change());
      w.field("fileType", m.fileType()).field("path", m.path()).field("dropped", m.dropped());
    } else {
      throw new IllegalArgumentException("not a server message: " + message);
    }
    return checkSize(w.end());
  }

  private static String checkSize(String json) {
    long bytes = utf8Length(json);
    if (bytes > MAX_FRAME) {
      throw new ProtocolException("message of " + bytes + " bytes exceeds " + MAX_FRAME);
    }
    return json;
  }

  /** The number of bytes {@code s} takes in UTF-8 (a surrogate pair counts 4). */
  public static long utf8Length(String s) {
    long n = 0;
    for (int k = 0; k < s.length(); k++) {
      char c = s.charAt(k);
      n += c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3;
    }
    return n;
  }

  /** A value for an error message: quoted, and cut short so a huge value does not flood a log. */
  static String quote(String s) {
    return '"' + (s.length() > 40 ? s.substring(0, 40) + "…" : s) + '"';
  }

  /** The first unpaired surrogate in {@code s}, or -1. */
  private static int unpairedSurrogate(String s) {
    for (int k = 0; k < s.length(); k++) {
      char c = s.charAt(k);
      if (Character.isHighSurrogate(c)
          && k + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(k + 1))) {
        k++;
      } else if (Character.isSurrogate(c)) {
        return c;
      }
    }
    return -1;
  }

  /** A number, kept as its JSON text so that an integer field can reject fractions. */
  private record Num(String text, boolean integral) {}

  /** The JSON {@code null} value, so that an explicit null can be told from an absent key. */
  private static final Object NULL = new Object();

  /** The fields of one parsed frame, read with the type each message expects. */
  private static final class Fields {
    private final Map<String, Object> values = new HashMap<>();

    Fields(String json) {
      if (json == null) {
        throw new ProtocolException("message is not a JSON object");
      }
      checkSize(json);
      try (JsonParser p = PARSERS.createParser(new StringReader(json))) {
        if (!isObject(p)) {
          throw new ProtocolException("message is not a JSON object");
        }
        while (true) {
          JsonParser.Event e = p.next();
          if (e == JsonParser.Event.END_OBJECT) {
            break;
          }
          // the parser guarantees a key here: inside an object only KEY_NAME or END_OBJECT come
          String key = checked("a field name", p.getString());
          Object value = value(key, p);
          if (values.putIfAbsent(key, value) != null) {
            throw new ProtocolException("duplicate field " + key);
          }
        }
        if (p.hasNext()) { // Parsson throws for text after the object; this is the guard if not
          throw new ProtocolException("malformed JSON: unexpected text after the object");
        }
      } catch (JsonParsingException e) {
        throw new ProtocolException("malformed JSON: " + cause(e));
      } catch (JsonException | NoSuchElementException e) {
        throw new ProtocolException("malformed JSON: " + cause(e));
      }
    }

    /** Whether the text starts an object (empty text, a scalar or an array do not). */
    private static boolean isObject(JsonParser p) {
      try {
        return p.hasNext() && p.next() == JsonParser.Event.START_OBJECT;
      } catch (JsonException | NoSuchElementException e) {
        return false;
      }
    }

    private static Object value(String key, JsonParser p) {
      JsonParser.Event e = p.next();
      switch (e) {
        case VALUE_STRING:
          return checked("field " + key, p.getString());
        case VALUE_NUMBER:
          return new Num(p.getString(), p.isIntegralNumber());
        case VALUE_TRUE:
          return Boolean.TRUE;
        case VALUE_FALSE:
          return Boolean.FALSE;
        case VALUE_NULL:
          return NULL;
        case START_OBJECT:
          throw new ProtocolException("field " + key + " holds a nested object, not allowed");
        case START_ARRAY:
          throw new ProtocolException("field " + key + " holds a nested array, not allowed");
        default:
          throw new ProtocolException("malformed JSON: expected a value for field " + key);
      }
    }

    private static String checked(String what, String s) {
      int c = unpairedSurrogate(s);
      if (c >= 0) {
        throw new ProtocolException(
            what + " holds an unpaired surrogate \\u" + Integer.toHexString(c));
      }
      return s;
    }

    /** The parser's own message, cut short: it names tokens and positions, never the input. */
    private static String cause(Exception e) {
      String m = String.valueOf(e.getMessage());
      return m.length() > 200 ? m.substring(0, 200) + "…" : m;
    }

    String type() {
      return string("type");
    }

    String terminal() {
      String id = string("terminal");
      if (!ClientMessage.isTerminalId(id)) {
        throw new ProtocolException(
            "field terminal is not a terminal id ([A-Za-z0-9_-]{1,32}): " + quote(id));
      }
      return id;
    }

    String string(String name) {
      String s = optionalString(name);
      if (s == null) {
        throw missing(name);
      }
      return s;
    }

    String optionalString(String name) {
      Object v = present(name);
      if (v == null || v instanceof String) {
        return (String) v;
      }
      throw wrongType(name, "a string", v);
    }

    boolean bool(String name) {
      Object v = present(name);
      if (v == null) {
        throw missing(name);
      }
      if (v instanceof Boolean b) {
        return b;
      }
      throw wrongType(name, "true or false", v);
    }

    long longValue(String name) {
      Long v = optionalLong(name);
      if (v == null) {
        throw missing(name);
      }
      return v;
    }

    /** A long {@code >= 0}: every long field of this protocol is an offset or a count. */
    Long optionalLong(String name) {
      return (Long) number(name, 0, Long.MAX_VALUE, false);
    }

    int integer(String name, int min, int max) {
      Integer v = optionalInt(name, min, max);
      if (v == null) {
        throw missing(name);
      }
      return v;
    }

    Integer optionalInt(String name, int min, int max) {
      return (Integer) number(name, min, max, true);
    }

    private Object number(String name, long min, long max, boolean asInt) {
      Object v = present(name);
      if (v == null) {
        return null;
      }
      if (!(v instanceof Num n)) {
        throw wrongType(name, "an integer", v);
      }
      if (!n.integral()) {
        throw new ProtocolException("field " + name + " must be an integer, got " + n.text());
      }
      long value;
      try {
        value = Long.parseLong(n.text());
      } catch (NumberFormatException e) { // the parser checked the grammar: too many digits
        throw new ProtocolException(outOfRange(name, quote(n.text()), min, max));
      }
      if (value < min || value > max) {
        throw new ProtocolException(outOfRange(name, Long.toString(value), min, max));
      }
      return asInt ? (Object) (int) value : (Object) value;
    }

    private static String outOfRange(String field, String value, long min, long max) {
      return "field "
          + field
          + " must be "
          + (max == Long.MAX_VALUE ? ">= " + min : "between " + min + " and " + max)
          + ", got "
          + value;
    }

    /** The value, or null when the field is absent or explicitly null. */
    private Object present(String name) {
      Object v = values.get(name);
      return v == NULL ? null : v;
    }

    private static ProtocolException missing(String name) {
      return new ProtocolException("missing field " + name);
    }

    private static ProtocolException wrongType(String name, String expected, Object v) {
      String got =
          v instanceof String
              ? "a string"
              : v instanceof Boolean ? "a boolean" : v instanceof Num ? "a number" : "null";
      return new ProtocolException("field " + name + " must be " + expected + ", got " + got);
    }
  }

  /**
   * One flat object on JSON-P's generator, fields in call order; null values are left out. The
   * generator writes no whitespace and escapes strings as {@code JSON.stringify} does; it would
   * write an unpaired surrogate as is (and then as '?' in UTF-8), so such a string is refused here.
   */
  private static final class Writer {
    private final StringWriter out = new StringWriter(64);
    private final JsonGenerator g = GENERATORS.createGenerator(out);

    Writer() {
      g.writeStartObject();
    }

    Writer field(String name, String value) {
      if (value != null) {
        int c = unpairedSurrogate(value);
        if (c >= 0) {
          throw new ProtocolException(
              "field " + name + " holds an unpaired surrogate \\u" + Integer.toHexString(c));
        }
        g.write(name, value);
      }
      return this;
    }

    Writer field(String name, Long value) {
      if (value != null) {
        g.write(name, value.longValue());
      }
      return this;
    }

    Writer field(String name, Integer value) {
      if (value != null) {
        g.write(name, value.intValue());
      }
      return this;
    }

    Writer field(String name, boolean value) {
      g.write(name, value);
      return this;
    }

    String end() {
      g.writeEnd();
      g.close();
      return out.toString();
    }
  }
}
