package dev.cms.console;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * An upload's bytes on their way from the console to the gateway, counted as the gateway takes
 * them: the gateway reads its request body only as fast as the agent grants window, so the count
 * follows the agent's progress (ahead by the sockets' buffers). Tells its listener at most every
 * {@value #EVERY_MS} ms, and once at the end.
 */
final class UploadProgress extends FilterInputStream {

  static final long EVERY_MS = 200;

  /** Receives the bytes read so far. */
  @FunctionalInterface
  interface Listener {
    void read(long bytes);
  }

  private final Listener listener;
  private long bytes;
  private long toldAt;
  private long told = -1;

  UploadProgress(InputStream in, Listener listener) {
    super(in);
    this.listener = listener;
  }

  @Override
  public int read() throws IOException {
    int b = super.read();
    count(b < 0 ? -1 : 1);
    return b;
  }

  @Override
  public int read(byte[] buf, int off, int len) throws IOException {
    int n = super.read(buf, off, len);
    count(n);
    return n;
  }

  private void count(int n) {
    long now = System.nanoTime() / 1_000_000;
    if (n > 0) {
      bytes += n;
      if (now - toldAt >= EVERY_MS) {
        tell(now);
      }
    } else if (n < 0 && told != bytes) {
      tell(now);
    }
  }

  private void tell(long now) {
    toldAt = now;
    told = bytes;
    listener.read(bytes);
  }
}
