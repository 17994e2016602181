package dev.cms.domain.terminal;

import dev.cms.domain.protocol.LengthPrefixed;
import dev.cms.domain.protocol.ProtocolException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * The messages carried inside a {@code terminal} stream of the agent channel (see {@code
 * docs/PROTOCOL.md}). A stream is a byte pipe whose DATA frame boundaries are not preserved, so
 * each message is length-prefixed: {@code length:u32 type:u8 body}, where {@code length} counts the
 * type byte and the body.
 *
 * <p>Agent to gateway: {@link Attached} (first, once), {@link Output}, {@link Exited}, {@link
 * Failed}. Gateway to agent: {@link Input}, {@link Resize}, {@link Kill}.
 */
public final class TerminalWire {

  /** Largest message accepted; output is sent in chunks well below it. */
  public static final int MAX_MESSAGE = 64 * 1024;

  /** Largest output chunk an agent puts in one {@link Output}. */
  public static final int MAX_OUTPUT_CHUNK = 16 * 1024;

  private TerminalWire() {}

  /** One message of a terminal stream. */
  public sealed interface Message permits Attached, Output, Exited, Failed, Input, Resize, Kill {}

  /**
   * The attachment is live: replay starts at {@code offset}.
   *
   * @param terminalId the terminal
   * @param offset the byte offset the first {@link Output} will carry
   * @param firstOffset the oldest byte offset the terminal's log still holds
   * @param endOffset the offset just past the last byte written so far
   * @param truncated whether the client asked for an offset older than {@code firstOffset} (bytes
   *     were lost)
   * @param running whether the terminal's process is running
   * @param exitCode the exit code when not running, else -1
   */
  public record Attached(
      String terminalId,
      long offset,
      long firstOffset,
      long endOffset,
      boolean truncated,
      boolean running,
      int exitCode)
      implements Message {
    public Attached {
      Objects.requireNonNull(terminalId, "terminalId");
    }
  }

  /** Terminal output starting at byte {@code offset} of the terminal's log. */
  public record Output(long offset, byte[] data) implements Message {
    public Output {
      Objects.requireNonNull(data, "data");
    }

    /** The offset just past this chunk. */
    public long end() {
      return offset + data.length;
    }
  }

  /** The terminal's process exited with this code. */
  public record Exited(int code) implements Message {}

  /** The terminal could not be opened or failed; the stream ends after it. */
  public record Failed(String message) implements Message {
    public Failed {
      Objects.requireNonNull(message, "message");
    }
  }

  /** Keystrokes (or pasted bytes) for the terminal. */
  public record Input(byte[] data) implements Message {
    public Input {
      Objects.requireNonNull(data, "data");
    }
  }

  /** The attached client's window size. */
  public record Resize(int cols, int rows) implements Message {}

  /** End the terminal's process (SIGHUP, then SIGKILL). */
  public record Kill() implements Message {}

  private static final int ATTACHED = 1;
  private static final int OUTPUT = 2;
  private static final int EXITED = 3;
  private static final int FAILED = 4;
  private static final int INPUT = 10;
  private static final int RESIZE = 11;
  private static final int KILL = 12;

  /** Encodes one message, length prefix included. */
  public static byte[] encode(Message m) {
    ByteBuffer b;
    if (m instanceof Attached a) {
      byte[] id = a.terminalId().getBytes(StandardCharsets.UTF_8);
      b = ByteBuffer.allocate(4 + 1 + 2 + id.length + 8 * 3 + 2 + 4);
      b.putInt(0).put((byte) ATTACHED).putShort((short) id.length).put(id);
      b.putLong(a.offset()).putLong(a.firstOffset()).putLong(a.endOffset());
      b.put((byte) (a.truncated() ? 1 : 0)).put((byte) (a.running() ? 1 : 0)).putInt(a.exitCode());
    } else if (m instanceof Output o) {
      b = ByteBuffer.allocate(4 + 1 + 8 + o.data().length);
      b.putInt(0).put((byte) OUTPUT).putLong(o.offset()).put(o.data());
    } else if (m instanceof Exited e) {
      b = ByteBuffer.allocate(4 + 1 + 4);
      b.putInt(0).put((byte) EXITED).putInt(e.code());
    } else if (m instanceof Failed f) {
      byte[] msg = f.message().getBytes(StandardCharsets.UTF_8);
      b = ByteBuffer.allocate(4 + 1 + msg.length);
      b.putInt(0).put((byte) FAILED).put(msg);
    } else if (m instanceof Input i) {
      b = ByteBuffer.allocate(4 + 1 + i.data().length);
      b.putInt(0).put((byte) INPUT).put(i.data());
    } else if (m instanceof Resize r) {
      b = ByteBuffer.allocate(4 + 1 + 4);
      b.putInt(0).put((byte) RESIZE).putShort((short) r.cols()).putShort((short) r.rows());
    } else if (m instanceof Kill) {
      b = ByteBuffer.allocate(4 + 1);
      b.putInt(0).put((byte) KILL);
    } else {
      throw new ProtocolException("cannot encode " + m);
    }
    int length = b.position() - 4;
    if (length > MAX_MESSAGE) {
      throw new ProtocolException(
          "terminal message of " + length + " bytes exceeds " + MAX_MESSAGE);
    }
    b.putInt(0, length);
    return b.array();
  }

  /**
   * Reassembles messages from the bytes of a stream, whatever the chunking. Not thread-safe: feed
   * it from the stream's receiving thread only.
   */
  public static final class Decoder {
    private final LengthPrefixed<Message> messages =
        new LengthPrefixed<>("terminal", MAX_MESSAGE, TerminalWire::decodeBody);

    public List<Message> feed(byte[] chunk) {
      return messages.feed(chunk);
    }
  }

  private static Message decodeBody(ByteBuffer b) {
    int type = Byte.toUnsignedInt(b.get());
    try {
      Message m =
          switch (type) {
            case ATTACHED -> {
              byte[] id = new byte[Short.toUnsignedInt(b.getShort())];
              b.get(id);
              yield new Attached(
                  new String(id, StandardCharsets.UTF_8),
                  b.getLong(),
                  b.getLong(),
                  b.getLong(),
                  b.get() != 0,
                  b.get() != 0,
                  b.getInt());
            }
            case OUTPUT -> new Output(b.getLong(), rest(b));
            case EXITED -> new Exited(b.getInt());
            case FAILED -> new Failed(new String(rest(b), StandardCharsets.UTF_8));
            case INPUT -> new Input(rest(b));
            case RESIZE ->
                new Resize(Short.toUnsignedInt(b.getShort()), Short.toUnsignedInt(b.getShort()));
            case KILL -> new Kill();
            default -> throw new ProtocolException("unknown terminal message type " + type);
          };
      if (b.hasRemaining()) {
        throw new ProtocolException(b.remaining() + " trailing bytes in terminal message " + type);
      }
      return m;
    } catch (BufferUnderflowException e) {
      throw new ProtocolException("truncated terminal message " + type);
    }
  }

  private static byte[] rest(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }
}
