package dev.cms.domain.client;

import dev.cms.domain.protocol.ProtocolException;
import java.util.regex.Pattern;

/** Field rules shared by the record constructors and the parser, with messages naming the field. */
final class Check {

  private static final Pattern TERMINAL_ID = Pattern.compile("[A-Za-z0-9_-]{1,32}");
  private static final Pattern ERROR_CODE = Pattern.compile("[a-z0-9]+(?:-[a-z0-9]+)*");

  private Check() {}

  static String terminal(String field, String id) {
    notNull(field, id);
    if (!TERMINAL_ID.matcher(id).matches()) {
      throw new ProtocolException(
          "field " + field + " is not a terminal id ([A-Za-z0-9_-]{1,32}): " + quote(id));
    }
    return id;
  }

  static boolean isTerminalId(String id) {
    return id != null && TERMINAL_ID.matcher(id).matches();
  }

  static String errorCode(String field, String code) {
    notNull(field, code);
    if (code.length() > 64 || !ERROR_CODE.matcher(code).matches()) {
      throw new ProtocolException(
          "field " + field + " is not a kebab-case code (like bad-message): " + quote(code));
    }
    return code;
  }

  static String notEmpty(String field, String value) {
    notNull(field, value);
    if (value.isEmpty()) {
      throw new ProtocolException("field " + field + " must not be empty");
    }
    return value;
  }

  static <T> T notNull(String field, T value) {
    if (value == null) {
      throw new ProtocolException("field " + field + " is required");
    }
    return value;
  }

  static long range(String field, long value, long min, long max) {
    if (value < min || value > max) {
      throw new ProtocolException(outOfRange(field, Long.toString(value), min, max));
    }
    return value;
  }

  static String outOfRange(String field, String value, long min, long max) {
    return "field "
        + field
        + " must be "
        + (max == Long.MAX_VALUE ? ">= " + min : "between " + min + " and " + max)
        + ", got "
        + value;
  }

  /** A value for an error message: quoted, and cut short so a huge value does not flood a log. */
  static String quote(String s) {
    return '"' + (s.length() > 40 ? s.substring(0, 40) + "…" : s) + '"';
  }
}
