package dev.cms.gateway.clientsocket.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cms.domain.client.ClientMessage;
import dev.cms.domain.client.ServerMessage;
import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.ProtocolException;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Rejections of malformed frames, escaping, and round trips of arbitrary text. */
class ClientCodecTest {

  static Stream<Arguments> malformedClientFrames() {
    return Stream.of(
        // not one flat object
        Arguments.of("", "message is not a JSON object"),
        Arguments.of(" ", "message is not a JSON object"),
        Arguments.of("[]", "message is not a JSON object"),
        Arguments.of("\"open\"", "message is not a JSON object"),
        Arguments.of("42", "message is not a JSON object"),
        // unpaired surrogates, escaped or raw
        Arguments.of(
            "{\"type\":\"input\",\"terminal\":\"main\",\"data\":\"\\ud83d\"}",
            "field data holds an unpaired surrogate \\ud83d"),
        Arguments.of(
            "{\"type\":\"input\",\"terminal\":\"main\",\"data\":\"\\ude80\\ud83d\"}",
            "field data holds an unpaired surrogate \\ude80"),
        Arguments.of(
            "{\"type\":\"input\",\"terminal\":\"main\",\"data\":\"\uD83Dx\"}",
            "field data holds an unpaired surrogate \\ud83d"),
        // nested values, duplicates
        Arguments.of(
            "{\"type\":\"input\",\"terminal\":\"main\",\"data\":{\"a\":1}}",
            "field data holds a nested object, not allowed"),
        Arguments.of(
            "{\"type\":\"input\",\"terminal\":\"main\",\"data\":[\"ls\"]}",
            "field data holds a nested array, not allowed"),
        Arguments.of(
            "{\"type\":\"kill\",\"terminal\":\"main\",\"terminal\":\"other\"}",
            "duplicate field terminal"),
        Arguments.of(
            "{\"type\":\"kill\",\"terminal\":\"main\",\"\\u0074ype\":\"kill\"}",
            "duplicate field type"),
        // type
        Arguments.of("{}", "missing field type"),
        Arguments.of("{\"type\":null,\"terminal\":\"main\"}", "missing field type"),
        Arguments.of("{\"type\":1}", "field type must be a string, got a number"),
        Arguments.of(
            "{\"type\":\"ping\",\"terminal\":\"main\"}", "unknown client message type \"ping\""),
        Arguments.of(
            "{\"type\":\"attached\",\"terminal\":\"main\"}",
            "unknown client message type \"attached\""),
        Arguments.of(
            "{\"type\":\"Kill\",\"terminal\":\"main\"}", "unknown client message type \"Kill\""),
        // missing required fields and wrong field types
        Arguments.of("{\"type\":\"kill\"}", "missing field terminal"),
        Arguments.of("{\"type\":\"input\",\"terminal\":\"main\"}", "missing field data"),
        Arguments.of(
            "{\"type\":\"input\",\"terminal\":\"main\",\"data\":null}", "missing field data"),
        Arguments.of(
            "{\"type\":\"resize\",\"terminal\":\"main\",\"cols\":80}", "missing field rows"),
        Arguments.of(
            "{\"type\":\"kill\",\"terminal\":7}", "field terminal must be a string, got a number"),
        Arguments.of(
            "{\"type\":\"input\",\"terminal\":\"main\",\"data\":true}",
            "field data must be a string, got a boolean"),
        Arguments.of(
            "{\"type\":\"resize\",\"terminal\":\"main\",\"cols\":\"80\",\"rows\":24}",
            "field cols must be an integer, got a string"),
        Arguments.of(
            "{\"type\":\"resize\",\"terminal\":\"main\",\"cols\":80.0,\"rows\":24}",
            "field cols must be an integer, got 80.0"),
        Arguments.of(
            "{\"type\":\"resize\",\"terminal\":\"main\",\"cols\":8e1,\"rows\":24}",
            "field cols must be an integer, got 8e1"),
        Arguments.of(
            "{\"type\":\"open\",\"terminal\":\"main\",\"offset\":1.5}",
            "field offset must be an integer, got 1.5"),
        // bad terminal ids
        Arguments.of(
            "{\"type\":\"kill\",\"terminal\":\"\"}",
            "field terminal is not a terminal id ([A-Za-z0-9_-]{1,32}): \"\""),
        Arguments.of(
            "{\"type\":\"kill\",\"terminal\":\"a b\"}",
            "field terminal is not a terminal id ([A-Za-z0-9_-]{1,32}): \"a b\""),
        Arguments.of(
            "{\"type\":\"kill\",\"terminal\":\"../etc\"}",
            "field terminal is not a terminal id ([A-Za-z0-9_-]{1,32}): \"../etc\""),
        Arguments.of(
            "{\"type\":\"kill\",\"terminal\":\"" + "x".repeat(33) + "\"}",
            "field terminal is not a terminal id ([A-Za-z0-9_-]{1,32}): \""
                + "x".repeat(33)
                + "\""),
        Arguments.of(
            "{\"type\":\"kill\",\"terminal\":\"é\"}",
            "field terminal is not a terminal id ([A-Za-z0-9_-]{1,32}): \"é\""),
        // out of range numbers
        Arguments.of(
            "{\"type\":\"open\",\"terminal\":\"main\",\"offset\":-1}",
            "field offset must be >= 0, got -1"),
        Arguments.of(
            "{\"type\":\"open\",\"terminal\":\"main\",\"offset\":9223372036854775808}",
            "field offset must be >= 0, got \"9223372036854775808\""),
        Arguments.of(
            "{\"type\":\"resize\",\"terminal\":\"main\",\"cols\":0,\"rows\":24}",
            "field cols must be between 1 and 1000, got 0"),
        Arguments.of(
            "{\"type\":\"resize\",\"terminal\":\"main\",\"cols\":80,\"rows\":1001}",
            "field rows must be between 1 and 1000, got 1001"),
        Arguments.of(
            "{\"type\":\"resize\",\"terminal\":\"main\",\"cols\":4294967376,\"rows\":24}",
            "field cols must be between 1 and 1000, got 4294967376"),
        Arguments.of(
            "{\"type\":\"open\",\"terminal\":\"main\",\"cols\":80}",
            "fields cols and rows must be given together"));
  }

  /** Not JSON at all: JSON-P's parser names the token and where it is. */
  static Stream<String> syntaxErrors() {
    return Stream.of(
        "{\"type\":\"kill\"",
        "{\"type\":\"kill\",}",
        "{\"type\" \"kill\"}",
        "{type:\"kill\"}",
        "{\"type\":\"kill\"} {}",
        "{\"type\":\"kill\" \"terminal\":\"main\"}",
        "{\"type\":'kill'}",
        "{\"type\":\"kill\",\"terminal\":\"main\",\"x\":tru}",
        "{\"type\":\"kill\",\"terminal\":\"ma\nin\"}",
        "{\"type\":\"kill\",\"terminal\":\"ma\\qin\"}",
        "{\"type\":\"input\",\"terminal\":\"main\",\"data\":\"\\u12g4\"}",
        "{\"type\":\"input\",\"terminal\":\"main\",\"data\":\"\\u12",
        "{\"type\":\"input\",\"terminal\":\"main\",\"data\":\"abc}",
        "{\"type\":\"open\",\"terminal\":\"main\",\"offset\":01}",
        "{\"type\":\"open\",\"terminal\":\"main\",\"offset\":-}",
        "{\"type\":\"open\",\"terminal\":\"main\",\"offset\":+1}");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("syntaxErrors")
  void textThatIsNotJsonIsRejectedAsMalformed(String json) {
    assertThatThrownBy(() -> ClientCodec.parseClient(json))
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PROTOCOL))
        .hasMessageStartingWith("malformed JSON: ")
        .hasMessageNotContaining("\n");
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("malformedClientFrames")
  void malformedClientFrameIsRejectedNamingTheProblem(String json, String message) {
    assertThatThrownBy(() -> ClientCodec.parseClient(json))
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PROTOCOL))
        .hasMessage(message);
  }

  static Stream<Arguments> malformedServerFrames() {
    return Stream.of(
        Arguments.of(
            "{\"type\":\"open\",\"terminal\":\"main\"}", "unknown server message type \"open\""),
        Arguments.of(
            "{\"type\":\"attached\",\"terminal\":\"main\",\"offset\":0,\"firstOffset\":0,"
                + "\"endOffset\":0,\"running\":true}",
            "missing field truncated"),
        Arguments.of(
            "{\"type\":\"attached\",\"terminal\":\"main\",\"offset\":0,\"firstOffset\":0,"
                + "\"endOffset\":0,\"truncated\":\"no\",\"running\":true}",
            "field truncated must be true or false, got a string"),
        Arguments.of(
            "{\"type\":\"attached\",\"terminal\":\"main\",\"offset\":9,\"firstOffset\":0,"
                + "\"endOffset\":5,\"truncated\":false,\"running\":true}",
            "field offset must be between 0 and 5, got 9"),
        Arguments.of(
            "{\"type\":\"attached\",\"terminal\":\"main\",\"offset\":0,\"firstOffset\":0,"
                + "\"endOffset\":0,\"truncated\":false,\"running\":true,\"exitCode\":0}",
            "field exitCode must be absent while running"),
        Arguments.of(
            "{\"type\":\"exit\",\"terminal\":\"main\",\"code\":2147483648}",
            "field code must be between -2147483648 and 2147483647, got 2147483648"),
        Arguments.of(
            "{\"type\":\"status\",\"container\":\"\",\"status\":\"RUNNING\",\"agentConnected\":true}",
            "field container must not be empty"),
        Arguments.of(
            "{\"type\":\"status\",\"container\":\"c-1\",\"status\":\"RUNNING\",\"agentConnected\":1}",
            "field agentConnected must be true or false, got a number"),
        Arguments.of(
            "{\"type\":\"error\",\"code\":\"Bad Message\",\"message\":\"x\"}",
            "field code is not a kebab-case code (like bad-message): \"Bad Message\""),
        Arguments.of("{\"type\":\"error\",\"code\":\"refused\"}", "missing field message"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("malformedServerFrames")
  void malformedServerFrameIsRejectedNamingTheProblem(String json, String message) {
    assertThatThrownBy(() -> ClientCodec.parseServer(json))
        .isInstanceOf(ProtocolException.class)
        .hasMessage(message);
  }

  @Test
  void framesOverSixtyFourKibibytesAreRejectedBothWays() {
    String prefix = "{\"type\":\"input\",\"terminal\":\"main\",\"data\":\"";
    int room = ClientCodec.MAX_FRAME - prefix.length() - 2;
    String fits = "x".repeat(room);
    assertThat(ClientCodec.parseClient(prefix + fits + "\"}"))
        .isEqualTo(new ClientMessage.Input("main", fits));
    assertThat(ClientCodec.toJson(new ClientMessage.Input("main", fits)))
        .hasSize(ClientCodec.MAX_FRAME);

    // counted in UTF-8 bytes, not chars: one é more is two bytes over
    String over = fits.substring(1) + "é";
    assertThatThrownBy(() -> ClientCodec.parseClient(prefix + over + "\"}"))
        .isInstanceOf(ProtocolException.class)
        .hasMessage("message of 65537 bytes exceeds 65536");
    assertThatThrownBy(() -> ClientCodec.toJson(new ClientMessage.Input("main", over)))
        .isInstanceOf(ProtocolException.class)
        .hasMessage("message of 65537 bytes exceeds 65536");
    assertThatThrownBy(() -> ClientCodec.parseClient("{}" + " ".repeat(1 << 20)))
        .isInstanceOf(ProtocolException.class)
        .hasMessage("message of 1048578 bytes exceeds 65536");
  }

  @Test
  void lenientSpellingsParseToTheCanonicalMessage() {
    String spaced =
        " \t\r\n{ \"rows\" : 40 ,\n \"cols\":120, \"offset\" : 0, \"terminal\":\"m\\/1\","
            + " \"type\" : \"open\" } \n";
    assertThatThrownBy(() -> ClientCodec.parseClient(spaced))
        .hasMessageStartingWith("field terminal is not a terminal id");
    String ok = spaced.replace("m\\/1", "\\u006d1");

    ClientMessage parsed = ClientCodec.parseClient(ok);

    assertThat(parsed).isEqualTo(new ClientMessage.Open("m1", 0L, 120, 40));
    assertThat(ClientCodec.toJson(parsed))
        .isEqualTo("{\"type\":\"open\",\"terminal\":\"m1\",\"offset\":0,\"cols\":120,\"rows\":40}");
  }

  @Test
  void explicitNullIsAnAbsentOptionalFieldAndUnknownFieldsAreIgnored() {
    assertThat(
            ClientCodec.parseClient(
                "{\"type\":\"open\",\"terminal\":\"main\",\"offset\":null,\"cols\":null,"
                    + "\"rows\":null,\"future\":\"x\",\"n\":-0.5e-3,\"b\":false,\"z\":null}"))
        .isEqualTo(new ClientMessage.Open("main"));
    assertThat(ClientCodec.parseClient("{\"type\":\"open\",\"terminal\":\"main\",\"offset\":-0}"))
        .isEqualTo(new ClientMessage.Open("main", 0L, null, null));
    assertThat(
            ClientCodec.parseServer(
                "{\"type\":\"error\",\"terminal\":null,\"code\":\"refused\",\"message\":\"\"}"))
        .isEqualTo(new ServerMessage.Error(null, "refused", ""));
  }

  @Test
  void controlCharactersAreEscapedLikeJsonStringify() {
    String all = "\"\\/" + "\b\f\n\r\t" + "\u0000\u0001\u001b\u001f" + "\u007f\u2028é";

    String json = ClientCodec.toJson(new ClientMessage.Input("t", all));

    assertThat(json)
        .isEqualTo(
            "{\"type\":\"input\",\"terminal\":\"t\",\"data\":\"\\\"\\\\/"
                + "\\b\\f\\n\\r\\t\\u0000\\u0001\\u001b\\u001f\u007f\u2028é\"}");
  }

  @Test
  void everyBmpCharacterIsWrittenAsTheHandMadeWriterAndJsonStringifyWroteIt() {
    for (char c = 0; c < 0xFFFF; c++) {
      if (Character.isSurrogate(c)) {
        continue;
      }
      String expected =
          switch (c) {
            case '"' -> "\\\"";
            case '\\' -> "\\\\";
            case '\b' -> "\\b";
            case '\f' -> "\\f";
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            case '\t' -> "\\t";
            default -> c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c);
          };

      assertThat(ClientCodec.toJson(new ClientMessage.Input("t", String.valueOf(c))))
          .as("U+%04X", (int) c)
          .isEqualTo("{\"type\":\"input\",\"terminal\":\"t\",\"data\":\"" + expected + "\"}");
    }
  }

  @Test
  void unpairedSurrogatesCannotBeWritten() {
    assertThatThrownBy(() -> ClientCodec.toJson(new ClientMessage.Input("t", "a\uD800b")))
        .isInstanceOf(ProtocolException.class)
        .hasMessage("field data holds an unpaired surrogate \\ud800");
    assertThatThrownBy(() -> ClientCodec.toJson(new ServerMessage.Error(null, "refused", "\uDC00")))
        .isInstanceOf(ProtocolException.class)
        .hasMessage("field message holds an unpaired surrogate \\udc00");
  }

  @Test
  void randomTextRoundTripsInBothSpellings() {
    Random random = new Random(20240611);
    for (int round = 0; round < 2000; round++) {
      String text = randomText(random, random.nextInt(40));
      ClientMessage input = new ClientMessage.Input("t-" + round, text);
      ServerMessage error = new ServerMessage.Error("t-" + round, "refused", text);

      String json = ClientCodec.toJson(input);

      assertThat(json.chars()).as("no raw control characters").allMatch(c -> c >= 0x20);
      assertThat(ClientCodec.parseClient(json)).isEqualTo(input);
      assertThat(ClientCodec.parseServer(ClientCodec.toJson(error))).isEqualTo(error);
      // the same text with every UTF-16 unit as a \\uXXXX escape, surrogate pairs included
      StringBuilder escaped = new StringBuilder();
      text.chars().forEach(c -> escaped.append(String.format("\\u%04X", c)));
      assertThat(
              ClientCodec.parseClient(
                  "{\"type\":\"input\",\"terminal\":\"t-"
                      + round
                      + "\",\"data\":\""
                      + escaped
                      + "\"}"))
          .isEqualTo(input);
    }
  }

  /** Code points from every plane, weighted towards the characters that need escaping. */
  static String randomText(Random random, int length) {
    StringBuilder s = new StringBuilder();
    for (int k = 0; k < length; k++) {
      int cp;
      switch (random.nextInt(7)) {
        case 0:
          cp = random.nextInt(0x20); // control characters
          break;
        case 1:
          cp = "\"\\/'{}[]:,".charAt(random.nextInt(10));
          break;
        case 2:
          cp = 0x20 + random.nextInt(0x60); // printable ASCII and DEL
          break;
        case 3:
          cp = 0x80 + random.nextInt(0xD800 - 0x80); // BMP below the surrogates
          break;
        case 4:
          cp = 0xE000 + random.nextInt(0x10000 - 0xE000); // BMP above, with U+FFFF
          break;
        default:
          cp = 0x10000 + random.nextInt(0x110000 - 0x10000); // planes 1 to 16
      }
      s.appendCodePoint(cp);
    }
    return s.toString();
  }
}
