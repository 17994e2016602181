package dev.cms.gateway.preview.control;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import org.junit.jupiter.api.Test;

class WireTest {

  /** A channel that hands out at most {@code step} bytes per read, like a slow socket. */
  static ReadableByteChannel trickle(String text, int step) {
    ReadableByteChannel in =
        Channels.newChannel(new ByteArrayInputStream(text.getBytes(ISO_8859_1)));
    return new ReadableByteChannel() {
      @Override
      public int read(ByteBuffer dst) throws java.io.IOException {
        ByteBuffer small = ByteBuffer.allocate(Math.min(step, dst.remaining()));
        int n = in.read(small);
        small.flip();
        dst.put(small);
        return n;
      }

      @Override
      public boolean isOpen() {
        return true;
      }

      @Override
      public void close() {}
    };
  }

  @Test
  void headsAndBodiesOfKeptAliveMessagesAreCutAndPassedOnExactly() throws Exception {
    String two =
        "\r\nPOST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
            + "POST /b HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "3;x=y\r\nabc\r\n0\r\nTrailer: t\r\n\r\n"
            + "GET /c HTTP/1.1\r\nHost: h\r\n\r\n";
    for (int step : new int[] {1, 7, 4096}) {
      ReadableByteChannel in = trickle(two, step);
      ByteBuffer b = Wire.buffer();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      WritableByteChannel to = Channels.newChannel(out);

      HttpHeads.Request a = HttpHeads.request(Wire.readHead(in, b, 1024));
      assertThat(a.target()).isEqualTo("/a");
      assertThat(a.keepAlive()).isTrue();
      Wire.copy(in, b, to, 5);
      assertThat(out.toString(ISO_8859_1)).isEqualTo("hello");
      out.reset();

      HttpHeads.Request c = HttpHeads.request(Wire.readHead(in, b, 1024));
      assertThat(c.target()).isEqualTo("/b");
      assertThat(RequestHead.bodyOf(c.headers())).isEqualTo(RequestHead.Body.CHUNKED);
      Wire.copyChunked(in, b, to);
      assertThat(out.toString(ISO_8859_1)).isEqualTo("3;x=y\r\nabc\r\n0\r\nTrailer: t\r\n\r\n");

      assertThat(HttpHeads.request(Wire.readHead(in, b, 1024)).target()).isEqualTo("/c");
      assertThat(Wire.readHead(in, b, 1024)).isNull();
    }
  }

  @Test
  void oversizedHeadsAndBrokenChunksAreRefused() throws Exception {
    ByteBuffer b = Wire.buffer();
    assertThatThrownBy(
            () -> Wire.readHead(trickle("GET / HTTP/1.1\r\nX: " + "a".repeat(2000), 100), b, 1024))
        .isInstanceOf(Wire.HeadTooLarge.class);
    ByteBuffer c = Wire.buffer();
    assertThatThrownBy(
            () ->
                Wire.copyChunked(
                    trickle("zz\r\n", 10), c, Channels.newChannel(new ByteArrayOutputStream())))
        .hasMessageContaining("chunk size");
  }

  @Test
  void aPathFormLocationIsRewrittenInTheResponseHead() throws Exception {
    byte[] raw =
        "HTTP/1.1 302 Found\r\nLocation: /login\r\nContent-Length: 0\r\n\r\n".getBytes(ISO_8859_1);
    HttpHeads.Response r = HttpHeads.response(raw);
    assertThat(r.code()).isEqualTo(302);
    assertThat(new String(HttpHeads.withLocation(r, "/preview/x/3000/login"), ISO_8859_1))
        .isEqualTo(
            "HTTP/1.1 302 Found\r\nLocation: /preview/x/3000/login\r\nContent-Length: 0\r\n\r\n");
  }
}
