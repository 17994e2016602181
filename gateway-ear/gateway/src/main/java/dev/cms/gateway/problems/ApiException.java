package dev.cms.gateway.problems;

import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Objects;

/**
 * A failure the API reports to its caller as an RFC 9457 problem with this status, title and
 * detail.
 */
public class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String title;
  private String rule;
  private long retryAfterSeconds;
  private List<Violation> violations = List.of();

  public ApiException(Response.StatusType status, String detail) {
    this(status.getStatusCode(), status.getReasonPhrase(), detail, null);
  }

  public ApiException(int status, String title, String detail, Throwable cause) {
    super(Objects.requireNonNull(detail, "detail"), cause);
    this.status = status;
    this.title = Objects.requireNonNull(title, "title");
  }

  public static ApiException badRequest(String detail) {
    return new ApiException(Response.Status.BAD_REQUEST, detail);
  }

  public static ApiException notFound(String detail) {
    return new ApiException(Response.Status.NOT_FOUND, detail);
  }

  public static ApiException conflict(String detail) {
    return new ApiException(Response.Status.CONFLICT, detail);
  }

  public static ApiException tooManyRequests(String detail) {
    return new ApiException(Response.Status.TOO_MANY_REQUESTS, detail);
  }

  /** 502: a service the gateway depends on (e.g. the identity provider) answered badly. */
  public static ApiException badGateway(String detail) {
    return new ApiException(502, "Bad Gateway", detail, null);
  }

  public static ApiException unavailable(String detail, Throwable cause) {
    return new ApiException(503, "Service Unavailable", detail, cause);
  }

  /**
   * Names the rule a refused input broke (e.g. {@code dotdot-entry}); shown as the problem's {@code
   * rule}.
   */
  public ApiException withRule(String rule) {
    this.rule = rule;
    return this;
  }

  /** Tells the client when to try again ({@code Retry-After}, in seconds). */
  public ApiException withRetryAfter(long seconds) {
    this.retryAfterSeconds = seconds;
    return this;
  }

  /** A 400 that names each refused field of a request body ({@code violations}). */
  public static ApiException invalid(List<Violation> violations) {
    ApiException e =
        badRequest(
            String.join("; ", violations.stream().map(Violation::toString).sorted().toList()));
    e.violations = List.copyOf(violations);
    return e;
  }

  /** The refused fields of the request body; empty when the problem is not about fields. */
  public List<Violation> violations() {
    return violations;
  }

  /** Seconds after which a retry may succeed; 0 when the answer names none. */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  public String rule() {
    return rule;
  }

  public int status() {
    return status;
  }

  public String title() {
    return title;
  }
}
