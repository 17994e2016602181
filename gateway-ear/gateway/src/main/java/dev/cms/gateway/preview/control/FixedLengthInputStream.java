package dev.cms.gateway.preview.control;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/** A body of exactly {@code length} bytes; ending early is an {@link EOFException}. */
final class FixedLengthInputStream extends InputStream {

  private final InputStream in;
  private long left;

  FixedLengthInputStream(InputStream in, long length) {
    this.in = in;
    this.left = length;
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
    if (left == 0) {
      return -1;
    }
    int n = in.read(b, off, (int) Math.min(len, left));
    if (n < 0) {
      throw new EOFException("the app closed the connection " + left + " bytes before the end");
    }
    left -= n;
    return n;
  }

  @Override
  public int available() throws IOException {
    return (int) Math.min(left, in.available());
  }
}
