package dev.cms.agent.files;

import dev.cms.domain.files.Transfer;
import dev.cms.domain.protocol.Frame;
import dev.cms.domain.protocol.Stream;
import dev.cms.domain.protocol.StreamHandler;
import dev.cms.domain.protocol.StreamRefusedException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.Executor;

/**
 * Stream kind {@code file-read}: the agent sends the file's bytes at {@code path} and CLOSEs. The
 * file is opened on OPEN, so every refusal ({@code bad-path}, {@code not-found}, {@code
 * is-a-directory}, {@code special-file}, {@code permission-denied}) is an OPEN_FAIL.
 */
final class FileRead extends Download {

  private final FileChannel file;
  private final Path path;

  private FileRead(Executor workers, FileChannel file, Path path) {
    super(workers, file);
    this.file = file;
    this.path = path;
  }

  static StreamHandler accept(Frame.Open open, Executor workers) throws StreamRefusedException {
    Path path = checkedPath(decode(() -> Transfer.FileRead.of(open.params())).path());
    BasicFileAttributes attrs = attributes(path);
    if (attrs.isDirectory()) {
      throw refused(new Failure(Failure.IS_A_DIRECTORY, path.toString()));
    }
    if (!attrs.isRegularFile()) {
      throw refused(new Failure(Failure.SPECIAL_FILE, path + " is not a regular file"));
    }
    try {
      return new FileRead(workers, FileChannel.open(path, StandardOpenOption.READ), path);
    } catch (IOException e) {
      throw refused(Failure.of(e, path.toString()));
    }
  }

  @Override
  void send(Stream s, OutputStream out) throws IOException, Failure {
    ByteBuffer buf = ByteBuffer.allocate(32 * 1024);
    while (true) {
      buf.clear();
      int n;
      try {
        n = file.read(buf);
      } catch (IOException e) {
        throw Failure.of(e, "cannot read " + path);
      }
      if (n < 0) {
        return;
      }
      out.write(buf.array(), 0, n);
    }
  }
}
