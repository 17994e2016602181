package dev.cms.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UploadProgressTest {

  @Test
  void tellsTheFirstBytesAtOnceThenAtMostEvery200MsAndTheTotalAtTheEnd() throws IOException {
    List<Long> told = new ArrayList<>();
    byte[] body = new byte[1 << 20];
    try (InputStream in = new UploadProgress(new ByteArrayInputStream(body), told::add)) {
      byte[] buf = new byte[8192];
      while (in.read(buf) > 0) {
        // the gateway takes the bytes
      }
      assertThat(in.read()).isEqualTo(-1);
    }
    // a fast read: the first chunk, then the whole at the end (once)
    assertThat(told).first().isEqualTo(8192L);
    assertThat(told).last().isEqualTo((long) body.length);
    assertThat(told.stream().filter(b -> b == body.length)).hasSize(1);
    assertThat(told).isSorted();
  }
}
