package dev.cms.agent.files;

import dev.cms.domain.protocol.Frame;
import dev.cms.domain.protocol.StreamHandler;
import dev.cms.domain.protocol.StreamRefusedException;
import java.util.concurrent.Executor;

/**
 * The file stream kinds, opened by the gateway: {@code file-write} and {@code archive-extract}
 * (uploads, answered by result lines), {@code file-read} and {@code archive-create} (downloads).
 * All file work runs on {@code workers}, never on the link's receiving thread, and as the agent's
 * own user: the OS decides what may be read and written. The contract is in {@code
 * docs/PROTOCOL.md}, section "file streams".
 */
public final class FileStreams {
  private FileStreams() {}

  /** Accepts a {@code file-write} stream; its parameters are checked by the worker. */
  public static StreamHandler fileWrite(Frame.Open open, Executor workers) {
    return new FileWrite(workers, open.params());
  }

  /** Accepts an {@code archive-extract} stream; its parameters are checked by the worker. */
  public static StreamHandler archiveExtract(Frame.Open open, Executor workers) {
    return new ArchiveExtract(workers, open.params());
  }

  /** Accepts a {@code file-read} stream, or refuses it with {@code "<rule>: <message>"}. */
  public static StreamHandler fileRead(Frame.Open open, Executor workers)
      throws StreamRefusedException {
    return FileRead.accept(open, workers);
  }

  /** Accepts an {@code archive-create} stream, or refuses it with {@code "<rule>: <message>"}. */
  public static StreamHandler archiveCreate(Frame.Open open, Executor workers)
      throws StreamRefusedException {
    return ArchiveCreate.accept(open, workers);
  }
}
