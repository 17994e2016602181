package dev.cms.client;

import java.util.List;

/**
 * A refusal or failure of the gateway's API: the HTTP status (0 when the gateway could not be
 * reached or the call did not complete) and the RFC 9457 problem's {@code type}, {@code title},
 * {@code detail} and {@code rule} (the named rule a refused input broke, e.g. {@code
 * dotdot-entry}); a refused request body names each field in {@link #violations()}.
 */
public class CmsApiException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final String type;
  private final String title;
  private final String detail;
  private final String rule;
  private final String correlationId;
  private final List<Violation> violations;

  /** One refused field of a request body: its JSON name ({@code labels[key]}) and message. */
  public record Violation(String field, String message) {}

  public CmsApiException(
      int status, String type, String title, String detail, String rule, String correlationId) {
    this(status, type, title, detail, rule, correlationId, List.of());
  }

  public CmsApiException(
      int status,
      String type,
      String title,
      String detail,
      String rule,
      String correlationId,
      List<Violation> violations) {
    super(status + " " + detail + (rule == null ? "" : " [" + rule + "]"));
    this.status = status;
    this.type = type;
    this.title = title;
    this.detail = detail == null ? (title == null ? "HTTP " + status : title) : detail;
    this.rule = rule;
    this.correlationId = correlationId;
    this.violations = violations == null ? List.of() : List.copyOf(violations);
  }

  /** A failure without a problem document: {@code status} 0 when no answer came. */
  public static CmsApiException of(int status, String detail, Throwable cause) {
    CmsApiException e = new CmsApiException(status, null, null, detail, null, null);
    if (cause != null) {
      e.initCause(cause);
    }
    return e;
  }

  /** The HTTP status; 0 when the gateway could not be reached. */
  public int status() {
    return status;
  }

  /** The problem's type URI ({@code about:blank} for the gateway's), or null. */
  public String type() {
    return type;
  }

  /** The problem's title (the status's reason phrase), or null. */
  public String title() {
    return title;
  }

  /** What went wrong, for a person: the problem's detail, else its title, else "HTTP status". */
  public String detail() {
    return detail;
  }

  /** The named rule of the refusal, e.g. {@code dotdot-entry}, or null. */
  public String rule() {
    return rule;
  }

  /** The id of the gateway's log line that tells a server failure's internals, or null. */
  public String correlationId() {
    return correlationId;
  }

  /** The refused fields of the request body (the problem's {@code violations}); often empty. */
  public List<Violation> violations() {
    return violations;
  }

  /** The reason as a user reads it: the detail, then the rule in brackets. */
  public String reason() {
    return rule == null || detail.contains(rule) ? detail : detail + " (rule: " + rule + ")";
  }
}
