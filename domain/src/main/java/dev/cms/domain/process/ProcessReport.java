package dev.cms.domain.process;

import dev.cms.domain.protocol.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.regex.Pattern;

/**
 * One process as the agent knows it: a terminal whose last run was started with a command.
 *
 * <p>Every field is checked here, so a report decoded from a hostile agent is well-formed or
 * rejected ({@link ProtocolException}); the sizes stay within {@link ProcessWire#MAX_MESSAGE}.
 *
 * @param terminal the terminal id (the process id), {@code [A-Za-z0-9_-]{1,32}}
 * @param command the command line it runs, non-blank, at most {@link ProcessWire#MAX_COMMAND} UTF-8
 *     bytes (the agent shortens longer ones)
 * @param cwd its absolute working directory, at most {@link ProcessWire#MAX_CWD} UTF-8 bytes
 * @param port the port the gateway said the process would listen on, or {@code null}
 * @param startedAt when its run started (millisecond precision on the wire)
 * @param endedAt when it ended; {@code null} exactly while {@code RUNNING}
 * @param state running or exited
 * @param exitCode its exit status (128 + signal for a signal); {@code null} exactly while {@code
 *     RUNNING}
 */
public record ProcessReport(
    String terminal,
    String command,
    String cwd,
    Integer port,
    Instant startedAt,
    Instant endedAt,
    ProcessState state,
    Integer exitCode) {

  static final Pattern TERMINAL_ID = Pattern.compile("[A-Za-z0-9_-]{1,32}");

  public ProcessReport {
    if (terminal == null || !TERMINAL_ID.matcher(terminal).matches()) {
      throw new ProtocolException("process terminal is not a terminal id: " + shorten(terminal));
    }
    if (command == null || command.isBlank()) {
      throw new ProtocolException("process " + terminal + " has no command");
    }
    if (utf8(command) > ProcessWire.MAX_COMMAND) {
      throw new ProtocolException(
          "process " + terminal + ": command longer than " + ProcessWire.MAX_COMMAND + " bytes");
    }
    if (cwd == null || !cwd.startsWith("/") || utf8(cwd) > ProcessWire.MAX_CWD) {
      throw new ProtocolException(
          "process " + terminal + ": cwd is not an absolute path: " + shorten(cwd));
    }
    if (port != null && (port < 1 || port > 65_535)) {
      throw new ProtocolException("process " + terminal + ": port out of range: " + port);
    }
    if (startedAt == null || state == null) {
      throw new ProtocolException("process " + terminal + ": startedAt and state are required");
    }
    boolean running = state == ProcessState.RUNNING;
    if (running != (exitCode == null) || running != (endedAt == null)) {
      throw new ProtocolException(
          "process " + terminal + ": exitCode and endedAt are set exactly when EXITED");
    }
  }

  /** A running process. */
  public static ProcessReport running(
      String terminal, String command, String cwd, Integer port, Instant startedAt) {
    return new ProcessReport(
        terminal, command, cwd, port, startedAt, null, ProcessState.RUNNING, null);
  }

  /** An exited process. */
  public static ProcessReport exited(
      String terminal,
      String command,
      String cwd,
      Integer port,
      Instant startedAt,
      Instant endedAt,
      int exitCode) {
    return new ProcessReport(
        terminal, command, cwd, port, startedAt, endedAt, ProcessState.EXITED, exitCode);
  }

  /**
   * Shortens a command to at most {@link ProcessWire#MAX_COMMAND} UTF-8 bytes, on a character
   * boundary, marking the cut with {@code …}.
   */
  public static String fitCommand(String command) {
    if (utf8(command) <= ProcessWire.MAX_COMMAND) {
      return command;
    }
    int budget = ProcessWire.MAX_COMMAND - 3; // "…" is 3 bytes
    StringBuilder b = new StringBuilder();
    int used = 0;
    for (int i = 0; i < command.length(); ) {
      int cp = command.codePointAt(i);
      int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
      if (used + n > budget) {
        break;
      }
      b.appendCodePoint(cp);
      used += n;
      i += Character.charCount(cp);
    }
    return b.append('…').toString();
  }

  private static int utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  private static String shorten(String s) {
    return s == null ? "null" : s.length() > 40 ? s.substring(0, 40) + "…" : s;
  }
}
