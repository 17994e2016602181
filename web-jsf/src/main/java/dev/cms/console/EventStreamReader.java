package dev.cms.console;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A bounded reader of the {@code text/event-stream} format (the gateway's {@code GET
 * /api/v1/events}): fields {@code id:}, {@code event:} and {@code data:} (several data lines are
 * joined by a newline), a blank line ends an event, {@code :} lines (the heartbeat) are skipped.
 * Lines of more than {@code maxLine} bytes and events of more than {@code maxLine} bytes of data
 * fail the stream. The id of the last event that had one is kept for a reconnect's {@code
 * Last-Event-ID}.
 */
final class EventStreamReader {

  /** Receives each complete event with a name and data. */
  @FunctionalInterface
  interface Handler {
    void event(String name, String data);
  }

  private final int maxLine;
  private String lastEventId;

  EventStreamReader(int maxLine, String lastEventId) {
    this.maxLine = maxLine;
    this.lastEventId = lastEventId;
  }

  /** The id of the last event read that carried one (or the one given at the start). */
  String lastEventId() {
    return lastEventId;
  }

  /** Reads events until the stream ends or {@code stop} says so; fails on a bound. */
  void read(InputStream in, Handler handler, java.util.function.BooleanSupplier stop)
      throws IOException {
    String id = null;
    String name = null;
    StringBuilder data = new StringBuilder();
    String line;
    while (!stop.getAsBoolean() && (line = line(in)) != null) {
      if (line.isEmpty()) {
        if (id != null) {
          lastEventId = id;
        }
        if (name != null && data.length() > 0) {
          handler.event(name, data.toString());
        }
        id = null;
        name = null;
        data.setLength(0);
        continue;
      }
      if (line.startsWith(":")) {
        continue; // a comment: the heartbeat
      }
      int colon = line.indexOf(':');
      String field = colon < 0 ? line : line.substring(0, colon);
      String value = colon < 0 ? "" : line.substring(colon + 1);
      if (value.startsWith(" ")) {
        value = value.substring(1);
      }
      switch (field) {
        case "id" -> id = value;
        case "event" -> name = value;
        case "data" -> {
          if (data.length() + value.length() > maxLine) {
            throw new IOException("an event of more than " + maxLine + " bytes");
          }
          if (data.length() > 0) {
            data.append('\n');
          }
          data.append(value);
        }
        default -> {
          // retry and unknown fields: the reconnect delay is the reader's own
        }
      }
    }
  }

  /** One line (LF or CRLF), UTF-8, at most {@code maxLine} bytes; null at the end. */
  private String line(InputStream in) throws IOException {
    byte[] buf = new byte[256];
    int n = 0;
    while (true) {
      int b = in.read();
      if (b < 0) {
        return n == 0 ? null : new String(buf, 0, n, StandardCharsets.UTF_8);
      }
      if (b == '\n') {
        if (n > 0 && buf[n - 1] == '\r') {
          n--;
        }
        return new String(buf, 0, n, StandardCharsets.UTF_8);
      }
      if (n == maxLine) {
        throw new IOException("a line of more than " + maxLine + " bytes");
      }
      if (n == buf.length) {
        buf = Arrays.copyOf(buf, Math.min(maxLine, buf.length * 2));
      }
      buf[n++] = (byte) b;
    }
  }
}
