package dev.cms.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OutputLogTest {

  @Test
  void keepsTheLastCapacityBytesAtTheirOffsetsWhileGrowingAndWrapping() {
    Random random = new Random(7);
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    int capacity = 300_000; // grows 64 KiB → 128 KiB → 256 KiB → 300 000, then wraps
    OutputLog log = new OutputLog(capacity);
    for (int i = 0; i < 400; i++) {
      byte[] chunk = new byte[random.nextInt(i % 50 == 0 ? 70_000 : 5_000)];
      random.nextBytes(chunk);
      log.append(chunk, 0, chunk.length);
      all.writeBytes(chunk);
      byte[] expected = all.toByteArray();
      assertThat(log.endOffset()).isEqualTo(expected.length);
      assertThat(log.firstOffset()).isEqualTo(Math.max(0, expected.length - capacity));
      long from =
          log.firstOffset() + random.nextInt((int) (log.endOffset() - log.firstOffset() + 1));
      byte[] got = log.read(from, 40_000);
      int n = (int) Math.min(40_000, expected.length - from);
      byte[] want = new byte[n];
      System.arraycopy(expected, (int) from, want, 0, n);
      assertThat(got).isEqualTo(want);
    }
  }

  @Test
  void aChunkLargerThanTheCapacityKeepsItsTail() {
    OutputLog log = new OutputLog(10);
    log.append("abc".getBytes(), 0, 3);
    log.append("0123456789ABCDEF".getBytes(), 0, 16);
    assertThat(log.endOffset()).isEqualTo(19);
    assertThat(log.firstOffset()).isEqualTo(9);
    assertThat(new String(log.read(9, 100))).isEqualTo("6789ABCDEF");
    assertThatThrownBy(() -> log.read(8, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> log.read(20, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThat(log.read(19, 5)).isEmpty();
  }
}
