package dev.cms.system;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.Frame;
import dev.cms.domain.protocol.FrameCodec;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The agent dial-back endpoint is on the agent listener only and refuses anyone without the
 * container's credential; the create-time secret works once.
 */
class AgentChannelIT {

  @Test
  void anAgentWithAWrongSecretGetsGoAwayAndPolicyClose() throws Exception {
    Gateway gw = Gateway.shared();
    String id = gw.create(Gateway.KEY1).get("id").asText();
    try {
      Result r = hello(gw, new Frame.Hello(1, id, "not-the-secret", "test", List.of()));
      assertRefusedAsUnauthorized(r);
      // the real agent is unaffected
      assertThat(gw.container(id, Gateway.KEY1).get("agentConnected").asBoolean()).isTrue();
    } finally {
      gw.delete("/api/v1/containers/" + id, Gateway.KEY1);
    }
  }

  @Test
  void theCreateTimeSecretIsRefusedOnceTheAgentExchangedIt() throws Exception {
    Gateway gw = Gateway.shared();
    String id = gw.create(Gateway.KEY1).get("id").asText();
    try {
      // a test may read what the engine was given; code in the container cannot (root-only)
      String secret =
          java.util.Arrays.stream(Engine.byRecord(id).orElseThrow().getConfig().getEnv())
              .filter(e -> e.startsWith("CMS_AGENT_SECRET="))
              .map(e -> e.substring("CMS_AGENT_SECRET=".length()))
              .findFirst()
              .orElseThrow();
      assertThat(gw.container(id, Gateway.KEY1).get("agentConnected").asBoolean()).isTrue();

      Result r = hello(gw, new Frame.Hello(1, id, secret, "test", List.of()));

      assertRefusedAsUnauthorized(r);
      assertThat(gw.container(id, Gateway.KEY1).get("agentConnected").asBoolean()).isTrue();
    } finally {
      gw.delete("/api/v1/containers/" + id, Gateway.KEY1);
    }
  }

  @Test
  void theAgentListenerServesTheAgentEndpointOnlyAndTheMainPortNotIt() throws Exception {
    Gateway gw = Gateway.shared();
    HttpClient http = HttpClient.newHttpClient();
    for (String path :
        List.of("/console/", "/health/ready", "/api/v1/containers", "/metrics", "/openapi", "/")) {
      var res =
          http.send(
              java.net.http.HttpRequest.newBuilder(
                      URI.create("http://localhost:" + gw.agentPort() + path))
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(res.statusCode()).as(path).isEqualTo(404);
    }
    // the agent endpoint is not on the main port
    assertThat(gw.get("/ws/v1/agent", null).statusCode()).isEqualTo(404);
  }

  @Test
  void garbageInsteadOfHelloIsRefused() throws Exception {
    Gateway gw = Gateway.shared();
    Listener l = new Listener();
    WebSocket ws = connect(gw, l);
    ws.sendBinary(ByteBuffer.wrap(new byte[] {42, 42, 42}), true).join();
    assertThat(l.closeCode.get(10, TimeUnit.SECONDS)).isEqualTo(1008);
    assertThat(gw.get("/health/ready", null).statusCode()).isEqualTo(200);
  }

  private record Result(Frame frame, CompletableFuture<Integer> closeCode) {}

  private static void assertRefusedAsUnauthorized(Result r) throws Exception {
    assertThat(r.frame).isInstanceOf(Frame.GoAway.class);
    assertThat(((Frame.GoAway) r.frame).code()).isEqualTo(ErrorCode.UNAUTHORIZED);
    assertThat(r.closeCode.get(10, TimeUnit.SECONDS)).isEqualTo(1008);
  }

  private static Result hello(Gateway gw, Frame.Hello hello) throws Exception {
    Listener l = new Listener();
    WebSocket ws = connect(gw, l);
    ws.sendBinary(FrameCodec.encode(hello), true).join();
    return new Result(FrameCodec.decode(l.firstFrame.get(10, TimeUnit.SECONDS)), l.closeCode);
  }

  private static WebSocket connect(Gateway gw, Listener l) {
    return HttpClient.newHttpClient()
        .newWebSocketBuilder()
        .buildAsync(URI.create("ws://localhost:" + gw.agentPort() + "/ws/v1/agent"), l)
        .join();
  }

  private static final class Listener implements WebSocket.Listener {
    final CompletableFuture<byte[]> firstFrame = new CompletableFuture<>();
    final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    private final ByteArrayOutputStream parts = new ByteArrayOutputStream();

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
      byte[] b = new byte[data.remaining()];
      data.get(b);
      parts.writeBytes(b);
      if (last) {
        firstFrame.complete(parts.toByteArray());
        parts.reset();
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      closeCode.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      closeCode.completeExceptionally(error);
    }
  }
}
