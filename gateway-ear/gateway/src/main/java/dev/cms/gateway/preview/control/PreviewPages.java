package dev.cms.gateway.preview.control;

import jakarta.json.Json;
import java.nio.charset.StandardCharsets;

/**
 * The answers the preview listener gives itself (never the app's): whole HTTP/1.1 responses, each
 * with {@code Connection: close} and {@code Cache-Control: no-store}.
 */
public final class PreviewPages {

  private PreviewPages() {}

  /** The plain 404 every refused preview request gets, whatever the reason. */
  public static byte[] notFound() {
    return response(404, "Not Found", "text/plain;charset=UTF-8", "Not Found\n", "");
  }

  /** A problem+json answer. */
  public static byte[] problem(int status, String title, String detail, String extraHeaders) {
    String json =
        Json.createObjectBuilder()
            .add("type", "about:blank")
            .add("title", title)
            .add("status", status)
            .add("detail", detail)
            .build()
            .toString();
    return response(status, title, "application/problem+json", json, extraHeaders);
  }

  /** A small HTML page; {@code refresh} reloads it every second. */
  public static byte[] page(int status, String reason, String title, String text, boolean refresh) {
    String body =
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            + (refresh ? "<meta http-equiv=\"refresh\" content=\"1\">" : "")
            + "<title>"
            + escape(title)
            + "</title></head>\n<body style=\"font-family:sans-serif;margin:3em;color:#333\">"
            + "<h1 style=\"font-size:1.3em\">"
            + escape(title)
            + "</h1><p>"
            + escape(text)
            + "</p></body></html>\n";
    return response(
        status, reason, "text/html;charset=UTF-8", body, refresh ? "Retry-After: 1\r\n" : "");
  }

  /** The page shown while nothing listens on the port: it reloads itself every second. */
  public static byte[] waiting(int port) {
    return page(
        503,
        "Service Unavailable",
        "Waiting for the app on port " + port + "…",
        "Nothing is listening on port "
            + port
            + " in the container yet. This page retries by"
            + " itself.",
        true);
  }

  /** A redirect (308) to {@code location}. */
  public static byte[] redirect(String location) {
    return ("HTTP/1.1 308 Permanent Redirect\r\nLocation: "
            + location
            + "\r\nContent-Length: 0\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n")
        .getBytes(StandardCharsets.ISO_8859_1);
  }

  static byte[] response(int status, String reason, String type, String body, String extraHeaders) {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    byte[] head =
        ("HTTP/1.1 "
                + status
                + " "
                + reason
                + "\r\nContent-Type: "
                + type
                + "\r\nContent-Length: "
                + b.length
                + "\r\nCache-Control: no-store\r\n"
                + extraHeaders
                + "Connection: close\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1);
    byte[] all = new byte[head.length + b.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(b, 0, all, head.length, b.length);
    return all;
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
