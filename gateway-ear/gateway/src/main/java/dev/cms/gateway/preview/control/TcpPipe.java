package dev.cms.gateway.preview.control;

import dev.cms.domain.kinds.KindParams;
import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.Mux;
import dev.cms.domain.protocol.Stream;
import dev.cms.domain.protocol.StreamHandler;
import dev.cms.domain.protocol.StreamKind;
import dev.cms.domain.protocol.StreamRefusedException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A byte pipe to a TCP port inside the container: the agent's {@code tcp} stream, seen as an {@link
 * InputStream} (bytes from the app) and an {@link OutputStream} (bytes to the app).
 *
 * <p>Received data is credited back to the agent only once the reader has taken it, so the gateway
 * never holds more than one stream window (64 KiB) of a response a slow client has not taken yet.
 * One thread reads and one thread writes at a time.
 */
public final class TcpPipe implements StreamHandler {

  /** The prefix of the agent's refusal when nothing listens on the port. */
  public static final String NOT_LISTENING = "not-listening";

  private static final byte[] END = new byte[0];

  private final LinkedBlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
  private final In in = new In();
  private final Out out = new Out();
  private volatile Stream stream;
  private volatile String failure;
  private volatile boolean remoteClosed;
  private volatile long readTimeoutMillis;

  /**
   * Opens a pipe to {@code 127.0.0.1:port} in the container, or to {@code [::1]:port} when nothing
   * listens on the former.
   *
   * @throws StreamRefusedException when the agent refused, e.g. with a message starting with
   *     {@value #NOT_LISTENING} when nothing listens on the port
   * @throws TimeoutException when the agent did not answer in time
   * @throws IOException when the link is gone
   */
  public static TcpPipe open(Mux mux, int port, long timeoutMillis)
      throws StreamRefusedException, TimeoutException, IOException {
    try {
      return open(mux, new KindParams.Tcp(port), timeoutMillis);
    } catch (StreamRefusedException e) {
      if (!isNotListening(e)) {
        throw e;
      }
      // servers bound to "localhost" may listen on ::1 only (Node 17+ resolves it there first)
      try {
        return open(mux, new KindParams.Tcp(port, "::1"), timeoutMillis);
      } catch (StreamRefusedException again) {
        throw e;
      }
    }
  }

  private static TcpPipe open(Mux mux, KindParams.Tcp params, long timeoutMillis)
      throws StreamRefusedException, TimeoutException, IOException {
    return open(mux, params.kind(), params.params(), timeoutMillis);
  }

  /**
   * Opens any byte stream of the agent as a pipe (for example a {@code file-read}), with the same
   * credit discipline.
   */
  public static TcpPipe open(
      Mux mux, StreamKind kind, Map<String, String> params, long timeoutMillis)
      throws StreamRefusedException, TimeoutException, IOException {
    TcpPipe pipe = new TcpPipe();
    CompletableFuture<Stream> f = mux.open(kind, params, pipe);
    try {
      pipe.stream = f.get(timeoutMillis, TimeUnit.MILLISECONDS);
      return pipe;
    } catch (TimeoutException e) {
      f.cancel(false);
      throw e;
    } catch (InterruptedException e) {
      f.cancel(false);
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while opening a " + kind + " stream");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StreamRefusedException r) {
        throw r;
      }
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException("could not open a " + kind + " stream: " + e.getCause(), e.getCause());
    }
  }

  /** Whether a refusal means that nothing listens on the port. */
  public static boolean isNotListening(StreamRefusedException e) {
    return e.getMessage() != null && e.getMessage().startsWith(NOT_LISTENING);
  }

  // --- StreamHandler (on the link's receiving thread) -------------------------------------------

  @Override
  public void onOpen(Stream s) {
    stream = s;
  }

  @Override
  public boolean autoCredit() {
    return false;
  }

  @Override
  public void onData(Stream s, byte[] data) {
    if (data.length > 0) {
      chunks.add(data);
    }
  }

  @Override
  public void onClose(Stream s) {
    remoteClosed = true;
    chunks.add(END);
  }

  @Override
  public void onReset(Stream s, int code, String reason) {
    if (failure == null) {
      failure = "the app's connection was aborted: " + reason;
    }
    chunks.add(END);
  }

  // --- use --------------------------------------------------------------------------------------

  /** Bytes from the app; ends when the app closed its side, fails when the pipe was aborted. */
  public InputStream in() {
    return in;
  }

  /** Bytes to the app. {@code close()} half-closes (the agent shuts the socket's output down). */
  public OutputStream out() {
    return out;
  }

  /** Reads wait at most this long for data ({@code 0}: forever); a timeout is an IOException. */
  public void readTimeout(long millis) {
    readTimeoutMillis = millis;
  }

  /** Whether the app closed its side. */
  public boolean remoteClosed() {
    return remoteClosed;
  }

  /** Aborts both directions (RESET); blocked reads and writes fail. Idempotent. */
  public void abort(String reason) {
    if (failure == null) {
      failure = reason;
    }
    Stream s = stream;
    if (s != null) {
      s.reset(ErrorCode.CANCELLED, reason);
    }
    chunks.add(END);
  }

  /**
   * Ends the pipe after a complete exchange: a clean close when the app already closed its side,
   * else an abort (the app keeps the connection open though it was asked to close it).
   */
  public void finish() {
    Stream s = stream;
    if (s == null) {
      return;
    }
    if (remoteClosed) {
      s.close();
    } else {
      s.reset(ErrorCode.CANCELLED, "exchange complete");
      chunks.add(END);
    }
  }

  private final class In extends InputStream {
    private byte[] current;
    private int pos;
    private boolean ended;

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
      if (current == null && !next()) {
        return -1;
      }
      int n = Math.min(len, current.length - pos);
      System.arraycopy(current, pos, b, off, n);
      pos += n;
      if (pos == current.length) {
        Stream s = stream;
        if (s != null) {
          s.credit(current.length);
        }
        current = null;
      }
      return n;
    }

    @Override
    public int available() {
      if (current != null) {
        return current.length - pos;
      }
      byte[] head = chunks.peek();
      return head == null || head == END ? 0 : head.length;
    }

    private boolean next() throws IOException {
      if (ended) {
        return end();
      }
      byte[] c;
      try {
        long timeout = readTimeoutMillis;
        if (timeout > 0) {
          c = chunks.poll(timeout, TimeUnit.MILLISECONDS);
          if (c == null) {
            throw new SocketTimeoutException("the app sent nothing for " + timeout + " ms");
          }
        } else {
          c = chunks.take();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while reading from the app");
      }
      if (c == END) {
        ended = true;
        return end();
      }
      current = c;
      pos = 0;
      return true;
    }

    private boolean end() throws IOException {
      String f = failure;
      if (f != null) {
        throw new IOException(f);
      }
      return false;
    }
  }

  private final class Out extends OutputStream {
    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      Stream s = stream;
      if (s == null) {
        throw new IOException("the pipe is not open");
      }
      s.write(b, off, len);
    }

    @Override
    public void close() {
      Stream s = stream;
      if (s != null) {
        s.close();
      }
    }
  }
}
