package dev.cms.domain.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cms.domain.testing.Samples;
import java.nio.charset.StandardCharsets;
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
 * Pins the wire format of protocol version 1: every sample under {@code samples/v1/} decodes to the
 * record built here and encodes back to the very same bytes.
 */
class FrameCodecGoldenTest {

  static final Map<String, Frame> SAMPLES = new LinkedHashMap<>();

  static {
    SAMPLES.put("hello", new Frame.Hello(1, "c-7f3a9e", "s3cr3t", "0.1.0-SNAPSHOT", List.of(2, 4)));
    SAMPLES.put("welcome", new Frame.Welcome(1, 10_000, 65_536, "L1nkCr3d"));
    SAMPLES.put("ping", new Frame.Ping(1L));
    SAMPLES.put("pong", new Frame.Pong(1L));
    SAMPLES.put("open", new Frame.Open(1, "echo", 65_536, Map.of("b", "2", "a", "é")));
    SAMPLES.put("open_ok", new Frame.OpenOk(1, 65_536));
    SAMPLES.put(
        "open_fail", new Frame.OpenFail(3, ErrorCode.UNKNOWN_KIND, "unknown stream kind: x"));
    SAMPLES.put("data", new Frame.Data(1, "hi\n".getBytes(StandardCharsets.UTF_8)));
    SAMPLES.put("window", new Frame.Window(1, 32_768));
    SAMPLES.put("close", new Frame.Close(1));
    SAMPLES.put("reset", new Frame.Reset(2, ErrorCode.CANCELLED, "client went away"));
    SAMPLES.put("goaway", new Frame.GoAway(ErrorCode.UNAUTHORIZED, "bad agent secret"));
  }

  static Stream<Arguments> samples() {
    return SAMPLES.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  static byte[] sample(String name) {
    return Samples.hex(name);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void sampleDecodesToTheRecordAndEncodesBackToTheSameBytes(String name, Frame expected) {
    byte[] bytes = sample(name);

    Frame decoded = FrameCodec.decode(bytes);

    assertThat(decoded).isEqualTo(expected);
    assertThat(HexFormat.of().formatHex(FrameCodec.toBytes(decoded)))
        .isEqualTo(HexFormat.of().formatHex(bytes));
  }

  @Test
  void everyFrameTypeHasASampleWithADescription() {
    assertThat(SAMPLES.values()).extracting(Frame::type).containsOnlyOnce(FrameType.values());
    for (String name : SAMPLES.keySet()) {
      assertThat(FrameCodecGoldenTest.class.getResource("/samples/v1/" + name + ".txt"))
          .as(name + ".txt")
          .isNotNull();
    }
  }

  @Test
  void emptyInputIsRejected() {
    assertThatThrownBy(() -> FrameCodec.decode(new byte[0]))
        .isInstanceOf(ProtocolException.class)
        .hasMessage("frame too short: 0 bytes");
  }

  @Test
  void otherVersionIsRejectedWithTheVersionCode() {
    byte[] bytes = sample("ping");
    bytes[0] = 2;
    assertThatThrownBy(() -> FrameCodec.decode(bytes))
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.VERSION))
        .hasMessage("unsupported protocol version 2, this side speaks 1");
  }

  @Test
  void unknownTypeIsRejected() {
    assertThatThrownBy(() -> FrameCodec.decode(new byte[] {1, 99, 0, 0}))
        .isInstanceOf(ProtocolException.class)
        .hasMessage("unknown frame type 99");
  }

  @Test
  void truncatedFramesAreRejected() {
    for (String name : SAMPLES.keySet()) {
      if (name.equals("data")) {
        continue; // a DATA payload runs to the end of the message: shorter is still valid
      }
      byte[] bytes = sample(name);
      assertThatThrownBy(() -> FrameCodec.decode(Arrays.copyOf(bytes, bytes.length - 1)))
          .as(name)
          .isInstanceOf(ProtocolException.class)
          .hasMessageStartingWith("truncated ");
    }
    assertThatThrownBy(() -> FrameCodec.decode(new byte[] {1, 8, 0, 0}))
        .isInstanceOf(ProtocolException.class)
        .hasMessage("truncated DATA frame");
  }

  @Test
  void stringLongerThanTheFrameIsTruncation() {
    byte[] bytes = sample("goaway");
    bytes[7] = (byte) 0xff; // string length high byte
    assertThatThrownBy(() -> FrameCodec.decode(bytes))
        .isInstanceOf(ProtocolException.class)
        .hasMessage("truncated GOAWAY frame");
  }

  @Test
  void trailingBytesAreRejected() {
    byte[] bytes = sample("window");
    assertThatThrownBy(() -> FrameCodec.decode(Arrays.copyOf(bytes, bytes.length + 2)))
        .isInstanceOf(ProtocolException.class)
        .hasMessage("2 trailing bytes after WINDOW frame");
  }

  @Test
  void oversizeFramesAreRejectedBothWays() {
    byte[] big = new byte[FrameCodec.MAX_FRAME + 1];
    big[0] = 1;
    big[1] = 8;
    assertThatThrownBy(() -> FrameCodec.decode(big))
        .isInstanceOf(ProtocolException.class)
        .hasMessage("frame of " + (FrameCodec.MAX_FRAME + 1) + " bytes exceeds 32832");
    assertThatThrownBy(
            () -> FrameCodec.encode(new Frame.Data(1, new byte[FrameCodec.MAX_DATA + 1])))
        .isInstanceOf(ProtocolException.class)
        .hasMessage("DATA payload of 32769 bytes exceeds 32768");
    assertThatThrownBy(
            () ->
                FrameCodec.encode(
                    new Frame.Open(1, "x", 1, Map.of("k", "v".repeat(FrameCodec.MAX_DATA + 100)))))
        .isInstanceOf(ProtocolException.class)
        .hasMessageStartingWith("OPEN frame of");
  }

  @Test
  void nonPositiveStreamIdsAreRejectedBothWays() {
    byte[] bytes = sample("close");
    bytes[5] = 0; // id 1 -> 0
    assertThatThrownBy(() -> FrameCodec.decode(bytes))
        .isInstanceOf(ProtocolException.class)
        .hasMessage("invalid stream id 0");
    assertThatThrownBy(() -> FrameCodec.encode(new Frame.Close(-1)))
        .isInstanceOf(ProtocolException.class)
        .hasMessage("invalid stream id -1");
  }

  @Test
  void malformedUtf8AndDuplicateParametersAreRejected() {
    byte[] goaway = sample("goaway");
    goaway[goaway.length - 1] = (byte) 0xc3; // a lone lead byte
    assertThatThrownBy(() -> FrameCodec.decode(goaway))
        .isInstanceOf(ProtocolException.class)
        .hasMessage("string is not valid UTF-8");

    byte[] dup =
        HexFormat.of()
            .parseHex(
                "0105"
                    + "00000001"
                    + "0001"
                    + "78"
                    + "00000010"
                    + "0002"
                    + "0001610001"
                    + "31"
                    + "0001610001"
                    + "32");
    assertThatThrownBy(() -> FrameCodec.decode(dup))
        .isInstanceOf(ProtocolException.class)
        .hasMessage("duplicate parameter a");
  }

  @Test
  void secretNeverAppearsInToString() {
    assertThat(SAMPLES.get("hello").toString()).doesNotContain("s3cr3t").contains("secret=***");
  }
}
