package dev.cms.gateway.preview.control;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpMessage;
import org.apache.hc.core5.http.ProtocolVersion;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.impl.io.DefaultHttpRequestParser;
import org.apache.hc.core5.http.impl.io.DefaultHttpResponseParser;
import org.apache.hc.core5.http.impl.io.SessionInputBufferImpl;

/**
 * Request and response heads read with httpcore5's HTTP/1.1 parsers (the gateway parses only what
 * routing and framing need; bodies are never parsed, only counted).
 */
final class HttpHeads {

  /** The longest line and the most fields a head may have. */
  static final Http1Config LIMITS =
      Http1Config.custom().setMaxLineLength(16 * 1024).setMaxHeaderCount(200).build();

  private HttpHeads() {}

  /**
   * A request head.
   *
   * @param target the request target exactly as sent (path and query, still encoded)
   */
  record Request(String method, String target, ProtocolVersion version, List<HttpHeader> headers) {

    /** Whether the client asked to keep the connection open (HTTP/1.1 unless {@code close}). */
    boolean keepAlive() {
      boolean http11 = version != null && version.greaterEquals(new ProtocolVersion("HTTP", 1, 1));
      if (HttpHeader.hasToken(headers, "Connection", "close")) {
        return false;
      }
      return http11 || HttpHeader.hasToken(headers, "Connection", "keep-alive");
    }

    /** Whether this is a WebSocket (or other) upgrade. */
    boolean upgrade() {
      return "GET".equals(method)
          && HttpHeader.first(headers, "Upgrade") != null
          && HttpHeader.hasToken(headers, "Connection", "upgrade");
    }
  }

  /**
   * A response head.
   *
   * @param statusLine the status line as sent, without CRLF
   */
  record Response(int code, String statusLine, List<HttpHeader> headers) {}

  /** Parses a request head (request line, fields, empty line). */
  static Request request(byte[] head) throws IOException {
    try {
      ClassicHttpRequest r =
          new DefaultHttpRequestParser(LIMITS)
              .parse(new SessionInputBufferImpl(head.length + 16), stream(head));
      if (r == null) {
        throw new IOException("no request");
      }
      String line = firstLine(head);
      String[] parts = line.split(" ");
      if (parts.length != 3) {
        throw new IOException("malformed request line");
      }
      return new Request(r.getMethod(), parts[1], r.getVersion(), fields(r));
    } catch (HttpException e) {
      throw new IOException("malformed request head: " + e.getMessage(), e);
    }
  }

  /** Parses a response head (status line, fields, empty line). */
  static Response response(byte[] head) throws IOException {
    try {
      ClassicHttpResponse r =
          new DefaultHttpResponseParser(LIMITS)
              .parse(new SessionInputBufferImpl(head.length + 16), stream(head));
      if (r == null) {
        throw new IOException("no response");
      }
      return new Response(r.getCode(), firstLine(head), fields(r));
    } catch (HttpException e) {
      throw new IOException("malformed response head: " + e.getMessage(), e);
    }
  }

  /** The head with a new {@code Location} value (the fields in their order otherwise). */
  static byte[] withLocation(Response r, String location) {
    StringBuilder sb = new StringBuilder(256).append(r.statusLine()).append("\r\n");
    for (HttpHeader h : r.headers()) {
      String v = h.is("Location") ? location : h.value();
      sb.append(h.name()).append(": ").append(v).append("\r\n");
    }
    return sb.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  private static ByteArrayInputStream stream(byte[] head) {
    return new ByteArrayInputStream(head);
  }

  private static String firstLine(byte[] head) {
    int i = 0;
    while (i + 1 < head.length && !(head[i] == '\r' && head[i + 1] == '\n')) {
      i++;
    }
    return new String(head, 0, i, StandardCharsets.ISO_8859_1);
  }

  private static List<HttpHeader> fields(HttpMessage m) {
    List<HttpHeader> out = new ArrayList<>();
    for (Header h : m.getHeaders()) {
      out.add(new HttpHeader(h.getName(), h.getValue()));
    }
    return out;
  }
}
