package dev.cms.agent.files;

import dev.cms.domain.files.ParamException;
import dev.cms.domain.files.Params;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Path rules, parameter parsing and file-system helpers shared by the file stream kinds. */
final class Fs {
  static final int DIR_MODE = 0755;
  static final int FILE_MODE = 0644;

  private static final Logger LOG = Logger.getLogger(Fs.class.getName());

  private Fs() {}

  /**
   * Checks a path parameter: absolute, no {@code ..} segment, no backslash, no NUL, not empty.
   *
   * @return the normalized path
   */
  static Path checkPath(String name, String raw) throws Failure {
    if (raw == null || raw.isEmpty()) {
      throw new Failure(Failure.BAD_PATH, "parameter " + name + " (an absolute path) is required");
    }
    if (raw.indexOf('\0') >= 0) {
      throw new Failure(Failure.BAD_PATH, name + " contains NUL: " + printable(raw));
    }
    if (raw.indexOf('\\') >= 0) {
      throw new Failure(Failure.BAD_PATH, name + " contains a backslash: " + printable(raw));
    }
    if (!raw.startsWith("/")) {
      throw new Failure(Failure.BAD_PATH, name + " is not absolute: " + printable(raw));
    }
    for (String segment : raw.split("/", -1)) {
      if (segment.equals("..")) {
        throw new Failure(Failure.BAD_PATH, name + " contains '..': " + printable(raw));
      }
    }
    try {
      return Path.of(raw).normalize();
    } catch (RuntimeException e) {
      throw new Failure(Failure.BAD_PATH, name + " is not a valid path: " + printable(raw));
    }
  }

  /** A required decimal parameter, at least 0. */
  static long decimal(Map<String, String> p, String name) throws Failure {
    try {
      return Params.decimal(p, name);
    } catch (ParamException e) {
      throw failure(e);
    }
  }

  /** A required ratio parameter: a non-negative decimal number, fractions allowed. */
  static double ratio(Map<String, String> p, String name) throws Failure {
    try {
      return Params.ratio(p, name);
    } catch (ParamException e) {
      throw failure(e);
    }
  }

  /** An optional octal permission mode, 0 to 0777. */
  static int mode(Map<String, String> p, String name, int fallback) throws Failure {
    try {
      int mode = Params.mode(p, name);
      return mode < 0 ? fallback : mode;
    } catch (ParamException e) {
      throw failure(e);
    }
  }

  /** A parameter the data-plane contract refused, as the failure the agent reports. */
  static Failure failure(ParamException e) {
    return new Failure(e.rule().wire(), e.getMessage());
  }

  static String printable(String s) {
    return Params.printable(s);
  }

  /** The POSIX permissions of the low nine bits of {@code mode}. */
  static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] bits = {
      PosixFilePermission.OTHERS_EXECUTE,
      PosixFilePermission.OTHERS_WRITE,
      PosixFilePermission.OTHERS_READ,
      PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.GROUP_WRITE,
      PosixFilePermission.GROUP_READ,
      PosixFilePermission.OWNER_EXECUTE,
      PosixFilePermission.OWNER_WRITE,
      PosixFilePermission.OWNER_READ
    };
    for (int i = 0; i < bits.length; i++) {
      if ((mode & (1 << i)) != 0) {
        set.add(bits[i]);
      }
    }
    return set;
  }

  /** The low nine bits of a permission set. */
  static int mode(Set<PosixFilePermission> set) {
    int mode = 0;
    for (PosixFilePermission p : set) {
      mode |= 1 << (8 - p.ordinal());
    }
    return mode;
  }

  /**
   * Creates {@code dir} and its missing ancestors with mode 755 (umask ignored), following symbolic
   * links of existing ancestors.
   *
   * @throws Failure {@code not-a-directory} when {@code dir} or an ancestor exists and is not a
   *     directory; {@code permission-denied}, {@code io-error} as the file system says
   */
  static void createDirectories(Path dir) throws Failure {
    Deque<Path> missing = new ArrayDeque<>();
    for (Path p = dir; p != null; p = p.getParent()) {
      if (Files.isDirectory(p)) {
        break;
      }
      if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
        throw new Failure(Failure.NOT_A_DIRECTORY, p + " exists and is not a directory");
      }
      missing.push(p);
    }
    for (Path p : missing) {
      try {
        Files.createDirectory(p);
        Files.setPosixFilePermissions(p, permissions(DIR_MODE));
      } catch (FileAlreadyExistsException e) {
        if (!Files.isDirectory(p)) {
          throw new Failure(Failure.NOT_A_DIRECTORY, p + " exists and is not a directory");
        }
      } catch (IOException e) {
        throw Failure.of(e, "cannot create directory " + p);
      }
    }
  }

  /** Flushes a directory's entries to disk (after a rename in it); best effort. */
  static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.FINE, "cannot sync directory {0}: {1}", new Object[] {dir, e.toString()});
    }
  }

  /** Deletes a file or a whole tree without following links; logs what it cannot delete. */
  static void deleteQuietly(Path path) {
    if (path == null || !Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try {
      Files.walkFileTree(
          path,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
              try {
                // a tree we made ourselves; make sure we may empty it
                Files.setPosixFilePermissions(dir, permissions(0700));
              } catch (IOException e) {
                // try anyway
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
              if (e instanceof NoSuchFileException) {
                return FileVisitResult.CONTINUE;
              }
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
              Files.deleteIfExists(dir);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "cannot delete " + path + ": " + e);
    }
  }
}
