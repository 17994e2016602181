package dev.cms.domain.protocol;

/**
 * Receives the events of one {@link Stream}.
 *
 * <p>Callbacks run on the thread that feeds {@link Mux#receive} (the link's receiving thread), one
 * at a time and in frame order, except {@link #onReset} after the link was lost, which runs on the
 * thread calling {@link Mux#closeAll}. Keep callbacks short and never block in them: in particular,
 * a {@link Stream#write} that has to wait for window inside a callback can never be granted that
 * window (the {@link Frame.Window} frame is queued behind the callback) and fails fast instead. A
 * handler that answers data (an echo, a relay) hands the bytes to another thread, uses {@link
 * #autoCredit()} {@code false}, and credits the bytes once they were passed on.
 */
public interface StreamHandler {

  /** The stream is established: accepted by this side, or the peer answered OPEN_OK. */
  default void onOpen(Stream s) {}

  /**
   * Bytes the peer sent, in order. The array belongs to the handler.
   *
   * @param s the stream
   * @param data the payload of one DATA frame (at most {@link FrameCodec#MAX_DATA} bytes)
   */
  void onData(Stream s, byte[] data);

  /** The peer half-closed the stream: it sends no more data. This side may still write. */
  default void onClose(Stream s) {}

  /**
   * The stream was aborted: by the peer ({@link Frame.Reset}), or with {@link ErrorCode#CANCELLED}
   * because the link was lost. No callback follows.
   *
   * @param s the stream
   * @param code an {@link ErrorCode}
   * @param reason human-readable reason
   */
  default void onReset(Stream s, int code, String reason) {}

  /**
   * Whether received bytes are credited back to the peer automatically after {@link #onData}
   * returns ({@link Frame.Window} frames are batched and sent once half the initial window was
   * consumed). Return {@code false} to call {@link Stream#credit(int)} yourself, for example only
   * after a slow consumer took the bytes: the peer then never has more than the window in flight.
   */
  default boolean autoCredit() {
    return true;
  }
}
