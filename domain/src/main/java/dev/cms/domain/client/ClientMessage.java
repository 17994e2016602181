package dev.cms.domain.client;

import dev.cms.domain.protocol.ProtocolException;

/**
 * A message the browser sends to the gateway on the client WebSocket, as one JSON text frame (see
 * {@code docs/PROTOCOL.md}; the gateway's {@code ClientCodec} reads and writes the JSON). Terminal
 * messages name their terminal; upload messages their upload.
 *
 * <p>The constructors validate their fields and throw {@link ProtocolException} naming the field,
 * so a message that exists is one the gateway accepts: terminal ids match {@code
 * [A-Za-z0-9_-]{1,32}}, offsets are {@code >= 0}, columns and rows are 1 to 1000.
 */
public sealed interface ClientMessage
    permits ClientMessage.Open,
        ClientMessage.Input,
        ClientMessage.Resize,
        ClientMessage.Detach,
        ClientMessage.Kill,
        ClientMessage.Upload,
        ClientMessage.UploadEnd,
        ClientMessage.UploadAbort,
        ClientMessage.Run {

  /** Smallest terminal width or height. */
  int MIN_SIZE = 1;

  /** Largest terminal width or height. */
  int MAX_SIZE = 1000;

  /** Whether {@code id} is a valid terminal (or upload) id: 1 to 32 of {@code A-Z a-z 0-9 _ -}. */
  static boolean isTerminalId(String id) {
    return Check.isTerminalId(id);
  }

  /**
   * Attach to a terminal, creating it if it does not exist or has exited ({@code "type":"open"}).
   * The gateway answers {@link ServerMessage.Attached} and then streams {@link OutputFrame}s.
   *
   * @param terminal the terminal id
   * @param offset the byte offset to replay output from (the end of the output this client already
   *     has), or null for recent output
   * @param cols the terminal width in columns, or null to keep the current size; given together
   *     with {@code rows}
   * @param rows the terminal height in rows, or null to keep the current size; given together with
   *     {@code cols}
   * @throws ProtocolException when a field is out of range, or only one of cols and rows is given
   */
  record Open(String terminal, Long offset, Integer cols, Integer rows) implements ClientMessage {
    public Open {
      Check.terminal("terminal", terminal);
      if (offset != null) {
        Check.range("offset", offset, 0, Long.MAX_VALUE);
      }
      if ((cols == null) != (rows == null)) {
        throw new ProtocolException("fields cols and rows must be given together");
      }
      if (cols != null) {
        Check.range("cols", cols, MIN_SIZE, MAX_SIZE);
        Check.range("rows", rows, MIN_SIZE, MAX_SIZE);
      }
    }

    /** Attach to {@code terminal} with recent output and its current size. */
    public Open(String terminal) {
      this(terminal, null, null, null);
    }
  }

  /**
   * Keystrokes or pasted text for the terminal ({@code "type":"input"}), written to its input as
   * UTF-8.
   *
   * @param terminal the terminal id
   * @param data the text to type; may be empty
   */
  record Input(String terminal, String data) implements ClientMessage {
    public Input {
      Check.terminal("terminal", terminal);
      Check.notNull("data", data);
    }
  }

  /**
   * The client's view of the terminal changed size ({@code "type":"resize"}). The most recently
   * active client's size wins.
   *
   * @param terminal the terminal id
   * @param cols width in columns, 1 to 1000
   * @param rows height in rows, 1 to 1000
   */
  record Resize(String terminal, int cols, int rows) implements ClientMessage {
    public Resize {
      Check.terminal("terminal", terminal);
      Check.range("cols", cols, MIN_SIZE, MAX_SIZE);
      Check.range("rows", rows, MIN_SIZE, MAX_SIZE);
    }
  }

  /**
   * Stop sending this client the terminal's output ({@code "type":"detach"}); the terminal keeps
   * running.
   *
   * @param terminal the terminal id
   */
  record Detach(String terminal) implements ClientMessage {
    public Detach {
      Check.terminal("terminal", terminal);
    }
  }

  /**
   * End the terminal's process ({@code "type":"kill"}); every attached client then gets {@link
   * ServerMessage.Exit}.
   *
   * @param terminal the terminal id
   */
  record Kill(String terminal) implements ClientMessage {
    public Kill {
      Check.terminal("terminal", terminal);
    }
  }

  /**
   * Starts an upload over the socket ({@code "type":"upload"}); its bytes follow as binary frames
   * laid out like {@link OutputFrame}s whose id is the upload id and whose offset is the byte
   * offset in the upload.
   *
   * @param upload the client's id for the upload
   * @param kind {@code file} (one file at {@code path}) or {@code zip} (unpacked into directory
   *     {@code path})
   * @param path an absolute path in the container
   * @param mode octal permission bits for a file (e.g. {@code 755}), or null
   */
  record Upload(String upload, String kind, String path, String mode) implements ClientMessage {
    public Upload {
      Check.terminal("upload", upload);
      if (!"file".equals(kind) && !"zip".equals(kind)) {
        throw new ProtocolException(
            "field kind must be \"file\" or \"zip\", got " + Check.quote(kind));
      }
      Check.notEmpty("path", path);
    }
  }

  /**
   * All bytes of the upload were sent ({@code "type":"upload-end"}); the gateway answers with its
   * result.
   */
  record UploadEnd(String upload) implements ClientMessage {
    public UploadEnd {
      Check.terminal("upload", upload);
    }
  }

  /** Abandons an upload ({@code "type":"upload-abort"}); nothing of it is written. */
  record UploadAbort(String upload) implements ClientMessage {
    public UploadAbort {
      Check.terminal("upload", upload);
    }
  }

  /**
   * Runs a command as a process in its own terminal ({@code "type":"run"}), like {@code POST
   * …/processes}. The gateway answers with a {@link ServerMessage.Process} naming the new process
   * (its id is its terminal id), attaches this client to that terminal, and reports its exit the
   * same way. A {@link Kill} of that terminal stops it (SIGTERM, then SIGKILL).
   *
   * @param command the shell command line
   * @param cwd the absolute working directory, or null for {@code /app}
   * @param port the port the app will listen on, or null
   */
  record Run(String command, String cwd, Integer port) implements ClientMessage {
    public Run {
      Check.notEmpty("command", command);
      if (port != null) {
        Check.range("port", port, 1, 65535);
      }
    }
  }
}
