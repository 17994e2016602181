package dev.cms.domain.files;

import dev.cms.domain.protocol.StreamKind;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The open parameters of the file-operation kinds ({@link StreamKind#FILE_LIST} … {@link
 * StreamKind#FILE_WATCH}) as records; their answers are {@link FsWire} messages. {@code params()}
 * encodes a record into the {@code OPEN} map, {@code of(map)} decodes and checks it ({@link
 * ParamException}: {@code bad-path} for a missing path, {@code bad-param} otherwise). Booleans are
 * {@code true}/{@code false}, absent meaning false.
 */
public final class FileOp {

  /** Levels a listing goes down by default, and at most. */
  public static final int DEFAULT_DEPTH = 1;

  public static final int MAX_DEPTH = 8;

  /** Entries a listing returns by default, and at most. */
  public static final int DEFAULT_ENTRIES = 1000;

  public static final int MAX_ENTRIES = 10_000;

  private FileOp() {}

  /** The open parameters of one file-operation kind. */
  public sealed interface Open permits List, Stat, Delete, Move, Mkdir, Watch {
    /** The kind of stream these parameters open. */
    StreamKind kind();

    /** The parameters as they go into {@code OPEN} (sorted by key). */
    Map<String, String> params();
  }

  /**
   * {@code file-list}: {@code path}'s entries to {@code depth} levels, at most {@code maxEntries}.
   */
  public record List(String path, int depth, int maxEntries) implements Open {
    public List {
      Objects.requireNonNull(path, "path");
      if (depth < 1 || depth > MAX_DEPTH || maxEntries < 1 || maxEntries > MAX_ENTRIES) {
        throw new IllegalArgumentException("depth or maxEntries out of range");
      }
    }

    @Override
    public StreamKind kind() {
      return StreamKind.FILE_LIST;
    }

    @Override
    public Map<String, String> params() {
      return map("path", path, "depth", Integer.toString(depth), "maxEntries", "" + maxEntries);
    }

    /** Decodes; {@code depth} and {@code maxEntries} default to 1 and 1000. */
    public static List of(Map<String, String> p) {
      known(p, "path", "depth", "maxEntries");
      return new List(
          Params.path(p, "path"),
          bounded(p, "depth", DEFAULT_DEPTH, MAX_DEPTH),
          bounded(p, "maxEntries", DEFAULT_ENTRIES, MAX_ENTRIES));
    }
  }

  /** {@code file-stat}: one entry for {@code path} (links not followed). */
  public record Stat(String path) implements Open {
    public Stat {
      Objects.requireNonNull(path, "path");
    }

    @Override
    public StreamKind kind() {
      return StreamKind.FILE_STAT;
    }

    @Override
    public Map<String, String> params() {
      return map("path", path);
    }

    public static Stat of(Map<String, String> p) {
      known(p, "path");
      return new Stat(Params.path(p, "path"));
    }
  }

  /** {@code file-delete}: removes {@code path}; a non-empty directory only when recursive. */
  public record Delete(String path, boolean recursive) implements Open {
    public Delete {
      Objects.requireNonNull(path, "path");
    }

    @Override
    public StreamKind kind() {
      return StreamKind.FILE_DELETE;
    }

    @Override
    public Map<String, String> params() {
      return map("path", path, "recursive", Boolean.toString(recursive));
    }

    public static Delete of(Map<String, String> p) {
      known(p, "path", "recursive");
      return new Delete(Params.path(p, "path"), flag(p, "recursive"));
    }
  }

  /** {@code file-move}: renames {@code from} to {@code to}, replacing it only on overwrite. */
  public record Move(String from, String to, boolean overwrite) implements Open {
    public Move {
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
    }

    @Override
    public StreamKind kind() {
      return StreamKind.FILE_MOVE;
    }

    @Override
    public Map<String, String> params() {
      return map("from", from, "to", to, "overwrite", Boolean.toString(overwrite));
    }

    public static Move of(Map<String, String> p) {
      known(p, "from", "to", "overwrite");
      return new Move(Params.path(p, "from"), Params.path(p, "to"), flag(p, "overwrite"));
    }
  }

  /** {@code file-mkdir}: makes {@code path} (mode 755), with its missing parents when asked. */
  public record Mkdir(String path, boolean parents) implements Open {
    public Mkdir {
      Objects.requireNonNull(path, "path");
    }

    @Override
    public StreamKind kind() {
      return StreamKind.FILE_MKDIR;
    }

    @Override
    public Map<String, String> params() {
      return map("path", path, "parents", Boolean.toString(parents));
    }

    public static Mkdir of(Map<String, String> p) {
      known(p, "path", "parents");
      return new Mkdir(Params.path(p, "path"), flag(p, "parents"));
    }
  }

  /** {@code file-watch}: changes under the directory {@code path}, below it when recursive. */
  public record Watch(String path, boolean recursive) implements Open {
    public Watch {
      Objects.requireNonNull(path, "path");
    }

    @Override
    public StreamKind kind() {
      return StreamKind.FILE_WATCH;
    }

    @Override
    public Map<String, String> params() {
      return map("path", path, "recursive", Boolean.toString(recursive));
    }

    public static Watch of(Map<String, String> p) {
      known(p, "path", "recursive");
      return new Watch(Params.path(p, "path"), flag(p, "recursive"));
    }
  }

  static int bounded(Map<String, String> p, String name, int dflt, int max) {
    if (p.get(name) == null) {
      return dflt;
    }
    long v = Params.decimal(p, name);
    if (v < 1 || v > max) {
      throw new ParamException(Rule.BAD_PARAM, name + " must be 1 to " + max + ", not " + v);
    }
    return (int) v;
  }

  static boolean flag(Map<String, String> p, String name) {
    String raw = p.get(name);
    if (raw == null || raw.equals("false")) {
      return false;
    }
    if (raw.equals("true")) {
      return true;
    }
    throw new ParamException(
        Rule.BAD_PARAM, name + " must be true or false, not " + Params.printable(raw));
  }

  private static Map<String, String> map(String... kv) {
    Map<String, String> m = new TreeMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  private static void known(Map<String, String> p, String... keys) {
    Set<String> allowed = Set.of(keys);
    for (String k : p.keySet()) {
      if (!allowed.contains(k)) {
        throw new ParamException(Rule.BAD_PARAM, "unknown parameter " + Params.printable(k));
      }
    }
  }
}
