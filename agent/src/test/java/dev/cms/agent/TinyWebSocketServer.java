package dev.cms.agent;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Just enough of an RFC 6455 server to stand in for the gateway's agent endpoint in tests: the
 * upgrade handshake, binary and continuation frames, ping, close. Not for anything else.
 */
final class TinyWebSocketServer implements AutoCloseable {
  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  private final ServerSocket server;
  private final BlockingQueue<Peer> accepted = new LinkedBlockingQueue<>();
  private final Thread acceptor;

  TinyWebSocketServer() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try {
                  Socket s = server.accept();
                  accepted.add(new Peer(s));
                } catch (IOException e) {
                  return;
                }
              }
            },
            "tiny-ws-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  URI uri() {
    return URI.create("ws://127.0.0.1:" + server.getLocalPort() + "/ws/v1/agent");
  }

  /** The next connection that completed the upgrade, or null after the timeout. */
  Peer accept(long timeoutMillis) throws InterruptedException {
    return accepted.poll(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() throws IOException {
    server.close();
  }

  /** One upgraded connection. */
  static final class Peer implements AutoCloseable {
    final String path;
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    volatile int closeCode = -1;

    Peer(Socket socket) throws IOException {
      this.socket = socket;
      this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
      this.out = socket.getOutputStream();
      String requestLine = line();
      path = requestLine.split(" ")[1];
      String key = null;
      for (String h = line(); !h.isEmpty(); h = line()) {
        int colon = h.indexOf(':');
        if (h.substring(0, colon).trim().equalsIgnoreCase("Sec-WebSocket-Key")) {
          key = h.substring(colon + 1).trim();
        }
      }
      String accept;
      try {
        accept =
            Base64.getEncoder()
                .encodeToString(
                    MessageDigest.getInstance("SHA-1")
                        .digest((key + GUID).getBytes(StandardCharsets.US_ASCII)));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
      out.write(
          ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  + "Sec-WebSocket-Accept: "
                  + accept
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
    }

    private String line() throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      for (int c = in.read(); c != '\n'; c = in.read()) {
        if (c < 0) {
          throw new EOFException();
        }
        if (c != '\r') {
          b.write(c);
        }
      }
      return b.toString(StandardCharsets.US_ASCII);
    }

    /**
     * The next whole binary message; answers pings; null when the client closed (see {@link
     * #closeCode}) or the connection ended.
     */
    byte[] read() throws IOException {
      ByteArrayOutputStream message = new ByteArrayOutputStream();
      while (true) {
        int b0;
        try {
          b0 = in.readUnsignedByte();
        } catch (EOFException | java.net.SocketException e) {
          return null;
        }
        int b1 = in.readUnsignedByte();
        long len = b1 & 0x7f;
        if (len == 126) {
          len = in.readUnsignedShort();
        } else if (len == 127) {
          len = in.readLong();
        }
        byte[] mask = new byte[4];
        if ((b1 & 0x80) != 0) {
          in.readFully(mask);
        }
        byte[] payload = new byte[(int) len];
        in.readFully(payload);
        for (int i = 0; i < payload.length; i++) {
          payload[i] ^= mask[i % 4];
        }
        int opcode = b0 & 0x0f;
        if (opcode == 0x8) {
          closeCode = payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
          return null;
        } else if (opcode == 0x9) {
          send(0xA, payload);
        } else if (opcode == 0x2 || opcode == 0x0) {
          message.write(payload);
          if ((b0 & 0x80) != 0) {
            return message.toByteArray();
          }
        }
      }
    }

    void sendBinary(byte[] payload) throws IOException {
      send(0x2, payload);
    }

    void sendClose(int code, String reason) throws IOException {
      byte[] r = reason.getBytes(StandardCharsets.UTF_8);
      byte[] p = new byte[2 + r.length];
      p[0] = (byte) (code >> 8);
      p[1] = (byte) code;
      System.arraycopy(r, 0, p, 2, r.length);
      send(0x8, p);
    }

    private synchronized void send(int opcode, byte[] payload) throws IOException {
      ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 10);
      f.write(0x80 | opcode);
      if (payload.length < 126) {
        f.write(payload.length);
      } else if (payload.length <= 0xffff) {
        f.write(126);
        f.write(payload.length >> 8);
        f.write(payload.length);
      } else {
        f.write(127);
        for (int i = 7; i >= 0; i--) {
          f.write((int) ((long) payload.length >> (8 * i)));
        }
      }
      f.write(payload);
      out.write(f.toByteArray());
      out.flush();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
