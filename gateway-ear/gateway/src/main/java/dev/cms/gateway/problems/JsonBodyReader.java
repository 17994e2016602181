package dev.cms.gateway.problems;

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
    try {
      return JSON.fromJson(in, type);
    } catch (JsonbException e) {
      throw refusal(type, e);
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
