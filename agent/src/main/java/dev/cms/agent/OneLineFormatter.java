package dev.cms.agent;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * One line per log record, for {@code docker logs}: time, level, logger's simple name, message, and
 * the exception's {@code toString()} (a stack trace only at SEVERE).
 */
final class OneLineFormatter extends Formatter {

  /** Routes the root logger to stderr in this format. */
  static void install() {
    LogManager.getLogManager().reset();
    Logger root = Logger.getLogger("");
    ConsoleHandler stderr = new ConsoleHandler();
    stderr.setFormatter(new OneLineFormatter());
    stderr.setLevel(Level.ALL);
    root.addHandler(stderr);
    root.setLevel(Level.INFO);
  }

  @Override
  public String format(LogRecord r) {
    StringBuilder line =
        new StringBuilder()
            .append(Instant.ofEpochMilli(r.getMillis()))
            .append(' ')
            .append(r.getLevel().getName())
            .append(' ')
            .append(simpleName(r.getLoggerName()))
            .append(": ")
            .append(formatMessage(r));
    Throwable t = r.getThrown();
    if (t != null) {
      if (r.getLevel().intValue() >= Level.SEVERE.intValue()) {
        StringWriter trace = new StringWriter();
        t.printStackTrace(new PrintWriter(trace));
        line.append(System.lineSeparator()).append(trace.toString().stripTrailing());
      } else {
        line.append(" (").append(t).append(')');
      }
    }
    return line.append(System.lineSeparator()).toString();
  }

  private static String simpleName(String name) {
    if (name == null) {
      return "-";
    }
    return name.substring(name.lastIndexOf('.') + 1);
  }
}
