package dev.cms.domain.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cms.domain.protocol.ProtocolException;
import dev.cms.domain.testing.Samples;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pins the file-operation streams' messages: golden samples under {@code samples/v1/files/}
 * round-trip byte for byte; malformed ones are refused.
 */
class FsWireTest {

  static final Map<String, FsWire.Message> SAMPLES = new LinkedHashMap<>();

  static {
    SAMPLES.put(
        "entry", new FsWire.Entry(FsWire.FileType.FILE, 0644, 12, 1767323045678L, "src/héllo.txt"));
    SAMPLES.put("done", new FsWire.Done(true, 1000));
    SAMPLES.put("failed", new FsWire.Failed("not-empty", "/app/src is not empty"));
    SAMPLES.put(
        "change", new FsWire.Change(FsWire.ChangeKind.CREATED, FsWire.FileType.DIR, "/app/new"));
    SAMPLES.put("overflow", new FsWire.Overflow(17));
  }

  static Stream<Arguments> samples() {
    return SAMPLES.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  static byte[] sample(String name) {
    return Samples.hex("files/" + name);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void sampleDecodesToTheRecordAndEncodesBackToTheSameBytes(String name, FsWire.Message expected) {
    byte[] bytes = sample(name);
    assertThat(FsWire.decode(bytes)).isEqualTo(expected);
    assertThat(HexFormat.of().formatHex(FsWire.encode(expected)))
        .isEqualTo(HexFormat.of().formatHex(bytes));
    assertThat(FsWireTest.class.getResource("/samples/v1/files/" + name + ".txt"))
        .as(name + ".txt")
        .isNotNull();
  }

  @Test
  void truncatedAndTrailingBytesAreRejected() {
    for (String name : SAMPLES.keySet()) {
      byte[] bytes = sample(name);
      byte[] shorter = Arrays.copyOf(bytes, bytes.length - 1);
      shorter[3]--; // a consistent length prefix, one byte short of the body
      assertThatThrownBy(() -> FsWire.decode(shorter))
          .as(name)
          .isInstanceOf(ProtocolException.class);
      byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
      longer[3]++;
      assertThatThrownBy(() -> FsWire.decode(longer))
          .as(name)
          .isInstanceOf(ProtocolException.class);
    }
  }

  @Test
  void unknownTypesKindsAndBadUtf8AreRejected() {
    assertThatThrownBy(() -> FsWire.decode(HexFormat.of().parseHex("0000000109")))
        .isInstanceOf(ProtocolException.class);
    assertThatThrownBy(() -> FsWire.decode(HexFormat.of().parseHex("00000005040900" + "0000")))
        .isInstanceOf(ProtocolException.class);
    assertThatThrownBy(() -> FsWire.decode(HexFormat.of().parseHex("00000006040101" + "0001ff")))
        .isInstanceOf(ProtocolException.class);
  }

  @Test
  void messagesSplitAnywhereAreReassembled() {
    byte[] all = new byte[0];
    for (FsWire.Message m : SAMPLES.values()) {
      byte[] one = FsWire.encode(m);
      byte[] joined = Arrays.copyOf(all, all.length + one.length);
      System.arraycopy(one, 0, joined, all.length, one.length);
      all = joined;
    }
    var decoder = FsWire.decoder();
    var out = new java.util.ArrayList<FsWire.Message>();
    for (byte b : all) {
      out.addAll(decoder.feed(new byte[] {b}));
    }
    assertThat(out).containsExactlyElementsOf(SAMPLES.values());
  }
}
