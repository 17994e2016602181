package dev.cms.gateway.preview.control;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/** One HTTP header field, as received (name case kept), and the hop-by-hop rules. */
public record HttpHeader(String name, String value) {

  /** Hop-by-hop fields (RFC 9110 7.6.1 and the classic list): never forwarded as they are. */
  static final Set<String> HOP_BY_HOP =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-connection",
          "proxy-authenticate",
          "proxy-authorization",
          "te",
          "trailer",
          "trailers",
          "transfer-encoding",
          "upgrade");

  /** Whether the field has this name (case-insensitive). */
  public boolean is(String other) {
    return name.equalsIgnoreCase(other);
  }

  /**
   * The names to drop when relaying {@code headers}: the hop-by-hop fields and every field the
   * {@code Connection} header names, all lower case.
   */
  static Set<String> hopByHop(List<HttpHeader> headers) {
    Set<String> drop = new TreeSet<>(HOP_BY_HOP);
    for (HttpHeader h : headers) {
      if (h.is("connection")) {
        for (String token : h.value().split(",")) {
          String t = token.strip().toLowerCase(Locale.ROOT);
          if (!t.isEmpty()) {
            drop.add(t);
          }
        }
      }
    }
    return drop;
  }

  /** Whether a comma-separated header of {@code name} contains {@code token} (case-insensitive). */
  static boolean hasToken(List<HttpHeader> headers, String name, String token) {
    for (HttpHeader h : headers) {
      if (h.is(name)) {
        for (String t : h.value().split(",")) {
          if (t.strip().equalsIgnoreCase(token)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** The first value of {@code name}, or {@code null}. */
  static String first(List<HttpHeader> headers, String name) {
    for (HttpHeader h : headers) {
      if (h.is(name)) {
        return h.value();
      }
    }
    return null;
  }
}
