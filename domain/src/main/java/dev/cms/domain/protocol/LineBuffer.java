package dev.cms.domain.protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits the bytes of a stream into {@code \n}-terminated UTF-8 lines, whatever the chunking (a
 * character split between two DATA frames is decoded whole), and holds at most {@code maxLine}
 * bytes of an incomplete line. The peer is not trusted: a line longer than the bound is a {@link
 * ProtocolException}, and the caller resets the stream. Not thread-safe: feed it from the stream's
 * receiving thread only.
 */
public final class LineBuffer {
  private final String what;
  private final int maxLine;
  private byte[] pending = new byte[0];
  private int size;

  /**
   * @param what names the lines in errors ("a {@code what} line longer than N bytes")
   * @param maxLine the longest line accepted, in bytes, without its {@code \n}
   * @throws IllegalArgumentException when {@code maxLine} is not positive
   */
  public LineBuffer(String what, int maxLine) {
    if (maxLine <= 0) {
      throw new IllegalArgumentException("maxLine must be positive: " + maxLine);
    }
    this.what = what;
    this.maxLine = maxLine;
  }

  /**
   * Adds received bytes; returns every line they complete, in order, without the {@code \n}
   * (invalid UTF-8 is replaced by U+FFFD).
   *
   * @throws ProtocolException when a line, complete or not, exceeds the bound; the buffer is then
   *     emptied
   */
  public List<String> feed(byte[] chunk) {
    List<String> lines = new ArrayList<>();
    int from = 0;
    for (int i = 0; i < chunk.length; i++) {
      if (chunk[i] == '\n') {
        int len = size + (i - from);
        if (len > maxLine) {
          overflow();
        }
        byte[] line = Arrays.copyOf(pending, len);
        System.arraycopy(chunk, from, line, size, i - from);
        lines.add(new String(line, StandardCharsets.UTF_8));
        size = 0;
        from = i + 1;
      }
    }
    int rest = chunk.length - from;
    if (size + rest > maxLine) {
      overflow();
    }
    if (rest > 0) {
      if (pending.length < size + rest) {
        pending = Arrays.copyOf(pending, Math.min(maxLine, Math.max(size + rest, 2 * size)));
      }
      System.arraycopy(chunk, from, pending, size, rest);
      size += rest;
    }
    return lines;
  }

  /** The bytes of an incomplete line held now. */
  public int pendingBytes() {
    return size;
  }

  private void overflow() {
    size = 0;
    pending = new byte[0];
    throw new ProtocolException("a " + what + " line longer than " + maxLine + " bytes");
  }
}
