package dev.cms.gateway.preview.control;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The request line and header fields the gateway writes to the app: the client's request with the
 * hop-by-hop fields removed, the connection kept alive unless the client closes it, and the {@code
 * X-Forwarded-*} fields set.
 */
public record RequestHead(String method, String target, List<HttpHeader> headers) {

  public RequestHead {
    if (!isToken(method)) {
      throw new IllegalArgumentException("malformed method");
    }
    if (target.isEmpty() || target.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
      throw new IllegalArgumentException("malformed request target");
    }
    headers = List.copyOf(headers);
  }

  /** How the request body travels to the app. */
  public enum Body {
    NONE,
    /** {@code Content-Length} bytes, passed on as they are. */
    LENGTH,
    /** Unknown length: the gateway chunks it ({@code Transfer-Encoding: chunked}). */
    CHUNKED
  }

  /**
   * What the gateway adds about the client.
   *
   * @param clientAddress the client's address, appended to {@code X-Forwarded-For}
   * @param proto {@code http} or {@code https}, as the client spoke to the gateway
   * @param rewriteHost when not {@code null}, the {@code Host} sent to the app (e.g. {@code
   *     localhost:3000}); else the client's {@code Host} is kept
   * @param upgrade whether this is a WebSocket upgrade: {@code Upgrade} is kept, {@code Connection:
   *     Upgrade} sent
   * @param keepAlive whether the client keeps its connection open; else {@code Connection: close}
   */
  public record Forwarding(
      String clientAddress, String proto, String rewriteHost, boolean upgrade, boolean keepAlive) {}

  /** How the body of a request with these headers is framed. */
  public static Body bodyOf(List<HttpHeader> clientHeaders) {
    if (HttpHeader.first(clientHeaders, "Transfer-Encoding") != null) {
      return Body.CHUNKED;
    }
    String length = HttpHeader.first(clientHeaders, "Content-Length");
    if (length != null) {
      try {
        return Long.parseLong(length.strip()) > 0 ? Body.LENGTH : Body.NONE;
      } catch (NumberFormatException e) {
        return Body.NONE;
      }
    }
    return Body.NONE;
  }

  /** The head to send to the app for a client's request. */
  public static RequestHead forApp(
      String method, String target, List<HttpHeader> clientHeaders, Forwarding fwd) {
    Set<String> drop = HttpHeader.hopByHop(clientHeaders);
    String host = HttpHeader.first(clientHeaders, "Host");
    Body body = bodyOf(clientHeaders);
    List<HttpHeader> out = new ArrayList<>();
    String sentHost = fwd.rewriteHost() != null ? fwd.rewriteHost() : host;
    if (sentHost != null) {
      out.add(new HttpHeader("Host", clean(sentHost)));
    }
    String forwardedFor = null;
    for (HttpHeader h : clientHeaders) {
      String name = h.name().toLowerCase(java.util.Locale.ROOT);
      if (drop.contains(name)
          || !isToken(h.name())
          || name.equals("host")
          || name.equals("x-forwarded-proto")
          || name.equals("x-forwarded-host")
          || (body == Body.CHUNKED && name.equals("content-length"))) {
        continue;
      }
      if (name.equals("x-forwarded-for")) {
        forwardedFor = forwardedFor == null ? h.value() : forwardedFor + ", " + h.value();
        continue;
      }
      out.add(new HttpHeader(h.name(), clean(h.value())));
    }
    if (fwd.upgrade()) {
      String upgrade = HttpHeader.first(clientHeaders, "Upgrade");
      out.add(new HttpHeader("Connection", "Upgrade"));
      out.add(new HttpHeader("Upgrade", clean(upgrade == null ? "websocket" : upgrade)));
    } else if (!fwd.keepAlive()) {
      out.add(new HttpHeader("Connection", "close"));
    }
    if (body == Body.CHUNKED) {
      out.add(new HttpHeader("Transfer-Encoding", "chunked"));
    }
    if (fwd.clientAddress() != null) {
      String addr = clean(fwd.clientAddress());
      forwardedFor =
          forwardedFor == null || forwardedFor.isBlank() ? addr : forwardedFor + ", " + addr;
    }
    if (forwardedFor != null) {
      out.add(new HttpHeader("X-Forwarded-For", clean(forwardedFor)));
    }
    if (fwd.proto() != null) {
      out.add(new HttpHeader("X-Forwarded-Proto", clean(fwd.proto())));
    }
    if (host != null) {
      out.add(new HttpHeader("X-Forwarded-Host", clean(host)));
    }
    return new RequestHead(method, target, out);
  }

  /** The head as bytes: request line, fields, empty line (ISO-8859-1, CRLF). */
  public byte[] bytes() {
    StringBuilder sb = new StringBuilder(256);
    sb.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
    for (HttpHeader h : headers) {
      sb.append(h.name()).append(": ").append(h.value()).append("\r\n");
    }
    sb.append("\r\n");
    return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  /** Whether {@code s} is an HTTP token (RFC 9110 5.6.2). */
  static boolean isToken(String s) {
    if (s == null || s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** A field value without control characters that could split the head. */
  private static String clean(String v) {
    StringBuilder sb = null;
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c == '\r' || c == '\n' || c == 0) {
        if (sb == null) {
          sb = new StringBuilder(v.substring(0, i));
        }
        sb.append(' ');
      } else if (sb != null) {
        sb.append(c);
      }
    }
    return sb == null ? v : sb.toString();
  }
}
