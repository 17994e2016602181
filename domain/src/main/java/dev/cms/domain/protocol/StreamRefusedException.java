package dev.cms.domain.protocol;

/**
 * A stream open was refused: thrown by a {@link Mux.Acceptor} to answer an {@link Frame.Open} with
 * an {@link Frame.OpenFail}, and the failure of {@link Mux#open} when the peer refused.
 */
public class StreamRefusedException extends Exception {
  private static final long serialVersionUID = 1L;

  private final int code;

  /**
   * Creates the exception.
   *
   * @param code an {@link ErrorCode}, for example {@link ErrorCode#UNKNOWN_KIND}
   * @param message a human-readable reason, sent to the peer
   */
  public StreamRefusedException(int code, String message) {
    super(message);
    this.code = code;
  }

  /** The {@link ErrorCode} of the refusal. */
  public int code() {
    return code;
  }
}
