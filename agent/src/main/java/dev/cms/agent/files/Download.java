package dev.cms.agent.files;

import dev.cms.domain.files.ParamException;
import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.Stream;
import dev.cms.domain.protocol.StreamHandler;
import dev.cms.domain.protocol.StreamRefusedException;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The common part of the download kinds ({@code file-read}, {@code archive-create}): checked on
 * OPEN (refused with {@code "<rule>: <message>"}), then a worker writes the bytes under the
 * stream's flow control and CLOSEs. A failure after the first byte RESETs the stream with {@link
 * ErrorCode#REFUSED} and a {@code "<rule>: <message>"} reason. Data from the gateway is ignored.
 */
abstract class Download implements StreamHandler {
  private static final Logger LOG = Logger.getLogger(Download.class.getName());

  private final Executor workers;
  private final Closeable resource;

  Download(Executor workers, Closeable resource) {
    this.workers = workers;
    this.resource = resource;
  }

  /** Writes the content to {@code out}; runs on a worker. */
  abstract void send(Stream s, OutputStream out) throws IOException, Failure;

  @Override
  public final void onOpen(Stream s) {
    workers.execute(() -> run(s));
  }

  @Override
  public final void onData(Stream s, byte[] data) {
    // nothing is expected from the gateway: dropped (and credited automatically)
  }

  @Override
  public final void onReset(Stream s, int code, String reason) {
    closeResource();
  }

  private void run(Stream s) {
    try (OutputStream out = new StreamOutputStream(s)) {
      send(s, out);
      out.flush();
      s.close();
    } catch (Failure f) {
      LOG.log(Level.FINE, "{0}: {1}: {2}", new Object[] {s, f.rule(), f.oneLine()});
      s.reset(ErrorCode.REFUSED, f.rule() + ": " + f.oneLine());
    } catch (IOException e) {
      // the stream was reset or the link lost
      LOG.log(Level.FINE, "{0} ended: {1}", new Object[] {s, e.toString()});
      s.reset(ErrorCode.CANCELLED, "download ended: " + e.getMessage());
    } catch (Throwable e) { // also an Error (out of memory): this stream fails, the agent stays
      LOG.log(Level.WARNING, s + " failed", e);
      s.reset(ErrorCode.INTERNAL, Failure.IO_ERROR + ": " + Failure.agentFailed(e));
    } finally {
      closeResource();
    }
  }

  private void closeResource() {
    if (resource == null) {
      return;
    }
    try {
      resource.close();
    } catch (IOException e) {
      // nothing to do
    }
  }

  /** Checks a download's path on OPEN; refuses with {@code "<rule>: <message>"}. */
  /** Decodes a download's open parameters; a contract violation is the refusal. */
  static <T> T decode(Supplier<T> params) throws StreamRefusedException {
    try {
      return params.get();
    } catch (ParamException e) {
      throw refused(Fs.failure(e));
    }
  }

  static Path checkedPath(String raw) throws StreamRefusedException {
    try {
      return Fs.checkPath("path", raw);
    } catch (Failure f) {
      throw refused(f);
    }
  }

  /** The attributes of an existing path (links followed), or the refusal. */
  static BasicFileAttributes attributes(Path path) throws StreamRefusedException {
    try {
      return Files.readAttributes(path, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      throw refused(new Failure(Failure.NOT_FOUND, path.toString()));
    } catch (IOException e) {
      Failure f = Failure.of(e, path.toString());
      if (f.rule().equals(Failure.NOT_A_DIRECTORY)) {
        // a file where a directory of the path should be: the path does not exist
        throw refused(new Failure(Failure.NOT_FOUND, path.toString()));
      }
      throw refused(f);
    }
  }

  static StreamRefusedException refused(Failure f) {
    return new StreamRefusedException(ErrorCode.REFUSED, f.rule() + ": " + f.oneLine());
  }

  /** Writes to a stream, blocking for window; closing it does not close the stream. */
  private static final class StreamOutputStream extends OutputStream {
    private final Stream s;
    private final byte[] buf = new byte[32 * 1024];
    private int count;

    StreamOutputStream(Stream s) {
      this.s = s;
    }

    @Override
    public void write(int b) throws IOException {
      if (count == buf.length) {
        flush();
      }
      buf[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (len >= buf.length) {
        flush();
        s.write(b, off, len);
        return;
      }
      if (len > buf.length - count) {
        flush();
      }
      System.arraycopy(b, off, buf, count, len);
      count += len;
    }

    @Override
    public void flush() throws IOException {
      if (count > 0) {
        int n = count;
        count = 0;
        s.write(buf, 0, n);
      }
    }

    @Override
    public void close() {
      // the owner closes or resets the stream
    }
  }
}
