package dev.cms.domain.protocol;

/** A frame could not be decoded or broke a protocol rule. */
public class ProtocolException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message naming the rule that was broken. */
  public ProtocolException(String message) {
    super(message);
  }
}
