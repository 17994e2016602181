package dev.cms.agent.files;

import dev.cms.domain.files.ParamException;
import dev.cms.domain.files.Transfer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.zip.CRC32;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;

/**
 * Stream kind {@code archive-extract}: the upload is a zip, unpacked into {@code dest}, all or
 * nothing.
 *
 * <p>Steps: spool the upload into {@code <dest>/.cms-staging-<random>/upload.zip} (counted against
 * {@code maxBytes}); read its central directory and check every entry (count, names, types,
 * duplicates, declared sizes and ratios); unpack into {@code <staging>/tree}, counting the real
 * bytes (declared sizes lie in zip bombs) and checking each CRC; compare the tree with {@code dest}
 * (a file where the archive has a directory, or the other way round, fails before anything moved);
 * then rename into place: a directory missing at {@code dest} moves as a whole, files replace
 * same-named files one by one ({@code rename(2)}). The staging directory is always removed.
 */
final class ArchiveExtract extends Upload {
  static final String STAGING_PREFIX = ".cms-staging-";

  private static final int TYPE_MASK = 0170000;
  private static final int TYPE_FILE = 0100000;
  private static final int TYPE_DIR = 0040000;
  private static final int TYPE_SYMLINK = 0120000;
  private static final int BUFFER = 64 * 1024;

  /** One checked entry: its normalized relative name, whether a directory, its mode. */
  private record Item(ZipArchiveEntry entry, String key, boolean dir, int mode) {}

  ArchiveExtract(Executor workers, Map<String, String> params) {
    super(workers, params);
  }

  @Override
  Result work(Map<String, String> params) throws Failure, Aborted {
    Transfer.ArchiveExtract p;
    try {
      p = Transfer.ArchiveExtract.of(params);
    } catch (ParamException e) {
      throw Fs.failure(e);
    }
    Path dest = Fs.checkPath("dest", p.dest());
    Transfer.ArchiveLimits limits = p.limits();
    Fs.createDirectories(dest);
    Path staging;
    try {
      staging = Files.createTempDirectory(dest, STAGING_PREFIX);
    } catch (IOException e) {
      throw Failure.of(e, "cannot create a staging directory in " + dest);
    }
    try {
      Path spool = staging.resolve("upload.zip");
      try (FileChannel out =
          FileChannel.open(spool, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        spool(out, limits.maxBytes(), "the upload");
      } catch (IOException e) {
        throw Failure.of(e, "cannot spool the upload");
      }
      checkAborted();
      Path tree = staging.resolve("tree");
      List<Item> items;
      long unpacked;
      // before ZipFile, which holds every central-directory entry in memory
      ZipDirectory.check(spool, limits.maxEntries());
      try (ZipFile zip = open(spool)) {
        items = check(zip, limits);
        Fs.createDirectories(tree);
        unpacked = unpack(zip, items, tree, limits);
      } catch (IOException e) {
        // closing the zip failed: nothing of consequence
        throw Failure.of(e, "cannot close the upload");
      }
      try {
        Files.delete(spool);
      } catch (IOException e) {
        throw Failure.of(e, "cannot delete the spooled upload");
      }
      List<Path[]> moves = new ArrayList<>();
      plan(tree, dest, moves);
      checkAborted();
      for (Path[] move : moves) {
        try {
          Files.move(
              move[0],
              move[1],
              StandardCopyOption.ATOMIC_MOVE,
              StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          throw new Failure(Failure.IO_ERROR, "cannot rename atomically onto " + move[1], e);
        } catch (IOException e) {
          throw Failure.of(e, "cannot move into place " + move[1]);
        }
      }
      return new Result(unpacked, items.size());
    } finally {
      Fs.deleteQuietly(staging);
    }
  }

  private static ZipFile open(Path spool) throws Failure {
    try {
      return ZipFile.builder().setPath(spool).get();
    } catch (IOException | RuntimeException e) {
      throw new Failure(Failure.CORRUPT_ZIP, "not a readable zip: " + e.getMessage(), e);
    }
  }

  /** Checks every entry of the central directory before anything is unpacked. */
  private List<Item> check(ZipFile zip, Transfer.ArchiveLimits limits) throws Failure, Aborted {
    List<Item> items = new ArrayList<>();
    Set<String> keys = new HashSet<>();
    Set<String> files = new HashSet<>();
    Set<String> parents = new HashSet<>();
    long declared = 0;
    Enumeration<ZipArchiveEntry> entries = zip.getEntries();
    while (entries.hasMoreElements()) {
      ZipArchiveEntry e = entries.nextElement();
      if (items.size() >= limits.maxEntries()) {
        throw new Failure(
            Failure.TOO_MANY_ENTRIES,
            "the archive has more than maxEntries (" + limits.maxEntries() + ") entries");
      }
      String name = e.getName();
      String key = key(name);
      int unix = e.getPlatform() == ZipArchiveEntry.PLATFORM_UNIX ? e.getUnixMode() : 0;
      int type = unix & TYPE_MASK;
      if (e.isUnixSymlink() || type == TYPE_SYMLINK) {
        throw new Failure(Failure.SYMLINK_ENTRY, "symbolic link entry: " + Fs.printable(name));
      }
      if (type != 0 && type != TYPE_FILE && type != TYPE_DIR) {
        throw new Failure(
            Failure.SPECIAL_ENTRY,
            "entry "
                + Fs.printable(name)
                + " is neither a regular file nor a directory (mode "
                + Integer.toOctalString(unix)
                + ")");
      }
      boolean dir = e.isDirectory() || type == TYPE_DIR;
      if (!keys.add(key)) {
        throw new Failure(Failure.DUPLICATE_ENTRY, "entry " + Fs.printable(key) + " appears twice");
      }
      for (int i = key.indexOf('/'); i >= 0; i = key.indexOf('/', i + 1)) {
        parents.add(key.substring(0, i));
      }
      int perms = unix & 0777;
      int mode;
      if (dir) {
        mode = perms == 0 ? Fs.DIR_MODE : perms | 0700;
      } else {
        files.add(key);
        mode = perms == 0 ? Fs.FILE_MODE : perms;
        long size = e.getSize();
        long compressed = e.getCompressedSize();
        if (size > 0) {
          declared = declared > Long.MAX_VALUE - size ? Long.MAX_VALUE : declared + size;
          if (compressed <= 0 || size > limits.maxRatio() * compressed) {
            throw new Failure(
                Failure.COMPRESSION_RATIO,
                "entry "
                    + Fs.printable(key)
                    + " declares "
                    + size
                    + " bytes from "
                    + Math.max(compressed, 0)
                    + " compressed, above the ratio "
                    + limits.maxRatio());
          }
        }
        if (!zip.canReadEntryData(e)) {
          throw new Failure(
              Failure.CORRUPT_ZIP,
              "entry "
                  + Fs.printable(key)
                  + " is encrypted or uses an unsupported compression method");
        }
      }
      items.add(new Item(e, key, dir, mode));
      checkAborted();
    }
    for (String file : files) {
      if (parents.contains(file)) {
        throw new Failure(
            Failure.DUPLICATE_ENTRY,
            "entry " + Fs.printable(file) + " is a file and a directory's name at once");
      }
    }
    if (declared > limits.maxUnpackedBytes()) {
      throw new Failure(
          Failure.UNPACKED_TOO_LARGE,
          "the entries declare "
              + declared
              + " bytes, above maxUnpackedBytes ("
              + limits.maxUnpackedBytes()
              + ")");
    }
    return items;
  }

  /**
   * The normalized relative name of an entry: segments joined by {@code /}, without empty and
   * {@code .} segments.
   */
  static String key(String name) throws Failure {
    if (name == null || name.isEmpty()) {
      throw new Failure(Failure.BAD_ENTRY, "an entry has an empty name");
    }
    if (name.indexOf('\0') >= 0) {
      throw new Failure(Failure.BAD_ENTRY, "entry name contains NUL: " + Fs.printable(name));
    }
    if (name.indexOf('\\') >= 0) {
      throw new Failure(
          Failure.BACKSLASH_ENTRY, "entry name contains a backslash: " + Fs.printable(name));
    }
    if (name.startsWith("/")) {
      throw new Failure(Failure.ABSOLUTE_ENTRY, "absolute entry name: " + Fs.printable(name));
    }
    StringBuilder key = new StringBuilder(name.length());
    for (String segment : name.split("/")) {
      if (segment.equals("..")) {
        throw new Failure(Failure.DOTDOT_ENTRY, "entry name with '..': " + Fs.printable(name));
      }
      if (segment.isEmpty() || segment.equals(".")) {
        continue;
      }
      if (key.length() > 0) {
        key.append('/');
      }
      key.append(segment);
    }
    if (key.length() == 0) {
      throw new Failure(Failure.BAD_ENTRY, "entry name names nothing: " + Fs.printable(name));
    }
    return key.toString();
  }

  /** Unpacks every entry below {@code tree}, counting real bytes; returns the total. */
  private long unpack(ZipFile zip, List<Item> items, Path tree, Transfer.ArchiveLimits limits)
      throws Failure, Aborted {
    byte[] buf = new byte[BUFFER];
    long total = 0;
    for (Item item : items) {
      checkAborted();
      Path target = tree.resolve(item.key()).normalize();
      if (!target.startsWith(tree) || target.equals(tree)) {
        throw new Failure(Failure.DOTDOT_ENTRY, "entry escapes the target: " + item.key());
      }
      if (item.dir()) {
        Fs.createDirectories(target);
        continue;
      }
      Fs.createDirectories(target.getParent());
      ZipArchiveEntry e = item.entry();
      long compressed = Math.max(0, e.getCompressedSize());
      double ratioLimit = limits.maxRatio() * compressed;
      CRC32 crc = new CRC32();
      long n = 0;
      try (InputStream in = entryStream(zip, e);
          OutputStream out =
              Files.newOutputStream(
                  target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        int r;
        while ((r = read(in, buf, item.key())) != -1) {
          n += r;
          total += r;
          if (total > limits.maxUnpackedBytes()) {
            throw new Failure(
                Failure.UNPACKED_TOO_LARGE,
                "the archive unpacks to more than maxUnpackedBytes ("
                    + limits.maxUnpackedBytes()
                    + " bytes)");
          }
          if (n > ratioLimit) {
            throw new Failure(
                Failure.COMPRESSION_RATIO,
                "entry "
                    + Fs.printable(item.key())
                    + " unpacks to more than "
                    + limits.maxRatio()
                    + " times its "
                    + compressed
                    + " compressed bytes");
          }
          crc.update(buf, 0, r);
          out.write(buf, 0, r);
          checkAborted();
        }
      } catch (IOException ex) {
        throw Failure.of(ex, "cannot unpack " + item.key());
      }
      if (e.getCrc() != -1 && crc.getValue() != e.getCrc()) {
        throw new Failure(Failure.CORRUPT_ZIP, "CRC mismatch in entry " + Fs.printable(item.key()));
      }
      if (e.getSize() >= 0 && n != e.getSize()) {
        throw new Failure(
            Failure.CORRUPT_ZIP,
            "entry "
                + Fs.printable(item.key())
                + " declares "
                + e.getSize()
                + " bytes but holds "
                + n);
      }
      try {
        Files.setPosixFilePermissions(target, Fs.permissions(item.mode()));
        if (e.getTime() != -1) {
          Files.setLastModifiedTime(target, FileTime.fromMillis(e.getTime()));
        }
      } catch (IOException ex) {
        throw Failure.of(ex, "cannot set the mode of " + item.key());
      }
    }
    // directory modes last, so read-only directories could still be filled
    for (Item item : items) {
      if (item.dir()) {
        try {
          Files.setPosixFilePermissions(tree.resolve(item.key()), Fs.permissions(item.mode()));
        } catch (IOException ex) {
          throw Failure.of(ex, "cannot set the mode of " + item.key());
        }
      }
    }
    return total;
  }

  private static InputStream entryStream(ZipFile zip, ZipArchiveEntry e) throws Failure {
    try {
      InputStream in = zip.getInputStream(e);
      if (in == null) {
        throw new Failure(Failure.CORRUPT_ZIP, "entry " + Fs.printable(e.getName()) + " is gone");
      }
      return in;
    } catch (IOException | RuntimeException ex) {
      throw new Failure(
          Failure.CORRUPT_ZIP,
          "cannot read entry " + Fs.printable(e.getName()) + ": " + ex.getMessage(),
          ex);
    }
  }

  private static int read(InputStream in, byte[] buf, String key) throws Failure {
    try {
      return in.read(buf);
    } catch (IOException | RuntimeException ex) {
      throw new Failure(
          Failure.CORRUPT_ZIP,
          "cannot read entry " + Fs.printable(key) + ": " + ex.getMessage(),
          ex);
    }
  }

  private static boolean sameFileSystem(Path a, Path b) {
    try {
      return Files.getAttribute(a, "unix:dev").equals(Files.getAttribute(b, "unix:dev"));
    } catch (IOException | RuntimeException e) {
      return true; // cannot tell: the rename will say
    }
  }

  /**
   * Compares the unpacked tree with {@code dest} and lists the renames that put it in place; fails
   * on a conflict before anything moved. A directory missing at {@code dest} moves as a whole; an
   * existing one is entered. A symbolic link at {@code dest} where the archive has a directory is a
   * conflict (never followed); where the archive has a file, the link itself is replaced.
   */
  private static void plan(Path from, Path to, List<Path[]> moves) throws Failure {
    Set<Path> children = new TreeSet<>();
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(from)) {
      for (Path child : dir) {
        children.add(child);
      }
    } catch (IOException e) {
      throw Failure.of(e, "cannot list the unpacked tree");
    }
    for (Path child : children) {
      Path target = to.resolve(child.getFileName().toString());
      boolean exists = Files.exists(target, LinkOption.NOFOLLOW_LINKS);
      boolean targetIsDir = Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS);
      if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
        if (!exists) {
          moves.add(new Path[] {child, target});
        } else if (targetIsDir) {
          if (!sameFileSystem(child, target)) {
            throw new Failure(
                Failure.IO_ERROR,
                target + " is on another file system (a mount point): cannot unpack into it");
          }
          plan(child, target, moves);
        } else {
          throw new Failure(
              Failure.NOT_A_DIRECTORY,
              target + " exists and is not a directory, but the archive has a directory there");
        }
      } else {
        if (targetIsDir) {
          throw new Failure(
              Failure.IS_A_DIRECTORY, target + " is a directory, but the archive has a file there");
        }
        moves.add(new Path[] {child, target});
      }
    }
  }
}
