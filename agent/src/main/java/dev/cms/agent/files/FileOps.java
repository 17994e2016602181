package dev.cms.agent.files;

import dev.cms.domain.files.FileOp;
import dev.cms.domain.files.FsWire;
import dev.cms.domain.files.ParamException;
import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.Frame;
import dev.cms.domain.protocol.Stream;
import dev.cms.domain.protocol.StreamHandler;
import dev.cms.domain.protocol.StreamKind;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one-shot file operations ({@code file-list}, {@code file-stat}, {@code file-delete}, {@code
 * file-move}, {@code file-mkdir}): the OPEN is always accepted; a worker does the work with the
 * user's file-system ids (links are never followed inside a tree) and answers with {@link FsWire}
 * messages: entries, then one {@code Done} or one {@code Failed(rule, message)}, then CLOSE.
 */
public final class FileOps {
  /** Default and largest listing depth. */
  static final int DEFAULT_DEPTH = FileOp.DEFAULT_DEPTH;

  static final int MAX_DEPTH = FileOp.MAX_DEPTH;

  /** Default and largest number of entries of one listing. */
  static final int DEFAULT_ENTRIES = FileOp.DEFAULT_ENTRIES;

  static final int MAX_ENTRIES = FileOp.MAX_ENTRIES;

  private static final Logger LOG = Logger.getLogger(FileOps.class.getName());

  private FileOps() {}

  /** The work of one operation: writes entries with {@code out}, returns the Done. */
  @FunctionalInterface
  interface Op {
    FsWire.Done run(Map<String, String> params, Sink out) throws Failure, IOException;
  }

  /** Where an operation writes its entries. */
  @FunctionalInterface
  interface Sink {
    void entry(FsWire.Entry e) throws IOException;
  }

  /** The handler of one operation stream. */
  public static StreamHandler accept(Frame.Open open, Executor workers) {
    Op op =
        switch (StreamKind.of(open.kind())
            .orElseThrow(() -> new IllegalArgumentException(open.kind()))) {
          case FILE_LIST -> FileOps::list;
          case FILE_STAT -> FileOps::stat;
          case FILE_DELETE -> FileOps::delete;
          case FILE_MOVE -> FileOps::move;
          case FILE_MKDIR -> FileOps::mkdir;
          default -> throw new IllegalArgumentException(open.kind());
        };
    Map<String, String> params = open.params();
    return new StreamHandler() {
      @Override
      public void onOpen(Stream s) {
        workers.execute(() -> run(s, op, params));
      }

      @Override
      public void onData(Stream s, byte[] data) {
        // nothing is expected from the gateway
      }
    };
  }

  private static void run(Stream s, Op op, Map<String, String> params) {
    try {
      FsWire.Message end;
      try {
        end = op.run(params, e -> s.write(FsWire.encode(e)));
      } catch (Failure f) {
        end = new FsWire.Failed(f.rule(), f.oneLine());
      }
      s.write(FsWire.encode(end));
      s.close();
    } catch (IOException e) {
      LOG.log(Level.FINE, "{0} ended: {1}", new Object[] {s, e.toString()});
    } catch (Throwable e) { // also an Error: this stream fails, the agent stays
      LOG.log(Level.WARNING, s + " failed", e);
      try {
        s.write(FsWire.encode(new FsWire.Failed(Failure.IO_ERROR, Failure.agentFailed(e))));
        s.close();
      } catch (IOException | RuntimeException again) {
        s.reset(ErrorCode.INTERNAL, Failure.IO_ERROR + ": " + Failure.agentFailed(e));
      }
    }
  }

  static FsWire.Done list(Map<String, String> p, Sink out) throws Failure, IOException {
    FileOp.List op = decode(() -> FileOp.List.of(p));
    Path root = Fs.checkPath("path", op.path());
    int depth = op.depth();
    int max = op.maxEntries();
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(root, BasicFileAttributes.class); // the root's link followed
    } catch (IOException e) {
      throw of(e, root.toString());
    }
    if (!attrs.isDirectory()) {
      throw new Failure(Failure.NOT_A_DIRECTORY, root + " is not a directory");
    }
    AtomicInteger count = new AtomicInteger();
    boolean truncated = walk(root, root, 1, depth, max, count, out, true);
    return new FsWire.Done(truncated, count.get());
  }

  /** Lists {@code dir}'s entries, sorted by name, each directory followed by its own; true: cut. */
  private static boolean walk(
      Path root,
      Path dir,
      int level,
      int depth,
      int max,
      AtomicInteger count,
      Sink out,
      boolean top)
      throws Failure, IOException {
    List<Path> children = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path c : ds) {
        children.add(c);
        if (children.size() > MAX_ENTRIES) {
          break; // never more than one listing's worth in memory
        }
      }
    } catch (IOException e) {
      if (top) {
        throw of(e, dir.toString());
      }
      return false; // an unreadable directory inside the tree lists as empty
    }
    children.sort(null);
    for (Path c : children) {
      FsWire.Entry e;
      try {
        e = entry(c, root.relativize(c).toString());
      } catch (IOException gone) {
        continue; // vanished meanwhile
      }
      if (count.get() >= max) {
        return true;
      }
      out.entry(e);
      count.incrementAndGet();
      if (e.type() == FsWire.FileType.DIR && level < depth) {
        if (walk(root, c, level + 1, depth, max, count, out, false)) {
          return true;
        }
      }
    }
    return children.size() > MAX_ENTRIES;
  }

  static FsWire.Done stat(Map<String, String> p, Sink out) throws Failure, IOException {
    Path path = Fs.checkPath("path", decode(() -> FileOp.Stat.of(p)).path());
    FsWire.Entry e;
    try {
      e = entry(path, path.toString());
    } catch (IOException failed) {
      throw of(failed, path.toString());
    }
    out.entry(e);
    return new FsWire.Done(false, 1);
  }

  static FsWire.Done delete(Map<String, String> p, Sink out) throws Failure {
    FileOp.Delete op = decode(() -> FileOp.Delete.of(p));
    Path path = Fs.checkPath("path", op.path());
    boolean recursive = op.recursive();
    if (path.getNameCount() == 0) {
      throw new Failure(Failure.BAD_PATH, "/ cannot be deleted");
    }
    BasicFileAttributes attrs = attrs(path);
    if (!attrs.isDirectory()) {
      try {
        Files.delete(path);
      } catch (IOException e) {
        throw of(e, path.toString());
      }
      return new FsWire.Done(false, 1);
    }
    if (!recursive) {
      try {
        Files.delete(path);
        return new FsWire.Done(false, 1);
      } catch (DirectoryNotEmptyException e) {
        throw new Failure(
            Failure.NOT_EMPTY, path + " is a directory that is not empty (delete it recursively)");
      } catch (IOException e) {
        throw of(e, path.toString());
      }
    }
    AtomicInteger deleted = new AtomicInteger();
    Failure[] first = {null};
    try {
      Files.walkFileTree( // links are not followed: a link is deleted, not its target
          path,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes a) {
              remove(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
              if (!(e instanceof NoSuchFileException) && first[0] == null) {
                first[0] = of(e, file.toString());
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) {
              if (e != null && first[0] == null) {
                first[0] = of(e, dir.toString());
              }
              remove(dir);
              return FileVisitResult.CONTINUE;
            }

            private void remove(Path f) {
              try {
                Files.deleteIfExists(f);
                deleted.incrementAndGet();
              } catch (IOException e) {
                if (first[0] == null) {
                  first[0] = of(e, f.toString());
                }
              }
            }
          });
    } catch (IOException e) {
      throw of(e, path.toString());
    }
    if (first[0] != null) {
      throw new Failure(
          first[0].rule(),
          first[0].getMessage() + " (" + deleted.get() + " entries were deleted before)");
    }
    return new FsWire.Done(false, deleted.get());
  }

  static FsWire.Done move(Map<String, String> p, Sink out) throws Failure {
    FileOp.Move op = decode(() -> FileOp.Move.of(p));
    Path from = Fs.checkPath("from", op.from());
    Path to = Fs.checkPath("to", op.to());
    boolean overwrite = op.overwrite();
    if (from.getNameCount() == 0 || to.getNameCount() == 0) {
      throw new Failure(Failure.BAD_PATH, "/ cannot be moved or replaced");
    }
    if (to.equals(from)) {
      throw new Failure(Failure.BAD_PATH, "from and to are the same path: " + from);
    }
    BasicFileAttributes attrs = attrs(from);
    if (attrs.isDirectory() && to.startsWith(from)) {
      throw new Failure(Failure.BAD_PATH, "a directory cannot move into itself: " + to);
    }
    if (!overwrite && Files.exists(to, LinkOption.NOFOLLOW_LINKS)) {
      throw new Failure(Failure.ALREADY_EXISTS, to + " exists (set overwrite to replace it)");
    }
    Path parent = to.getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      throw new Failure(Failure.NOT_FOUND, "the directory of " + to + " does not exist");
    }
    if (Files.exists(to, LinkOption.NOFOLLOW_LINKS)) {
      boolean toIsDir = Files.isDirectory(to, LinkOption.NOFOLLOW_LINKS);
      if (attrs.isDirectory() && !toIsDir) {
        throw new Failure(Failure.NOT_A_DIRECTORY, to + " is not a directory; " + from + " is");
      }
      if (!attrs.isDirectory() && toIsDir) {
        throw new Failure(Failure.IS_A_DIRECTORY, to + " is a directory; " + from + " is not");
      }
    }
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE); // rename(2): replaces, never follows
    } catch (AtomicMoveNotSupportedException e) {
      throw new Failure(
          Failure.CROSS_DEVICE, from + " and " + to + " are on different file systems");
    } catch (DirectoryNotEmptyException e) {
      throw new Failure(Failure.NOT_EMPTY, to + " is a directory that is not empty");
    } catch (IOException e) {
      throw of(e, to.toString());
    }
    Fs.syncDirectory(parent == null ? to : parent);
    return new FsWire.Done(false, 1);
  }

  static FsWire.Done mkdir(Map<String, String> p, Sink out) throws Failure {
    FileOp.Mkdir op = decode(() -> FileOp.Mkdir.of(p));
    Path path = Fs.checkPath("path", op.path());
    boolean parents = op.parents();
    if (parents) {
      Fs.createDirectories(path);
      return new FsWire.Done(false, 1);
    }
    Path parent = path.getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      throw new Failure(
          Failure.NOT_FOUND, "the directory of " + path + " does not exist (set parents)");
    }
    try {
      Files.createDirectory(path);
      Files.setPosixFilePermissions(path, Fs.permissions(Fs.DIR_MODE));
    } catch (FileAlreadyExistsException e) {
      throw new Failure(Failure.ALREADY_EXISTS, path + " exists");
    } catch (IOException e) {
      throw of(e, path.toString());
    }
    return new FsWire.Done(false, 1);
  }

  /** A path's entry, links not followed. */
  static FsWire.Entry entry(Path path, String name) throws IOException {
    Map<String, Object> a =
        Files.readAttributes(
            path,
            "unix:mode,size,lastModifiedTime,isDirectory,isRegularFile,isSymbolicLink",
            LinkOption.NOFOLLOW_LINKS);
    FsWire.FileType type =
        Boolean.TRUE.equals(a.get("isSymbolicLink"))
            ? FsWire.FileType.SYMLINK
            : Boolean.TRUE.equals(a.get("isDirectory"))
                ? FsWire.FileType.DIR
                : Boolean.TRUE.equals(a.get("isRegularFile"))
                    ? FsWire.FileType.FILE
                    : FsWire.FileType.OTHER;
    int mode = ((Integer) a.get("mode")) & 07777;
    long size = (Long) a.get("size");
    long modified = ((FileTime) a.get("lastModifiedTime")).toMillis();
    return new FsWire.Entry(type, mode, size, modified, name);
  }

  private static BasicFileAttributes attrs(Path path) throws Failure {
    try {
      return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      throw of(e, path.toString());
    }
  }

  /**
   * Maps a failed call to a rule; a missing file (or a file where a directory was) is not-found.
   */
  static Failure of(IOException e, String what) {
    if (e instanceof NoSuchFileException) {
      return new Failure(Failure.NOT_FOUND, what + " does not exist", e);
    }
    if (e instanceof FileAlreadyExistsException) {
      return new Failure(Failure.ALREADY_EXISTS, what + " exists", e);
    }
    if (e instanceof DirectoryNotEmptyException
        || e instanceof java.nio.file.FileSystemException f
            && String.valueOf(f.getReason()).contains("Directory not empty")) {
      return new Failure(Failure.NOT_EMPTY, what + ": a directory that is not empty", e);
    }
    Failure f = Failure.of(e, what);
    if (f.rule().equals(Failure.NOT_A_DIRECTORY)) {
      return new Failure(Failure.NOT_FOUND, what + " does not exist (a file is in its path)", e);
    }
    return f;
  }

  /** Decodes an operation's parameters; a contract violation is the failure reported. */
  static <T> T decode(Supplier<T> params) throws Failure {
    try {
      return params.get();
    } catch (ParamException e) {
      throw Fs.failure(e);
    }
  }
}
