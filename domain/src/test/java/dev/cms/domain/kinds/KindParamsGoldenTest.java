package dev.cms.domain.kinds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cms.domain.files.ParamException;
import dev.cms.domain.files.Rule;
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
 * Pins the open parameters of {@code terminal}, {@code exec}, {@code tcp}, {@code ports}, {@code
 * processes} and {@code env}: every {@code samples/v1/kinds/open-*} sample decodes to the record
 * built here and encodes back to the very same bytes.
 */
class KindParamsGoldenTest {

  static final Map<String, KindParams.Open> SAMPLES = new LinkedHashMap<>();

  static {
    SAMPLES.put(
        "open-terminal-attach", new KindParams.Terminal("main", 1234L, 120, 40, null, null));
    SAMPLES.put(
        "open-terminal-process",
        new KindParams.Terminal(
            "p1",
            null,
            160,
            48,
            true,
            new KindParams.Launch("npm start", "/app", Map.of("PORT", "3000"), 3000)));
    SAMPLES.put(
        "open-exec",
        new KindParams.Exec(
            new KindParams.Launch("ls -la", "/app", Map.of("A", "1"), null), 60_000, 1_048_576));
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
    return Samples.hex("kinds/" + name);
  }

  static KindParams.Open decode(Frame.Open o) {
    return switch (StreamKind.of(o.kind()).orElseThrow()) {
      case TERMINAL -> KindParams.Terminal.of(o.params());
      case EXEC -> KindParams.Exec.of(o.params());
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

  @Test
  void terminalDefaultsBoundsAndRefusals() {
    KindParams.Terminal t = KindParams.Terminal.of(Map.of("terminal", "main"));
    assertThat(t).isEqualTo(new KindParams.Terminal("main", null, 80, 24, null, null));
    assertThat(t.creates()).isTrue();
    assertThat(t.params()).isEqualTo(Map.of("terminal", "main", "cols", "80", "rows", "24"));
    assertThat(KindParams.Terminal.of(Map.of("terminal", "t", "cols", "5000", "rows", "-3")))
        .isEqualTo(new KindParams.Terminal("t", null, 1000, 1, null, null));
    assertThat(KindParams.Terminal.of(Map.of("terminal", "t", "create", "false")).creates())
        .isFalse();
    assertThat(KindParams.Terminal.of(Map.of("terminal", "t", "env.A", "1")).launch())
        .isEqualTo(new KindParams.Launch(null, null, Map.of("A", "1"), null));
    assertThatThrownBy(() -> KindParams.Terminal.of(Map.of("cols", "80")))
        .isInstanceOfSatisfying(
            ParamException.class, e -> assertThat(e.rule()).isEqualTo(Rule.BAD_PARAM))
        .hasMessage("parameter terminal (the terminal id) is required");
    assertThatThrownBy(() -> KindParams.Terminal.of(Map.of("terminal", "t", "offset", "-1")))
        .hasMessage("offset must be a non-negative decimal number, not -1");
    assertThatThrownBy(() -> KindParams.Terminal.of(Map.of("terminal", "t", "cols", "wide")))
        .hasMessage("cols must be a decimal number, not wide");
    assertThatThrownBy(() -> KindParams.Terminal.of(Map.of("terminal", "t", "create", "yes")))
        .hasMessage("create must be true or false, not yes");
    assertThatThrownBy(() -> KindParams.Terminal.of(Map.of("terminal", "t", "shell", "sh")))
        .hasMessage("unknown parameter shell");
    assertThat(
            new KindParams.Terminal(
                    "t", null, 80, 24, null, new KindParams.Launch(null, null, Map.of(), null))
                .launch())
        .isNull();
  }

  @Test
  void launchRefusals() {
    assertThat(KindParams.Launch.of(Map.of("terminal", "main", "cols", "80"))).isNull();
    assertThatThrownBy(() -> KindParams.Launch.of(Map.of("command", " ")))
        .hasMessage("command must be a non-empty line of shell without NUL characters");
    assertThatThrownBy(() -> KindParams.Launch.of(Map.of("cwd", "app")))
        .hasMessage("cwd must be an absolute path, not app");
    assertThatThrownBy(() -> KindParams.Launch.of(Map.of("env.A-B", "x")))
        .hasMessage("bad environment variable name: env.A-B");
    assertThatThrownBy(() -> KindParams.Launch.of(Map.of("env.A", "x\0y")))
        .hasMessage("environment variable A contains a NUL character");
    assertThatThrownBy(() -> KindParams.Launch.of(Map.of("command", "x", "port", "65536")))
        .hasMessage("port must be a decimal number 1..65535, not 65536");
    assertThatThrownBy(() -> new KindParams.Launch(null, null, Map.of("1A", "x"), null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void execDefaultsBoundsAndRefusals() {
    assertThat(KindParams.Exec.of(Map.of("command", "true")))
        .isEqualTo(
            new KindParams.Exec(
                new KindParams.Launch("true", null, Map.of(), null), 60_000, 1_048_576));
    assertThat(KindParams.Exec.of(Map.of("command", "true", "timeoutMs", " 5 ")).timeoutMs())
        .isEqualTo(5);
    assertThatThrownBy(() -> KindParams.Exec.of(Map.of("cwd", "/app")))
        .hasMessage("bad-command: command is required");
    assertThatThrownBy(() -> KindParams.Exec.of(Map.of("command", "x", "timeoutMs", "3600001")))
        .hasMessage("bad-param: 3600001 (1..3600000)");
    assertThatThrownBy(() -> KindParams.Exec.of(Map.of("command", "x", "maxOutput", "0")))
        .hasMessage("bad-param: 0 (1..16777216)");
    assertThatThrownBy(() -> KindParams.Exec.of(Map.of("command", "x", "stdin", "y")))
        .hasMessage("bad-param: unknown parameter stdin");
  }
}
