package dev.cms.domain.exec;

import dev.cms.domain.protocol.LengthPrefixed;
import dev.cms.domain.protocol.ProtocolException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;

/**
 * The messages an {@code exec} stream carries from the agent to the gateway: a command's standard
 * output and standard error, each in chunks, then its end. Each message is {@code length:u32 tag:u8
 * payload}: tag 1 stdout bytes, tag 2 stderr bytes, tag 3 the end ({@code exitCode:i32 flags:u8},
 * flags bit 0 timed out, bit 1 stdout truncated, bit 2 stderr truncated). The gateway's side of the
 * stream carries the command's standard input, raw, ended by CLOSE.
 */
public final class ExecWire {

  /** The largest message: a chunk of output of at most this many bytes, plus its tag. */
  public static final int MAX_CHUNK = 16 * 1024;

  private static final byte STDOUT = 1;
  private static final byte STDERR = 2;
  private static final byte END = 3;

  private ExecWire() {}

  /** One message of an exec stream. */
  public sealed interface Message {}

  /** Bytes the command wrote to standard output ({@code stderr} false) or standard error. */
  public record Output(boolean stderr, byte[] bytes) implements Message {
    public Output {
      Objects.requireNonNull(bytes, "bytes");
    }
  }

  /** The command ended. */
  public record End(
      int exitCode, boolean timedOut, boolean stdoutTruncated, boolean stderrTruncated)
      implements Message {}

  /** Encodes one message, length prefix included. */
  public static byte[] encode(Message m) {
    ByteBuffer b;
    if (m instanceof Output o) {
      if (o.bytes().length > MAX_CHUNK) {
        throw new IllegalArgumentException("output chunk above " + MAX_CHUNK + " bytes");
      }
      b = ByteBuffer.allocate(5 + o.bytes().length);
      b.putInt(1 + o.bytes().length).put(o.stderr() ? STDERR : STDOUT).put(o.bytes());
    } else {
      End e = (End) m;
      int flags =
          (e.timedOut() ? 1 : 0) | (e.stdoutTruncated() ? 2 : 0) | (e.stderrTruncated() ? 4 : 0);
      b = ByteBuffer.allocate(10);
      b.putInt(6).put(END).putInt(e.exitCode()).put((byte) flags);
    }
    return b.array();
  }

  /** A decoder that reassembles messages from the stream's bytes, whatever the chunking. */
  public static LengthPrefixed<Message> decoder() {
    return new LengthPrefixed<>("exec", MAX_CHUNK + 1, ExecWire::decodeBody);
  }

  /** Decodes every message in {@code bytes} (whole messages only; tests). */
  public static List<Message> decodeAll(byte[] bytes) {
    LengthPrefixed<Message> d = decoder();
    List<Message> out = d.feed(bytes);
    if (d.hasPartial()) {
      throw new ProtocolException("an incomplete exec message");
    }
    return out;
  }

  private static Message decodeBody(ByteBuffer b) {
    byte tag = b.get();
    switch (tag) {
      case STDOUT, STDERR -> {
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return new Output(tag == STDERR, bytes);
      }
      case END -> {
        if (b.remaining() != 5) {
          throw new ProtocolException("an exec end message has 5 bytes, not " + b.remaining());
        }
        int code = b.getInt();
        int flags = b.get();
        return new End(code, (flags & 1) != 0, (flags & 2) != 0, (flags & 4) != 0);
      }
      default -> throw new ProtocolException("unknown exec message tag " + tag);
    }
  }
}
