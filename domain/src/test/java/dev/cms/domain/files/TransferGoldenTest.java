package dev.cms.domain.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cms.domain.protocol.Frame;
import dev.cms.domain.protocol.FrameCodec;
import dev.cms.domain.protocol.ProtocolException;
import dev.cms.domain.protocol.StreamKind;
import dev.cms.domain.testing.Samples;
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
 * Pins the transfer kinds' contract: every sample under {@code samples/v1/transfer/} decodes to the
 * record built here and encodes back to the very same bytes.
 */
class TransferGoldenTest {

  static final Map<String, Transfer.Open> OPENS = new LinkedHashMap<>();
  static final Map<String, Transfer.Verdict> VERDICTS = new LinkedHashMap<>();

  static {
    OPENS.put("open-file-write", new Transfer.FileWrite("/app/a.txt", 0644, 104_857_600));
    OPENS.put(
        "open-archive-extract",
        new Transfer.ArchiveExtract(
            "/app/site", new Transfer.ArchiveLimits(104_857_600, 10_000, 1_073_741_824, 100)));
    OPENS.put("open-file-read", new Transfer.FileRead("/app/a.txt"));
    OPENS.put("open-archive-create", new Transfer.ArchiveCreate("/app/site"));
    VERDICTS.put("progress", new Transfer.Progress(1_048_576));
    VERDICTS.put("ok", new Transfer.Done(2048, 3));
    VERDICTS.put(
        "error", new Transfer.Refused(Rule.DOTDOT_ENTRY, "entry ../x leaves the destination"));
  }

  static Stream<Arguments> opens() {
    return OPENS.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  static Stream<Arguments> verdicts() {
    return VERDICTS.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  static byte[] sample(String name) {
    return Samples.hex("transfer/" + name);
  }

  static Transfer.Open decodeOpen(Frame.Open o) {
    StreamKind kind = StreamKind.of(o.kind()).orElseThrow();
    return switch (kind) {
      case FILE_WRITE -> Transfer.FileWrite.of(o.params());
      case ARCHIVE_EXTRACT -> Transfer.ArchiveExtract.of(o.params());
      case FILE_READ -> Transfer.FileRead.of(o.params());
      case ARCHIVE_CREATE -> Transfer.ArchiveCreate.of(o.params());
      default -> throw new AssertionError(kind);
    };
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("opens")
  void anOpenSampleDecodesToTheRecordAndEncodesBack(String name, Transfer.Open expected) {
    byte[] bytes = sample(name);

    Frame.Open open = (Frame.Open) FrameCodec.decode(bytes);
    Transfer.Open decoded = decodeOpen(open);

    assertThat(decoded).isEqualTo(expected);
    assertThat(decoded.kind().wire()).isEqualTo(open.kind());
    byte[] again =
        FrameCodec.toBytes(
            new Frame.Open(
                open.streamId(), decoded.kind().wire(), open.window(), decoded.params()));
    assertThat(HexFormat.of().formatHex(again)).isEqualTo(HexFormat.of().formatHex(bytes));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("verdicts")
  void aResultSampleDecodesToTheRecordAndEncodesBack(String name, Transfer.Verdict expected) {
    byte[] bytes = sample(name);

    assertThat(Transfer.verdicts().feed(bytes)).containsExactly(expected);
    assertThat(HexFormat.of().formatHex(Transfer.encode(expected)))
        .isEqualTo(HexFormat.of().formatHex(bytes));
  }

  @Test
  void everySampleHasADescription() {
    for (String name : List.copyOf(OPENS.keySet())) {
      assertThat(TransferGoldenTest.class.getResource("/samples/v1/transfer/" + name + ".txt"))
          .as(name)
          .isNotNull();
    }
    for (String name : VERDICTS.keySet()) {
      assertThat(TransferGoldenTest.class.getResource("/samples/v1/transfer/" + name + ".txt"))
          .as(name)
          .isNotNull();
    }
  }

  @Test
  void wrongParametersAreRefusedNamingTheParameterAndTheRule() {
    assertThatThrownBy(() -> Transfer.FileWrite.of(Map.of("maxBytes", "1")))
        .isInstanceOfSatisfying(
            ParamException.class, e -> assertThat(e.rule()).isEqualTo(Rule.BAD_PATH))
        .hasMessage("parameter path (an absolute path) is required");
    assertThatThrownBy(() -> Transfer.FileWrite.of(Map.of("path", "/a", "maxBytes", "-1")))
        .isInstanceOfSatisfying(
            ParamException.class, e -> assertThat(e.rule()).isEqualTo(Rule.BAD_PARAM))
        .hasMessage("maxBytes must be a non-negative decimal number, not -1");
    assertThatThrownBy(
            () -> Transfer.FileWrite.of(Map.of("path", "/a", "maxBytes", "1", "mode", "999")))
        .hasMessage("mode must be octal permission bits 0 to 777, not 999");
    assertThatThrownBy(
            () -> Transfer.FileWrite.of(Map.of("path", "/a", "maxBytes", "1", "owner", "root")))
        .hasMessage("unknown parameter owner");
    assertThatThrownBy(
            () ->
                Transfer.ArchiveExtract.of(
                    Map.of(
                        "dest",
                        "/a",
                        "maxBytes",
                        "1",
                        "maxEntries",
                        "1",
                        "maxUnpackedBytes",
                        "1",
                        "maxRatio",
                        "1e9")))
        .hasMessage("maxRatio must be a non-negative decimal number, not 1e9");
    assertThatThrownBy(() -> Transfer.FileRead.of(Map.of("path", "")))
        .isInstanceOfSatisfying(
            ParamException.class, e -> assertThat(e.rule()).isEqualTo(Rule.BAD_PATH));
    String huge = "9".repeat(100_000);
    assertThatThrownBy(() -> Transfer.FileWrite.of(Map.of("path", "/a", "maxBytes", huge)))
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(400));
  }

  @Test
  void aFractionalRatioRoundTrips() {
    Transfer.ArchiveExtract a =
        new Transfer.ArchiveExtract("/d", new Transfer.ArchiveLimits(1, 2, 3, 12.5));
    assertThat(a.params()).containsEntry("maxRatio", "12.5");
    assertThat(Transfer.ArchiveExtract.of(a.params())).isEqualTo(a);
  }

  @Test
  void malformedResultLinesAreProtocolErrors() {
    for (String line :
        List.of(
            "", "ok", "ok 1", "ok 1 2 3", "ok -1 2", "progress", "progress x", "error", "yes")) {
      assertThatThrownBy(() -> Transfer.verdicts().feed((line + "\n").getBytes()))
          .as(line)
          .isInstanceOf(ProtocolException.class)
          .hasMessageStartingWith("malformed upload result line");
    }
    byte[] overlong = ("progress " + "1".repeat(Transfer.MAX_LINE)).getBytes();
    assertThatThrownBy(() -> Transfer.verdicts().feed(overlong))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("longer than " + Transfer.MAX_LINE);
  }

  @Test
  void anUnknownRuleIsRefusedAndAMessageStaysOneBoundedLine() {
    assertThat(Transfer.decode("error rule-of-the-future it said no"))
        .isEqualTo(new Transfer.Refused(Rule.REFUSED, "it said no"));
    assertThat(Transfer.decode("error too-large"))
        .isEqualTo(new Transfer.Refused(Rule.TOO_LARGE, ""));
    byte[] line = Transfer.encode(new Transfer.Refused(Rule.IO_ERROR, "a\nb" + "é".repeat(9000)));
    assertThat(line.length).isLessThanOrEqualTo(Transfer.MAX_LINE + 1);
    assertThat(line[line.length - 1]).isEqualTo((byte) '\n');
    List<Transfer.Verdict> back = Transfer.verdicts().feed(line);
    assertThat(back).hasSize(1);
    assertThat(((Transfer.Refused) back.get(0)).message())
        .startsWith("a b")
        .doesNotContain("\uFFFD");
  }

  @Test
  void aVerdictSplitAcrossChunksIsReadWhole() {
    Transfer.Verdicts v = Transfer.verdicts();
    assertThat(v.feed("progress 5\nok 12".getBytes())).containsExactly(new Transfer.Progress(5));
    assertThat(v.feed("34 1\n".getBytes())).containsExactly(new Transfer.Done(1234, 1));
  }
}
