package dev.cms.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cms.domain.data.DataLine;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DataConnectionsTest {

  @Test
  void idleConnectionsPresentTheCredentialAndPipeToTheOrderedPort() throws Exception {
    try (ServerSocket gateway = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        ServerSocket app = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      DataConnections data =
          new DataConnections(
              InetSocketAddress.createUnresolved("127.0.0.1", gateway.getLocalPort()),
              "c-abcdefghjk23",
              () -> Optional.of("A".repeat(48)));
      data.start();
      try {
        Socket d = gateway.accept();
        d.setSoTimeout(10_000);
        InputStream in = d.getInputStream();
        assertThat(DataLine.read(in)).isEqualTo("CMS-DATA/1 c-abcdefghjk23 " + "A".repeat(48));
        OutputStream out = d.getOutputStream();
        out.write(("CONNECT " + app.getLocalPort() + "\r\n").getBytes(StandardCharsets.US_ASCII));
        try (Socket a = app.accept()) {
          assertThat(DataLine.read(in)).isEqualTo("OK");
          out.write("ping".getBytes(StandardCharsets.US_ASCII));
          assertThat(new String(a.getInputStream().readNBytes(4), StandardCharsets.US_ASCII))
              .isEqualTo("ping");
          a.getOutputStream().write("pong".getBytes(StandardCharsets.US_ASCII));
          assertThat(new String(in.readNBytes(4), StandardCharsets.US_ASCII)).isEqualTo("pong");
        }
        // the app closed: the gateway's side ends too
        assertThat(in.read()).isEqualTo(-1);

        // a port nobody listens on is refused with the reason
        Socket e = gateway.accept();
        e.setSoTimeout(10_000);
        DataLine.read(e.getInputStream());
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
          closed = s.getLocalPort();
        }
        e.getOutputStream()
            .write(("CONNECT " + closed + "\r\n").getBytes(StandardCharsets.US_ASCII));
        assertThat(DataLine.read(e.getInputStream()))
            .startsWith("REFUSED not-listening: port " + closed);
        d.close();
        e.close();
      } finally {
        data.stop();
      }
    }
  }
}
