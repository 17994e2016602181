package dev.cms.domain.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Reassembles {@code length:u32 body} messages from the bytes of a stream, whatever the chunking;
 * holds at most one incomplete message. The message formats of terminal and processes streams share
 * this framing. Not thread-safe: feed it from the stream's receiving thread only.
 *
 * @param <M> the decoded message type
 */
public final class LengthPrefixed<M> {
  private final String what;
  private final int maxMessage;
  private final Function<ByteBuffer, M> decodeBody;
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

  /**
   * @param what names the messages in errors ("bad {@code what} message length N")
   * @param maxMessage the largest body accepted
   * @param decodeBody decodes one body (exactly the buffer's remaining bytes)
   */
  public LengthPrefixed(String what, int maxMessage, Function<ByteBuffer, M> decodeBody) {
    this.what = what;
    this.maxMessage = maxMessage;
    this.decodeBody = decodeBody;
  }

  /**
   * Adds received bytes; returns every message they complete, in order.
   *
   * @throws ProtocolException for a length below 1 or above the maximum, or as the body decoder
   *     throws
   */
  public List<M> feed(byte[] chunk) {
    pending.writeBytes(chunk);
    byte[] all = pending.toByteArray();
    ByteBuffer b = ByteBuffer.wrap(all);
    List<M> out = new ArrayList<>();
    while (b.remaining() >= 4) {
      int length = b.getInt(b.position());
      if (length < 1 || length > maxMessage) {
        throw new ProtocolException("bad " + what + " message length " + length);
      }
      if (b.remaining() < 4 + length) {
        break;
      }
      b.position(b.position() + 4);
      ByteBuffer body = b.slice(b.position(), length);
      b.position(b.position() + length);
      out.add(decodeBody.apply(body));
    }
    pending.reset();
    pending.write(all, b.position(), b.remaining());
    return out;
  }

  /** Whether bytes of an incomplete message are held. */
  public boolean hasPartial() {
    return pending.size() > 0;
  }
}
