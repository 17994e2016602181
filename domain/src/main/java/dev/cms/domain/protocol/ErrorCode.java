package dev.cms.domain.protocol;

/**
 * Numeric codes carried by {@link Frame.OpenFail}, {@link Frame.Reset} and {@link Frame.GoAway}.
 */
public final class ErrorCode {
  /** Normal end. */
  public static final int NONE = 0;

  /** The peer broke the protocol (bad frame, window overrun, unknown stream). */
  public static final int PROTOCOL = 1;

  /** Authentication failed. */
  public static final int UNAUTHORIZED = 2;

  /** The stream kind is not known to the receiver. */
  public static final int UNKNOWN_KIND = 3;

  /** The request was understood but refused (bad parameters, a rule broken). */
  public static final int REFUSED = 4;

  /** The receiver failed internally. */
  public static final int INTERNAL = 5;

  /** The stream or connection was cancelled (client went away, shutdown). */
  public static final int CANCELLED = 6;

  /** Protocol versions do not overlap. */
  public static final int VERSION = 7;

  private ErrorCode() {}
}
