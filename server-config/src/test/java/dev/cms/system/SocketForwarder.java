package dev.cms.system;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A Unix socket at {@code listen} that forwards every connection to {@code target}: lets a test
 * make the Docker engine appear at a path the gateway was told to use, as if the engine came up.
 */
final class SocketForwarder implements AutoCloseable {

  private final Path listen;
  private final ServerSocketChannel server;
  private final List<SocketChannel> open = new CopyOnWriteArrayList<>();

  private SocketForwarder(Path listen, Path target) throws IOException {
    this.listen = listen;
    Files.deleteIfExists(listen);
    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(listen));
    Thread acceptor =
        new Thread(
            () -> {
              while (server.isOpen()) {
                try {
                  SocketChannel in = server.accept();
                  SocketChannel out = SocketChannel.open(UnixDomainSocketAddress.of(target));
                  open.add(in);
                  open.add(out);
                  pump(in, out);
                  pump(out, in);
                } catch (IOException e) {
                  return; // closed
                }
              }
            },
            "forwarder-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  static SocketForwarder start(Path listen, Path target) throws IOException {
    return new SocketForwarder(listen, target);
  }

  private static void pump(SocketChannel from, SocketChannel to) {
    Thread t =
        new Thread(
            () -> {
              ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
              try {
                while (from.read(buf) >= 0) {
                  buf.flip();
                  while (buf.hasRemaining()) {
                    to.write(buf);
                  }
                  buf.clear();
                }
                to.shutdownOutput();
              } catch (IOException e) {
                try {
                  from.close();
                  to.close();
                } catch (IOException ignored) {
                  // both ends are going away
                }
              }
            },
            "forwarder-pump");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (SocketChannel c : open) {
      c.close();
    }
    Files.deleteIfExists(listen);
  }
}
