package dev.cms.domain.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DataLineTest {

  @Test
  void linesRoundTripAndTheCredentialStaysOutOfToString() {
    var hello = new DataLine.Hello("c-abcdefghjk23", "A".repeat(48));
    String line = new String(hello.bytes(), StandardCharsets.US_ASCII);
    assertThat(line).isEqualTo("CMS-DATA/1 c-abcdefghjk23 " + "A".repeat(48) + "\r\n");
    assertThat(DataLine.Hello.parse(line.strip())).contains(hello);
    assertThat(hello.toString()).doesNotContain("AAAA");
    assertThat(DataLine.Connect.parse("CONNECT 3000")).contains(new DataLine.Connect(3000));
    assertThat(DataLine.Answer.parse("OK")).contains(DataLine.Answer.OK);
    assertThat(DataLine.Answer.parse("REFUSED not-listening: port 3000"))
        .hasValueSatisfying(a -> assertThat(a.notListening()).isTrue());
  }

  @Test
  void malformedLinesAreRefused() {
    assertThat(DataLine.Hello.parse("GET / HTTP/1.1")).isEmpty();
    assertThat(DataLine.Hello.parse("CMS-DATA/1 c-abcdefghjk23 short")).isEmpty();
    assertThat(DataLine.Hello.parse("CMS-DATA/1 ../etc " + "A".repeat(48))).isEmpty();
    assertThat(DataLine.Connect.parse("CONNECT 0")).isEmpty();
    assertThat(DataLine.Connect.parse("CONNECT 70000")).isEmpty();
    assertThat(DataLine.Connect.parse("CONNECT 80 extra")).isEmpty();
    assertThat(DataLine.Answer.parse("REFUSED ")).isEmpty();
    assertThat(DataLine.Answer.refused("bad\r\nline").reason()).isEqualTo("bad??line");
  }

  @Test
  void lineEndFindsTheFirstCrlf() {
    byte[] b = "OK\r\nrest".getBytes(StandardCharsets.US_ASCII);
    assertThat(DataLine.lineEnd(b, 0, b.length)).isEqualTo(4);
    assertThat(DataLine.text(b, 0, 4)).isEqualTo("OK");
    assertThat(DataLine.lineEnd(b, 0, 3)).isEqualTo(-1);
  }
}
