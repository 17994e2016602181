package dev.cms.gateway.preview.control;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class RequestHeadTest {

  static HttpHeader h(String n, String v) {
    return new HttpHeader(n, v);
  }

  static final RequestHead.Forwarding FWD =
      new RequestHead.Forwarding("10.0.0.7", "https", null, false, false);

  @Test
  void stripsHopByHopAndAddsConnectionCloseAndForwarding() {
    List<HttpHeader> client =
        List.of(
            h("Host", "3000-c-abcdefghjk23-0123456789abcdef.localhost:8080"),
            h("Connection", "keep-alive, X-Secret-Hop"),
            h("Keep-Alive", "timeout=5"),
            h("X-Secret-Hop", "1"),
            h("Proxy-Authorization", "Basic x"),
            h("Proxy-Connection", "keep-alive"),
            h("TE", "trailers"),
            h("Upgrade", "h2c"),
            h("Expect", "100-continue"),
            h("Accept", "text/html"),
            h("Cookie", "a=1"),
            h("Cookie", "b=2"),
            h("X-Forwarded-For", "1.2.3.4"),
            h("X-Forwarded-Proto", "http"),
            h("X-Forwarded-Host", "evil"),
            h("Content-Length", "12"));
    RequestHead head = RequestHead.forApp("POST", "/api/x?y=1", client, FWD);
    String text = new String(head.bytes(), ISO_8859_1);
    assertThat(text)
        .isEqualTo(
            "POST /api/x?y=1 HTTP/1.1\r\n"
                + "Host: 3000-c-abcdefghjk23-0123456789abcdef.localhost:8080\r\n"
                + "Expect: 100-continue\r\n"
                + "Accept: text/html\r\n"
                + "Cookie: a=1\r\n"
                + "Cookie: b=2\r\n"
                + "Content-Length: 12\r\n"
                + "Connection: close\r\n"
                + "X-Forwarded-For: 1.2.3.4, 10.0.0.7\r\n"
                + "X-Forwarded-Proto: https\r\n"
                + "X-Forwarded-Host: 3000-c-abcdefghjk23-0123456789abcdef.localhost:8080\r\n"
                + "\r\n");
    assertThat(RequestHead.bodyOf(head.headers())).isEqualTo(RequestHead.Body.LENGTH);
  }

  @Test
  void aKeptAliveClientConnectionSendsNoConnectionField() {
    RequestHead head =
        RequestHead.forApp(
            "GET",
            "/",
            List.of(h("Host", "h"), h("Connection", "keep-alive")),
            new RequestHead.Forwarding("1.1.1.1", "http", null, false, true));
    assertThat(new String(head.bytes(), ISO_8859_1)).doesNotContainIgnoringCase("connection:");
  }

  @Test
  void rewritesHostWhenAsked() {
    RequestHead head =
        RequestHead.forApp(
            "GET",
            "/",
            List.of(h("host", "preview.example.com")),
            new RequestHead.Forwarding("::1", "http", "localhost:3000", false, false));
    assertThat(head.headers())
        .containsExactly(
            h("Host", "localhost:3000"),
            h("Connection", "close"),
            h("X-Forwarded-For", "::1"),
            h("X-Forwarded-Proto", "http"),
            h("X-Forwarded-Host", "preview.example.com"));
  }

  @Test
  void bodyOfUnknownLengthIsChunkedAndItsLengthDropped() {
    RequestHead head =
        RequestHead.forApp(
            "PUT",
            "/upload",
            List.of(h("Host", "h"), h("Transfer-Encoding", "chunked"), h("Content-Length", "3")),
            FWD);
    assertThat(head.headers()).contains(h("Transfer-Encoding", "chunked"));
    assertThat(head.headers()).noneMatch(x -> x.is("Content-Length"));
    assertThat(RequestHead.bodyOf(head.headers())).isEqualTo(RequestHead.Body.CHUNKED);
    assertThat(RequestHead.bodyOf(List.of(h("Content-Length", "0"))))
        .isEqualTo(RequestHead.Body.NONE);
    assertThat(RequestHead.bodyOf(List.of())).isEqualTo(RequestHead.Body.NONE);
  }

  @Test
  void upgradeKeepsWebSocketFields() {
    List<HttpHeader> client =
        List.of(
            h("Host", "h:1"),
            h("Connection", "keep-alive, Upgrade"),
            h("Upgrade", "websocket"),
            h("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
            h("Sec-WebSocket-Version", "13"),
            h("Sec-WebSocket-Protocol", "vite-hmr"),
            h("Sec-WebSocket-Extensions", "permessage-deflate"));
    RequestHead head =
        RequestHead.forApp(
            "GET", "/", client, new RequestHead.Forwarding("1.1.1.1", "http", null, true, true));
    assertThat(head.headers())
        .contains(
            h("Connection", "Upgrade"),
            h("Upgrade", "websocket"),
            h("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
            h("Sec-WebSocket-Version", "13"),
            h("Sec-WebSocket-Protocol", "vite-hmr"),
            h("Sec-WebSocket-Extensions", "permessage-deflate"));
    assertThat(head.headers()).noneMatch(x -> x.is("Connection") && x.value().equals("close"));
    assertThat(head.headers()).noneMatch(x -> x.is("Keep-Alive"));
  }

  @Test
  void neverSplitsTheHead() {
    RequestHead head =
        RequestHead.forApp("GET", "/", List.of(h("Host", "h"), h("X-A", "1\r\nEvil: 2")), FWD);
    assertThat(new String(head.bytes(), ISO_8859_1)).doesNotContain("\r\nEvil");
    assertThatThrownBy(() -> RequestHead.forApp("GET", "/a b", List.of(), FWD))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RequestHead.forApp("G T", "/", List.of(), FWD))
        .isInstanceOf(IllegalArgumentException.class);
    // a field name that is not a token is dropped
    assertThat(RequestHead.forApp("GET", "/", List.of(h("Bad Name", "x")), FWD).headers())
        .noneMatch(x -> x.name().equals("Bad Name"));
  }
}
