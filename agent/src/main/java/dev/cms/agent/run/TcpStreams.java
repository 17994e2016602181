package dev.cms.agent.run;

import dev.cms.domain.files.ParamException;
import dev.cms.domain.kinds.KindParams;
import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.Frame;
import dev.cms.domain.protocol.FrameCodec;
import dev.cms.domain.protocol.Stream;
import dev.cms.domain.protocol.StreamHandler;
import dev.cms.domain.protocol.StreamRefusedException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Stream kind {@code tcp}, opened by the gateway: a byte pipe to a TCP port inside the container
 * (the HTTP preview proxy and WebSocket pass-through ride on it).
 *
 * <p>OPEN params: {@code port} (required, decimal 1..65535) and {@code host} (optional, default
 * {@code 127.0.0.1}; only loopback: {@code 127.0.0.0/8}, {@code ::1} or {@code localhost}). The
 * agent connects (timeout {@value #CONNECT_TIMEOUT_MS} ms) before answering: OPEN_FAIL(REFUSED,
 * {@code "bad-port: …"} / {@code "bad-host: …"} / {@code "not-listening: port N"} / {@code
 * "connect-failed: …"} / {@code "too-many: …"}), else OPEN_OK and bytes flow both ways.
 *
 * <p>Socket → stream: a worker thread reads (up to {@link FrameCodec#MAX_DATA} at a time) and
 * writes to the stream, blocking on its window; the socket's EOF becomes the stream's CLOSE. Stream
 * → socket: DATA goes to a per-stream serial queue that writes it to the socket and only then
 * credits the window, so at most one window is buffered; the gateway's CLOSE becomes {@code
 * shutdownOutput()} after the pending bytes. A socket error resets the stream ({@code CANCELLED},
 * reason {@code "socket: …"}); the gateway's RESET (or the link's loss) closes the socket. The
 * socket is closed once both directions ended.
 */
public final class TcpStreams {
  public static final int CONNECT_TIMEOUT_MS = 2000;
  public static final int MAX_STREAMS = 512;

  private static final Logger LOG = Logger.getLogger(TcpStreams.class.getName());
  private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("\\[?[0-9A-Fa-f:.]+\\]?");

  private final Executor workers;
  private final AtomicInteger open = new AtomicInteger();

  public TcpStreams(Executor workers) {
    this.workers = workers;
  }

  /** The relays running now. */
  public int openCount() {
    return open.get();
  }

  /**
   * Decides on an OPEN of kind {@code tcp}: connects (on the caller's thread, the link's receiving
   * thread; a loopback connect answers at once, at worst after the timeout).
   */
  public StreamHandler accept(Frame.Open o) throws StreamRefusedException {
    KindParams.Tcp p;
    try {
      p = KindParams.Tcp.of(o.params());
    } catch (ParamException e) {
      throw refusal(e);
    }
    int port = p.port();
    InetAddress host = host(p.host());
    if (open.incrementAndGet() > MAX_STREAMS) {
      open.decrementAndGet();
      throw refused("too-many: at most " + MAX_STREAMS + " tcp streams at once");
    }
    Socket socket = new Socket();
    try {
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
    } catch (ConnectException e) {
      fail(socket);
      throw refused("not-listening: port " + port);
    } catch (SocketTimeoutException e) {
      fail(socket);
      throw refused("not-listening: port " + port + " (connect timed out)");
    } catch (IOException | RuntimeException e) {
      fail(socket);
      throw refused("connect-failed: port " + port + ": " + e.getMessage());
    }
    return new Relay(socket, port);
  }

  private void fail(Socket socket) {
    open.decrementAndGet();
    closeQuietly(socket);
  }

  /** The loopback address named by {@code raw}; never a name lookup. */
  static InetAddress host(String raw) throws StreamRefusedException {
    if (raw == null || raw.equals("localhost")) {
      return literal("127.0.0.1");
    }
    InetAddress a = null;
    if (IPV4.matcher(raw).matches() || (raw.indexOf(':') >= 0 && IPV6.matcher(raw).matches())) {
      try {
        a = InetAddress.getByName(raw); // a literal: no lookup
      } catch (UnknownHostException e) {
        a = null;
      }
    }
    if (a == null || !a.isLoopbackAddress()) {
      throw refused("bad-host: " + raw + " (only loopback addresses)");
    }
    return a;
  }

  private static InetAddress literal(String ip) throws StreamRefusedException {
    try {
      return InetAddress.getByName(ip);
    } catch (UnknownHostException e) {
      throw refused("bad-host: " + ip);
    }
  }

  /** Refuses an OPEN whose parameters break the contract, naming why. */
  public static StreamRefusedException refusal(ParamException e) {
    return new StreamRefusedException(ErrorCode.REFUSED, e.getMessage());
  }

  private static StreamRefusedException refused(String message) {
    return new StreamRefusedException(ErrorCode.REFUSED, message);
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  /** One stream and its socket. */
  private final class Relay implements StreamHandler {
    private final Socket socket;
    private final int port;
    private final Serial toSocket;
    private volatile Stream stream;

    // guarded by this
    private boolean readDone; // socket EOF sent as CLOSE, or failed
    private boolean writeDone; // gateway CLOSE applied as shutdownOutput, or failed
    private boolean released;

    Relay(Socket socket, int port) {
      this.socket = socket;
      this.port = port;
      this.toSocket = new Serial(workers);
    }

    @Override
    public void onOpen(Stream s) {
      stream = s;
      try {
        workers.execute(() -> pump(s));
      } catch (RuntimeException e) {
        abort(s, ErrorCode.INTERNAL, "agent stopping");
      }
    }

    /** Socket → stream, until EOF or failure. */
    private void pump(Stream s) {
      byte[] buf = new byte[FrameCodec.MAX_DATA];
      try {
        InputStream in = socket.getInputStream();
        int n;
        while ((n = in.read(buf)) >= 0) {
          if (n > 0) {
            s.write(buf, 0, n);
          }
        }
        s.close();
        ended(true);
      } catch (IOException e) {
        if (s.isOpen() && !released()) {
          LOG.log(Level.FINE, "{0} (port {1}): {2}", new Object[] {s, port, e.toString()});
          abort(s, ErrorCode.CANCELLED, "socket: " + e.getMessage());
        } else {
          release(); // the stream ended: reset by the gateway, or the link went
        }
      } catch (RuntimeException | Error e) { // this stream fails, the agent stays
        LOG.log(Level.WARNING, s + " (port " + port + ") failed", e);
        abort(s, ErrorCode.INTERNAL, "agent failed: " + e);
      }
    }

    @Override
    public void onData(Stream s, byte[] data) {
      toSocket.execute(
          () -> {
            if (released()) {
              return;
            }
            try {
              OutputStream out = socket.getOutputStream();
              out.write(data);
              out.flush();
              s.credit(data.length);
            } catch (IOException e) {
              if (!released()) {
                LOG.log(Level.FINE, "{0} (port {1}): {2}", new Object[] {s, port, e.toString()});
                abort(s, ErrorCode.CANCELLED, "socket: " + e.getMessage());
              }
            }
          });
    }

    @Override
    public void onClose(Stream s) {
      toSocket.execute(
          () -> {
            if (released()) {
              return;
            }
            try {
              socket.shutdownOutput();
            } catch (IOException e) {
              LOG.log(Level.FINE, "{0}: shutdownOutput: {1}", new Object[] {s, e.toString()});
            }
            ended(false);
          });
    }

    @Override
    public void onReset(Stream s, int code, String reason) {
      release();
    }

    @Override
    public boolean autoCredit() {
      return false;
    }

    private void ended(boolean read) {
      boolean both;
      synchronized (this) {
        if (read) {
          readDone = true;
        } else {
          writeDone = true;
        }
        both = readDone && writeDone;
      }
      if (both) {
        release();
      }
    }

    private void abort(Stream s, int code, String reason) {
      s.reset(code, reason);
      release();
    }

    private synchronized boolean released() {
      return released;
    }

    /** Closes the socket once. */
    private void release() {
      synchronized (this) {
        if (released) {
          return;
        }
        released = true;
      }
      closeQuietly(socket);
      open.decrementAndGet();
    }
  }
}
