package dev.cms.gateway.clientsocket.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cms.domain.client.ClientMessage;
import dev.cms.domain.client.ServerMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pins the client WebSocket's JSON of version 1: every sample under {@code samples/v1/client/}
 * parses to the record built here and encodes back to the very same bytes (the samples predate the
 * JSON-P codec: they were written by the hand-made one, and the generator must keep them). The
 * binary output frame's sample is pinned in {@code domain}.
 */
class ClientCodecGoldenTest {

  static final String DIR = "/samples/v1/client/";

  static final Map<String, ClientMessage> CLIENT = new LinkedHashMap<>();
  static final Map<String, ServerMessage> SERVER = new LinkedHashMap<>();

  static {
    CLIENT.put("open", new ClientMessage.Open("main", 1234L, 120, 40));
    CLIENT.put("open-minimal", new ClientMessage.Open("main"));
    CLIENT.put(
        "input-utf8", new ClientMessage.Input("main", "héllo ✓ \uD83D\uDE80 \"q\" \\ \u001b[A\r"));
    CLIENT.put("resize", new ClientMessage.Resize("main", 120, 40));
    CLIENT.put("detach", new ClientMessage.Detach("build-2"));
    CLIENT.put("kill", new ClientMessage.Kill("main"));
    CLIENT.put("upload", new ClientMessage.Upload("u1", "zip", "/app", null));
    CLIENT.put("upload-file", new ClientMessage.Upload("u2", "file", "/app/bin/run.sh", "755"));
    CLIENT.put("upload-end", new ClientMessage.UploadEnd("u1"));
    CLIENT.put("upload-abort", new ClientMessage.UploadAbort("u2"));
    CLIENT.put("run", new ClientMessage.Run("npm install && npm start", "/app", 3000));

    SERVER.put("attached", new ServerMessage.Attached("main", 1234, 0, 5678, false, true, null));
    SERVER.put(
        "attached-exited",
        new ServerMessage.Attached("main", 1 << 20, 1 << 20, 2 << 20, true, false, 130));
    SERVER.put("exit", new ServerMessage.Exit("main", 0));
    SERVER.put("status", new ServerMessage.Status("c-7f3a9e", "RUNNING", true));
    SERVER.put(
        "error",
        new ServerMessage.Error(
            "main", ServerMessage.Error.UNKNOWN_TERMINAL, "no terminal \"main\" is attached"));
    SERVER.put(
        "port",
        new ServerMessage.Port(
            3000,
            true,
            "http://3000-c-7f3a9e-0123456789abcdef.localhost:8080/",
            "http://localhost:8080/preview/c-7f3a9e-0123456789abcdef/3000/"));
    SERVER.put("port-closed", new ServerMessage.Port(3000, false, null, null));
    SERVER.put("process", new ServerMessage.Process("p-4k2m", "EXITED", 143));
    SERVER.put("upload-progress", new ServerMessage.UploadProgress("u1", 1048576));
    SERVER.put(
        "file", new ServerMessage.File("w-3k9x2m7q", "created", "file", "/app/src/new.js", null));
    SERVER.put(
        "file-overflow", new ServerMessage.File("w-3k9x2m7q", "overflow", null, "/app", 17L));
    SERVER.put(
        "upload-result", new ServerMessage.UploadResult("u1", true, 61234, 10001, null, null));
    SERVER.put(
        "upload-refused",
        new ServerMessage.UploadResult(
            "u1", false, 0, 0, "dotdot-entry", "entry \"../evil\" leaves the target directory"));
    SERVER.put(
        "error-no-terminal",
        new ServerMessage.Error(
            null, ServerMessage.Error.BAD_MESSAGE, "unknown client message type \"ping\""));
  }

  static Stream<Arguments> clientSamples() {
    return CLIENT.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  static Stream<Arguments> serverSamples() {
    return SERVER.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  static byte[] resource(String file) {
    try (InputStream in = ClientCodecGoldenTest.class.getResourceAsStream(DIR + file)) {
      assertThat(in).as("sample " + file).isNotNull();
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A JSON sample is the exact canonical frame: no trailing newline is stripped. */
  static String json(String name) {
    return new String(resource(name + ".json"), StandardCharsets.UTF_8);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("clientSamples")
  void clientSampleParsesToTheRecordAndEncodesBackToTheSameText(
      String name, ClientMessage expected) {
    String text = json(name);

    ClientMessage parsed = ClientCodec.parseClient(text);

    assertThat(parsed).isEqualTo(expected);
    assertThat(ClientCodec.toJson(parsed)).isEqualTo(text);
    assertThat(ClientCodec.toJson(expected).getBytes(StandardCharsets.UTF_8))
        .isEqualTo(resource(name + ".json"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("serverSamples")
  void serverSampleParsesToTheRecordAndEncodesBackToTheSameText(
      String name, ServerMessage expected) {
    String text = json(name);

    ServerMessage parsed = ClientCodec.parseServer(text);

    assertThat(parsed).isEqualTo(expected);
    assertThat(ClientCodec.toJson(parsed)).isEqualTo(text);
    assertThat(ClientCodec.toJson(expected).getBytes(StandardCharsets.UTF_8))
        .isEqualTo(resource(name + ".json"));
  }

  @Test
  void everyMessageKindHasASample() {
    assertThat(CLIENT.values().stream().map(Object::getClass).distinct())
        .containsExactlyInAnyOrder(ClientMessage.class.getPermittedSubclasses());
    assertThat(SERVER.values().stream().map(Object::getClass).distinct())
        .containsExactlyInAnyOrder(ServerMessage.class.getPermittedSubclasses());
  }

  @Test
  void escapedAndRawUtf8SpellingsParseToTheSameText() {
    String escaped =
        "{\"type\":\"input\",\"terminal\":\"main\",\"data\":\"h\\u00e9llo \\u2713\\r\"}";
    String raw = "{\"type\":\"input\",\"terminal\":\"main\",\"data\":\"héllo ✓\\r\"}";

    assertThat(ClientCodec.parseClient(escaped))
        .isEqualTo(ClientCodec.parseClient(raw))
        .isEqualTo(new ClientMessage.Input("main", "héllo ✓\r"));
  }
}
