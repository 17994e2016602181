package dev.cms.domain.files;

import dev.cms.domain.protocol.LineBuffer;
import dev.cms.domain.protocol.ProtocolException;
import dev.cms.domain.protocol.StreamKind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The contract of the transfer kinds: the open parameters of {@link StreamKind#FILE_WRITE}, {@link
 * StreamKind#ARCHIVE_EXTRACT}, {@link StreamKind#FILE_READ} and {@link StreamKind#ARCHIVE_CREATE}
 * as records (encoded into and decoded from the {@code OPEN} frame's parameters), and the result
 * lines of the upload kinds as {@link Verdict}s.
 *
 * <p>Upload results are {@code \n}-terminated UTF-8 lines, at most {@link #MAX_LINE} bytes each:
 * {@code progress <bytes>} (any number), then exactly one of {@code ok <bytes> <entries>} or {@code
 * error <rule> <message>}. Downloads carry the raw bytes; their refusals are {@code OPEN_FAIL}s
 * with {@code "<rule>: <message>"}.
 */
public final class Transfer {

  /** The longest result line, in UTF-8 bytes without its {@code \n}. */
  public static final int MAX_LINE = 8 * 1024;

  private Transfer() {}

  /** The open parameters of one transfer kind. */
  public sealed interface Open permits FileWrite, ArchiveExtract, FileRead, ArchiveCreate {
    /** The kind of stream these parameters open. */
    StreamKind kind();

    /** The parameters as they go into {@code OPEN} (sorted by key). */
    Map<String, String> params();
  }

  /**
   * {@code file-write}: the upload becomes the file at {@code path}.
   *
   * @param path absolute path of the file (the agent checks it)
   * @param mode permission bits 0..0777, or {@code -1} for the agent's default (644)
   * @param maxBytes the most bytes the upload may have
   */
  public record FileWrite(String path, int mode, long maxBytes) implements Open {
    private static final Set<String> KEYS = Set.of("path", "mode", "maxBytes");

    public FileWrite {
      Objects.requireNonNull(path, "path");
      if (mode < -1 || mode > 0777) {
        throw new IllegalArgumentException("mode out of range: " + mode);
      }
      if (maxBytes < 0) {
        throw new IllegalArgumentException("negative maxBytes");
      }
    }

    @Override
    public StreamKind kind() {
      return StreamKind.FILE_WRITE;
    }

    @Override
    public Map<String, String> params() {
      Map<String, String> p = new TreeMap<>();
      p.put("path", path);
      if (mode >= 0) {
        p.put("mode", Integer.toOctalString(mode));
      }
      p.put("maxBytes", Long.toString(maxBytes));
      return p;
    }

    /** Decodes the parameters; {@link ParamException} names the first one that is wrong. */
    public static FileWrite of(Map<String, String> p) {
      known(p, KEYS);
      return new FileWrite(
          Params.path(p, "path"), Params.mode(p, "mode"), Params.decimal(p, "maxBytes"));
    }
  }

  /**
   * The bounds of an archive extraction.
   *
   * @param maxBytes the most bytes the zip may have
   * @param maxEntries the most entries it may have
   * @param maxUnpackedBytes the most bytes it may unpack to (really written, not as declared)
   * @param maxRatio the highest unpacked-to-compressed ratio of one entry
   */
  public record ArchiveLimits(
      long maxBytes, long maxEntries, long maxUnpackedBytes, double maxRatio) {
    public ArchiveLimits {
      if (maxBytes < 0 || maxEntries < 0 || maxUnpackedBytes < 0) {
        throw new IllegalArgumentException("negative archive limit");
      }
      if (!(maxRatio >= 0) || Double.isInfinite(maxRatio)) {
        throw new IllegalArgumentException("maxRatio must be a finite number at least 0");
      }
    }
  }

  /** {@code archive-extract}: the upload is a zip, unpacked into {@code dest} all or nothing. */
  public record ArchiveExtract(String dest, ArchiveLimits limits) implements Open {
    private static final Set<String> KEYS =
        Set.of("dest", "maxBytes", "maxEntries", "maxUnpackedBytes", "maxRatio");

    public ArchiveExtract {
      Objects.requireNonNull(dest, "dest");
      Objects.requireNonNull(limits, "limits");
    }

    @Override
    public StreamKind kind() {
      return StreamKind.ARCHIVE_EXTRACT;
    }

    @Override
    public Map<String, String> params() {
      Map<String, String> p = new TreeMap<>();
      p.put("dest", dest);
      p.put("maxBytes", Long.toString(limits.maxBytes()));
      p.put("maxEntries", Long.toString(limits.maxEntries()));
      p.put("maxUnpackedBytes", Long.toString(limits.maxUnpackedBytes()));
      p.put("maxRatio", Params.ratio(limits.maxRatio()));
      return p;
    }

    /** Decodes the parameters; {@link ParamException} names the first one that is wrong. */
    public static ArchiveExtract of(Map<String, String> p) {
      known(p, KEYS);
      String dest = Params.path(p, "dest");
      return new ArchiveExtract(
          dest,
          new ArchiveLimits(
              Params.decimal(p, "maxBytes"),
              Params.decimal(p, "maxEntries"),
              Params.decimal(p, "maxUnpackedBytes"),
              Params.ratio(p, "maxRatio")));
    }
  }

  /** {@code file-read}: the agent sends the bytes of the file at {@code path}. */
  public record FileRead(String path) implements Open {
    public FileRead {
      Objects.requireNonNull(path, "path");
    }

    @Override
    public StreamKind kind() {
      return StreamKind.FILE_READ;
    }

    @Override
    public Map<String, String> params() {
      return new TreeMap<>(Map.of("path", path));
    }

    /** Decodes the parameters; {@link ParamException} names the first one that is wrong. */
    public static FileRead of(Map<String, String> p) {
      known(p, Set.of("path"));
      return new FileRead(Params.path(p, "path"));
    }
  }

  /** {@code archive-create}: the agent sends a zip of the directory at {@code path}. */
  public record ArchiveCreate(String path) implements Open {
    public ArchiveCreate {
      Objects.requireNonNull(path, "path");
    }

    @Override
    public StreamKind kind() {
      return StreamKind.ARCHIVE_CREATE;
    }

    @Override
    public Map<String, String> params() {
      return new TreeMap<>(Map.of("path", path));
    }

    /** Decodes the parameters; {@link ParamException} names the first one that is wrong. */
    public static ArchiveCreate of(Map<String, String> p) {
      known(p, Set.of("path"));
      return new ArchiveCreate(Params.path(p, "path"));
    }
  }

  /** One result line of an upload. */
  public sealed interface Verdict permits Progress, Done, Refused {}

  /** {@code progress <bytes>}: the agent has received this many bytes so far. */
  public record Progress(long bytes) implements Verdict {
    public Progress {
      if (bytes < 0) {
        throw new IllegalArgumentException("negative bytes");
      }
    }
  }

  /**
   * {@code ok <bytes> <entries>}: the upload is in place.
   *
   * @param bytes the bytes written (of a zip: unpacked)
   * @param entries 1 for a file, the entries of a zip
   */
  public record Done(long bytes, long entries) implements Verdict {
    public Done {
      if (bytes < 0 || entries < 0) {
        throw new IllegalArgumentException("negative count");
      }
    }
  }

  /**
   * {@code error <rule> <message>}: the upload was refused or failed and left nothing behind. The
   * message is one line (line breaks become spaces).
   */
  public record Refused(Rule rule, String message) implements Verdict {
    public Refused {
      Objects.requireNonNull(rule, "rule");
      message = Objects.requireNonNull(message, "message").replace('\r', ' ').replace('\n', ' ');
    }
  }

  /** The line of a verdict, {@code \n} included, cut to {@link #MAX_LINE} bytes. */
  public static byte[] encode(Verdict v) {
    String line;
    if (v instanceof Progress p) {
      line = "progress " + p.bytes();
    } else if (v instanceof Done d) {
      line = "ok " + d.bytes() + " " + d.entries();
    } else {
      Refused r = (Refused) v;
      line = "error " + r.rule().wire() + " " + r.message();
    }
    byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
    int n = bytes.length;
    if (n > MAX_LINE) {
      n = MAX_LINE;
      while (n > 0 && (bytes[n] & 0xc0) == 0x80) {
        n--; // do not cut a character in two
      }
    }
    byte[] out = new byte[n + 1];
    System.arraycopy(bytes, 0, out, 0, n);
    out[n] = '\n';
    return out;
  }

  /** Decodes one result line (without its {@code \n}). */
  public static Verdict decode(String line) {
    String[] f = line.split(" ", 3);
    switch (f[0]) {
      case "progress":
        if (f.length == 2) {
          return new Progress(count("progress", f[1]));
        }
        break;
      case "ok":
        if (f.length == 3) {
          return new Done(count("ok", f[1]), count("ok", f[2]));
        }
        break;
      case "error":
        if (f.length >= 2 && !f[1].isEmpty()) {
          return new Refused(Rule.orRefused(f[1]), f.length == 3 ? f[2] : "");
        }
        break;
      default:
        break;
    }
    throw new ProtocolException("malformed upload result line: " + Params.printable(line));
  }

  /** A decoder of result lines, whatever the chunking; at most {@link #MAX_LINE} bytes held. */
  public static Verdicts verdicts() {
    return new Verdicts();
  }

  /** Reassembles {@link Verdict}s from an upload stream's bytes; not thread-safe. */
  public static final class Verdicts {
    private final LineBuffer lines = new LineBuffer("upload result", MAX_LINE);

    private Verdicts() {}

    /**
     * The verdicts these bytes complete, in order.
     *
     * @throws ProtocolException for an overlong or malformed line; the caller resets the stream
     */
    public List<Verdict> feed(byte[] data) {
      List<Verdict> out = new ArrayList<>();
      for (String line : lines.feed(data)) {
        out.add(decode(line));
      }
      return out;
    }
  }

  private static long count(String what, String raw) {
    try {
      return Params.decimal(what, raw);
    } catch (ParamException e) {
      throw new ProtocolException("malformed upload result line: " + e.getMessage());
    }
  }

  private static void known(Map<String, String> p, Set<String> keys) {
    for (String k : p.keySet()) {
      if (!keys.contains(k)) {
        throw new ParamException(Rule.BAD_PARAM, "unknown parameter " + Params.printable(k));
      }
    }
  }
}
