package dev.cms.gateway.problems;

import jakarta.json.JsonException;
import jakarta.json.bind.JsonbException;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

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
        r = Problem.response(api.status(), api.title(), api.getMessage(), path, api.rule());
      }
      return api.retryAfterSeconds() > 0
          ? Response.fromResponse(r).header("Retry-After", api.retryAfterSeconds()).build()
          : r;
    }
    if (cause instanceof ConstraintViolationException cv) {
      String detail =
          cv.getConstraintViolations().stream()
              .map(v -> v.getPropertyPath() + " " + v.getMessage())
              .sorted()
              .collect(Collectors.joining("; "));
      return Problem.response(400, "Bad Request", detail, path);
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
