package dev.cms.domain.files;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads typed values from a stream's open parameters ({@code Map<String,String>} in {@code OPEN}),
 * the same way on both sides: decimal numbers, ratios, octal modes, required paths. Every check
 * fails with a {@link ParamException} naming the parameter.
 */
public final class Params {
  private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,18}");
  private static final Pattern RATIO = Pattern.compile("[0-9]{1,12}(\\.[0-9]{1,9})?");
  private static final Pattern OCTAL = Pattern.compile("[0-7]{1,4}");

  /** The longest value quoted back in a message. */
  static final int MAX_QUOTED = 300;

  private Params() {}

  /** A required path parameter, as given (the agent checks what it names). */
  public static String path(Map<String, String> p, String name) {
    String raw = p.get(name);
    if (raw == null || raw.isEmpty()) {
      throw new ParamException(
          Rule.BAD_PATH, "parameter " + name + " (an absolute path) is required");
    }
    return raw;
  }

  /** A required decimal parameter, at least 0. */
  public static long decimal(Map<String, String> p, String name) {
    return decimal(name, p.get(name));
  }

  /** A decimal value of parameter {@code name}, at least 0. */
  public static long decimal(String name, String raw) {
    if (raw == null) {
      throw new ParamException(
          Rule.BAD_PARAM, "parameter " + name + " (a decimal number) is required");
    }
    if (!DECIMAL.matcher(raw).matches()) {
      throw new ParamException(
          Rule.BAD_PARAM, name + " must be a non-negative decimal number, not " + printable(raw));
    }
    return Long.parseLong(raw);
  }

  /** A required ratio parameter: a non-negative decimal number, fractions allowed. */
  public static double ratio(Map<String, String> p, String name) {
    String raw = p.get(name);
    if (raw == null) {
      throw new ParamException(
          Rule.BAD_PARAM, "parameter " + name + " (a decimal number) is required");
    }
    if (!RATIO.matcher(raw).matches()) {
      throw new ParamException(
          Rule.BAD_PARAM, name + " must be a non-negative decimal number, not " + printable(raw));
    }
    return Double.parseDouble(raw);
  }

  /** An optional octal permission mode, 0 to 0777; {@code -1} when absent. */
  public static int mode(Map<String, String> p, String name) {
    String raw = p.get(name);
    return raw == null ? -1 : mode(name, raw);
  }

  /** Octal permission bits 0 to 777 ({@code 644}, {@code 0755}). */
  public static int mode(String name, String raw) {
    if (!OCTAL.matcher(raw).matches() || Integer.parseInt(raw, 8) > 0777) {
      throw new ParamException(
          Rule.BAD_PARAM, name + " must be octal permission bits 0 to 777, not " + printable(raw));
    }
    return Integer.parseInt(raw, 8);
  }

  /** A ratio as a parameter: {@code 100}, {@code 12.5}. */
  static String ratio(double r) {
    return r == Math.rint(r) && r < 1e12 ? Long.toString((long) r) : Double.toString(r);
  }

  /** {@code s} with control characters as {@code ?}, cut to 300 characters. */
  public static String printable(String s) {
    StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_QUOTED));
    for (int i = 0; i < s.length() && b.length() < MAX_QUOTED; i++) {
      char c = s.charAt(i);
      b.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return b.toString();
  }
}
