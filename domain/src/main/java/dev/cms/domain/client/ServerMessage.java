package dev.cms.domain.client;

import dev.cms.domain.protocol.ProtocolException;

/**
 * A message the gateway sends to the browser on the client WebSocket as one JSON text frame (see
 * {@code docs/PROTOCOL.md}; the gateway's {@code ClientCodec} reads and writes the JSON). Terminal
 * output is not one of them: it travels in binary frames, {@link OutputFrame}.
 *
 * <p>The constructors validate their fields and throw {@link ProtocolException} naming the field.
 */
public sealed interface ServerMessage
    permits ServerMessage.Attached,
        ServerMessage.Exit,
        ServerMessage.Status,
        ServerMessage.Error,
        ServerMessage.Port,
        ServerMessage.Process,
        ServerMessage.UploadProgress,
        ServerMessage.UploadResult,
        ServerMessage.File {

  /**
   * The client is attached to a terminal ({@code "type":"attached"}); output frames follow,
   * starting at {@code offset}.
   *
   * @param terminal the terminal id
   * @param offset the offset of the first output byte that will be sent
   * @param firstOffset the oldest offset the terminal's output log still holds
   * @param endOffset the offset just past the last byte written so far
   * @param truncated whether the client asked for an offset older than {@code firstOffset}, so that
   *     output was lost and replay starts at {@code firstOffset}
   * @param running whether the terminal's process is running
   * @param exitCode the process's exit code when it is not running and the code is known, else null
   * @throws ProtocolException when an offset is negative, {@code firstOffset <= offset <=
   *     endOffset} does not hold, or a running terminal has an exit code
   */
  record Attached(
      String terminal,
      long offset,
      long firstOffset,
      long endOffset,
      boolean truncated,
      boolean running,
      Integer exitCode)
      implements ServerMessage {
    public Attached {
      Check.terminal("terminal", terminal);
      Check.range("firstOffset", firstOffset, 0, Long.MAX_VALUE);
      Check.range("endOffset", endOffset, firstOffset, Long.MAX_VALUE);
      Check.range("offset", offset, firstOffset, endOffset);
      if (running && exitCode != null) {
        throw new ProtocolException("field exitCode must be absent while running");
      }
    }
  }

  /**
   * The terminal's process ended ({@code "type":"exit"}); sent to every attached client.
   *
   * @param terminal the terminal id
   * @param code the process's exit code
   */
  record Exit(String terminal, int code) implements ServerMessage {
    public Exit {
      Check.terminal("terminal", terminal);
    }
  }

  /**
   * The container's state ({@code "type":"status"}), sent on connect and whenever it changes.
   *
   * @param container the container's id
   * @param status the name of its {@link dev.cms.domain.ContainerStatus}, such as {@code RUNNING}
   * @param agentConnected whether the agent inside the container is connected, so terminals work
   */
  record Status(String container, String status, boolean agentConnected) implements ServerMessage {
    public Status {
      Check.notEmpty("container", container);
      Check.notEmpty("status", status);
    }
  }

  /**
   * A request failed ({@code "type":"error"}). The socket stays open.
   *
   * @param terminal the terminal the failed request was about, or null
   * @param code a short kebab-case code, such as {@link #BAD_MESSAGE}
   * @param message a description for people
   */
  record Error(String terminal, String code, String message) implements ServerMessage {

    /** The client sent a frame that is not a valid {@link ClientMessage}. */
    public static final String BAD_MESSAGE = "bad-message";

    /** The message named a terminal that does not exist or that this client is not attached to. */
    public static final String UNKNOWN_TERMINAL = "unknown-terminal";

    /** The container's agent is not connected, so terminals cannot be reached. */
    public static final String AGENT_UNAVAILABLE = "agent-unavailable";

    /** The request was understood but refused (a limit or a rule). */
    public static final String REFUSED = "refused";

    public Error {
      if (terminal != null) {
        Check.terminal("terminal", terminal);
      }
      Check.errorCode("code", code);
      Check.notNull("message", message);
    }
  }

  /**
   * A TCP port started or stopped listening inside the container ({@code "type":"port"}).
   *
   * @param port the port
   * @param open whether it is listening now
   * @param url the host-form preview URL (null when closed)
   * @param pathUrl the path-form preview URL (null when closed)
   */
  record Port(int port, boolean open, String url, String pathUrl) implements ServerMessage {
    public Port {
      Check.range("port", port, 1, 65535);
    }
  }

  /**
   * A process started through the API changed state ({@code "type":"process"}).
   *
   * @param process the process id, which is also the id of its terminal
   * @param status {@code RUNNING} or {@code EXITED}
   * @param exitCode the exit code once exited, else null
   */
  record Process(String process, String status, Integer exitCode) implements ServerMessage {
    public Process {
      Check.terminal("process", process);
      Check.notEmpty("status", status);
    }
  }

  /**
   * A change a file watch of the container reports ({@code "type":"file"}), as on the owner's event
   * stream.
   *
   * @param watch the watch's id
   * @param change {@code created}, {@code modified}, {@code deleted}, {@code overflow} (changes
   *     were lost) or {@code ended} (the watch is over)
   * @param fileType {@code file}, {@code dir}, {@code symlink} or {@code other}; null for overflow
   *     and ended
   * @param path the absolute path (the watched directory for overflow and ended)
   * @param dropped for overflow, how many changes were lost (0: unknown); else null
   */
  record File(String watch, String change, String fileType, String path, Long dropped)
      implements ServerMessage {
    public File {
      Check.notEmpty("watch", watch);
      Check.notEmpty("change", change);
      Check.notEmpty("path", path);
    }
  }

  /**
   * How far an upload over the socket got ({@code "type":"upload-progress"}).
   *
   * @param upload the client's upload id
   * @param bytes bytes received so far
   */
  record UploadProgress(String upload, long bytes) implements ServerMessage {
    public UploadProgress {
      Check.terminal("upload", upload);
    }
  }

  /**
   * The end of an upload over the socket ({@code "type":"upload-result"}).
   *
   * @param upload the client's upload id
   * @param ok whether it was written
   * @param bytes bytes written (or unpacked)
   * @param entries files written (1 for a single file)
   * @param rule for a refusal, the rule it broke (e.g. {@code dotdot-entry}), else null
   * @param message for a refusal, the reason, else null
   */
  record UploadResult(
      String upload, boolean ok, long bytes, long entries, String rule, String message)
      implements ServerMessage {
    public UploadResult {
      Check.terminal("upload", upload);
    }
  }
}
