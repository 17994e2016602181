package dev.cms.gateway.preview.control;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.function.LongConsumer;

/**
 * Moving HTTP/1.1 bytes between blocking channels through one direct buffer per direction: heads
 * are cut out for parsing; bodies are passed on as they are, counted ({@code Content-Length}),
 * followed chunk by chunk (chunked, the chunk lines passed on too) or to the end of the stream.
 * Buffers are kept in read mode: the unread bytes lie between position and limit.
 */
final class Wire {

  /** Bytes of each direction's buffer. */
  static final int BUFFER = 64 * 1024;

  private static final int MAX_CHUNK_LINE = 4096;

  private Wire() {}

  /** A head above the limit. */
  static final class HeadTooLarge extends IOException {
    private static final long serialVersionUID = 1L;

    HeadTooLarge(int max) {
      super("head above " + max + " bytes");
    }
  }

  /** An empty direct buffer in read mode. */
  static ByteBuffer buffer() {
    ByteBuffer b = ByteBuffer.allocateDirect(BUFFER);
    b.flip();
    return b;
  }

  /** Reads more into {@code b}; -1 at the end of the stream. */
  static int fill(ReadableByteChannel ch, ByteBuffer b) throws IOException {
    b.compact();
    try {
      return ch.read(b);
    } finally {
      b.flip();
    }
  }

  /**
   * The next head (through its empty line), taken out of {@code b}; empty lines before it are
   * skipped.
   *
   * @return {@code null} when the stream ended cleanly before a head began
   * @throws HeadTooLarge above {@code max} bytes
   * @throws EOFException when the stream ended inside a head
   */
  static byte[] readHead(ReadableByteChannel ch, ByteBuffer b, int max) throws IOException {
    while (true) {
      while (b.remaining() >= 2 && b.get(b.position()) == '\r' && b.get(b.position() + 1) == '\n') {
        b.position(b.position() + 2);
      }
      int end = blankLineEnd(b, b.position());
      if (end >= 0) {
        byte[] head = new byte[end - b.position()];
        b.get(head);
        return head;
      }
      if (b.remaining() >= max) {
        throw new HeadTooLarge(max);
      }
      if (fill(ch, b) < 0) {
        if (!b.hasRemaining()) {
          return null;
        }
        throw new EOFException("the stream ended inside a head");
      }
    }
  }

  /** Index just past the first CRLFCRLF at or after {@code from}, or -1. */
  private static int blankLineEnd(ByteBuffer b, int from) {
    int lim = b.limit();
    for (int i = Math.max(from, b.position()); i + 3 < lim; i++) {
      if (b.get(i + 3) == '\n'
          && b.get(i) == '\r'
          && b.get(i + 1) == '\n'
          && b.get(i + 2) == '\r') {
        return i + 4;
      }
    }
    return -1;
  }

  /** Told how many bytes each {@link #writeAll} passed on (the preview's relayed-bytes meter). */
  private static volatile LongConsumer written = n -> {};

  /** Every byte the preview writes, to the browser or to the app, is reported to {@code meter}. */
  static void countWrites(LongConsumer meter) {
    written = meter;
  }

  /** Writes all of {@code b}'s unread bytes. */
  static void writeAll(WritableByteChannel ch, ByteBuffer b) throws IOException {
    int n = b.remaining();
    while (b.hasRemaining()) {
      ch.write(b);
    }
    written.accept(n);
  }

  static void write(WritableByteChannel ch, byte[] bytes) throws IOException {
    writeAll(ch, ByteBuffer.wrap(bytes));
  }

  /** Passes on exactly {@code n} bytes: what {@code b} holds first, then from {@code src}. */
  static void copy(ReadableByteChannel src, ByteBuffer b, WritableByteChannel dst, long n)
      throws IOException {
    while (n > 0) {
      if (!b.hasRemaining() && fill(src, b) < 0) {
        throw new EOFException(n + " bytes of a body missing");
      }
      int k = (int) Math.min(n, b.remaining());
      int lim = b.limit();
      b.limit(b.position() + k);
      writeAll(dst, b);
      b.limit(lim);
      n -= k;
    }
  }

  /** Passes on everything up to the end of {@code src}. */
  static void copyToEnd(ReadableByteChannel src, ByteBuffer b, WritableByteChannel dst)
      throws IOException {
    while (true) {
      writeAll(dst, b);
      if (fill(src, b) < 0) {
        return;
      }
    }
  }

  /** Passes on a chunked body, chunk lines, last chunk and trailer fields included. */
  static void copyChunked(ReadableByteChannel src, ByteBuffer b, WritableByteChannel dst)
      throws IOException {
    while (true) {
      int len = line(src, b);
      long size = chunkSize(b, len);
      copy(src, b, dst, len);
      if (size == 0) {
        while (true) {
          int t = line(src, b);
          copy(src, b, dst, t);
          if (t == 2) {
            return;
          }
        }
      }
      copy(src, b, dst, size + 2);
    }
  }

  /** The length (CRLF included) of the line at {@code b}'s position, reading until it is whole. */
  private static int line(ReadableByteChannel src, ByteBuffer b) throws IOException {
    int scanned = 0;
    while (true) {
      int p = b.position();
      for (int i = p + Math.max(1, scanned); i < b.limit(); i++) {
        if (b.get(i) == '\n' && b.get(i - 1) == '\r') {
          return i + 1 - p;
        }
      }
      scanned = Math.max(0, b.remaining() - 1);
      if (b.remaining() > MAX_CHUNK_LINE) {
        throw new IOException("chunk line above " + MAX_CHUNK_LINE + " bytes");
      }
      if (fill(src, b) < 0) {
        throw new EOFException("the stream ended inside a chunked body");
      }
    }
  }

  private static long chunkSize(ByteBuffer b, int len) throws IOException {
    long size = 0;
    int digits = 0;
    for (int i = b.position(); i < b.position() + len - 2; i++) {
      int c = b.get(i);
      int d = Character.digit(c, 16);
      if (d < 0) {
        if (digits > 0 && (c == ';' || c == ' ' || c == '\t')) {
          break;
        }
        throw new IOException("malformed chunk size");
      }
      if (++digits > 15) {
        throw new IOException("chunk size too large");
      }
      size = size * 16 + d;
    }
    if (digits == 0) {
      throw new IOException("malformed chunk size");
    }
    return size;
  }
}
