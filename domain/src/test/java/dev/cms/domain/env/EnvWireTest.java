package dev.cms.domain.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cms.domain.protocol.ProtocolException;
import dev.cms.domain.testing.Samples;
import java.io.ByteArrayOutputStream;
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
 * Pins the {@code env} stream's messages: golden samples under {@code samples/v1/env/} round-trip
 * byte for byte, and the agent's {@link EnvWire.Receiver} refuses what breaks the rules.
 */
class EnvWireTest {

  static final Map<String, EnvWire.Message> SAMPLES = new LinkedHashMap<>();

  static {
    SAMPLES.put("set", new EnvWire.Set("GREETING", "h\u00e9llo"));
    SAMPLES.put("commit", new EnvWire.Commit(2));
    SAMPLES.put("applied", new EnvWire.Applied(2));
  }

  static Stream<Arguments> samples() {
    return SAMPLES.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  static byte[] sample(String name) {
    return Samples.hex("env/" + name);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void sampleDecodesToTheRecordAndEncodesBackToTheSameBytes(String name, EnvWire.Message m) {
    byte[] bytes = sample(name);
    assertThat(EnvWire.decode(bytes)).isEqualTo(m);
    assertThat(HexFormat.of().formatHex(EnvWire.encode(m)))
        .isEqualTo(HexFormat.of().formatHex(bytes));
    assertThat(EnvWireTest.class.getResource("/samples/v1/env/" + name + ".txt"))
        .as(name + ".txt")
        .isNotNull();
  }

  @Test
  void truncatedAndTrailingBytesAreRejected() {
    for (String name : SAMPLES.keySet()) {
      byte[] bytes = sample(name);
      byte[] shorter = Arrays.copyOf(bytes, bytes.length - 1);
      shorter[3]--; // the length matches, the body is short
      assertThatThrownBy(() -> EnvWire.decode(shorter)).isInstanceOf(ProtocolException.class);
      byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
      longer[3]++;
      assertThatThrownBy(() -> EnvWire.decode(longer)).isInstanceOf(ProtocolException.class);
    }
  }

  @Test
  void theReceiverCollectsTheVariablesInAnyChunkingUntilTheCommit() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("FOO", "bar");
    env.put("GREETING", "hello world");
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    EnvWire.messages(env).forEach(m -> all.writeBytes(EnvWire.encode(m)));
    byte[] bytes = all.toByteArray();
    EnvWire.Receiver r = new EnvWire.Receiver();
    Map<String, String> got = null;
    for (byte b : bytes) {
      assertThat(got).isNull();
      got = r.feed(new byte[] {b});
    }
    assertThat(got).containsExactlyEntriesOf(env);
  }

  @Test
  void theReceiverRefusesReservedBadDuplicateMiscountedAndLateVariables() {
    assertRefused("reserved", EnvWire.encode(new EnvWire.Set("CMS_AGENT_SECRET", "x")));
    assertRefused("bad-name", EnvWire.encode(new EnvWire.Set("1X", "x")));
    assertRefused("bad-value", EnvWire.encode(new EnvWire.Set("X", "a\0b")));
    assertRefused("bad-value", EnvWire.encode(new EnvWire.Set("X", "v".repeat(8193))));
    assertRefused(
        "duplicate",
        concat(
            EnvWire.encode(new EnvWire.Set("X", "1")), EnvWire.encode(new EnvWire.Set("X", "2"))));
    assertRefused(
        "bad-count",
        concat(EnvWire.encode(new EnvWire.Set("X", "1")), EnvWire.encode(new EnvWire.Commit(2))));
    assertRefused(
        "after the commit",
        concat(EnvWire.encode(new EnvWire.Commit(0)), EnvWire.encode(new EnvWire.Set("X", "1"))));
    assertRefused("sends no", EnvWire.encode(new EnvWire.Applied(0)));
    ByteArrayOutputStream many = new ByteArrayOutputStream();
    for (int i = 0; i <= EnvWire.MAX_VARS; i++) {
      many.writeBytes(EnvWire.encode(new EnvWire.Set("V" + i, "x")));
    }
    assertRefused("too-many", many.toByteArray());
  }

  @Test
  void theGatewaySideRefusesToEncodeWhatTheAgentWouldRefuse() {
    assertThatThrownBy(() -> EnvWire.messages(Map.of("CMS_X", "1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reserved");
  }

  private static void assertRefused(String why, byte[] bytes) {
    assertThatThrownBy(() -> new EnvWire.Receiver().feed(bytes))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining(why);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
