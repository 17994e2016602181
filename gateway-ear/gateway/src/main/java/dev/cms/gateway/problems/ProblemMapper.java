package dev.cms.gateway.problems;

import jakarta.json.JsonException;
import jakarta.json.bind.JsonbException;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The one place where failures become {@code application/problem+json}. */
@Provider
public class ProblemMapper implements ExceptionMapper<Throwable> {

  private static final Logger LOG = Logger.getLogger(ProblemMapper.class.getName());

  @Context UriInfo uriInfo;

  @Override
  public Response toResponse(Throwable e) {
    String path = uriInfo == null ? null : uriInfo.getRequestUri().getPath();
    Throwable cause = unwrap(e);
    if (cause instanceof ApiException api) {
      Response r;
      if (api.status() >= 500) {
        // the engine's or the agent's own words stay in the log; the client gets the stable text
        // and the id of that log line
        String id = correlationId();
        LOG.log(
            Level.WARNING,
            "[" + id + "] " + api.status() + " on " + path + ": " + api.getMessage(),
            api.getCause());
        r = Problem.response(api.status(), api.title(), api.getMessage(), path, api.rule(), id);
      } else {
        r =
            Problem.response(
                api.status(),
                api.title(),
                api.getMessage(),
                path,
                api.rule(),
                null,
                api.violations());
      }
      return api.retryAfterSeconds() > 0
          ? Response.fromResponse(r).header("Retry-After", api.retryAfterSeconds()).build()
          : r;
    }
    if (cause instanceof ConstraintViolationException cv) {
      return toResponse(ApiException.invalid(violations(cv)));
    }
    if (cause instanceof JsonbException || cause instanceof JsonException) {
      LOG.log(Level.FINE, "malformed JSON body on " + path, cause);
      return Problem.response(400, "Bad Request", "malformed JSON body", path);
    }
    if (e instanceof WebApplicationException wae) {
      Response r = wae.getResponse();
      Response.StatusType st = r.getStatusInfo();
      // JAX-RS texts of client errors are fine to show; a server error's text is not
      String detail = st.getStatusCode() >= 500 ? st.getReasonPhrase() : wae.getMessage();
      if (st.getStatusCode() == 404 && (detail == null || detail.startsWith("HTTP 404"))) {
        detail = "no such resource: " + path;
      } else if (st.getStatusCode() == 405) {
        detail = "method not allowed on " + path;
      } else if (st.getStatusCode() == 415) {
        detail = "unsupported media type; send application/json";
      }
      return Problem.response(st.getStatusCode(), st.getReasonPhrase(), detail, path);
    }
    String id = correlationId();
    LOG.log(Level.SEVERE, "[" + id + "] unexpected failure on " + path, e);
    return Problem.response(
        500, "Internal Server Error", "unexpected failure; see the gateway log", path, null, id);
  }

  /**
   * The refused fields, named as the client wrote them: the resource method and its parameter
   * ({@code create.arg0.}) left out, a map entry as {@code labels[key]}.
   */
  static List<Violation> violations(ConstraintViolationException cv) {
    return cv.getConstraintViolations().stream()
        .map(v -> new Violation(field(v.getPropertyPath()), v.getMessage()))
        .sorted(Comparator.comparing(Violation::field).thenComparing(Violation::message))
        .toList();
  }

  static String field(Path path) {
    StringBuilder field = new StringBuilder();
    for (Path.Node node : path) {
      switch (node.getKind()) {
        case METHOD, CONSTRUCTOR, PARAMETER, CROSS_PARAMETER, RETURN_VALUE -> {
          // the Java side of the path: not a name the client knows
        }
        case CONTAINER_ELEMENT -> {
          if (node.getKey() != null) {
            field.append('[').append(node.getKey()).append(']');
          } else if (node.getIndex() != null) {
            field.append('[').append(node.getIndex()).append(']');
          }
        }
        default -> {
          if (node.isInIterable() && node.getKey() != null) {
            field.append('[').append(node.getKey()).append(']');
          } else if (node.isInIterable() && node.getIndex() != null) {
            field.append('[').append(node.getIndex()).append(']');
          }
          if (node.getName() != null && !node.getName().startsWith("<")) {
            if (field.length() > 0) {
              field.append('.');
            }
            field.append(node.getName());
          }
        }
      }
    }
    return field.length() == 0 ? "body" : field.toString();
  }

  /** Names one failure in the log and in its answer ({@code correlationId}). */
  static String correlationId() {
    byte[] b = new byte[6];
    RANDOM.nextBytes(b);
    return java.util.HexFormat.of().formatHex(b);
  }

  private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

  private static Throwable unwrap(Throwable e) {
    Throwable t = e;
    for (int i = 0; i < 10 && t != null; i++) {
      if (t instanceof ApiException
          || t instanceof ConstraintViolationException
          || t instanceof JsonbException
          || t instanceof JsonException) {
        return t;
      }
      t = t.getCause();
    }
    return e;
  }
}
