package dev.cms.gateway.agents.control;

/**
 * Makes text from an untrusted party (an agent's HELLO fields, its close reason) safe for a log
 * line or a history row: at most a given length, and every control or format character (line
 * breaks, escapes, bidi overrides) shown as {@code \\uXXXX}, so one agent cannot forge or hide log
 * lines.
 */
public final class Untrusted {

  /** Default length of a quoted field. */
  public static final int FIELD = 64;

  private Untrusted() {}

  /** {@link #quote(String, int)} with {@link #FIELD}. */
  public static String quote(String s) {
    return quote(s, FIELD);
  }

  /**
   * The text in double quotes, shortened to {@code max} characters (then followed by {@code …} and
   * the original length), control characters escaped; {@code null} for none.
   */
  public static String quote(String s, int max) {
    if (s == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder(Math.min(s.length(), max) + 16).append('"');
    int n = Math.min(s.length(), max);
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (Character.isISOControl(c)
          || Character.getType(c) == Character.FORMAT
          || Character.isSurrogate(c)
          || c == '\u2028'
          || c == '\u2029'
          || c == '"'
          || c == '\\') {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    b.append('"');
    if (s.length() > max) {
      b.append("…(").append(s.length()).append(" chars)");
    }
    return b.toString();
  }
}
