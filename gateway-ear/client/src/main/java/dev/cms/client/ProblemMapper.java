package dev.cms.client;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonParsingException;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.rest.client.ext.ResponseExceptionMapper;

/**
 * Turns every answer of status 400 or more into a {@link CmsApiException}, with the fields of its
 * problem document ({@code application/problem+json}) when it has one. The body is read up to
 * {@link #MAX_BODY} bytes: a problem is small, a proxy's error page need not be.
 */
public class ProblemMapper implements ResponseExceptionMapper<CmsApiException> {

  /** The most of an error answer's body that is read. */
  public static final int MAX_BODY = 64 * 1024;

  @Override
  public boolean handles(int status, MultivaluedMap<String, Object> headers) {
    return status >= 400;
  }

  @Override
  public CmsApiException toThrowable(Response response) {
    return fromBody(response.getStatus(), body(response));
  }

  /**
   * The exception for an answer of {@code status} with {@code body} (a problem document or not).
   */
  public static CmsApiException fromBody(int status, String body) {
    JsonObject problem = parse(body);
    if (problem == null) {
      return new CmsApiException(status, null, null, "HTTP " + status, null, null);
    }
    return new CmsApiException(
        status,
        text(problem, "type"),
        text(problem, "title"),
        text(problem, "detail"),
        text(problem, "rule"),
        text(problem, "correlationId"),
        violations(problem));
  }

  private static List<CmsApiException.Violation> violations(JsonObject problem) {
    List<CmsApiException.Violation> out = new ArrayList<>();
    if (problem.get("violations") instanceof JsonArray list) {
      for (JsonValue v : list) {
        if (v instanceof JsonObject o && text(o, "field") != null) {
          out.add(new CmsApiException.Violation(text(o, "field"), text(o, "message")));
        }
      }
    }
    return out;
  }

  private static String body(Response response) {
    if (!response.hasEntity()) {
      return "";
    }
    try (InputStream in = response.readEntity(InputStream.class)) {
      return new String(in.readNBytes(MAX_BODY), StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      return ""; // the status alone still says what happened
    }
  }

  private static JsonObject parse(String body) {
    if (body == null || body.isBlank()) {
      return null;
    }
    try (JsonReader reader = Json.createReader(new StringReader(body))) {
      return reader.readValue() instanceof JsonObject o ? o : null;
    } catch (JsonParsingException | IllegalStateException e) {
      return null; // an answer that is not a problem document (or cut at MAX_BODY)
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String text(JsonObject o, String field) {
    JsonValue v = o.get(field);
    if (v instanceof JsonString s) {
      return s.getString();
    }
    if (v instanceof JsonNumber n) {
      return n.toString();
    }
    return null;
  }
}
