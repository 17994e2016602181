package dev.cms.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The typed client in plain Java SE (Jersey's MicroProfile Rest Client) against a small HTTP server
 * that answers as the gateway does: records read field for field, problems become {@link
 * CmsApiException} with their rule, and no answer is status 0.
 */
class CmsClientTest {

  private HttpServer server;
  private final List<String> seen = new CopyOnWriteArrayList<>();
  private volatile int status;
  private volatile String contentType;
  private volatile String body;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::answer);
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private void answer(HttpExchange x) throws IOException {
    byte[] in = x.getRequestBody().readAllBytes();
    seen.add(
        x.getRequestMethod()
            + " "
            + x.getRequestURI()
            + " auth="
            + x.getRequestHeaders().getFirst("Authorization")
            + " body="
            + new String(in, StandardCharsets.UTF_8));
    byte[] out = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    if (contentType != null) {
      x.getResponseHeaders().add("Content-Type", contentType);
    }
    x.sendResponseHeaders(status, out.length == 0 ? -1 : out.length);
    try (OutputStream o = x.getResponseBody()) {
      o.write(out);
    }
  }

  private URI base() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  private void answers(int status, String contentType, String body) {
    this.status = status;
    this.contentType = contentType;
    this.body = body;
  }

  @Test
  void aProblemBecomesACmsApiExceptionWithItsRuleTitleAndType() {
    answers(
        400,
        "application/problem+json",
        "{\"type\":\"about:blank\",\"title\":\"Bad Request\",\"status\":400,"
            + "\"detail\":\"path must be absolute\",\"instance\":\"/api/v1/containers/c-1/files\","
            + "\"rule\":\"absolute-path\",\"correlationId\":\"abc123\"}");
    try (CmsClient cms = CmsClient.connect(base(), "cms_key")) {
      assertThatThrownBy(() -> cms.list("c-1", "relative"))
          .isInstanceOfSatisfying(
              CmsApiException.class,
              e -> {
                assertThat(e.status()).isEqualTo(400);
                assertThat(e.type()).isEqualTo("about:blank");
                assertThat(e.title()).isEqualTo("Bad Request");
                assertThat(e.detail()).isEqualTo("path must be absolute");
                assertThat(e.rule()).isEqualTo("absolute-path");
                assertThat(e.correlationId()).isEqualTo("abc123");
                assertThat(e.reason()).isEqualTo("path must be absolute (rule: absolute-path)");
              });
    }
    assertThat(seen)
        .singleElement()
        .asString()
        .startsWith("GET /api/v1/containers/c-1/files?")
        .contains("path=relative", "list=", "auth=Bearer cms_key");
  }

  @Test
  void anAnswerThatIsNoProblemDocumentKeepsItsStatus() {
    answers(502, "text/html", "<html><body>bad gateway</body></html>");
    try (CmsClient cms = CmsClient.connect(base(), "cms_key")) {
      assertThatThrownBy(() -> cms.containers().get("c-1"))
          .isInstanceOfSatisfying(
              CmsApiException.class,
              e -> {
                assertThat(e.status()).isEqualTo(502);
                assertThat(e.detail()).isEqualTo("HTTP 502");
                assertThat(e.rule()).isNull();
              });
    }
  }

  @Test
  void aRefusalOfAVoidCallIsMappedToo() {
    answers(
        404,
        "application/problem+json",
        "{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404,\"detail\":\"no key k-9\"}");
    try (CmsClient cms = CmsClient.connect(base(), "cmss_session")) {
      assertThatThrownBy(() -> cms.users().revokeKey("k-9"))
          .isInstanceOfSatisfying(
              CmsApiException.class,
              e -> assertThat(e.status() + " " + e.reason()).isEqualTo("404 no key k-9"));
    }
    assertThat(seen).containsExactly("DELETE /api/v1/keys/k-9 auth=Bearer cmss_session body=");
  }

  @Test
  void noAnswerIsStatusZero() throws IOException {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    try (CmsClient cms = CmsClient.connect(URI.create("http://127.0.0.1:" + closed), "k")) {
      assertThatThrownBy(() -> cms.containers().list(null))
          .isInstanceOfSatisfying(
              CmsApiException.class,
              e -> {
                assertThat(e.status()).isZero();
                assertThat(e.detail()).startsWith("the gateway cannot be reached: ");
              });
    }
  }

  @Test
  void aCallWithoutACredentialIsRefusedBeforeItIsSent() {
    answers(200, "application/json", "[]");
    try (CmsClient cms = CmsClient.connect(base(), () -> null)) {
      assertThatThrownBy(() -> cms.containers().list(null))
          .isInstanceOfSatisfying(
              CmsApiException.class, e -> assertThat(e.status()).isEqualTo(401));
    }
    assertThat(seen).isEmpty();
  }

  @Test
  void recordsAreReadAndWrittenWithTheApisFieldNames() {
    answers(
        201,
        "application/json",
        "{\"id\":\"c-1\",\"status\":\"RUNNING\",\"agentConnected\":true,"
            + "\"createdAt\":\"2026-12-02T06:00:00Z\",\"limits\":{\"memoryMb\":512,\"cpus\":1.0,"
            + "\"pidsLimit\":256,\"idleTimeoutSeconds\":900,\"ttlSeconds\":0,\"diskMb\":0},"
            + "\"labels\":{\"a\":\"b\"},\"websocketUrl\":\"ws://h/ws/v1/client/c-1\","
            + "\"token\":\"t\",\"someFieldOfALaterGateway\":1}");
    try (CmsClient cms = CmsClient.connect(base(), "k")) {
      ContainerView c = cms.createReady(CreateContainer.defaults().withMemoryMb(512));
      assertThat(c.id()).isEqualTo("c-1");
      assertThat(c.running()).isTrue();
      assertThat(c.agentConnected()).isTrue();
      assertThat(c.createdAt()).isEqualTo(Instant.parse("2026-12-02T06:00:00Z"));
      assertThat(c.limits().memoryMb()).isEqualTo(512);
      assertThat(c.labels()).containsEntry("a", "b");
      assertThat(c.token()).isEqualTo("t");
      assertThat(c.exitCode()).isNull();
    }
    // null fields are left out: the gateway's defaults apply
    assertThat(seen)
        .containsExactly(
            "POST /api/v1/containers?wait=ready auth=Bearer k body={\"memoryMb\":512}");
  }

  @Test
  void aFileIsWrittenFromAStreamAndReadBoundedAsText() {
    answers(200, "application/json", "{\"path\":\"/app/a.txt\",\"bytes\":5}");
    try (CmsClient cms = CmsClient.connect(base(), "k")) {
      assertThat(cms.writeString("c-1", "/app/a.txt", "hello"))
          .isEqualTo(new FileWritten("/app/a.txt", 5));
      answers(200, "application/octet-stream", "0123456789");
      assertThat(cms.readString("c-1", "/app/a.txt", 10)).isEqualTo("0123456789");
      assertThatThrownBy(() -> cms.readString("c-1", "/app/a.txt", 9))
          .isInstanceOf(CmsApiException.class)
          .hasMessageContaining("larger than 9 bytes");
    }
    assertThat(seen.get(0))
        .isEqualTo("PUT /api/v1/containers/c-1/files?path=%2Fapp%2Fa.txt auth=Bearer k body=hello");
  }
}
