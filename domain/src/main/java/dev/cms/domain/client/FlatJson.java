package dev.cms.domain.client;

import dev.cms.domain.protocol.ProtocolException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A reader and writer for flat JSON objects (RFC 8259): one object whose values are strings,
 * numbers, booleans or null. It is all this protocol needs, and it keeps {@code domain} free of a
 * JSON library. Numbers are integers only; nested objects and arrays, duplicate keys and unpaired
 * surrogates are rejected.
 */
final class FlatJson {

  /** The JSON {@code null} value, so that an explicit null can be told from an absent key. */
  static final Object NULL = new Object();

  private FlatJson() {}

  /** A number, kept as its JSON text so that an integer field can reject fractions. */
  record Num(String text, boolean integral) {}

  // ---------------------------------------------------------------------------------- reading

  /**
   * Parses one flat object into its fields, in document order: values are {@link String}, {@link
   * Boolean}, {@link Num} or {@link #NULL}.
   */
  static Map<String, Object> parse(String json) {
    return new Reader(json).object();
  }

  private static final class Reader {
    private final String s;
    private int i;

    Reader(String s) {
      this.s = s;
    }

    Map<String, Object> object() {
      ws();
      if (i >= s.length() || s.charAt(i) != '{') {
        throw new ProtocolException("message is not a JSON object");
      }
      i++;
      Map<String, Object> fields = new LinkedHashMap<>();
      ws();
      if (peek() == '}') {
        i++;
      } else {
        while (true) {
          ws();
          if (peek() != '"') {
            throw malformed("expected a field name");
          }
          String key = string();
          ws();
          expect(':');
          ws();
          Object value = value(key);
          if (fields.putIfAbsent(key, value) != null) {
            throw new ProtocolException("duplicate field " + key);
          }
          ws();
          char c = peek();
          i++;
          if (c == '}') {
            break;
          }
          if (c != ',') {
            i--;
            throw malformed("expected ',' or '}'");
          }
        }
      }
      ws();
      if (i < s.length()) {
        throw malformed("unexpected text after the object");
      }
      return fields;
    }

    private Object value(String key) {
      char c = peek();
      if (c == '"') {
        return string();
      }
      if (c == '{' || c == '[') {
        throw new ProtocolException(
            "field "
                + key
                + " holds a nested "
                + (c == '{' ? "object" : "array")
                + ", not allowed");
      }
      if (c == '-' || (c >= '0' && c <= '9')) {
        return number();
      }
      if (s.startsWith("true", i)) {
        i += 4;
        return Boolean.TRUE;
      }
      if (s.startsWith("false", i)) {
        i += 5;
        return Boolean.FALSE;
      }
      if (s.startsWith("null", i)) {
        i += 4;
        return NULL;
      }
      throw malformed("expected a value for field " + key);
    }

    private Num number() {
      int start = i;
      boolean integral = true;
      if (peek() == '-') {
        i++;
      }
      if (peek() == '0') {
        i++;
      } else if (!digits()) {
        throw malformed("expected a digit");
      }
      if (peek() == '.') {
        i++;
        integral = false;
        if (!digits()) {
          throw malformed("expected a digit");
        }
      }
      if (peek() == 'e' || peek() == 'E') {
        i++;
        integral = false;
        if (peek() == '+' || peek() == '-') {
          i++;
        }
        if (!digits()) {
          throw malformed("expected a digit");
        }
      }
      return new Num(s.substring(start, i), integral);
    }

    private boolean digits() {
      int start = i;
      while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
        i++;
      }
      return i > start;
    }

    private String string() {
      expect('"');
      StringBuilder out = new StringBuilder();
      while (true) {
        if (i >= s.length()) {
          throw malformed("unterminated string");
        }
        char c = s.charAt(i++);
        if (c == '"') {
          break;
        } else if (c == '\\') {
          out.append(escape());
        } else if (c < 0x20) {
          i--;
          throw malformed("control character in a string must be escaped");
        } else {
          out.append(c);
        }
      }
      checkSurrogates(out);
      return out.toString();
    }

    private char escape() {
      if (i >= s.length()) {
        throw malformed("unterminated string");
      }
      char c = s.charAt(i++);
      switch (c) {
        case '"':
        case '\\':
        case '/':
          return c;
        case 'b':
          return '\b';
        case 'f':
          return '\f';
        case 'n':
          return '\n';
        case 'r':
          return '\r';
        case 't':
          return '\t';
        case 'u':
          if (i + 4 > s.length()) {
            throw malformed("truncated \\u escape");
          }
          int v = 0;
          for (int k = 0; k < 4; k++) {
            int d = Character.digit(s.charAt(i), 16);
            if (d < 0) {
              throw malformed("bad hex digit in \\u escape");
            }
            v = v * 16 + d;
            i++;
          }
          return (char) v;
        default:
          i--;
          throw malformed("unknown escape \\" + c);
      }
    }

    private void checkSurrogates(CharSequence text) {
      for (int k = 0; k < text.length(); k++) {
        char c = text.charAt(k);
        if (Character.isHighSurrogate(c)
            && k + 1 < text.length()
            && Character.isLowSurrogate(text.charAt(k + 1))) {
          k++;
        } else if (Character.isSurrogate(c)) {
          throw new ProtocolException(
              "string holds an unpaired surrogate \\u" + Integer.toHexString(c));
        }
      }
    }

    private void ws() {
      while (i < s.length()) {
        char c = s.charAt(i);
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
          return;
        }
        i++;
      }
    }

    private char peek() {
      if (i >= s.length()) {
        throw malformed("unexpected end of message");
      }
      return s.charAt(i);
    }

    private void expect(char c) {
      if (peek() != c) {
        throw malformed("expected '" + c + "'");
      }
      i++;
    }

    private ProtocolException malformed(String what) {
      return new ProtocolException("malformed JSON at index " + i + ": " + what);
    }
  }

  // ---------------------------------------------------------------------------------- writing

  /**
   * Writes one flat object, fields in call order, no whitespace; null values are left out. Strings
   * are escaped the way JavaScript's {@code JSON.stringify} does it: {@code \"}, {@code \\}, {@code
   * \b \f \n \r \t}, other control characters as {@code \}{@code u00xx}, everything else as is.
   */
  static final class Writer {
    private final StringBuilder out = new StringBuilder(64).append('{');

    Writer field(String name, String value) {
      if (value != null) {
        name(name);
        quote(name, value);
      }
      return this;
    }

    Writer field(String name, Long value) {
      if (value != null) {
        name(name).append(value.longValue());
      }
      return this;
    }

    Writer field(String name, Integer value) {
      if (value != null) {
        name(name).append(value.intValue());
      }
      return this;
    }

    Writer field(String name, boolean value) {
      name(name).append(value);
      return this;
    }

    String end() {
      return out.append('}').toString();
    }

    private StringBuilder name(String name) {
      if (out.length() > 1) {
        out.append(',');
      }
      return out.append('"').append(name).append("\":");
    }

    private void quote(String field, String value) {
      out.append('"');
      for (int k = 0; k < value.length(); k++) {
        char c = value.charAt(k);
        switch (c) {
          case '"':
            out.append("\\\"");
            break;
          case '\\':
            out.append("\\\\");
            break;
          case '\b':
            out.append("\\b");
            break;
          case '\f':
            out.append("\\f");
            break;
          case '\n':
            out.append("\\n");
            break;
          case '\r':
            out.append("\\r");
            break;
          case '\t':
            out.append("\\t");
            break;
          default:
            if (c < 0x20) {
              out.append("\\u00")
                  .append(Character.forDigit(c >> 4, 16))
                  .append(Character.forDigit(c & 0xf, 16));
            } else if (Character.isHighSurrogate(c)
                && k + 1 < value.length()
                && Character.isLowSurrogate(value.charAt(k + 1))) {
              out.append(c).append(value.charAt(++k));
            } else if (Character.isSurrogate(c)) {
              throw new ProtocolException(
                  "field " + field + " holds an unpaired surrogate \\u" + Integer.toHexString(c));
            } else {
              out.append(c);
            }
        }
      }
      out.append('"');
    }
  }

  /** The number of bytes {@code s} takes in UTF-8 (a surrogate pair counts 4). */
  static long utf8Length(String s) {
    long n = 0;
    for (int k = 0; k < s.length(); k++) {
      char c = s.charAt(k);
      n += c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3;
    }
    return n;
  }
}
