package dev.cms.domain.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cms.domain.protocol.ProtocolException;
import dev.cms.domain.testing.Samples;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pins the {@code processes} stream's messages: golden samples under {@code samples/v1/processes/}
 * round-trip byte for byte, and the gateway's {@link ProcessWire.Follower} refuses what breaks the
 * order or the bounds.
 */
class ProcessWireTest {

  static final Instant STARTED = Instant.parse("2026-01-02T03:04:05.678Z");
  static final Instant ENDED = Instant.parse("2026-01-02T03:05:00Z");
  static final ProcessReport RUNNING =
      ProcessReport.running("p-4k2m9x1a", "npm start", "/app", 3000, STARTED);
  static final ProcessReport EXITED =
      ProcessReport.exited("p-7q", "exit 3", "/app/é", null, STARTED, ENDED, 3);

  static final Map<String, ProcessWire.Message> SAMPLES = new LinkedHashMap<>();

  static {
    SAMPLES.put("snapshot", new ProcessWire.Snapshot(2));
    SAMPLES.put("report-running", new ProcessWire.Report(RUNNING));
    SAMPLES.put("report-exited", new ProcessWire.Report(EXITED));
    SAMPLES.put("forgotten", new ProcessWire.Forgotten("p-7q"));
  }

  static Stream<Arguments> samples() {
    return SAMPLES.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  static byte[] sample(String name) {
    return Samples.hex("processes/" + name);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void sampleDecodesToTheRecordAndEncodesBackToTheSameBytes(
      String name, ProcessWire.Message expected) {
    byte[] bytes = sample(name);
    assertThat(ProcessWire.decode(bytes)).isEqualTo(expected);
    assertThat(HexFormat.of().formatHex(ProcessWire.encode(expected)))
        .isEqualTo(HexFormat.of().formatHex(bytes));
    assertThat(ProcessWireTest.class.getResource("/samples/v1/processes/" + name + ".txt"))
        .as(name + ".txt")
        .isNotNull();
  }

  @Test
  void truncatedAndTrailingBytesAreRejected() {
    for (String name : SAMPLES.keySet()) {
      byte[] bytes = sample(name);
      byte[] shorter = Arrays.copyOf(bytes, bytes.length - 1);
      ByteBuffer.wrap(shorter).putInt(0, shorter.length - 4);
      assertThatThrownBy(() -> ProcessWire.decode(shorter))
          .as(name)
          .isInstanceOf(ProtocolException.class);
      byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
      ByteBuffer.wrap(longer).putInt(0, longer.length - 4);
      assertThatThrownBy(() -> ProcessWire.decode(longer))
          .as(name)
          .isInstanceOf(ProtocolException.class)
          .hasMessageContaining("trailing");
    }
  }

  @Test
  void anOverlongMessageIsRejectedBeforeItIsBuffered() {
    byte[] header =
        ByteBuffer.allocate(5).putInt(ProcessWire.MAX_MESSAGE + 1).put((byte) 2).array();
    assertThatThrownBy(() -> new ProcessWire.Decoder().feed(header))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("length");
  }

  @Test
  void reportsAreCheckedField_by_field() {
    assertThatThrownBy(() -> ProcessReport.running("bad id!", "x", "/app", null, STARTED))
        .isInstanceOf(ProtocolException.class);
    assertThatThrownBy(() -> ProcessReport.running("p-1", " ", "/app", null, STARTED))
        .isInstanceOf(ProtocolException.class);
    assertThatThrownBy(() -> ProcessReport.running("p-1", "x", "app", null, STARTED))
        .isInstanceOf(ProtocolException.class);
    assertThatThrownBy(() -> ProcessReport.running("p-1", "x", "/app", 70000, STARTED))
        .isInstanceOf(ProtocolException.class);
    assertThatThrownBy(
            () ->
                new ProcessReport(
                    "p-1", "x", "/app", null, STARTED, null, ProcessState.EXITED, null))
        .isInstanceOf(ProtocolException.class);
    assertThatThrownBy(
            () ->
                ProcessReport.running(
                    "p-1", "x".repeat(ProcessWire.MAX_COMMAND + 1), "/", null, STARTED))
        .isInstanceOf(ProtocolException.class);
  }

  @Test
  void aLongCommandIsShortenedOnACharacterBoundaryToFit() {
    String fitted = ProcessReport.fitCommand("é".repeat(ProcessWire.MAX_COMMAND));
    assertThat(fitted).endsWith("…");
    assertThat(fitted.getBytes(StandardCharsets.UTF_8).length)
        .isLessThanOrEqualTo(ProcessWire.MAX_COMMAND);
    assertThat(ProcessReport.running("p-1", fitted, "/", null, STARTED).command())
        .isEqualTo(fitted);
    assertThat(ProcessReport.fitCommand("npm start")).isEqualTo("npm start");
  }

  // --- the follower ------------------------------------------------------------------------------

  @Test
  void theFollowerTellsTheSnapshotThenChangesWhateverTheChunking() {
    byte[] all =
        concat(
            new ProcessWire.Snapshot(2),
            new ProcessWire.Report(RUNNING),
            new ProcessWire.Report(EXITED),
            new ProcessWire.Report(
                ProcessReport.exited("p-4k2m9x1a", "npm start", "/app", 3000, STARTED, ENDED, 143)),
            new ProcessWire.Forgotten("p-7q"));
    ProcessWire.Follower f = new ProcessWire.Follower();
    List<ProcessWire.Follower.Event> events = new java.util.ArrayList<>();
    for (byte b : all) {
      events.addAll(f.feed(new byte[] {b}));
    }
    assertThat(events)
        .containsExactly(
            new ProcessWire.Follower.Synced(List.of(RUNNING, EXITED)),
            new ProcessWire.Follower.Changed(
                ProcessReport.exited("p-4k2m9x1a", "npm start", "/app", 3000, STARTED, ENDED, 143)),
            new ProcessWire.Follower.Dropped("p-7q"));
  }

  @Test
  void anEmptySnapshotIsSyncedAtOnce() {
    assertThat(new ProcessWire.Follower().feed(ProcessWire.encode(new ProcessWire.Snapshot(0))))
        .containsExactly(new ProcessWire.Follower.Synced(List.of()));
  }

  @Test
  void theFollowerRefusesWhatBreaksTheOrder() {
    assertThatThrownBy(
            () -> new ProcessWire.Follower().feed(concat(new ProcessWire.Report(RUNNING))))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("start with a snapshot");
    assertThatThrownBy(
            () ->
                new ProcessWire.Follower()
                    .feed(concat(new ProcessWire.Snapshot(0), new ProcessWire.Snapshot(0))))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("second snapshot");
    assertThatThrownBy(
            () ->
                new ProcessWire.Follower()
                    .feed(
                        concat(
                            new ProcessWire.Snapshot(2),
                            new ProcessWire.Report(RUNNING),
                            new ProcessWire.Report(RUNNING))))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("twice");
    assertThatThrownBy(
            () ->
                new ProcessWire.Follower()
                    .feed(concat(new ProcessWire.Snapshot(1), new ProcessWire.Forgotten("p-1"))))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("incomplete");
    byte[] tooMany = ByteBuffer.allocate(7).putInt(3).put((byte) 1).putShort((short) 257).array();
    assertThatThrownBy(() -> new ProcessWire.Follower().feed(tooMany))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("at most 256");
  }

  @Test
  void theFollowerRefusesMoreLiveProcessesThanTheBound() {
    ProcessWire.Follower f = new ProcessWire.Follower();
    f.feed(ProcessWire.encode(new ProcessWire.Snapshot(0)));
    for (int i = 0; i < ProcessWire.MAX_PROCESSES; i++) {
      f.feed(report("p-" + i));
      if (i % 2 == 0) {
        f.feed(ProcessWire.encode(new ProcessWire.Forgotten("p-" + i))); // room again
        f.feed(report("p-" + i));
      }
    }
    assertThatThrownBy(() -> f.feed(report("p-one-more")))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("more than 256");
  }

  private static byte[] report(String id) {
    return ProcessWire.encode(
        new ProcessWire.Report(ProcessReport.running(id, "sleep 1", "/app", null, STARTED)));
  }

  private static byte[] concat(ProcessWire.Message... messages) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (ProcessWire.Message m : messages) {
      out.writeBytes(ProcessWire.encode(m));
    }
    return out.toByteArray();
  }
}
