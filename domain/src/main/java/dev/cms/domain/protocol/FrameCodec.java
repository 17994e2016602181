package dev.cms.domain.protocol;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Encodes and decodes {@link Frame}s. Layout (big-endian): {@code version:u8 type:u8 body}. Strings
 * are {@code length:u16} plus UTF-8 bytes; maps are {@code count:u16} plus key/value strings
 * (sorted by key, so encoding is deterministic); stream ids, windows, codes are {@code i32}; tokens
 * {@code i64}. A DATA body is the stream id followed by the payload up to the end of the message.
 * See {@code docs/PROTOCOL.md}.
 */
public final class FrameCodec {

  /** Protocol version written in every frame's first byte. */
  public static final int VERSION = 1;

  /** Largest DATA payload a frame may carry, in bytes. */
  public static final int MAX_DATA = 32 * 1024;

  /** Largest encoded frame; anything bigger is rejected without being parsed. */
  public static final int MAX_FRAME = MAX_DATA + 64;

  private static final int MAX_STRING = 0xFFFF;

  private FrameCodec() {}

  /**
   * Encodes a frame into a fresh buffer positioned at 0.
   *
   * @throws ProtocolException when the frame cannot be represented: a stream id that is not
   *     positive, a DATA payload above {@link #MAX_DATA}, a string above 65535 UTF-8 bytes, or an
   *     encoding above {@link #MAX_FRAME} bytes (which the peer would refuse to decode)
   */
  public static ByteBuffer encode(Frame frame) {
    if (frame instanceof Frame.Data d) {
      return encodeData(d.streamId(), d.payload(), 0, d.payload().length);
    }
    Writer w = new Writer();
    w.u8(VERSION).u8(frame.type().code());
    if (frame instanceof Frame.Hello h) {
      w.i32(h.protocolVersion()).str(h.containerId()).str(h.secret()).str(h.agentVersion());
      w.u16(h.openStreams().size());
      h.openStreams().forEach(w::i32);
    } else if (frame instanceof Frame.Welcome x) {
      w.i32(x.protocolVersion()).i32(x.heartbeatMillis()).i32(x.initialWindow());
      if (!x.linkCredential().isEmpty()) {
        w.str(x.linkCredential());
      }
    } else if (frame instanceof Frame.Ping p) {
      w.i64(p.token());
    } else if (frame instanceof Frame.Pong p) {
      w.i64(p.token());
    } else if (frame instanceof Frame.Open o) {
      w.i32(checkStreamId(o.streamId())).str(o.kind()).i32(o.window()).map(o.params());
    } else if (frame instanceof Frame.OpenOk o) {
      w.i32(checkStreamId(o.streamId())).i32(o.window());
    } else if (frame instanceof Frame.OpenFail f) {
      w.i32(checkStreamId(f.streamId())).i32(f.code()).str(f.message());
    } else if (frame instanceof Frame.Window x) {
      w.i32(checkStreamId(x.streamId())).i32(x.increment());
    } else if (frame instanceof Frame.Close c) {
      w.i32(checkStreamId(c.streamId()));
    } else if (frame instanceof Frame.Reset r) {
      w.i32(checkStreamId(r.streamId())).i32(r.code()).str(r.reason());
    } else if (frame instanceof Frame.GoAway g) {
      w.i32(g.code()).str(g.reason());
    } else {
      throw new ProtocolException("cannot encode " + frame);
    }
    ByteBuffer out = w.buffer();
    if (out.remaining() > MAX_FRAME) {
      throw new ProtocolException(
          frame.type() + " frame of " + out.remaining() + " bytes exceeds " + MAX_FRAME);
    }
    return out;
  }

  /** Encodes a DATA frame straight from a slice of an array (no intermediate copy). */
  static ByteBuffer encodeData(int streamId, byte[] bytes, int off, int len) {
    checkStreamId(streamId);
    if (len > MAX_DATA) {
      throw new ProtocolException("DATA payload of " + len + " bytes exceeds " + MAX_DATA);
    }
    ByteBuffer b = ByteBuffer.allocate(6 + len);
    b.put((byte) VERSION).put((byte) FrameType.DATA.code()).putInt(streamId).put(bytes, off, len);
    return b.flip();
  }

  private static int checkStreamId(int id) {
    if (id <= 0) {
      throw new ProtocolException("invalid stream id " + id);
    }
    return id;
  }

  /** Encodes a frame into a byte array. */
  public static byte[] toBytes(Frame frame) {
    ByteBuffer b = encode(frame);
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  /** Decodes a frame from a byte array. */
  public static Frame decode(byte[] bytes) {
    return decode(ByteBuffer.wrap(bytes));
  }

  /**
   * Decodes one frame that fills the buffer's remaining bytes.
   *
   * @throws ProtocolException when the bytes are not one well-formed frame of this version
   */
  public static Frame decode(ByteBuffer in) {
    if (in.remaining() > MAX_FRAME) {
      throw new ProtocolException("frame of " + in.remaining() + " bytes exceeds " + MAX_FRAME);
    }
    if (in.remaining() < 2) {
      throw new ProtocolException("frame too short: " + in.remaining() + " bytes");
    }
    ByteBuffer b = in.slice();
    int version = Byte.toUnsignedInt(b.get());
    if (version != VERSION) {
      throw new ProtocolException(
          ErrorCode.VERSION,
          "unsupported protocol version " + version + ", this side speaks " + VERSION);
    }
    FrameType type = FrameType.of(Byte.toUnsignedInt(b.get()));
    try {
      Frame f =
          switch (type) {
            case HELLO -> {
              int pv = b.getInt();
              String id = str(b);
              String secret = str(b);
              String agentVersion = str(b);
              int n = Short.toUnsignedInt(b.getShort());
              List<Integer> streams = new ArrayList<>(n);
              for (int i = 0; i < n; i++) {
                streams.add(b.getInt());
              }
              yield new Frame.Hello(pv, id, secret, agentVersion, streams);
            }
            case WELCOME ->
                new Frame.Welcome(
                    b.getInt(), b.getInt(), b.getInt(), b.hasRemaining() ? str(b) : "");
            case PING -> new Frame.Ping(b.getLong());
            case PONG -> new Frame.Pong(b.getLong());
            case OPEN -> new Frame.Open(stream(b), str(b), b.getInt(), map(b));
            case OPEN_OK -> new Frame.OpenOk(stream(b), b.getInt());
            case OPEN_FAIL -> new Frame.OpenFail(stream(b), b.getInt(), str(b));
            case DATA -> {
              int id = stream(b);
              byte[] payload = new byte[b.remaining()];
              b.get(payload);
              yield new Frame.Data(id, payload);
            }
            case WINDOW -> new Frame.Window(stream(b), b.getInt());
            case CLOSE -> new Frame.Close(stream(b));
            case RESET -> new Frame.Reset(stream(b), b.getInt(), str(b));
            case GOAWAY -> new Frame.GoAway(b.getInt(), str(b));
          };
      if (b.hasRemaining()) {
        throw new ProtocolException(b.remaining() + " trailing bytes after " + type + " frame");
      }
      return f;
    } catch (BufferUnderflowException e) {
      throw new ProtocolException("truncated " + type + " frame");
    }
  }

  private static int stream(ByteBuffer b) {
    return checkStreamId(b.getInt());
  }

  private static String str(ByteBuffer b) {
    int len = Short.toUnsignedInt(b.getShort());
    if (len > b.remaining()) {
      throw new BufferUnderflowException();
    }
    ByteBuffer bytes = b.slice().limit(len);
    b.position(b.position() + len);
    return Utf8.decode(bytes, "string is not valid UTF-8");
  }

  private static Map<String, String> map(ByteBuffer b) {
    int n = Short.toUnsignedInt(b.getShort());
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      String key = str(b);
      if (m.put(key, str(b)) != null) {
        throw new ProtocolException("duplicate parameter " + key);
      }
    }
    return m;
  }

  /** Growable big-endian writer. */
  private static final class Writer {
    private ByteBuffer buf = ByteBuffer.allocate(128);

    private void ensure(int n) {
      if (buf.remaining() < n) {
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n));
        buf.flip();
        bigger.put(buf);
        buf = bigger;
      }
    }

    Writer u8(int v) {
      ensure(1);
      buf.put((byte) v);
      return this;
    }

    Writer u16(int v) {
      if (v > MAX_STRING) {
        throw new ProtocolException("count " + v + " exceeds " + MAX_STRING);
      }
      ensure(2);
      buf.putShort((short) v);
      return this;
    }

    Writer i32(int v) {
      ensure(4);
      buf.putInt(v);
      return this;
    }

    Writer i64(long v) {
      ensure(8);
      buf.putLong(v);
      return this;
    }

    Writer str(String s) {
      byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
      u16(bytes.length);
      ensure(bytes.length);
      buf.put(bytes);
      return this;
    }

    Writer map(Map<String, String> m) {
      u16(m.size());
      new TreeMap<>(m).forEach((k, v) -> str(k).str(v));
      return this;
    }

    ByteBuffer buffer() {
      return buf.flip();
    }
  }
}
