package dev.cms.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventStreamReaderTest {

  private final List<String> got = new ArrayList<>();

  private EventStreamReader read(String stream, int maxLine, String lastId) throws IOException {
    EventStreamReader r = new EventStreamReader(maxLine, lastId);
    r.read(
        new ByteArrayInputStream(stream.getBytes(StandardCharsets.UTF_8)),
        (name, data) -> got.add(name + "=" + data),
        () -> false);
    return r;
  }

  @Test
  void eventsWithTheirNamesDataAndTheLastIdSkippingHeartbeats() throws IOException {
    // given the gateway's own stream: a hello without id, a comment, two events (CRLF in one)
    String stream =
        "event: hello\ndata: {\"replay\":false}\nretry: 3000\n\n"
            + ": keep-alive\n\n"
            + "id: 7\nevent: container\ndata: {\"status\":\"STOPPED\"}\n\n"
            + "id: 8\r\nevent: port\r\ndata: {\"port\":3000,\r\ndata: \"open\":true}\r\n\r\n";
    // when
    EventStreamReader r = read(stream, 1024, null);
    // then
    assertThat(got)
        .containsExactly(
            "hello={\"replay\":false}",
            "container={\"status\":\"STOPPED\"}",
            "port={\"port\":3000,\n\"open\":true}");
    assertThat(r.lastEventId()).isEqualTo("8");
  }

  @Test
  void anUnfinishedEventIsNotDeliveredAndTheEarlierIdIsKept() throws IOException {
    EventStreamReader r = read("id: 9\nevent: process\ndata: {}", 1024, "4");
    assertThat(got).isEmpty();
    assertThat(r.lastEventId()).isEqualTo("4");
  }

  @Test
  void aLineOrAnEventOverTheBoundFailsTheStream() {
    assertThatThrownBy(() -> read("data: " + "x".repeat(100) + "\n\n", 64, null))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("a line of more than 64 bytes");
    assertThatThrownBy(() -> read(("data: " + "x".repeat(40) + "\n").repeat(3) + "\n", 64, null))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("an event of more than 64 bytes");
  }
}
