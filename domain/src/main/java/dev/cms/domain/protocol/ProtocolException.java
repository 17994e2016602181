package dev.cms.domain.protocol;

/**
 * A frame could not be decoded or broke a protocol rule.
 *
 * <p>{@link #code()} is the {@link ErrorCode} the receiving side should put in the {@link
 * Frame.GoAway} it sends before closing the link: {@link ErrorCode#VERSION} for a frame of an
 * unsupported protocol version, {@link ErrorCode#PROTOCOL} for everything else.
 */
public class ProtocolException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int code;

  /** Creates the exception with a message naming the rule that was broken. */
  public ProtocolException(String message) {
    this(ErrorCode.PROTOCOL, message);
  }

  /**
   * Creates the exception with an {@link ErrorCode} and a message naming the rule that was broken.
   */
  public ProtocolException(int code, String message) {
    super(message);
    this.code = code;
  }

  /** The {@link ErrorCode} to report to the peer in a {@link Frame.GoAway}. */
  public int code() {
    return code;
  }
}
