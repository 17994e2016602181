package dev.cms.agent.files;

import dev.cms.domain.files.Transfer;
import dev.cms.domain.protocol.Frame;
import dev.cms.domain.protocol.Stream;
import dev.cms.domain.protocol.StreamHandler;
import dev.cms.domain.protocol.StreamRefusedException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

/**
 * Stream kind {@code archive-create}: the agent sends a zip of the directory {@code path} and
 * CLOSEs. Entry names are relative to {@code path} ({@code /} separated, directories with a
 * trailing {@code /}, sorted by name, parents before children); every entry carries its Unix mode
 * and modification time. Symbolic links are skipped (never followed), as are FIFOs, sockets and
 * devices, and files removed while the zip is made. The zip is written as it is made (data
 * descriptors, ZIP64 where needed). A failure after the first byte (an unreadable file) RESETs the
 * stream with {@code REFUSED} and {@code "<rule>: <message>"}.
 */
final class ArchiveCreate extends Download {

  private final Path root;

  private ArchiveCreate(Executor workers, Path root) {
    super(workers, null);
    this.root = root;
  }

  static StreamHandler accept(Frame.Open open, Executor workers) throws StreamRefusedException {
    Path path = checkedPath(decode(() -> Transfer.ArchiveCreate.of(open.params())).path());
    BasicFileAttributes attrs = attributes(path);
    if (!attrs.isDirectory()) {
      throw refused(new Failure(Failure.NOT_A_DIRECTORY, path.toString()));
    }
    if (!Files.isReadable(path) || !Files.isExecutable(path)) {
      throw refused(new Failure(Failure.PERMISSION_DENIED, path.toString()));
    }
    return new ArchiveCreate(workers, path);
  }

  @Override
  void send(Stream s, OutputStream out) throws IOException, Failure {
    ZipArchiveOutputStream zip = new ZipArchiveOutputStream(out);
    byte[] buf = new byte[64 * 1024];
    add(zip, root, "", buf);
    zip.finish();
    // no close(): it would close nothing more, and after a failure it must not finish the zip
  }

  private void add(ZipArchiveOutputStream zip, Path dir, String prefix, byte[] buf)
      throws IOException, Failure {
    List<Path> children = new ArrayList<>();
    try (DirectoryStream<Path> list = Files.newDirectoryStream(dir)) {
      for (Path child : list) {
        children.add(child);
      }
    } catch (NoSuchFileException e) {
      return; // removed while we were zipping: an empty directory then
    } catch (IOException e) {
      throw Failure.of(e, "cannot list " + dir);
    }
    children.sort(null);
    for (Path child : children) {
      PosixFileAttributes attrs;
      try {
        attrs = Files.readAttributes(child, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      } catch (NoSuchFileException e) {
        continue; // removed while we were zipping
      } catch (IOException e) {
        throw Failure.of(e, "cannot read " + child);
      }
      String name = prefix + child.getFileName();
      int perms = Fs.mode(attrs.permissions());
      if (attrs.isDirectory()) {
        ZipArchiveEntry e = new ZipArchiveEntry(name + "/");
        e.setUnixMode(0040000 | perms);
        e.setTime(attrs.lastModifiedTime());
        zip.putArchiveEntry(e);
        zip.closeArchiveEntry();
        add(zip, child, name + "/", buf);
      } else if (attrs.isRegularFile()) {
        InputStream in;
        try {
          in = Files.newInputStream(child, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
          continue; // removed while we were zipping
        } catch (IOException e) {
          throw Failure.of(e, "cannot read " + child);
        }
        try (in) {
          ZipArchiveEntry e = new ZipArchiveEntry(name);
          e.setUnixMode(0100000 | perms);
          e.setTime(attrs.lastModifiedTime());
          e.setSize(attrs.size());
          zip.putArchiveEntry(e);
          while (true) {
            int n;
            try {
              n = in.read(buf);
            } catch (IOException ex) {
              throw Failure.of(ex, "cannot read " + child);
            }
            if (n < 0) {
              break;
            }
            zip.write(buf, 0, n);
          }
          zip.closeArchiveEntry();
        }
      }
      // symbolic links, FIFOs, sockets, devices: skipped
    }
  }
}
