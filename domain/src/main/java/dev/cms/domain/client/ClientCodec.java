package dev.cms.domain.client;

import dev.cms.domain.protocol.ProtocolException;
import java.util.Map;

/**
 * Reads and writes the JSON text frames of the client WebSocket: {@link ClientMessage}s (browser to
 * gateway) and {@link ServerMessage}s (gateway to browser). See {@code docs/PROTOCOL.md}.
 *
 * <p>Each frame is one flat JSON object whose {@code type} names the message. Writing is
 * deterministic: {@code type} first, then the fields in the order of the record components, no
 * whitespace, null fields left out, non-ASCII characters as they are and strings escaped as
 * JavaScript's {@code JSON.stringify} escapes them. Reading accepts any RFC 8259 spelling of such
 * an object (whitespace, every escape including surrogate pairs), treats an explicit {@code null}
 * as an absent optional field and ignores fields it does not know, so new optional fields can be
 * added without a new version. Everything else is rejected with a {@link ProtocolException} naming
 * the field: unknown {@code type}, missing required field, wrong field type, fractions or exponents
 * for integers, values out of range, invalid terminal ids, non-object JSON, nested objects or
 * arrays, duplicate fields, unpaired surrogates, and frames over {@link #MAX_FRAME} bytes.
 */
public final class ClientCodec {

  /** Largest text frame, in UTF-8 bytes, either side reads or writes (64 KiB). */
  public static final int MAX_FRAME = 64 * 1024;

  /** Smallest terminal width or height. */
  public static final int MIN_SIZE = 1;

  /** Largest terminal width or height. */
  public static final int MAX_SIZE = 1000;

  private ClientCodec() {}

  /** Whether {@code id} is a valid terminal id: 1 to 32 of {@code A-Z a-z 0-9 _ -}. */
  public static boolean isTerminalId(String id) {
    return Check.isTerminalId(id);
  }

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
            f.optionalInt("cols", MIN_SIZE, MAX_SIZE),
            f.optionalInt("rows", MIN_SIZE, MAX_SIZE));
      case "input":
        return new ClientMessage.Input(f.terminal(), f.string("data"));
      case "resize":
        return new ClientMessage.Resize(
            f.terminal(),
            f.integer("cols", MIN_SIZE, MAX_SIZE),
            f.integer("rows", MIN_SIZE, MAX_SIZE));
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
        throw new ProtocolException("unknown client message type " + Check.quote(type));
    }
  }

  /**
   * Writes a client message as a text frame.
   *
   * @throws ProtocolException when a string holds an unpaired surrogate or the frame would exceed
   *     {@link #MAX_FRAME} bytes
   */
  public static String toJson(ClientMessage message) {
    FlatJson.Writer w = new FlatJson.Writer();
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
        throw new ProtocolException("unknown server message type " + Check.quote(type));
    }
  }

  /**
   * Writes a server message as a text frame.
   *
   * @throws ProtocolException when a string holds an unpaired surrogate or the frame would exceed
   *     {@link #MAX_FRAME} bytes
   */
  public static String toJson(ServerMessage message) {
    FlatJson.Writer w = new FlatJson.Writer();
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
      w.field("type", "upload-progress")
          .field("upload", m.upload())
          .field("bytes", (Long) m.bytes());
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
    long bytes = FlatJson.utf8Length(json);
    if (bytes > MAX_FRAME) {
      throw new ProtocolException("message of " + bytes + " bytes exceeds " + MAX_FRAME);
    }
    return json;
  }

  /** The fields of one parsed frame, read with the type each message expects. */
  private static final class Fields {
    private final Map<String, Object> values;

    Fields(String json) {
      if (json == null) {
        throw new ProtocolException("message is not a JSON object");
      }
      checkSize(json);
      this.values = FlatJson.parse(json);
    }

    String type() {
      return string("type");
    }

    String terminal() {
      return Check.terminal("terminal", string("terminal"));
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

    /** A long {@code >= 0}: every long field of this protocol is an offset. */
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
      if (!(v instanceof FlatJson.Num n)) {
        throw wrongType(name, "an integer", v);
      }
      if (!n.integral()) {
        throw new ProtocolException("field " + name + " must be an integer, got " + n.text());
      }
      long value;
      try {
        value = Long.parseLong(n.text());
      } catch (NumberFormatException e) { // grammar already checked: too many digits
        throw new ProtocolException(Check.outOfRange(name, Check.quote(n.text()), min, max));
      }
      Check.range(name, value, min, max);
      return asInt ? (Object) (int) value : (Object) value;
    }

    /** The value, or null when the field is absent or explicitly null. */
    private Object present(String name) {
      Object v = values.get(name);
      return v == FlatJson.NULL ? null : v;
    }

    private static ProtocolException missing(String name) {
      return new ProtocolException("missing field " + name);
    }

    private static ProtocolException wrongType(String name, String expected, Object v) {
      String got =
          v instanceof String
              ? "a string"
              : v instanceof Boolean
                  ? "a boolean"
                  : v instanceof FlatJson.Num ? "a number" : "null";
      return new ProtocolException("field " + name + " must be " + expected + ", got " + got);
    }
  }
}
