package dev.cms.gateway.openapi;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonParsingException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.media.Schema;

/**
 * Turns a schema's example written as a JSON text ({@code @Schema(example = "{\"memoryMb\":512}")},
 * since an annotation holds only a string) into the object or array it stands for, so that the
 * document says {@code example: {memoryMb: 512}} and Swagger UI's "Try it out" starts from a body,
 * not from a quoted string. Other examples (a plain word, a number) stay as they are, and so does a
 * text that only looks like JSON but does not parse.
 *
 * <p>Named by {@code mp.openapi.filter} in the WAR's {@code microprofile-config.properties}; Payara
 * Server does not read that file inside an EAR, so there Swagger UI's {@code init.js} does the same
 * to the document it shows.
 */
public class JsonExamples implements OASFilter {

  @Override
  public Schema filterSchema(Schema schema) {
    schema.setExample(parsed(schema.getExample()));
    return schema;
  }

  /** The example as JSON's object or array when it is the text of one; else unchanged. */
  static Object parsed(Object example) {
    if (!(example instanceof String text)) {
      return example;
    }
    String t = text.strip();
    if (!(t.startsWith("{") && t.endsWith("}")) && !(t.startsWith("[") && t.endsWith("]"))) {
      return example;
    }
    try (JsonReader r = Json.createReader(new StringReader(t))) {
      return plain(r.readValue());
    } catch (JsonParsingException e) {
      return example;
    }
  }

  /**
   * A JSON-P value as plain Java (maps, lists, strings, numbers, booleans, null) for the writer.
   */
  private static Object plain(JsonValue v) {
    switch (v.getValueType()) {
      case OBJECT -> {
        Map<String, Object> m = new LinkedHashMap<>();
        ((JsonObject) v).forEach((k, x) -> m.put(k, plain(x)));
        return m;
      }
      case ARRAY -> {
        List<Object> l = new ArrayList<>();
        ((JsonArray) v).forEach(x -> l.add(plain(x)));
        return l;
      }
      case STRING -> {
        return ((JsonString) v).getString();
      }
      case NUMBER -> {
        JsonNumber n = (JsonNumber) v;
        return n.isIntegral() ? n.bigIntegerValue() : n.bigDecimalValue();
      }
      case TRUE -> {
        return Boolean.TRUE;
      }
      case FALSE -> {
        return Boolean.FALSE;
      }
      default -> {
        return null;
      }
    }
  }
}
