package dev.cms.domain.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cms.domain.protocol.Frame;
import dev.cms.domain.protocol.FrameCodec;
import dev.cms.domain.protocol.StreamKind;
import dev.cms.domain.testing.Samples;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pins the file operations' open parameters: every {@code samples/v1/files/open-*} sample decodes
 * to the record built here and encodes back to the very same bytes.
 */
class FileOpGoldenTest {

  static final Map<String, FileOp.Open> SAMPLES = new LinkedHashMap<>();

  static {
    SAMPLES.put("open-file-list", new FileOp.List("/app", 2, 1000));
    SAMPLES.put("open-file-stat", new FileOp.Stat("/app/a.txt"));
    SAMPLES.put("open-file-delete", new FileOp.Delete("/app/tmp", true));
    SAMPLES.put("open-file-move", new FileOp.Move("/app/a.txt", "/app/b.txt", false));
    SAMPLES.put("open-file-mkdir", new FileOp.Mkdir("/app/x/y", true));
    SAMPLES.put("open-file-watch", new FileOp.Watch("/app/src", true));
  }

  static Stream<Arguments> samples() {
    return SAMPLES.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  static byte[] sample(String name) {
    return Samples.hex("files/" + name);
  }

  static FileOp.Open decode(Frame.Open o) {
    return switch (StreamKind.of(o.kind()).orElseThrow()) {
      case FILE_LIST -> FileOp.List.of(o.params());
      case FILE_STAT -> FileOp.Stat.of(o.params());
      case FILE_DELETE -> FileOp.Delete.of(o.params());
      case FILE_MOVE -> FileOp.Move.of(o.params());
      case FILE_MKDIR -> FileOp.Mkdir.of(o.params());
      case FILE_WATCH -> FileOp.Watch.of(o.params());
      default -> throw new AssertionError(o.kind());
    };
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void sampleDecodesToTheRecordAndEncodesBack(String name, FileOp.Open expected) {
    byte[] bytes = sample(name);

    Frame.Open open = (Frame.Open) FrameCodec.decode(bytes);
    FileOp.Open decoded = decode(open);

    assertThat(decoded).isEqualTo(expected);
    assertThat(decoded.kind().wire()).isEqualTo(open.kind());
    byte[] again =
        FrameCodec.toBytes(
            new Frame.Open(
                open.streamId(), decoded.kind().wire(), open.window(), decoded.params()));
    assertThat(HexFormat.of().formatHex(again)).isEqualTo(HexFormat.of().formatHex(bytes));
    assertThat(FileOpGoldenTest.class.getResource("/samples/v1/files/" + name + ".txt"))
        .as(name + ".txt")
        .isNotNull();
  }

  @Test
  void defaultsAndRefusals() {
    assertThat(FileOp.List.of(Map.of("path", "/a"))).isEqualTo(new FileOp.List("/a", 1, 1000));
    assertThat(FileOp.Delete.of(Map.of("path", "/a"))).isEqualTo(new FileOp.Delete("/a", false));
    assertThatThrownBy(() -> FileOp.List.of(Map.of("path", "/a", "depth", "9")))
        .isInstanceOfSatisfying(
            ParamException.class, e -> assertThat(e.rule()).isEqualTo(Rule.BAD_PARAM))
        .hasMessage("depth must be 1 to 8, not 9");
    assertThatThrownBy(() -> FileOp.Mkdir.of(Map.of("path", "/a", "parents", "yes")))
        .hasMessage("parents must be true or false, not yes");
    assertThatThrownBy(() -> FileOp.Move.of(Map.of("from", "/a")))
        .isInstanceOfSatisfying(
            ParamException.class, e -> assertThat(e.rule()).isEqualTo(Rule.BAD_PATH))
        .hasMessage("parameter to (an absolute path) is required");
    assertThatThrownBy(() -> FileOp.Stat.of(Map.of("path", "/a", "x\n", "1")))
        .hasMessage("unknown parameter x?");
  }
}
