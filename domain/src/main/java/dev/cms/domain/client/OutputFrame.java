package dev.cms.domain.client;

import dev.cms.domain.protocol.ProtocolException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Terminal output, sent by the gateway to the browser as one binary WebSocket frame. Layout
 * (big-endian): {@code version:u8} (= {@link #VERSION}), {@code idLength:u8}, the terminal id in
 * UTF-8, {@code offset:i64}, then the data up to the end of the frame.
 *
 * <p>The data is raw terminal output: UTF-8 text may be split anywhere, also inside a character, so
 * a client decodes it with a streaming decoder per terminal. The array is not copied; equality,
 * hash code and {@link #toString()} are over its contents.
 *
 * @param terminal the terminal id
 * @param offset the byte offset of the first data byte in the terminal's output log, {@code >= 0}
 * @param data the output bytes; may be empty
 */
public record OutputFrame(String terminal, long offset, byte[] data) {

  /** The version written in every output frame's first byte. */
  public static final int VERSION = 1;

  private static final int SHOWN_BYTES = 32;

  /**
   * Validates the fields.
   *
   * @throws ProtocolException when the terminal id is not valid or the offset is negative
   */
  public OutputFrame {
    Check.terminal("terminal", terminal);
    Check.range("offset", offset, 0, Long.MAX_VALUE);
    Check.notNull("data", data);
  }

  /** The offset just past this frame's data: where the next frame of the terminal starts. */
  public long endOffset() {
    return offset + data.length;
  }

  /** Encodes the frame into a fresh buffer positioned at 0. */
  public ByteBuffer encode() {
    byte[] id = terminal.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(2 + id.length + 8 + data.length);
    b.put((byte) VERSION).put((byte) id.length).put(id).putLong(offset).put(data);
    return b.flip();
  }

  /**
   * Decodes one frame that fills the buffer's remaining bytes; the buffer's position ends at its
   * limit.
   *
   * @throws ProtocolException when the bytes are not a well-formed output frame of this version
   */
  public static OutputFrame decode(ByteBuffer in) {
    try {
      int version = Byte.toUnsignedInt(in.get());
      if (version != VERSION) {
        throw new ProtocolException(
            "unsupported output frame version " + version + ", expected " + VERSION);
      }
      byte[] id = new byte[Byte.toUnsignedInt(in.get())];
      in.get(id);
      String terminal = new String(id, StandardCharsets.US_ASCII);
      if (!Check.isTerminalId(terminal)) {
        throw new ProtocolException(
            "output frame terminal id is not [A-Za-z0-9_-]{1,32}: " + HexFormat.of().formatHex(id));
      }
      long offset = in.getLong();
      if (offset < 0) {
        throw new ProtocolException("output frame offset is negative: " + offset);
      }
      byte[] data = new byte[in.remaining()];
      in.get(data);
      return new OutputFrame(terminal, offset, data);
    } catch (BufferUnderflowException e) {
      throw new ProtocolException("truncated output frame");
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OutputFrame f
        && f.offset == offset
        && f.terminal.equals(terminal)
        && Arrays.equals(f.data, data);
  }

  @Override
  public int hashCode() {
    return (terminal.hashCode() * 31 + Long.hashCode(offset)) * 31 + Arrays.hashCode(data);
  }

  /** Shows the first 32 data bytes in hex, so a log line stays short. */
  @Override
  public String toString() {
    String hex = HexFormat.of().formatHex(data, 0, Math.min(data.length, SHOWN_BYTES));
    return "OutputFrame[terminal=%s, offset=%d, %d bytes: %s%s]"
        .formatted(terminal, offset, data.length, hex, data.length > SHOWN_BYTES ? "…" : "");
  }
}
