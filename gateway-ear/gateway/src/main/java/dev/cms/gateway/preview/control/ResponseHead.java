package dev.cms.gateway.preview.control;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The status line and header fields of an HTTP/1.x response, parsed off the app's byte stream, and
 * the body framing they imply (RFC 9112 section 6.3).
 */
public record ResponseHead(String version, int status, String reason, List<HttpHeader> headers) {

  /** The longest status or header line accepted. */
  static final int MAX_LINE = 16 * 1024;

  /** The largest head accepted, all lines together. */
  static final int MAX_HEAD = 64 * 1024;

  /** The most header fields accepted. */
  static final int MAX_FIELDS = 256;

  public ResponseHead {
    headers = List.copyOf(headers);
  }

  /** How the body of a response is delimited. */
  public enum Framing {
    /** No body at all (HEAD, 1xx, 204, 304). */
    NONE,
    /** {@code Transfer-Encoding: chunked}. */
    CHUNKED,
    /** {@code Content-Length}. */
    LENGTH,
    /** Everything until the app closes the connection. */
    EOF
  }

  /**
   * Reads one response head.
   *
   * @throws IOException when the stream ends first, or the head is malformed or too large
   */
  public static ResponseHead read(HttpInput in) throws IOException {
    String statusLine = in.readLine(MAX_LINE);
    if (statusLine == null) {
      throw new EOFException("the app closed the connection without a response");
    }
    int total = statusLine.length();
    if (!statusLine.startsWith("HTTP/1.")) {
      throw new IOException("not an HTTP/1.x status line: " + abbreviate(statusLine));
    }
    int sp1 = statusLine.indexOf(' ');
    if (sp1 < 0 || statusLine.length() < sp1 + 4) {
      throw new IOException("malformed status line: " + abbreviate(statusLine));
    }
    String version = statusLine.substring(0, sp1);
    String code = statusLine.substring(sp1 + 1, sp1 + 4);
    if (!code.chars().allMatch(c -> c >= '0' && c <= '9')
        || (statusLine.length() > sp1 + 4 && statusLine.charAt(sp1 + 4) != ' ')) {
      throw new IOException("malformed status code: " + abbreviate(statusLine));
    }
    int status = Integer.parseInt(code);
    if (status < 100) {
      throw new IOException("malformed status code: " + status);
    }
    String reason = statusLine.length() > sp1 + 5 ? statusLine.substring(sp1 + 5) : "";
    List<HttpHeader> headers = new ArrayList<>();
    while (true) {
      String line = in.readLine(MAX_LINE);
      if (line == null) {
        throw new EOFException("the app closed the connection inside the response head");
      }
      total += line.length() + 2;
      if (total > MAX_HEAD) {
        throw new IOException("response head larger than " + MAX_HEAD + " bytes");
      }
      if (line.isEmpty()) {
        break;
      }
      if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
        // obsolete line folding: continues the previous value
        if (headers.isEmpty()) {
          throw new IOException("a folded line before any header field");
        }
        HttpHeader last = headers.remove(headers.size() - 1);
        headers.add(new HttpHeader(last.name(), last.value() + " " + line.strip()));
        continue;
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new IOException("malformed header line: " + abbreviate(line));
      }
      String name = line.substring(0, colon);
      if (!isToken(name)) {
        throw new IOException("malformed header name: " + abbreviate(name));
      }
      if (headers.size() >= MAX_FIELDS) {
        throw new IOException("more than " + MAX_FIELDS + " header fields");
      }
      headers.add(new HttpHeader(name, line.substring(colon + 1).strip()));
    }
    return new ResponseHead(version, status, reason, headers);
  }

  /** Reads heads until a final one: interim {@code 1xx} responses other than 101 are skipped. */
  public static ResponseHead readFinal(HttpInput in) throws IOException {
    while (true) {
      ResponseHead head = read(in);
      if (head.status() >= 200 || head.status() == 101) {
        return head;
      }
    }
  }

  /** The first value of a field, or {@code null}. */
  public String first(String name) {
    return HttpHeader.first(headers, name);
  }

  /** All values of a field, in order. */
  public List<String> values(String name) {
    return headers.stream().filter(h -> h.is(name)).map(HttpHeader::value).toList();
  }

  /**
   * How the body is delimited.
   *
   * @param requestMethod the request's method ({@code HEAD} responses have no body)
   */
  public Framing framing(String requestMethod) throws IOException {
    if ("HEAD".equalsIgnoreCase(requestMethod) || status < 200 || status == 204 || status == 304) {
      return Framing.NONE;
    }
    List<String> te = values("Transfer-Encoding");
    if (!te.isEmpty()) {
      String all = String.join(",", te).toLowerCase(Locale.ROOT);
      String[] codings = all.split(",");
      if (codings[codings.length - 1].strip().equals("chunked")) {
        return Framing.CHUNKED;
      }
      return Framing.EOF;
    }
    return contentLength() >= 0 ? Framing.LENGTH : Framing.EOF;
  }

  /**
   * The {@code Content-Length}, or -1 when absent.
   *
   * @throws IOException when it is malformed or given twice with different values
   */
  public long contentLength() throws IOException {
    long length = -1;
    for (String v : values("Content-Length")) {
      for (String part : v.split(",")) {
        long n;
        try {
          n = Long.parseLong(part.strip());
        } catch (NumberFormatException e) {
          throw new IOException("malformed Content-Length: " + abbreviate(v));
        }
        if (n < 0 || (length >= 0 && n != length)) {
          throw new IOException("malformed Content-Length: " + abbreviate(v));
        }
        length = n;
      }
    }
    return length;
  }

  /**
   * The body as a stream that ends where the body ends: de-chunked, cut at the length, or up to the
   * end of the connection. A body cut short by the app ends with an {@link IOException}, not a
   * clean end of stream.
   */
  public InputStream body(HttpInput in, String requestMethod) throws IOException {
    return switch (framing(requestMethod)) {
      case NONE -> InputStream.nullInputStream();
      case CHUNKED -> new ChunkedInputStream(in);
      case LENGTH -> new FixedLengthInputStream(in, contentLength());
      case EOF -> in;
    };
  }

  static boolean isToken(String s) {
    if (s.isEmpty()) {
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

  private static String abbreviate(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "…" : s;
  }
}
