package dev.cms.domain.kinds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cms.domain.files.ParamException;
import dev.cms.domain.files.Rule;
import dev.cms.domain.protocol.Frame;
import dev.cms.domain.protocol.FrameCodec;
import dev.cms.domain.protocol.StreamKind;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pins the open parameters of {@code tcp}, {@code ports}, {@code processes} and {@code env}: every
 * {@code samples/v1/kinds/open-*} sample decodes to the record built here and encodes back to the
 * very same bytes.
 */
class KindParamsGoldenTest {

  static final Map<String, KindParams.Open> SAMPLES = new LinkedHashMap<>();

  static {
    SAMPLES.put("open-tcp", new KindParams.Tcp(3000));
    SAMPLES.put("open-tcp-host", new KindParams.Tcp(8080, "::1"));
    SAMPLES.put("open-ports", new KindParams.Ports());
    SAMPLES.put("open-processes", new KindParams.Processes());
    SAMPLES.put("open-env", new KindParams.Env());
  }

  static Stream<Arguments> samples() {
    return SAMPLES.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  static byte[] sample(String name) {
    try (InputStream in =
        KindParamsGoldenTest.class.getResourceAsStream("/samples/v1/kinds/" + name + ".hex")) {
      assertThat(in).as("sample " + name + ".hex").isNotNull();
      String hex = new String(in.readAllBytes(), StandardCharsets.US_ASCII).replaceAll("\\s", "");
      return HexFormat.of().parseHex(hex);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static KindParams.Open decode(Frame.Open o) {
    return switch (StreamKind.of(o.kind()).orElseThrow()) {
      case TCP -> KindParams.Tcp.of(o.params());
      case PORTS -> KindParams.Ports.of(o.params());
      case PROCESSES -> KindParams.Processes.of(o.params());
      case ENV -> KindParams.Env.of(o.params());
      default -> throw new AssertionError(o.kind());
    };
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void sampleDecodesToTheRecordAndEncodesBack(String name, KindParams.Open expected) {
    byte[] bytes = sample(name);

    Frame.Open open = (Frame.Open) FrameCodec.decode(bytes);
    KindParams.Open decoded = decode(open);

    assertThat(decoded).isEqualTo(expected);
    assertThat(decoded.kind().wire()).isEqualTo(open.kind());
    byte[] again =
        FrameCodec.toBytes(
            new Frame.Open(
                open.streamId(), decoded.kind().wire(), open.window(), decoded.params()));
    assertThat(HexFormat.of().formatHex(again)).isEqualTo(HexFormat.of().formatHex(bytes));
    assertThat(KindParamsGoldenTest.class.getResource("/samples/v1/kinds/" + name + ".txt"))
        .as(name + ".txt")
        .isNotNull();
  }

  @Test
  void tcpPortIsRequiredAndInRange() {
    assertThat(KindParams.Tcp.of(Map.of("port", "1"))).isEqualTo(new KindParams.Tcp(1));
    assertThat(KindParams.Tcp.of(Map.of("port", "65535", "host", "localhost")))
        .isEqualTo(new KindParams.Tcp(65535, "localhost"));
    assertThatThrownBy(() -> KindParams.Tcp.of(Map.of()))
        .isInstanceOfSatisfying(
            ParamException.class, e -> assertThat(e.rule()).isEqualTo(Rule.BAD_PARAM))
        .hasMessage("bad-port: parameter port is required");
    for (String bad : new String[] {"0", "65536", "-1", "http", "99999", "003000x", ""}) {
      assertThatThrownBy(() -> KindParams.Tcp.of(Map.of("port", bad)))
          .isInstanceOf(ParamException.class)
          .hasMessageStartingWith("bad-port: ")
          .hasMessageEndingWith(" (1..65535)");
    }
    assertThatThrownBy(() -> KindParams.Tcp.of(Map.of("port", "80", "x\n", "1")))
        .hasMessage("bad-param: unknown parameter x?");
    assertThatThrownBy(() -> new KindParams.Tcp(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void kindsWithoutParametersRefuseAny() {
    assertThat(KindParams.Ports.of(Map.of())).isEqualTo(new KindParams.Ports());
    assertThatThrownBy(() -> KindParams.Ports.of(Map.of("since", "0")))
        .isInstanceOfSatisfying(
            ParamException.class, e -> assertThat(e.rule()).isEqualTo(Rule.BAD_PARAM))
        .hasMessage("unknown parameter since");
    assertThatThrownBy(() -> KindParams.Processes.of(Map.of("a", "b")))
        .hasMessage("unknown parameter a");
    assertThatThrownBy(() -> KindParams.Env.of(Map.of("A", "b"))).hasMessage("unknown parameter A");
    assertThat(new KindParams.Env().params()).isEmpty();
  }
}
