package dev.cms.agent.files;

import dev.cms.domain.files.ParamException;
import dev.cms.domain.files.Transfer;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * Stream kind {@code file-write}: the upload becomes the file at {@code path}, atomically.
 *
 * <p>The bytes go to {@code .<name>.cms-upload-<random>} next to the target; on the gateway's CLOSE
 * the temp file is synced, given its mode and renamed over the target ({@code rename(2)}: a reader
 * sees the old or the new file, never a part). On any failure or RESET the temp file is deleted and
 * the target is untouched.
 */
final class FileWrite extends Upload {
  static final String TEMP_MARK = ".cms-upload-";

  private static final SecureRandom RANDOM = new SecureRandom();

  FileWrite(Executor workers, Map<String, String> params) {
    super(workers, params);
  }

  @Override
  Result work(Map<String, String> params) throws Failure, Aborted {
    Transfer.FileWrite p;
    try {
      p = Transfer.FileWrite.of(params);
    } catch (ParamException e) {
      throw Fs.failure(e);
    }
    Path target = Fs.checkPath("path", p.path());
    if (target.getFileName() == null) {
      throw new Failure(Failure.BAD_PATH, "path names no file: " + target);
    }
    int mode = p.mode() < 0 ? Fs.FILE_MODE : p.mode();
    long maxBytes = p.maxBytes();
    if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new Failure(Failure.IS_A_DIRECTORY, target + " is a directory");
    }
    Path dir = target.getParent();
    Fs.createDirectories(dir);
    String name = target.getFileName().toString();
    String prefix = name.length() > 100 ? name.substring(0, 100) : name;
    byte[] random = new byte[8];
    RANDOM.nextBytes(random);
    Path temp = dir.resolve("." + prefix + TEMP_MARK + HexFormat.of().formatHex(random));
    boolean done = false;
    try {
      long bytes;
      try (FileChannel out =
          FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        bytes = spool(out, maxBytes, target.toString());
        checkAborted();
        out.force(true);
      } catch (IOException e) {
        throw Failure.of(e, "cannot write " + target);
      }
      try {
        Files.setPosixFilePermissions(temp, Fs.permissions(mode));
      } catch (IOException e) {
        throw Failure.of(e, "cannot set the mode of " + target);
      }
      if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
        throw new Failure(Failure.IS_A_DIRECTORY, target + " is a directory");
      }
      checkAborted();
      try {
        Files.move(
            temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new Failure(Failure.IO_ERROR, "cannot rename atomically onto " + target, e);
      } catch (IOException e) {
        throw Failure.of(e, "cannot replace " + target);
      }
      done = true;
      Fs.syncDirectory(dir);
      return new Result(bytes, 1);
    } finally {
      if (!done) {
        Fs.deleteQuietly(temp);
      }
    }
  }
}
