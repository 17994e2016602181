package dev.cms.gateway.preview.control;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Decodes a {@code Transfer-Encoding: chunked} body: returns the data of the chunks, ends cleanly
 * after the last chunk and its trailer section (trailers are read and dropped). Chunk extensions
 * are ignored. A body that ends early or is malformed fails with an {@link IOException}.
 */
final class ChunkedInputStream extends InputStream {

  private final HttpInput in;
  private long left; // bytes left in the current chunk
  private boolean done;

  ChunkedInputStream(HttpInput in) {
    this.in = in;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (done) {
      return -1;
    }
    if (left == 0) {
      left = nextChunkSize();
      if (left == 0) {
        readTrailers();
        done = true;
        return -1;
      }
    }
    int n = in.read(b, off, (int) Math.min(len, left));
    if (n < 0) {
      throw new EOFException("the app closed the connection inside a chunk");
    }
    left -= n;
    if (left == 0) {
      String crlf = in.readLine(ResponseHead.MAX_LINE);
      if (crlf == null) {
        throw new EOFException("the app closed the connection after a chunk");
      }
      if (!crlf.isEmpty()) {
        throw new IOException("chunk data longer than its size");
      }
    }
    return n;
  }

  @Override
  public int available() throws IOException {
    return done ? 0 : (int) Math.min(left, in.available());
  }

  private long nextChunkSize() throws IOException {
    String line = in.readLine(ResponseHead.MAX_LINE);
    if (line == null) {
      throw new EOFException("the app closed the connection before the last chunk");
    }
    int semi = line.indexOf(';');
    String hex = (semi >= 0 ? line.substring(0, semi) : line).strip();
    if (hex.isEmpty() || hex.length() > 15) {
      throw new IOException("malformed chunk size: " + hex);
    }
    try {
      long size = Long.parseLong(hex, 16);
      if (size < 0) {
        throw new IOException("malformed chunk size: " + hex);
      }
      return size;
    } catch (NumberFormatException e) {
      throw new IOException("malformed chunk size: " + hex);
    }
  }

  private void readTrailers() throws IOException {
    int total = 0;
    while (true) {
      String line = in.readLine(ResponseHead.MAX_LINE);
      if (line == null) {
        throw new EOFException("the app closed the connection inside the trailers");
      }
      if (line.isEmpty()) {
        return;
      }
      total += line.length();
      if (total > ResponseHead.MAX_HEAD) {
        throw new IOException("trailers larger than " + ResponseHead.MAX_HEAD + " bytes");
      }
    }
  }
}
