package dev.cms.gateway.problems;

import jakarta.json.JsonNumber;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.JsonbException;
import jakarta.json.stream.JsonParsingException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.MessageBodyReader;
import jakarta.ws.rs.ext.Provider;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Binds the gateway's request records with JSON-B, whatever the {@code Content-Type} (a client that
 * sends none, or curl's form type, is read as JSON, as before). An empty body is {@code null} (the
 * resource takes its defaults). A body that is not JSON is a 400 {@code malformed JSON body}; a
 * field of the wrong JSON type a 400 that names the field in {@code violations}, never a 500.
 */
@Provider
@Consumes({MediaType.APPLICATION_JSON, MediaType.WILDCARD})
public class JsonBodyReader implements MessageBodyReader<Record> {

  /** Yasson's words for a property it could not bind: "Unable to deserialize property 'x' …". */
  private static final Pattern PROPERTY = Pattern.compile("property '([^']{1,200})'");

  private static final Jsonb JSON = JsonbBuilder.create();

  /**
   * Bytes of a JSON body at most: the largest valid one (a create with 100 env values of 8 KiB and
   * 32 labels of 1 KiB) is about 850 KiB.
   */
  static final int MAX_BODY = 2 * 1024 * 1024;

  @Override
  public boolean isReadable(
      Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
    return type.isRecord() && type.getName().startsWith("dev.cms.gateway.");
  }

  @Override
  public Record readFrom(
      Class<Record> type,
      Type genericType,
      Annotation[] annotations,
      MediaType mediaType,
      MultivaluedMap<String, String> httpHeaders,
      InputStream entityStream)
      throws IOException {
    PushbackInputStream in = new PushbackInputStream(entityStream, 1);
    int first = skipBlanks(in);
    if (first < 0) {
      return null;
    }
    in.unread(first);
    byte[] body = in.readNBytes(MAX_BODY + 1);
    if (body.length > MAX_BODY) {
      throw new ApiException(
          413, "Payload Too Large", "a JSON body is at most " + MAX_BODY / 1024 + " KiB", null);
    }
    Record bound;
    try {
      bound = JSON.fromJson(new java.io.ByteArrayInputStream(body), type);
    } catch (JsonbException e) {
      throw refusal(type, e);
    }
    List<Violation> inexact = inexactWholeNumbers(type, body);
    if (!inexact.isEmpty()) {
      throw ApiException.invalid(inexact);
    }
    return bound;
  }

  /**
   * The record's whole-number fields whose JSON value is not a whole number of their Java type.
   * Yasson binds one out of range by truncating it ({@code "memoryMb": 99999999999} became
   * 1215752191, and a larger one could wrap into the allowed range) and a fraction by cutting it.
   */
  static List<Violation> inexactWholeNumbers(Class<?> type, byte[] body) {
    List<RecordComponent> whole =
        List.of(type.getRecordComponents()).stream()
            .filter(c -> "an integer".equals(describe(c.getGenericType())))
            .toList();
    if (whole.isEmpty()) {
      return List.of();
    }
    jakarta.json.JsonValue v;
    try (var r = jakarta.json.Json.createReader(new java.io.ByteArrayInputStream(body))) {
      v = r.readValue();
    }
    if (!(v instanceof jakarta.json.JsonObject o)) {
      return List.of();
    }
    List<Violation> out = new java.util.ArrayList<>();
    for (RecordComponent c : whole) {
      if (o.get(c.getName()) instanceof JsonNumber n && !fits(n, c.getType())) {
        out.add(new Violation(c.getName(), "must be an integer"));
      }
    }
    return out;
  }

  private static boolean fits(JsonNumber n, Class<?> t) {
    try {
      if (t == Integer.class || t == int.class) {
        n.bigDecimalValue().intValueExact();
      } else {
        n.bigDecimalValue().longValueExact();
      }
      return true;
    } catch (ArithmeticException e) {
      return false;
    }
  }

  /** The first byte that is not JSON whitespace, or -1 at the end. */
  private static int skipBlanks(InputStream in) throws IOException {
    int b;
    do {
      b = in.read();
    } while (b == ' ' || b == '\t' || b == '\n' || b == '\r');
    return b;
  }

  /** The 400 for a body JSON-B could not bind to {@code type}. */
  static ApiException refusal(Class<?> type, JsonbException e) {
    Matcher m = PROPERTY.matcher(String.valueOf(e.getMessage()));
    if (m.find()) {
      String field = m.group(1);
      Optional<RecordComponent> component =
          type.isRecord()
              ? List.of(type.getRecordComponents()).stream()
                  .filter(c -> c.getName().equals(field))
                  .findFirst()
              : Optional.empty();
      String expected =
          component
              .map(c -> "must be " + describe(c.getGenericType()))
              .orElse("has the wrong type");
      return ApiException.invalid(List.of(new Violation(field, expected)));
    }
    return new ApiException(400, "Bad Request", malformed(e), e);
  }

  /** The JSON shape of a Java type, as a client reads it ("an integer", "an object of strings"). */
  static String describe(Type t) {
    Class<?> raw =
        t instanceof ParameterizedType p
            ? (Class<?>) p.getRawType()
            : t instanceof Class<?> c ? c : Object.class;
    if (raw == Integer.class || raw == int.class || raw == Long.class || raw == long.class) {
      return "an integer";
    }
    if (raw == Double.class || raw == double.class || raw == Float.class || raw == float.class) {
      return "a number";
    }
    if (raw == Boolean.class || raw == boolean.class) {
      return "true or false";
    }
    if (raw == String.class || raw.isEnum()) {
      return "a string";
    }
    if (Map.class.isAssignableFrom(raw)) {
      Type[] args = t instanceof ParameterizedType p ? p.getActualTypeArguments() : new Type[0];
      return args.length == 2 && args[1] == String.class
          ? "an object whose values are strings"
          : "an object";
    }
    if (Collection.class.isAssignableFrom(raw) || raw.isArray()) {
      return "an array";
    }
    return "an object";
  }

  /**
   * "malformed JSON body", with the parser's line and column when it names them; never the parser's
   * own words (they name the gateway's classes).
   */
  static String malformed(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof JsonParsingException p && p.getLocation() != null) {
        return "malformed JSON body at line "
            + p.getLocation().getLineNumber()
            + ", column "
            + p.getLocation().getColumnNumber();
      }
    }
    return "malformed JSON body: not an object of the expected fields and types";
  }
}
