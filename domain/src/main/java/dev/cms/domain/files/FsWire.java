package dev.cms.domain.files;

import dev.cms.domain.protocol.LengthPrefixed;
import dev.cms.domain.protocol.ProtocolException;
import dev.cms.domain.protocol.Utf8;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * The messages the file-operation streams carry from the agent to the gateway. Each message is
 * {@code length:u32 type:u8 body} (as terminal and processes messages), {@code str} = {@code
 * length:u16} + UTF-8:
 *
 * <ul>
 *   <li>1 {@link Entry}: {@code type:u8 mode:u16 size:i64 modified:i64 path:str} — one file;
 *   <li>2 {@link Done}: {@code flags:u8 count:i32} — the operation succeeded (bit 0: truncated);
 *   <li>3 {@link Failed}: {@code rule:str message:str} — it was refused or failed;
 *   <li>4 {@link Change}: {@code change:u8 type:u8 path:str} — a watched file changed;
 *   <li>5 {@link Overflow}: {@code dropped:i64} — changes were lost (queue full or the kernel's).
 * </ul>
 *
 * <p>One-shot kinds send {@code Entry}s (list, stat) and end with one {@code Done} or {@code
 * Failed}; a watch sends {@code Done} (watching; {@code count} directories, truncated when the
 * directory bound cut the tree) or {@code Failed}, then {@code Change}s and {@code Overflow}s.
 *
 * <p>The kinds ({@link dev.cms.domain.protocol.StreamKind}) and their parameters: {@code file-list}
 * ({@code path}, {@code depth} 1..8, {@code maxEntries}), {@code file-stat} ({@code path}), {@code
 * file-delete} ({@code path}, {@code recursive}), {@code file-move} ({@code from}, {@code to},
 * {@code overwrite}), {@code file-mkdir} ({@code path}, {@code parents}), {@code file-watch}
 * ({@code path}, {@code recursive}); booleans are {@code true}/{@code false}.
 */
public final class FsWire {

  /** The largest message body: a path of up to 16 KiB of UTF-8 plus the fixed fields. */
  public static final int MAX_MESSAGE = 32 * 1024;

  /** The longest string field, in UTF-8 bytes. */
  public static final int MAX_STRING = 16 * 1024;

  private static final byte ENTRY = 1;
  private static final byte DONE = 2;
  private static final byte FAILED = 3;
  private static final byte CHANGE = 4;
  private static final byte OVERFLOW = 5;

  private FsWire() {}

  /** What a path is (links are not followed). */
  public enum FileType {
    FILE,
    DIR,
    SYMLINK,
    OTHER;

    /** The lower-case name used in the REST API. */
    public String apiName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** What happened to a watched path. */
  public enum ChangeKind {
    CREATED,
    MODIFIED,
    DELETED;

    /** The lower-case name used in events. */
    public String apiName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** One message of a file-operation stream. */
  public sealed interface Message {}

  /**
   * One file.
   *
   * @param type what it is
   * @param mode its permission bits (with setuid, setgid, sticky: 0..07777)
   * @param size its size in bytes (of the link itself for a link)
   * @param modified its modification time, milliseconds since the epoch
   * @param path relative to the listed directory ({@code a/b.txt}); for stat, the absolute path
   */
  public record Entry(FileType type, int mode, long size, long modified, String path)
      implements Message {
    public Entry {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(path, "path");
      if (mode < 0 || mode > 07777) {
        throw new IllegalArgumentException("mode out of range: " + Integer.toOctalString(mode));
      }
    }
  }

  /** The operation succeeded; {@code count} entries (or watched directories), maybe truncated. */
  public record Done(boolean truncated, int count) implements Message {}

  /** The operation was refused or failed, with the rule it broke. */
  public record Failed(String rule, String message) implements Message {
    public Failed {
      Objects.requireNonNull(rule, "rule");
      Objects.requireNonNull(message, "message");
    }
  }

  /** A change under a watched directory, {@code path} absolute. */
  public record Change(ChangeKind kind, FileType type, String path) implements Message {
    public Change {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(path, "path");
    }
  }

  /** {@code dropped} changes were lost (0 when the kernel's queue overflowed: unknown). */
  public record Overflow(long dropped) implements Message {}

  /** Encodes one message, length prefix included. */
  public static byte[] encode(Message m) {
    ByteBuffer b = ByteBuffer.allocate(4 + MAX_MESSAGE);
    b.putInt(0);
    if (m instanceof Entry e) {
      b.put(ENTRY).put((byte) e.type().ordinal()).putShort((short) e.mode());
      b.putLong(e.size()).putLong(e.modified());
      putString(b, e.path());
    } else if (m instanceof Done d) {
      b.put(DONE).put((byte) (d.truncated() ? 1 : 0)).putInt(d.count());
    } else if (m instanceof Failed f) {
      b.put(FAILED);
      putString(b, f.rule());
      putString(b, f.message());
    } else if (m instanceof Change c) {
      b.put(CHANGE).put((byte) (c.kind().ordinal() + 1)).put((byte) c.type().ordinal());
      putString(b, c.path());
    } else {
      b.put(OVERFLOW).putLong(((Overflow) m).dropped());
    }
    int length = b.position() - 4;
    b.putInt(0, length);
    byte[] out = new byte[b.position()];
    b.get(0, out);
    return out;
  }

  /** A decoder that reassembles messages from the stream's bytes, whatever the chunking. */
  public static LengthPrefixed<Message> decoder() {
    return new LengthPrefixed<>("file", MAX_MESSAGE, FsWire::decodeBody);
  }

  /** Decodes one whole message, length prefix included (tests, samples). */
  public static Message decode(byte[] bytes) {
    List<Message> all = decodeAll(bytes);
    if (all.size() != 1) {
      throw new ProtocolException("expected one file message, got " + all.size());
    }
    return all.get(0);
  }

  /** Decodes every message in {@code bytes} (whole messages only). */
  public static List<Message> decodeAll(byte[] bytes) {
    LengthPrefixed<Message> d = decoder();
    List<Message> out = d.feed(bytes);
    if (d.hasPartial()) {
      throw new ProtocolException("an incomplete file message");
    }
    return out;
  }

  private static Message decodeBody(ByteBuffer b) {
    try {
      byte tag = b.get();
      Message m =
          switch (tag) {
            case ENTRY -> {
              FileType type = type(b.get());
              int mode = b.getShort() & 0xffff;
              if (mode > 07777) {
                throw new ProtocolException("file mode out of range: " + mode);
              }
              long size = b.getLong();
              long modified = b.getLong();
              yield new Entry(type, mode, size, modified, getString(b));
            }
            case DONE -> {
              int flags = b.get();
              if ((flags & ~1) != 0) {
                throw new ProtocolException("unknown Done flags " + flags);
              }
              int count = b.getInt();
              if (count < 0) {
                throw new ProtocolException("negative count " + count);
              }
              yield new Done((flags & 1) != 0, count);
            }
            case FAILED -> new Failed(getString(b), getString(b));
            case CHANGE -> {
              int k = b.get();
              if (k < 1 || k > ChangeKind.values().length) {
                throw new ProtocolException("unknown change kind " + k);
              }
              FileType type = type(b.get());
              yield new Change(ChangeKind.values()[k - 1], type, getString(b));
            }
            case OVERFLOW -> new Overflow(b.getLong());
            default -> throw new ProtocolException("unknown file message type " + tag);
          };
      if (b.hasRemaining()) {
        throw new ProtocolException("trailing bytes in a file message");
      }
      return m;
    } catch (java.nio.BufferUnderflowException e) {
      throw new ProtocolException("truncated file message");
    }
  }

  private static FileType type(byte t) {
    if (t < 0 || t >= FileType.values().length) {
      throw new ProtocolException("unknown file type " + t);
    }
    return FileType.values()[t];
  }

  private static void putString(ByteBuffer b, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > MAX_STRING) {
      throw new IllegalArgumentException("string above " + MAX_STRING + " bytes");
    }
    b.putShort((short) bytes.length).put(bytes);
  }

  private static String getString(ByteBuffer b) {
    int n = b.getShort() & 0xffff;
    if (n > MAX_STRING) {
      throw new ProtocolException("string above " + MAX_STRING + " bytes");
    }
    byte[] bytes = new byte[n];
    b.get(bytes);
    return Utf8.decode(ByteBuffer.wrap(bytes), "invalid UTF-8 in a file message");
  }
}
