package dev.cms.gateway.preview.control;

import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.Mux;
import dev.cms.domain.protocol.ProtocolException;
import dev.cms.domain.protocol.Stream;
import dev.cms.domain.protocol.StreamHandler;
import dev.cms.domain.protocol.StreamRefusedException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A gateway {@link Mux} joined in memory to an agent {@link Mux} that implements the {@code tcp}
 * stream contract (connect to 127.0.0.1:port, raw bytes both ways, CLOSE = shutdownOutput, refusal
 * {@code not-listening: …}), with flow control on both sides.
 */
final class FakeAgent implements AutoCloseable {
  final Mux gateway;
  final Mux agent;
  final List<RuntimeException> errors = new CopyOnWriteArrayList<>();
  private final Pipe toAgent = new Pipe("to-agent");
  private final Pipe toGateway = new Pipe("to-gateway");

  FakeAgent(int window) {
    gateway =
        new Mux(
            toAgent::put,
            true,
            window,
            open -> {
              throw new StreamRefusedException(ErrorCode.UNKNOWN_KIND, "no");
            });
    agent = new Mux(toGateway::put, false, window, FakeAgent::accept);
    toAgent.start(agent);
    toGateway.start(gateway);
  }

  private static StreamHandler accept(dev.cms.domain.protocol.Frame.Open open)
      throws StreamRefusedException {
    if (!open.kind().equals("tcp")) {
      throw new StreamRefusedException(ErrorCode.UNKNOWN_KIND, "unknown stream kind");
    }
    int port = Integer.parseInt(open.params().get("port"));
    Socket socket = new Socket();
    try {
      String host = open.params().getOrDefault("host", "127.0.0.1");
      socket.connect(new InetSocketAddress(host, port), 2000);
    } catch (IOException e) {
      throw new StreamRefusedException(
          ErrorCode.REFUSED, "not-listening: nothing listens on port " + port);
    }
    return new TcpHandler(socket);
  }

  /** The agent's side of one tcp stream. */
  static final class TcpHandler implements StreamHandler {
    private static final byte[] END = new byte[0];
    private final Socket socket;
    private final LinkedBlockingQueue<byte[]> toApp = new LinkedBlockingQueue<>();

    TcpHandler(Socket socket) {
      this.socket = socket;
    }

    @Override
    public boolean autoCredit() {
      return false;
    }

    @Override
    public void onOpen(Stream s) {
      Thread reader =
          new Thread(
              () -> {
                byte[] buf = new byte[16 * 1024];
                try (InputStream in = socket.getInputStream()) {
                  for (int n; (n = in.read(buf)) >= 0; ) {
                    s.write(buf, 0, n);
                  }
                  s.close();
                } catch (IOException e) {
                  s.reset(ErrorCode.CANCELLED, "socket: " + e.getMessage());
                }
              },
              "agent-tcp-read");
      Thread writer =
          new Thread(
              () -> {
                try {
                  OutputStream out = socket.getOutputStream();
                  for (byte[] c; (c = toApp.take()) != END; ) {
                    out.write(c);
                    s.credit(c.length);
                  }
                  socket.shutdownOutput();
                } catch (IOException | InterruptedException e) {
                  s.reset(ErrorCode.CANCELLED, "socket: " + e.getMessage());
                }
              },
              "agent-tcp-write");
      reader.setDaemon(true);
      writer.setDaemon(true);
      reader.start();
      writer.start();
    }

    @Override
    public void onData(Stream s, byte[] data) {
      toApp.add(data);
    }

    @Override
    public void onClose(Stream s) {
      toApp.add(END);
    }

    @Override
    public void onReset(Stream s, int code, String reason) {
      try {
        socket.close();
      } catch (IOException e) {
        // closing anyway
      }
      toApp.add(END);
    }
  }

  @Override
  public void close() {
    gateway.closeAll("test over");
    agent.closeAll("test over");
    toAgent.thread.interrupt();
    toGateway.thread.interrupt();
  }

  private final class Pipe {
    private final LinkedBlockingQueue<ByteBuffer> queue = new LinkedBlockingQueue<>();
    private final String name;
    private Thread thread;

    Pipe(String name) {
      this.name = name;
    }

    void put(ByteBuffer frame) {
      queue.add(frame);
    }

    void start(Mux target) {
      thread =
          new Thread(
              () -> {
                try {
                  while (true) {
                    ByteBuffer frame = queue.take();
                    try {
                      target.receive(frame);
                    } catch (RuntimeException e) {
                      errors.add(e);
                      int code = e instanceof ProtocolException p ? p.code() : ErrorCode.INTERNAL;
                      target.goAway(code, String.valueOf(e.getMessage()));
                    }
                  }
                } catch (InterruptedException e) {
                  // link closed
                }
              },
              name);
      thread.setDaemon(true);
      thread.start();
    }
  }
}
