package dev.cms.agent.files;

import dev.cms.domain.files.Rule;
import dev.cms.domain.files.Transfer;
import dev.cms.domain.protocol.Stream;
import dev.cms.domain.protocol.StreamHandler;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The common part of the upload kinds ({@code file-write}, {@code archive-extract}): the stream's
 * events are queued on the receiving thread, a worker does the work and answers with result lines
 * ({@link Transfer.Verdict}: progress, then ok or error).
 *
 * <p>Flow control: the handler does not credit automatically; the worker credits each chunk once it
 * was written to disk, so at most one window of upload is ever queued in memory. Once the result is
 * known before the upload ended (an error), further data is credited and dropped at once until the
 * gateway closes or resets the stream.
 *
 * <p>The gateway's CLOSE ends the upload; its RESET (or the link's loss) aborts it: the worker
 * stops, removes everything it made, and sends nothing.
 */
abstract class Upload implements StreamHandler {
  /** A {@code progress} line goes out each time this many more bytes were received. */
  static final long PROGRESS_EVERY = 1024 * 1024;

  private static final Logger LOG = Logger.getLogger(Upload.class.getName());
  private static final Object END = new Object();
  private static final Object ABORT = new Object();

  /** The gateway reset the stream, or the link was lost. */
  static final class Aborted extends Exception {
    private static final long serialVersionUID = 1L;

    Aborted(String reason) {
      super(reason, null, false, false);
    }
  }

  /** What the worker reports on success: {@code ok <bytes> <entries>}. */
  record Result(long bytes, long entries) {}

  private final Executor workers;
  private final Map<String, String> params;
  private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private volatile boolean aborted;
  private volatile String abortReason = "reset";
  private volatile Stream stream;

  // guarded by this
  private boolean discarding;

  // worker only
  private long received;
  private long nextProgress = PROGRESS_EVERY;
  private boolean ended;

  Upload(Executor workers, Map<String, String> params) {
    this.workers = workers;
    this.params = params;
  }

  /**
   * Does the work on a worker thread: checks the parameters, consumes the upload with {@link #next}
   * / {@link #spool}, and removes whatever it made when it fails or is aborted.
   */
  abstract Result work(Map<String, String> params) throws Failure, Aborted;

  @Override
  public final void onOpen(Stream s) {
    stream = s;
    workers.execute(this::run);
  }

  @Override
  public final void onData(Stream s, byte[] data) {
    synchronized (this) {
      if (!discarding) {
        queue.add(data);
        return;
      }
    }
    if (data.length > 0) {
      s.credit(data.length);
    }
  }

  @Override
  public final void onClose(Stream s) {
    queue.add(END);
  }

  @Override
  public final void onReset(Stream s, int code, String reason) {
    abortReason = "reset (" + code + "): " + reason;
    aborted = true;
    queue.add(ABORT);
  }

  @Override
  public final boolean autoCredit() {
    return false;
  }

  /** Whether the stream was reset; long steps check it between chunks. */
  final void checkAborted() throws Aborted {
    if (aborted) {
      throw new Aborted(abortReason);
    }
  }

  /**
   * The next chunk of the upload, waiting for it.
   *
   * @return the chunk, {@code null} once the gateway closed its side
   * @throws Aborted when the stream was reset
   */
  final byte[] next() throws Aborted {
    if (ended) {
      return null;
    }
    Object item;
    try {
      item = queue.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      aborted = true;
      throw new Aborted("interrupted");
    }
    if (item == ABORT) {
      throw new Aborted(abortReason);
    }
    if (item == END) {
      ended = true;
      return null;
    }
    checkAborted();
    byte[] chunk = (byte[]) item;
    received += chunk.length;
    return chunk;
  }

  /** Gives the window of a chunk back to the gateway once it was consumed, and reports progress. */
  final void consumed(byte[] chunk) {
    Stream s = stream;
    if (chunk.length > 0) {
      s.credit(chunk.length);
    }
    if (received >= nextProgress) {
      nextProgress = (received / PROGRESS_EVERY + 1) * PROGRESS_EVERY;
      send(new Transfer.Progress(received));
    }
  }

  /**
   * Writes the whole upload into {@code out}.
   *
   * @return the number of bytes written
   * @throws Failure {@code too-large} as soon as more than {@code maxBytes} arrived; {@code
   *     io-error} and others when writing fails
   */
  final long spool(FileChannel out, long maxBytes, String what) throws Failure, Aborted {
    long total = 0;
    byte[] chunk;
    while ((chunk = next()) != null) {
      total += chunk.length;
      if (total > maxBytes) {
        throw new Failure(
            Failure.TOO_LARGE, "the upload is larger than maxBytes (" + maxBytes + " bytes)");
      }
      try {
        ByteBuffer b = ByteBuffer.wrap(chunk);
        while (b.hasRemaining()) {
          out.write(b);
        }
      } catch (IOException e) {
        throw Failure.of(e, "cannot write " + what);
      }
      consumed(chunk);
    }
    return total;
  }

  private void run() {
    Transfer.Verdict result;
    try {
      Result r = work(params);
      result = new Transfer.Done(r.bytes(), r.entries());
    } catch (Failure f) {
      result = new Transfer.Refused(Rule.orRefused(f.rule()), f.oneLine());
      LOG.log(Level.FINE, "{0}: {1}", new Object[] {stream, result});
    } catch (Aborted a) {
      LOG.log(Level.FINE, "{0} aborted: {1}", new Object[] {stream, a.getMessage()});
      return;
    } catch (Throwable e) { // also an Error (out of memory): this stream fails, the agent stays
      LOG.log(Level.WARNING, stream + " failed", e);
      result = new Transfer.Refused(Rule.IO_ERROR, Failure.agentFailed(e));
    } finally {
      drain();
    }
    if (!aborted) {
      send(result);
      stream.close();
    }
  }

  /** From now on data is dropped as it arrives; what is queued is credited and dropped now. */
  private void drain() {
    long pending = 0;
    synchronized (this) {
      discarding = true;
      Object item;
      while ((item = queue.poll()) != null) {
        if (item instanceof byte[] b) {
          pending += b.length;
        }
      }
    }
    while (pending > 0) {
      int n = (int) Math.min(Integer.MAX_VALUE, pending);
      stream.credit(n);
      pending -= n;
    }
  }

  private void send(Transfer.Verdict v) {
    try {
      stream.write(Transfer.encode(v));
    } catch (IOException e) {
      LOG.log(Level.FINE, "{0}: cannot send {1}: {2}", new Object[] {stream, v, e.toString()});
    }
  }
}
