package dev.cms.console;

/**
 * A refusal or failure of the gateway's API: the HTTP status (0 when the gateway could not be
 * reached) and the problem's {@code detail} and {@code rule} (RFC 9457 body), so the console can
 * show the user the reason.
 */
public class GatewayException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final String detail;
  private final String rule;

  public GatewayException(int status, String detail, String rule) {
    super(status + " " + detail + (rule == null ? "" : " [" + rule + "]"));
    this.status = status;
    this.detail = detail;
    this.rule = rule;
  }

  public int status() {
    return status;
  }

  public String detail() {
    return detail;
  }

  /** The named rule of the refusal, e.g. {@code dotdot-entry}, or null. */
  public String rule() {
    return rule;
  }

  /** The reason as a user reads it: the detail, then the rule in brackets. */
  public String reason() {
    return rule == null || detail.contains(rule) ? detail : detail + " (rule: " + rule + ")";
  }
}
