package dev.cms.gateway.problems;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/** Builds RFC 9457 {@code application/problem+json} responses. */
public final class Problem {

  public static final String MEDIA_TYPE = "application/problem+json";

  private Problem() {}

  /**
   * A problem response with the given status, title and detail; {@code instance} is the request
   * path.
   */
  public static Response response(int status, String title, String detail, String instance) {
    return response(status, title, detail, instance, null);
  }

  /**
   * As {@link #response(int, String, String, String)}, with the broken rule as extension member.
   */
  public static Response response(
      int status, String title, String detail, String instance, String rule) {
    return response(status, title, detail, instance, rule, null);
  }

  /**
   * As {@link #response(int, String, String, String, String)}, with the {@code correlationId} of
   * the log line that tells the failure's internals.
   */
  public static Response response(
      int status, String title, String detail, String instance, String rule, String correlationId) {
    return response(status, title, detail, instance, rule, correlationId, List.of());
  }

  /**
   * The full problem: as above, with the refused fields of a request body as {@code violations} (an
   * array of {@code {field, message}}, left out when empty).
   */
  public static Response response(
      int status,
      String title,
      String detail,
      String instance,
      String rule,
      String correlationId,
      List<Violation> violations) {
    JsonObjectBuilder json =
        Json.createObjectBuilder()
            .add("type", "about:blank")
            .add("title", title)
            .add("status", status)
            .add("detail", detail == null ? title : detail);
    if (instance != null) {
      json.add("instance", instance);
    }
    if (rule != null) {
      json.add("rule", rule);
    }
    if (correlationId != null) {
      json.add("correlationId", correlationId);
    }
    if (violations != null && !violations.isEmpty()) {
      JsonArrayBuilder list = Json.createArrayBuilder();
      violations.forEach(
          v ->
              list.add(
                  Json.createObjectBuilder().add("field", v.field()).add("message", v.message())));
      json.add("violations", list);
    }
    return Response.status(status)
        .type(MediaType.valueOf(MEDIA_TYPE))
        .entity(json.build().toString())
        .build();
  }
}
