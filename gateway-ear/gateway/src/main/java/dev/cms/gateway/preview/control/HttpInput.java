package dev.cms.gateway.preview.control;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * A buffered input stream that can also read CRLF- (or LF-) terminated lines, for parsing an HTTP
 * head and chunked framing off a byte pipe. Bytes read past a head stay in the buffer and are
 * returned by the ordinary {@code read} methods.
 */
public final class HttpInput extends InputStream {

  private final InputStream in;
  private final byte[] buf;
  private int pos;
  private int end;

  public HttpInput(InputStream in) {
    this(in, 16 * 1024);
  }

  HttpInput(InputStream in, int bufferSize) {
    this.in = in;
    this.buf = new byte[bufferSize];
  }

  /**
   * Reads one line without its terminator (CRLF or a lone LF), as ISO-8859-1.
   *
   * @param max the longest line accepted
   * @return the line, or {@code null} at end of stream before any byte of a line
   * @throws IOException when the line is longer than {@code max} or the stream ends inside it
   */
  public String readLine(int max) throws IOException {
    StringBuilder line = new StringBuilder();
    while (true) {
      if (pos == end && !fill()) {
        if (line.length() == 0) {
          return null;
        }
        throw new EOFException("the stream ended inside a line");
      }
      byte b = buf[pos++];
      if (b == '\n') {
        int len = line.length();
        if (len > 0 && line.charAt(len - 1) == '\r') {
          line.setLength(len - 1);
        }
        return line.toString();
      }
      if (line.length() >= max) {
        throw new IOException("line longer than " + max + " bytes");
      }
      line.append((char) (b & 0xff));
    }
  }

  @Override
  public int read() throws IOException {
    if (pos == end && !fill()) {
      return -1;
    }
    return buf[pos++] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (pos == end) {
      if (len >= buf.length) {
        return in.read(b, off, len);
      }
      if (!fill()) {
        return -1;
      }
    }
    int n = Math.min(len, end - pos);
    System.arraycopy(buf, pos, b, off, n);
    pos += n;
    return n;
  }

  @Override
  public int available() throws IOException {
    return (end - pos) + in.available();
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  private boolean fill() throws IOException {
    pos = 0;
    end = 0;
    int n = in.read(buf, 0, buf.length);
    if (n <= 0) {
      return false;
    }
    end = n;
    return true;
  }

  static String latin1(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }
}
