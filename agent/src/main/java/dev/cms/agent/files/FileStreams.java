package dev.cms.agent.files;

import dev.cms.domain.protocol.Frame;
import dev.cms.domain.protocol.StreamHandler;
import dev.cms.domain.protocol.StreamRefusedException;
import java.util.concurrent.Executor;

/**
 * The file stream kinds, opened by the gateway: {@value #FILE_WRITE} and {@value #ARCHIVE_EXTRACT}
 * (uploads, answered by result lines), {@value #FILE_READ} and {@value #ARCHIVE_CREATE}
 * (downloads). All file work runs on {@code workers}, never on the link's receiving thread, and as
 * the agent's own user: the OS decides what may be read and written. The contract is in {@code
 * docs/PROTOCOL.md}, section "file streams".
 */
public final class FileStreams {
  /** Upload one file, atomically replacing {@code path}. */
  public static final String FILE_WRITE = FileWrite.KIND;

  /** Upload a zip, unpacked into {@code dest} all or nothing. */
  public static final String ARCHIVE_EXTRACT = ArchiveExtract.KIND;

  /** Download one file. */
  public static final String FILE_READ = FileRead.KIND;

  /** Download a directory as a zip. */
  public static final String ARCHIVE_CREATE = ArchiveCreate.KIND;

  private FileStreams() {}

  /** Accepts a {@value #FILE_WRITE} stream; its parameters are checked by the worker. */
  public static StreamHandler fileWrite(Frame.Open open, Executor workers) {
    return new FileWrite(workers, open.params());
  }

  /** Accepts an {@value #ARCHIVE_EXTRACT} stream; its parameters are checked by the worker. */
  public static StreamHandler archiveExtract(Frame.Open open, Executor workers) {
    return new ArchiveExtract(workers, open.params());
  }

  /** Accepts a {@value #FILE_READ} stream, or refuses it with {@code "<rule>: <message>"}. */
  public static StreamHandler fileRead(Frame.Open open, Executor workers)
      throws StreamRefusedException {
    return FileRead.accept(open, workers);
  }

  /** Accepts an {@value #ARCHIVE_CREATE} stream, or refuses it with {@code "<rule>: <message>"}. */
  public static StreamHandler archiveCreate(Frame.Open open, Executor workers)
      throws StreamRefusedException {
    return ArchiveCreate.accept(open, workers);
  }
}
