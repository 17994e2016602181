package dev.cms.domain.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The client protocol's records refuse invalid values, and output frames round-trip (the JSON codec
 * and its tests are the gateway's: {@code dev.cms.gateway.clientsocket.control.ClientCodec}).
 */
class ClientMessagesTest {

  @Test
  void recordsRefuseInvalidValuesSoTheyCannotBeSent() {
    assertThatThrownBy(() -> new ClientMessage.Open("main", null, 80, null))
        .isInstanceOf(ProtocolException.class)
        .hasMessage("fields cols and rows must be given together");
    assertThatThrownBy(() -> new ClientMessage.Resize("main", 1001, 24))
        .hasMessage("field cols must be between 1 and 1000, got 1001");
    assertThatThrownBy(() -> new ClientMessage.Input("main", null))
        .hasMessage("field data is required");
    assertThatThrownBy(() -> new ClientMessage.Detach(null))
        .hasMessage("field terminal is required");
    assertThatThrownBy(() -> new ServerMessage.Attached("main", 0, 5, 4, false, true, null))
        .hasMessage("field endOffset must be >= 5, got 4");
    assertThatThrownBy(() -> new ServerMessage.Exit("no/slash", 0))
        .hasMessageStartingWith("field terminal is not a terminal id");
    assertThatThrownBy(() -> new OutputFrame("main", -1, new byte[0]))
        .hasMessage("field offset must be >= 0, got -1");
    assertThat(ClientMessage.isTerminalId("main_2-B")).isTrue();
    assertThat(ClientMessage.isTerminalId("x".repeat(33))).isFalse();
    assertThat(ClientMessage.isTerminalId(null)).isFalse();
  }

  @Test
  void outputFramesRoundTripAndCompareByContent() {
    byte[] data = "ls\r\n".getBytes(StandardCharsets.UTF_8);
    OutputFrame frame = new OutputFrame("x".repeat(32), Long.MAX_VALUE - 4, data);

    OutputFrame back = OutputFrame.decode(frame.encode());

    assertThat(back).isEqualTo(frame).hasSameHashCodeAs(frame).isNotSameAs(frame);
    assertThat(back.data()).isNotSameAs(data);
    assertThat(new OutputFrame("t", 0, new byte[0]).encode().remaining()).isEqualTo(2 + 1 + 8);
    assertThat(OutputFrame.decode(new OutputFrame("t", 0, new byte[0]).encode()).data()).isEmpty();
    assertThat(frame.toString())
        .isEqualTo(
            "OutputFrame[terminal="
                + "x".repeat(32)
                + ", offset=9223372036854775803, 4 bytes: 6c730d0a]");
    assertThat(new OutputFrame("t", 0, new byte[40]).toString())
        .endsWith("0000…]")
        .contains("40 bytes");
  }

  static Stream<Arguments> malformedOutputFrames() {
    return Stream.of(
        Arguments.of("", "truncated output frame"),
        Arguments.of("01", "truncated output frame"),
        Arguments.of("0104 6d61", "truncated output frame"),
        Arguments.of("0104 6d61696e 00000000000004", "truncated output frame"),
        Arguments.of(
            "0204 6d61696e 00000000000004d2", "unsupported output frame version 2, expected 1"),
        Arguments.of(
            "0100 00000000000004d2", "output frame terminal id is not [A-Za-z0-9_-]{1,32}: "),
        Arguments.of(
            "0104 6d612f6e 00000000000004d2",
            "output frame terminal id is not [A-Za-z0-9_-]{1,32}: 6d612f6e"),
        Arguments.of(
            "0102 c3a9 00000000000004d2",
            "output frame terminal id is not [A-Za-z0-9_-]{1,32}: c3a9"),
        Arguments.of("0104 6d61696e ffffffffffffffff 68", "output frame offset is negative: -1"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("malformedOutputFrames")
  void malformedOutputFrameIsRejected(String hex, String message) {
    byte[] bytes = HexFormat.of().parseHex(hex.replace(" ", ""));
    assertThatThrownBy(() -> OutputFrame.decode(ByteBuffer.wrap(bytes)))
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PROTOCOL))
        .hasMessage(message);
  }
}
