package dev.cms.domain.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The lines of a data connection, each ASCII and ended by CRLF, at most {@value #MAX_LINE} bytes
 * with its CRLF:
 *
 * <ol>
 *   <li>agent → gateway, at once: {@link Hello} {@code CMS-DATA/1 {containerId} {credential}};
 *   <li>gateway → agent, when a browser connection needs the app (the connection may stay parked
 *       and idle until then): {@link Connect} {@code CONNECT {port}};
 *   <li>agent → gateway, once it tried {@code 127.0.0.1:port} and then {@code [::1]:port}: {@link
 *       Answer} {@code OK} or {@code REFUSED {reason}}.
 * </ol>
 *
 * <p>After {@code OK} both sides copy bytes until either closes. A gateway that closes a connection
 * without a {@code CONNECT} refused or retired it.
 */
public final class DataLine {

  /** The protocol word the agent's first line starts with. */
  public static final String MAGIC = "CMS-DATA/1";

  /** The longest line, CRLF included. */
  public static final int MAX_LINE = 256;

  private static final Pattern HELLO =
      Pattern.compile("CMS-DATA/1 (c-[a-z0-9]{12}) ([A-Za-z0-9]{16,128})");
  private static final Pattern CONNECT = Pattern.compile("CONNECT ([0-9]{1,5})");
  private static final Pattern REFUSED = Pattern.compile("REFUSED ([\\x21-\\x7e][\\x20-\\x7e]*)");

  private DataLine() {}

  /**
   * The agent's first line.
   *
   * @param containerId the container record id ({@code c-} and 12 characters)
   * @param credential the link credential the gateway issued in WELCOME
   */
  public record Hello(String containerId, String credential) {
    public Hello {
      Objects.requireNonNull(containerId, "containerId");
      Objects.requireNonNull(credential, "credential");
    }

    /** The line with its CRLF. */
    public byte[] bytes() {
      return line(MAGIC + " " + containerId + " " + credential);
    }

    /** Reads a line (without CRLF); empty when malformed. */
    public static Optional<Hello> parse(String line) {
      Matcher m = HELLO.matcher(line);
      return m.matches() ? Optional.of(new Hello(m.group(1), m.group(2))) : Optional.empty();
    }

    @Override
    public String toString() {
      return "Hello[containerId=" + containerId + ", credential=***]";
    }
  }

  /**
   * The gateway's order to connect to a loopback port of the container.
   *
   * @param port 1 to 65535
   */
  public record Connect(int port) {
    public Connect {
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port must be 1 to 65535: " + port);
      }
    }

    /** The line with its CRLF. */
    public byte[] bytes() {
      return line("CONNECT " + port);
    }

    /** Reads a line (without CRLF); empty when malformed. */
    public static Optional<Connect> parse(String line) {
      Matcher m = CONNECT.matcher(line);
      if (!m.matches()) {
        return Optional.empty();
      }
      int port = Integer.parseInt(m.group(1));
      return port >= 1 && port <= 65535 ? Optional.of(new Connect(port)) : Optional.empty();
    }
  }

  /**
   * The agent's answer to a {@link Connect}.
   *
   * @param ok whether the app's port accepted the connection
   * @param reason why not ({@code not-listening: …}, {@code connect-failed: …}, {@code too-many:
   *     …}); empty when ok
   */
  public record Answer(boolean ok, String reason) {
    /** The answer for a connected port. */
    public static final Answer OK = new Answer(true, "");

    public Answer {
      Objects.requireNonNull(reason, "reason");
    }

    /** A refusal; the reason is cut to fit a line and made printable. */
    public static Answer refused(String reason) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < reason.length() && b.length() < MAX_LINE - 12; i++) {
        char c = reason.charAt(i);
        b.append(c < 0x20 || c > 0x7e ? '?' : c);
      }
      String r = b.toString().strip();
      return new Answer(false, r.isEmpty() ? "refused" : r);
    }

    /** Whether the agent found nothing listening on the port. */
    public boolean notListening() {
      return !ok && reason.startsWith("not-listening");
    }

    /** The line with its CRLF. */
    public byte[] bytes() {
      return line(ok ? "OK" : "REFUSED " + reason);
    }

    /** Reads a line (without CRLF); empty when malformed. */
    public static Optional<Answer> parse(String line) {
      if ("OK".equals(line)) {
        return Optional.of(OK);
      }
      Matcher m = REFUSED.matcher(line);
      return m.matches() ? Optional.of(new Answer(false, m.group(1))) : Optional.empty();
    }
  }

  /**
   * Reads one CRLF-terminated line of at most {@link #MAX_LINE} bytes from a blocking stream (the
   * caller bounds the wait, e.g. with a socket timeout); null at the end of the stream.
   *
   * @throws IOException on a line above {@link #MAX_LINE} bytes, or when reading fails
   */
  public static String read(InputStream in) throws IOException {
    byte[] b = new byte[MAX_LINE];
    int n = 0;
    while (n < b.length) {
      int c = in.read();
      if (c < 0) {
        return null;
      }
      b[n++] = (byte) c;
      if (n >= 2 && b[n - 2] == '\r' && b[n - 1] == '\n') {
        return new String(b, 0, n - 2, StandardCharsets.US_ASCII);
      }
    }
    throw new IOException("line above " + MAX_LINE + " bytes");
  }

  /**
   * The index just past the first CRLF in {@code b[0..length)}, or -1 when there is none yet. Lines
   * are ASCII, so a byte search is enough.
   */
  public static int lineEnd(byte[] b, int offset, int length) {
    for (int i = offset + 1; i < offset + length; i++) {
      if (b[i] == '\n' && b[i - 1] == '\r') {
        return i + 1;
      }
    }
    return -1;
  }

  /** The text of a line without its CRLF. */
  public static String text(byte[] b, int offset, int endWithCrlf) {
    return new String(b, offset, endWithCrlf - offset - 2, StandardCharsets.US_ASCII);
  }

  private static byte[] line(String s) {
    byte[] b = (s + "\r\n").getBytes(StandardCharsets.US_ASCII);
    if (b.length > MAX_LINE) {
      throw new IllegalArgumentException("line above " + MAX_LINE + " bytes");
    }
    return b;
  }
}
