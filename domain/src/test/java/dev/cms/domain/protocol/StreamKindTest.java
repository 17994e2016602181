package dev.cms.domain.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class StreamKindTest {

  @Test
  void theWireNamesArePinned() {
    assertThat(Arrays.stream(StreamKind.values()).map(StreamKind::wire))
        .containsExactly(
            "echo",
            "terminal",
            "processes",
            "ports",
            "exec",
            "env",
            "tcp",
            "file-write",
            "archive-extract",
            "file-read",
            "archive-create",
            "file-list",
            "file-stat",
            "file-delete",
            "file-move",
            "file-mkdir",
            "file-watch");
  }

  @Test
  void aWireNameMapsBackToItsKindAndAnythingElseToNothing() {
    for (StreamKind k : StreamKind.values()) {
      assertThat(StreamKind.of(k.wire())).contains(k);
    }
    assertThat(StreamKind.of("FILE_WRITE")).isEmpty();
    assertThat(StreamKind.of("x")).isEmpty();
    assertThat(StreamKind.of(null)).isEmpty();
  }
}
