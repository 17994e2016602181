package dev.cms.domain.protocol;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One logical, flow-controlled, bidirectional byte stream of a {@link Mux}.
 *
 * <p>Each direction has its own credit window: this side may send only as many bytes as the peer
 * granted (the window it announced in OPEN or OPEN_OK plus every {@link Frame.Window} since), so a
 * slow consumer slows its own stream only. Writes block until window is granted and go out as DATA
 * frames of at most {@link FrameCodec#MAX_DATA} bytes, each sent separately through the link, so
 * writes on different streams interleave frame by frame. Concurrent writes on the same stream are
 * serialised (each write's bytes stay contiguous).
 *
 * <p>A stream ends when both sides {@link #close() closed} it, when either side {@link #reset
 * reset} it, or when the link is lost.
 */
public final class Stream {
  private final Mux mux;
  private final int id;
  private final String kind;
  private final Map<String, String> params;
  final StreamHandler handler;
  final boolean autoCredit;

  /** Completed when OPEN_OK arrives; {@code null} for streams the peer opened. */
  final CompletableFuture<Stream> opening;

  private final ReentrantLock writeLock = new ReentrantLock(true);
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition windowChanged = lock.newCondition();

  // guarded by lock
  private boolean established;
  private long peerInitialWindow;
  private long sendWindow;
  private long recvWindow;
  private long unCredited;
  private boolean localClosed;
  private boolean remoteClosed;
  private String ended;

  Stream(
      Mux mux,
      int id,
      String kind,
      Map<String, String> params,
      StreamHandler handler,
      CompletableFuture<Stream> opening) {
    this.mux = mux;
    this.id = id;
    this.kind = kind;
    this.params = Map.copyOf(params);
    this.handler = handler;
    this.autoCredit = handler.autoCredit();
    this.opening = opening;
    this.recvWindow = mux.initialWindow();
  }

  /** The stream id: odd when the side with odd ids opened it, even otherwise. */
  public int id() {
    return id;
  }

  /** What the stream is for, as named in its OPEN frame (for example {@code echo}). */
  public String kind() {
    return kind;
  }

  /** The kind-specific parameters of the OPEN frame. */
  public Map<String, String> params() {
    return params;
  }

  /** Writes all bytes; see {@link #write(byte[], int, int)}. */
  public void write(byte[] b) throws IOException {
    write(b, 0, b.length);
  }

  /**
   * Writes {@code len} bytes, blocking until the peer granted window for them. The bytes go out as
   * DATA frames of at most {@link FrameCodec#MAX_DATA} bytes.
   *
   * @throws IOException when the stream was reset or closed by this side, or the link was lost
   *     (also for a write blocked waiting for window at that moment)
   * @throws InterruptedIOException when the thread was interrupted while waiting
   * @throws IllegalStateException when called from a {@link StreamHandler} callback and the window
   *     is too small: the window could never arrive, since it is read by the blocked thread
   */
  public void write(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    lockInterruptibly(writeLock);
    try {
      while (len > 0) {
        int n = acquire(Math.min(len, FrameCodec.MAX_DATA), false, Long.MAX_VALUE);
        sendData(b, off, n);
        off += n;
        len -= n;
      }
    } finally {
      writeLock.unlock();
    }
  }

  /**
   * Like {@link #write(byte[], int, int)} but gives up when the timeout passes first.
   *
   * <p>A write of at most the window the peer announced when the stream opened is all-or-nothing:
   * it waits until the whole length fits in the window, and when it returns {@code false} nothing
   * was sent. A longer write sends as window arrives; on {@code false} a prefix may have been sent,
   * and the caller should {@link #reset} the stream.
   *
   * @return {@code true} when all bytes were sent, {@code false} when the timeout passed first
   * @throws IOException when the stream was reset or closed by this side, or the link was lost
   */
  public boolean write(byte[] b, int off, int len, Duration timeout) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    long deadline = System.nanoTime() + Math.max(0, saturatedNanos(timeout));
    try {
      if (!writeLock.tryLock(saturatedNanos(timeout), TimeUnit.NANOSECONDS)) {
        return false;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting to write on stream " + id);
    }
    try {
      boolean atomic;
      lock.lock();
      try {
        atomic = len <= peerInitialWindow;
      } finally {
        lock.unlock();
      }
      if (atomic) {
        if (len > 0 && acquire(len, true, deadline) == 0) {
          return false;
        }
        for (int done = 0; done < len; ) {
          int n = Math.min(len - done, FrameCodec.MAX_DATA);
          sendData(b, off + done, n);
          done += n;
        }
        return true;
      }
      while (len > 0) {
        int n = acquire(Math.min(len, FrameCodec.MAX_DATA), false, deadline);
        if (n == 0) {
          return false;
        }
        sendData(b, off, n);
        off += n;
        len -= n;
      }
      return true;
    } finally {
      writeLock.unlock();
    }
  }

  /**
   * Grants the peer {@code bytes} more window, at once (one {@link Frame.Window} frame). Meant for
   * handlers whose {@link StreamHandler#autoCredit()} is {@code false}; ignored once the peer
   * closed its side or the stream ended.
   *
   * @throws IllegalArgumentException when {@code bytes} is not positive
   */
  public void credit(int bytes) {
    if (bytes <= 0) {
      throw new IllegalArgumentException("credit must be positive: " + bytes);
    }
    lock.lock();
    try {
      if (ended != null || remoteClosed) {
        return;
      }
      recvWindow += bytes;
    } finally {
      lock.unlock();
    }
    sendWindowFrame(bytes);
  }

  /**
   * Half-closes the stream: sends CLOSE once; this side writes no more. The stream is removed when
   * the peer closed its side too. Does nothing when already closed, reset, or the link is gone.
   */
  public void close() {
    try {
      mux.send(
          () -> {
            lock.lock();
            try {
              if (localClosed || ended != null) {
                return null;
              }
              localClosed = true;
              windowChanged.signalAll();
            } finally {
              lock.unlock();
            }
            return FrameCodec.encode(new Frame.Close(id));
          });
    } catch (IOException e) {
      // the link is gone: every stream was reset with it
      return;
    }
    boolean both;
    lock.lock();
    try {
      both = remoteClosed && ended == null;
      if (both) {
        ended = "closed";
      }
    } finally {
      lock.unlock();
    }
    if (both) {
      mux.remove(this);
    }
  }

  /**
   * Aborts the stream in both directions: sends RESET and forgets the stream. Pending writes fail.
   * The own handler's {@link StreamHandler#onReset} is not called. Does nothing when the stream
   * already ended.
   *
   * @param code an {@link ErrorCode}
   * @param reason a human-readable reason, sent to the peer
   */
  public void reset(int code, String reason) {
    Objects.requireNonNull(reason, "reason");
    boolean[] first = {false};
    try {
      mux.send(
          () -> {
            if (!end("reset: " + reason)) {
              return null;
            }
            first[0] = true;
            return FrameCodec.encode(new Frame.Reset(id, code, reason));
          });
    } catch (IOException e) {
      // the link is gone: nothing to tell the peer
    }
    if (first[0] || end("reset: " + reason)) {
      mux.remove(this);
    }
  }

  /**
   * Whether the stream is established and has not ended (reset, closed by both sides, link lost). A
   * stream this side half-closed is still open: it may still receive.
   */
  public boolean isOpen() {
    lock.lock();
    try {
      return established && ended == null;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    return "Stream[" + id + " " + kind + "]";
  }

  // --- called by Mux -------------------------------------------------------------------------

  void established(int peerWindow) {
    lock.lock();
    try {
      established = true;
      peerInitialWindow = peerWindow;
      sendWindow = peerWindow;
    } finally {
      lock.unlock();
    }
  }

  boolean isEstablished() {
    lock.lock();
    try {
      return established;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Accounts for a received DATA frame.
   *
   * @return false when the stream already ended (the frame is to be ignored)
   */
  boolean received(int len) {
    lock.lock();
    try {
      if (ended != null) {
        return false;
      }
      if (!established) {
        throw new ProtocolException("DATA on stream " + id + " before OPEN_OK");
      }
      if (remoteClosed) {
        throw new ProtocolException("DATA on stream " + id + " after CLOSE");
      }
      if (len > recvWindow) {
        throw new ProtocolException(
            "DATA of "
                + len
                + " bytes on stream "
                + id
                + " overruns the window of "
                + recvWindow
                + " bytes");
      }
      recvWindow -= len;
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Auto-credit: returns consumed bytes once at least half the initial window is due. */
  void consumed(int len) {
    int increment;
    lock.lock();
    try {
      unCredited += len;
      if (unCredited < Math.max(1, mux.initialWindow() / 2) || ended != null || remoteClosed) {
        return;
      }
      increment = (int) Math.min(Integer.MAX_VALUE, unCredited);
      unCredited -= increment;
      recvWindow += increment;
    } finally {
      lock.unlock();
    }
    sendWindowFrame(increment);
  }

  void windowGranted(int increment) {
    lock.lock();
    try {
      sendWindow += increment;
      windowChanged.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The peer half-closed.
   *
   * @return null when ignored (duplicate or ended), else whether both sides are now closed
   */
  Boolean remoteClosed() {
    lock.lock();
    try {
      if (ended != null || remoteClosed) {
        return null;
      }
      remoteClosed = true;
      if (localClosed) {
        ended = "closed";
        return true;
      }
      return false;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Marks the stream ended and wakes blocked writers.
   *
   * @return true when this call ended it
   */
  boolean end(String reason) {
    lock.lock();
    try {
      if (ended != null) {
        return false;
      }
      ended = reason;
      windowChanged.signalAll();
      return true;
    } finally {
      lock.unlock();
    }
  }

  // --- internals -------------------------------------------------------------------------------

  /**
   * Takes window for up to {@code max} bytes (exactly {@code max} when {@code all}), waiting until
   * the deadline ({@link System#nanoTime()}; {@link Long#MAX_VALUE} for none).
   *
   * @return the bytes taken, 0 when the deadline passed
   */
  private int acquire(int max, boolean all, long deadline) throws IOException {
    lockInterruptibly(lock);
    try {
      while (true) {
        checkWritable();
        long need = all ? max : 1;
        if (sendWindow >= need) {
          int n = (int) Math.min(max, sendWindow);
          sendWindow -= n;
          return n;
        }
        boolean forever = deadline == Long.MAX_VALUE;
        if (mux.isReceivingThread()) {
          if (forever) {
            throw new IllegalStateException(
                "write on stream "
                    + id
                    + " would wait for window on the link's receiving thread, which is the thread"
                    + " that would read it: hand the write off to another thread");
          }
          return 0;
        }
        try {
          if (forever) {
            windowChanged.await();
          } else {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
              return 0;
            }
            windowChanged.awaitNanos(left);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while waiting for window on stream " + id);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  private void checkWritable() throws IOException {
    if (ended != null) {
      throw new IOException("stream " + id + " " + ended);
    }
    if (localClosed) {
      throw new IOException("stream " + id + " closed for writing");
    }
  }

  private void sendData(byte[] b, int off, int n) throws IOException {
    ByteBuffer frame = FrameCodec.encodeData(id, b, off, n);
    mux.send(
        () -> {
          lock.lock();
          try {
            checkWritable();
          } finally {
            lock.unlock();
          }
          return frame;
        });
  }

  private void sendWindowFrame(int increment) {
    try {
      mux.send(
          () -> {
            lock.lock();
            try {
              if (ended != null) {
                return null;
              }
            } finally {
              lock.unlock();
            }
            return FrameCodec.encode(new Frame.Window(id, increment));
          });
    } catch (IOException e) {
      // the link is gone: every stream was reset with it
    }
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE / 2;
    }
  }

  private static void lockInterruptibly(ReentrantLock l) throws InterruptedIOException {
    try {
      l.lockInterruptibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted");
    }
  }
}
