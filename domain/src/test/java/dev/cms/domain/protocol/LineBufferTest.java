package dev.cms.domain.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LineBufferTest {

  @Test
  void splitsLinesWhateverTheChunkingAndKeepsCharactersWhole() {
    LineBuffer lines = new LineBuffer("test", 64);
    byte[] text = "snapshot 1 2\nüber\nrest".getBytes(StandardCharsets.UTF_8);
    // split inside the two bytes of 'ü'
    int cut = "snapshot 1 2\n".length() + 1;
    assertThat(lines.feed(java.util.Arrays.copyOfRange(text, 0, cut)))
        .containsExactly("snapshot 1 2");
    assertThat(lines.feed(java.util.Arrays.copyOfRange(text, cut, text.length)))
        .containsExactly("über");
    assertThat(lines.pendingBytes()).isEqualTo(4);
    assertThat(lines.feed("\n".getBytes(StandardCharsets.UTF_8))).containsExactly("rest");
    assertThat(lines.pendingBytes()).isZero();
  }

  @Test
  void anEndlessLineIsRefusedOnceItExceedsTheBoundAndHoldsNoMore() {
    LineBuffer lines = new LineBuffer("ports", 1000);
    byte[] chunk = new byte[300];
    java.util.Arrays.fill(chunk, (byte) 'x');
    lines.feed(chunk);
    lines.feed(chunk);
    lines.feed(chunk);
    assertThat(lines.pendingBytes()).isEqualTo(900);
    assertThatThrownBy(() -> lines.feed(chunk))
        .isInstanceOf(ProtocolException.class)
        .hasMessage("a ports line longer than 1000 bytes");
    assertThat(lines.pendingBytes()).isZero();
  }

  @Test
  void aCompleteLineOverTheBoundIsRefusedToo() {
    LineBuffer lines = new LineBuffer("verdict", 10);
    assertThatThrownBy(() -> lines.feed("0123456789A\n".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(ProtocolException.class);
    assertThat(lines.feed("0123456789\n".getBytes(StandardCharsets.UTF_8)))
        .containsExactly("0123456789");
  }
}
