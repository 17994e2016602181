package dev.cms.domain.protocol;

/** Wire type codes of {@link Frame}s; the code is the second byte of every frame. */
public enum FrameType {
  HELLO(1),
  WELCOME(2),
  PING(3),
  PONG(4),
  OPEN(5),
  OPEN_OK(6),
  OPEN_FAIL(7),
  DATA(8),
  WINDOW(9),
  CLOSE(10),
  RESET(11),
  GOAWAY(12);

  private final int code;

  FrameType(int code) {
    this.code = code;
  }

  /** The byte that identifies this type on the wire. */
  public int code() {
    return code;
  }

  /**
   * Looks a type up by its wire code.
   *
   * @throws ProtocolException for an unknown code
   */
  public static FrameType of(int code) {
    for (FrameType t : values()) {
      if (t.code == code) {
        return t;
      }
    }
    throw new ProtocolException("unknown frame type " + code);
  }
}
