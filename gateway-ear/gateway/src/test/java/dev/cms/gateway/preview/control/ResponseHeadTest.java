package dev.cms.gateway.preview.control;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cms.gateway.preview.control.ResponseHead.Framing;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ResponseHeadTest {

  /** Hands out at most a few bytes per read, at boundaries drawn from a seed. */
  static final class Dribble extends InputStream {
    private final byte[] data;
    private final Random random;
    private final int max;
    private int pos;

    Dribble(byte[] data, long seed, int max) {
      this.data = data;
      this.random = new Random(seed);
      this.max = max;
    }

    @Override
    public int read() {
      return pos < data.length ? data[pos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (pos >= data.length) {
        return -1;
      }
      int n = Math.min(Math.min(len, 1 + random.nextInt(max)), data.length - pos);
      System.arraycopy(data, pos, b, off, n);
      pos += n;
      return n;
    }
  }

  static HttpInput in(String s) {
    return new HttpInput(new ByteArrayInputStream(s.getBytes(ISO_8859_1)));
  }

  static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[7];
    for (int n; (n = in.read(buf)) >= 0; ) {
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }

  @Test
  void parsesStatusLineAndHeadersKeepingRepeatsAndOrder() throws IOException {
    HttpInput in =
        in(
            "HTTP/1.1 302 Found\r\nLocation: /login\r\nSet-Cookie: a=1; Path=/\r\n"
                + "set-cookie: b=2\r\nX-Empty:\r\nContent-Length:  0 \r\n\r\nREST");
    ResponseHead h = ResponseHead.read(in);
    assertThat(h.version()).isEqualTo("HTTP/1.1");
    assertThat(h.status()).isEqualTo(302);
    assertThat(h.reason()).isEqualTo("Found");
    assertThat(h.values("Set-Cookie")).containsExactly("a=1; Path=/", "b=2");
    assertThat(h.first("x-empty")).isEmpty();
    assertThat(h.contentLength()).isZero();
    assertThat(h.framing("GET")).isEqualTo(Framing.LENGTH);
    assertThat(new String(readAll(in), ISO_8859_1)).isEqualTo("REST");
  }

  @Test
  void acceptsBareLfHttp10NoReasonAndFolding() throws IOException {
    ResponseHead h = ResponseHead.read(in("HTTP/1.0 200\nX-A: one\n  two\n\n"));
    assertThat(h.version()).isEqualTo("HTTP/1.0");
    assertThat(h.status()).isEqualTo(200);
    assertThat(h.reason()).isEmpty();
    assertThat(h.first("X-A")).isEqualTo("one two");
    assertThat(h.framing("GET")).isEqualTo(Framing.EOF);
  }

  @Test
  void rejectsMalformedHeads() {
    for (String bad :
        new String[] {
          "",
          "SSH-2.0-OpenSSH\r\n\r\n",
          "HTTP/1.1 2x0 OK\r\n\r\n",
          "HTTP/1.1 2000 OK\r\n\r\n",
          "HTTP/1.1 099 Low\r\n\r\n",
          "HTTP/1.1 200 OK\r\nNoColon\r\n\r\n",
          "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n",
          "HTTP/1.1 200 OK\r\n folded-first\r\n\r\n",
          "HTTP/1.1 200 OK\r\nX: y\r\n",
          "HTTP/1.1 200 OK\r\nX: " + "y".repeat(20_000) + "\r\n\r\n",
          "HTTP/1.1 200 OK\r\n" + "X: yyyyyyyyyyyyyyyyyyy\r\n".repeat(4000) + "\r\n"
        }) {
      assertThatThrownBy(() -> ResponseHead.read(in(bad)))
          .as(bad.length() > 40 ? bad.substring(0, 40) : bad)
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void skipsInterimResponsesButNot101() throws IOException {
    HttpInput in =
        in(
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                + "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok");
    ResponseHead h = ResponseHead.readFinal(in);
    assertThat(h.status()).isEqualTo(201);
    assertThat(readAll(h.body(in, "POST"))).isEqualTo("ok".getBytes(ISO_8859_1));
    assertThat(ResponseHead.readFinal(in("HTTP/1.1 101 Switching Protocols\r\n\r\n")).status())
        .isEqualTo(101);
  }

  @Test
  void framingRules() throws IOException {
    assertThat(head("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n").framing("HEAD"))
        .isEqualTo(Framing.NONE);
    assertThat(head("HTTP/1.1 204 No Content\r\n\r\n").framing("GET")).isEqualTo(Framing.NONE);
    assertThat(head("HTTP/1.1 304 Not Modified\r\n\r\n").framing("GET")).isEqualTo(Framing.NONE);
    assertThat(
            head("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\nContent-Length: 5\r\n\r\n")
                .framing("GET"))
        .isEqualTo(Framing.CHUNKED);
    assertThat(head("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n").framing("GET"))
        .isEqualTo(Framing.EOF);
    assertThat(head("HTTP/1.1 200 OK\r\nContent-Length: 7, 7\r\n\r\n").contentLength())
        .isEqualTo(7);
    assertThatThrownBy(
            () ->
                head("HTTP/1.1 200 OK\r\nContent-Length: 7\r\nContent-Length: 8\r\n\r\n")
                    .contentLength())
        .isInstanceOf(IOException.class);
    assertThatThrownBy(() -> head("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n").contentLength())
        .isInstanceOf(IOException.class);
    assertThatThrownBy(() -> head("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n").framing("GET"))
        .isInstanceOf(IOException.class);
  }

  @Test
  void chunkedBodyAcrossArbitraryBoundaries() throws IOException {
    Random r = new Random(42);
    byte[] payload = new byte[200_000];
    r.nextBytes(payload);
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    wire.writeBytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".getBytes(ISO_8859_1));
    int pos = 0;
    boolean ext = false;
    while (pos < payload.length) {
      int n = Math.min(payload.length - pos, 1 + r.nextInt(40_000));
      String size = Integer.toHexString(n);
      wire.writeBytes(
          ((ext ? size.toUpperCase() + ";name=value" : size) + "\r\n").getBytes(ISO_8859_1));
      wire.write(payload, pos, n);
      wire.writeBytes("\r\n".getBytes(ISO_8859_1));
      pos += n;
      ext = !ext;
    }
    wire.writeBytes("0\r\nX-Trailer: t\r\n\r\nNEXT".getBytes(ISO_8859_1));
    for (long seed = 0; seed < 20; seed++) {
      HttpInput in = new HttpInput(new Dribble(wire.toByteArray(), seed, seed < 10 ? 3 : 5000), 64);
      ResponseHead h = ResponseHead.read(in);
      InputStream body = h.body(in, "GET");
      assertThat(readAll(body)).isEqualTo(payload);
      assertThat(body.read()).isEqualTo(-1);
      assertThat(new String(readAll(in), ISO_8859_1)).isEqualTo("NEXT");
    }
  }

  @Test
  void chunkedBodyCutShortOrMalformedFails() throws IOException {
    String head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (String bad :
        new String[] {
          "5\r\nabc",
          "5\r\nabcde",
          "5\r\nabcde\r\n",
          "zz\r\nabc\r\n",
          "5\r\nabcdefg\r\n0\r\n\r\n",
          "0\r\nX: y\r\n",
          ""
        }) {
      HttpInput in = in(head + bad);
      InputStream body = ResponseHead.read(in).body(in, "GET");
      assertThatThrownBy(() -> readAll(body)).as(bad).isInstanceOf(IOException.class);
    }
  }

  @Test
  void contentLengthBodyStopsAtLengthAndFailsWhenShort() throws IOException {
    HttpInput in = in("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloEXTRA");
    InputStream body = ResponseHead.read(in).body(in, "GET");
    assertThat(new String(readAll(body), ISO_8859_1)).isEqualTo("hello");
    HttpInput shortIn = in("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello");
    InputStream shortBody = ResponseHead.read(shortIn).body(shortIn, "GET");
    assertThatThrownBy(() -> readAll(shortBody)).isInstanceOf(EOFException.class);
  }

  @Test
  void bodyWithoutFramingRunsToEof() throws IOException {
    byte[] payload = new byte[100_000];
    new Random(1).nextBytes(payload);
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    wire.writeBytes("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".getBytes(ISO_8859_1));
    wire.writeBytes(payload);
    HttpInput in = new HttpInput(new Dribble(wire.toByteArray(), 3, 999), 128);
    InputStream body = ResponseHead.read(in).body(in, "GET");
    assertThat(readAll(body)).isEqualTo(payload);
  }

  @Test
  void headAndNoContentHaveNoBody() throws IOException {
    HttpInput in = in("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
    assertThat(readAll(ResponseHead.read(in).body(in, "HEAD"))).isEmpty();
  }

  private static ResponseHead head(String s) throws IOException {
    return ResponseHead.read(in(s));
  }
}
