package dev.cms.domain.protocol;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Multiplexes flow-controlled {@link Stream}s over one message link (the agent channel's
 * WebSocket), after the HELLO/WELCOME handshake, which the owner does itself.
 *
 * <p>The owner feeds every received binary message to {@link #receive}, from one thread at a time,
 * and gives the mux a {@link Transport} to send with. The mux answers PING with PONG, opens and
 * accepts streams, enforces the credit windows of both directions, and sends WINDOW frames as the
 * handlers consume data. Stream ids: the side constructed with {@code oddIds} (the gateway)
 * allocates 1, 3, 5, …; the other side 2, 4, 6, …; each side's ids strictly increase.
 *
 * <p>Sending: all frames go through one fair lock around {@link Transport#send}, one frame per
 * acquisition, so a large write on one stream never holds the link for more than one DATA frame and
 * small writes on other streams slip in between. When {@link Transport#send} fails, the frame is
 * lost, so the link is unusable: the mux then calls {@link #closeAll} itself.
 *
 * <p>Errors: a malformed frame, a window overrun, or another rule broken by the peer makes {@link
 * #receive} throw {@link ProtocolException}; the owner then calls {@link #goAway} with {@link
 * ProtocolException#code()} and closes the link. Frames for streams this side does not know
 * (typically streams that just ended, a race) are ignored.
 */
public final class Mux implements AutoCloseable {

  /** Sends one encoded frame. Mux serialises all calls (never concurrent). May block. */
  public interface Transport {
    /**
     * Sends one frame as one binary message; the buffer's remaining bytes are the frame and belong
     * to the transport from now on.
     *
     * @throws IOException when the link is broken
     */
    void send(ByteBuffer frame) throws IOException;
  }

  /**
   * Decides on a stream the peer opens. Runs on the receiving thread: decide quickly.
   *
   * <p>Return a handler to accept (OPEN_OK is sent, then {@link StreamHandler#onOpen}), or throw
   * {@link StreamRefusedException} to refuse (OPEN_FAIL with its code and message is sent). A
   * runtime exception refuses with {@link ErrorCode#INTERNAL}.
   */
  public interface Acceptor {
    /** Accepts the stream by returning its handler, or refuses it. */
    StreamHandler accept(Frame.Open open) throws StreamRefusedException;
  }

  /** Builds the frame to send while holding the send lock; {@code null} sends nothing. */
  interface FrameSource {
    ByteBuffer frame() throws IOException;
  }

  /**
   * Bounds of one link, for a side that does not trust its peer (the gateway).
   *
   * @param maxStreams most streams open or being opened at once; beyond it {@link #open} fails with
   *     {@link StreamRefusedException} ({@link ErrorCode#REFUSED}) and a peer's OPEN gets
   *     OPEN_FAIL(REFUSED)
   * @param maxRefusedOpens most OPENs of the peer this side may refuse on the link; one more is a
   *     {@link ProtocolException} (the owner drops the link)
   * @param openTimeout how long a stream this side opens may wait for OPEN_OK or OPEN_FAIL; then
   *     its {@link #open} future fails with {@link java.util.concurrent.TimeoutException} and the
   *     stream is reset. {@code null}: no bound
   */
  public record Limits(int maxStreams, int maxRefusedOpens, Duration openTimeout) {
    /** No bounds (a side that trusts its peer). */
    public static final Limits NONE = new Limits(Integer.MAX_VALUE, Integer.MAX_VALUE, null);

    /**
     * @throws IllegalArgumentException for a bound below 1 or a timeout that is not positive
     */
    public Limits {
      if (maxStreams < 1 || maxRefusedOpens < 0) {
        throw new IllegalArgumentException("bad limits: " + maxStreams + ", " + maxRefusedOpens);
      }
      if (openTimeout != null && (openTimeout.isNegative() || openTimeout.isZero())) {
        throw new IllegalArgumentException("open timeout must be positive: " + openTimeout);
      }
    }
  }

  private static final System.Logger LOG = System.getLogger(Mux.class.getName());

  private final Transport transport;
  private final boolean oddIds;
  private final int initialWindow;
  private final Acceptor acceptor;

  private final ConcurrentHashMap<Integer, Stream> streams = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Long, PendingPing> pings = new ConcurrentHashMap<>();
  private final AtomicLong pingTokens = new AtomicLong();
  private final ReentrantLock sendLock = new ReentrantLock(true);
  private final ReentrantLock receiveLock = new ReentrantLock();
  private final AtomicBoolean closing = new AtomicBoolean();

  private volatile String closedReason;
  private volatile Limits limits = Limits.NONE;
  private volatile Thread receiver;

  // guarded by sendLock
  private int nextId;

  // guarded by receiveLock
  private int lastPeerId;
  private int refusedOpens;

  /**
   * Creates the multiplexer for a link whose handshake is done.
   *
   * @param transport sends frames to the peer
   * @param oddIds {@code true} on the gateway (it opens odd ids), {@code false} on the agent
   * @param initialWindow bytes this side is ready to receive on every new stream before the first
   *     WINDOW frame; announced in OPEN and OPEN_OK (the WELCOME's {@code initialWindow})
   * @param acceptor decides on the streams the peer opens
   * @throws IllegalArgumentException when {@code initialWindow} is not positive
   */
  public Mux(Transport transport, boolean oddIds, int initialWindow, Acceptor acceptor) {
    this.transport = Objects.requireNonNull(transport, "transport");
    this.acceptor = Objects.requireNonNull(acceptor, "acceptor");
    if (initialWindow <= 0) {
      throw new IllegalArgumentException("initial window must be positive: " + initialWindow);
    }
    this.oddIds = oddIds;
    this.initialWindow = initialWindow;
    this.nextId = oddIds ? 1 : 2;
  }

  /**
   * Sets the bounds of this link; call it before the first frame is received or sent.
   *
   * @return this mux
   */
  public Mux limits(Limits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
    return this;
  }

  /** The bounds of this link ({@link Limits#NONE} unless set). */
  public Limits limits() {
    return limits;
  }

  /**
   * Opens a stream of a known {@link StreamKind}; see {@link #open(String, Map, StreamHandler)}.
   */
  public CompletableFuture<Stream> open(
      StreamKind kind, Map<String, String> params, StreamHandler handler) {
    return open(kind.wire(), params, handler);
  }

  /**
   * Opens a stream.
   *
   * @param kind what the stream is for (for example {@code echo})
   * @param params kind-specific parameters
   * @param handler receives the stream's events; {@link StreamHandler#onOpen} runs before the
   *     future completes
   * @return completes with the stream when OPEN_OK arrives; exceptionally with {@link
   *     StreamRefusedException} on OPEN_FAIL, with {@link IOException} when the link closes first.
   *     Cancelling the future (or its failing by the open timeout of {@link #limits}) forgets the
   *     stream at once and resets it.
   */
  public CompletableFuture<Stream> open(
      String kind, Map<String, String> params, StreamHandler handler) {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(params, "params");
    Objects.requireNonNull(handler, "handler");
    CompletableFuture<Stream> opened = new CompletableFuture<>();
    Limits l = limits;
    if (streams.size() >= l.maxStreams()) {
      opened.completeExceptionally(
          new StreamRefusedException(
              ErrorCode.REFUSED,
              "too-many-streams: at most " + l.maxStreams() + " streams on this link"));
      return opened;
    }
    Stream[] created = {null};
    try {
      send(
          () -> {
            int id = nextId;
            if (id <= 0) {
              throw new IOException("stream ids exhausted on this link");
            }
            ByteBuffer frame = FrameCodec.encode(new Frame.Open(id, kind, initialWindow, params));
            nextId += 2;
            Stream s = new Stream(this, id, kind, params, handler, opened);
            created[0] = s;
            return register(s) ? frame : null;
          });
    } catch (IOException | RuntimeException e) {
      opened.completeExceptionally(e);
    }
    Stream s = created[0];
    if (s != null && !opened.isDone()) {
      CompletableFuture<Stream> bounded =
          l.openTimeout() == null
              ? opened
              : opened.orTimeout(
                  l.openTimeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      bounded.whenComplete(
          (ok, e) -> {
            if (e != null && !s.isEstablished()) {
              // cancelled by the opener, or the peer left the OPEN unanswered: forget the
              // stream and tell the peer (a no-op when it already ended)
              s.reset(ErrorCode.CANCELLED, "open abandoned");
            }
          });
    }
    return opened;
  }

  /**
   * Feeds one received binary message: decodes it and dispatches it. Answers PING with PONG; OPEN
   * goes to the {@link Acceptor}; DATA, CLOSE and RESET to the stream's {@link StreamHandler}, on
   * this thread. A GOAWAY from the peer closes every stream ({@link #closeAll}). Messages that
   * arrive after {@link #closeAll} are ignored.
   *
   * @throws ProtocolException when the message is not a well-formed frame, or breaks a rule: a
   *     handshake frame (HELLO, WELCOME), an OPEN with an id of the wrong parity or not above the
   *     peer's previous one, a negative window, a non-positive WINDOW increment, DATA beyond the
   *     granted window or after CLOSE
   */
  public void receive(ByteBuffer message) {
    if (closedReason != null) {
      return;
    }
    Frame frame = FrameCodec.decode(message);
    receiveLock.lock();
    receiver = Thread.currentThread();
    try {
      dispatch(frame);
    } finally {
      receiver = null;
      receiveLock.unlock();
    }
  }

  /**
   * Sends a PING.
   *
   * @return completes with the round-trip time when the matching PONG arrives; exceptionally with
   *     {@link IOException} when the link is or gets closed first. Never times out by itself: use
   *     {@link CompletableFuture#orTimeout}.
   */
  public CompletableFuture<Duration> ping() {
    long token = pingTokens.incrementAndGet();
    PendingPing pending = new PendingPing(System.nanoTime(), new CompletableFuture<>());
    pings.put(token, pending);
    pending.done.whenComplete((d, e) -> pings.remove(token));
    if (closedReason != null) {
      pending.done.completeExceptionally(new IOException("link closed: " + closedReason));
      return pending.done;
    }
    try {
      send(() -> FrameCodec.encode(new Frame.Ping(token)));
    } catch (IOException e) {
      pending.done.completeExceptionally(e);
    }
    return pending.done;
  }

  /**
   * Sends GOAWAY (best effort) and then {@link #closeAll closes every stream}. The owner closes the
   * link itself afterwards.
   *
   * @param code an {@link ErrorCode}, for example {@link ProtocolException#code()}
   * @param reason a human-readable reason, sent to the peer
   */
  public void goAway(int code, String reason) {
    Objects.requireNonNull(reason, "reason");
    try {
      send(() -> FrameCodec.encode(new Frame.GoAway(code, reason)));
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.DEBUG, "GOAWAY not sent: {0}", e.toString());
    }
    closeAll(reason);
  }

  /**
   * The link is gone: every established stream gets {@link StreamHandler#onReset} with {@link
   * ErrorCode#CANCELLED} and the reason, every pending {@link #open} and {@link #ping} and every
   * blocked or later write fails with {@link IOException}. Sends nothing. Idempotent.
   */
  public void closeAll(String reason) {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    closedReason = reason == null ? "closed" : reason;
    for (Stream s : new ArrayList<>(streams.values())) {
      streams.remove(s.id(), s);
      linkLost(s);
    }
    for (PendingPing p : new ArrayList<>(pings.values())) {
      p.done.completeExceptionally(new IOException("link closed: " + closedReason));
    }
  }

  /** Same as {@code closeAll("closed")}. */
  @Override
  public void close() {
    closeAll("closed");
  }

  /** The number of streams open or being opened on this link. */
  public int streamCount() {
    return streams.size();
  }

  @Override
  public String toString() {
    return "Mux[" + (oddIds ? "odd" : "even") + " ids, " + streams.size() + " streams]";
  }

  // --- package-private, for Stream -------------------------------------------------------------

  int initialWindow() {
    return initialWindow;
  }

  boolean isReceivingThread() {
    return receiver == Thread.currentThread();
  }

  void remove(Stream s) {
    streams.remove(s.id(), s);
  }

  /**
   * Sends the frame built by {@code source} under the send lock.
   *
   * @return whether a frame was sent
   * @throws IOException when the link is closed or the transport failed (the mux is then closed),
   *     or as thrown by the source
   */
  boolean send(FrameSource source) throws IOException {
    IOException failure;
    sendLock.lock();
    try {
      String closed = closedReason;
      if (closed != null) {
        throw new IOException("link closed: " + closed);
      }
      ByteBuffer frame = source.frame();
      if (frame == null) {
        return false;
      }
      try {
        transport.send(frame);
        return true;
      } catch (IOException e) {
        failure = e;
      } catch (RuntimeException e) {
        failure = new IOException("transport failed: " + e, e);
      }
    } finally {
      sendLock.unlock();
    }
    closeAll("send failed: " + failure.getMessage());
    throw failure;
  }

  // --- receiving -------------------------------------------------------------------------------

  private void dispatch(Frame frame) {
    if (frame instanceof Frame.Data d) {
      onData(d);
    } else if (frame instanceof Frame.Window w) {
      if (w.increment() <= 0) {
        throw new ProtocolException(
            "WINDOW increment " + w.increment() + " on stream " + w.streamId() + " not positive");
      }
      Stream s = streams.get(w.streamId());
      if (s != null) {
        s.windowGranted(w.increment());
      }
    } else if (frame instanceof Frame.Ping p) {
      sendQuietly(() -> FrameCodec.encode(new Frame.Pong(p.token())));
    } else if (frame instanceof Frame.Pong p) {
      PendingPing pending = pings.remove(p.token());
      if (pending != null) {
        pending.done.complete(Duration.ofNanos(System.nanoTime() - pending.sentNanos));
      }
    } else if (frame instanceof Frame.Open o) {
      onOpen(o);
    } else if (frame instanceof Frame.OpenOk ok) {
      onOpenOk(ok);
    } else if (frame instanceof Frame.OpenFail fail) {
      Stream s = streams.get(fail.streamId());
      if (s != null && s.opening != null && !s.isEstablished() && s.end("refused")) {
        remove(s);
        s.opening.completeExceptionally(new StreamRefusedException(fail.code(), fail.message()));
      }
    } else if (frame instanceof Frame.Close c) {
      Stream s = streams.get(c.streamId());
      if (s != null) {
        Boolean both = s.remoteClosed();
        if (both != null) {
          if (both) {
            remove(s);
          }
          callback(s, () -> s.handler.onClose(s));
        }
      }
    } else if (frame instanceof Frame.Reset r) {
      Stream s = streams.get(r.streamId());
      if (s != null && s.end("reset by peer: " + r.reason())) {
        remove(s);
        if (s.opening != null && !s.isEstablished()) {
          s.opening.completeExceptionally(new IOException("stream reset by peer: " + r.reason()));
        } else {
          callback(s, () -> s.handler.onReset(s, r.code(), r.reason()));
        }
      }
    } else if (frame instanceof Frame.GoAway g) {
      closeAll("peer sent GOAWAY(" + g.code() + "): " + g.reason());
    } else {
      throw new ProtocolException(frame.type() + " is only allowed in the handshake");
    }
  }

  private void onData(Frame.Data d) {
    Stream s = streams.get(d.streamId());
    if (s == null || !s.received(d.payload().length)) {
      return;
    }
    if (callback(s, () -> s.handler.onData(s, d.payload())) && s.autoCredit) {
      s.consumed(d.payload().length);
    }
  }

  private void onOpen(Frame.Open o) {
    int id = o.streamId();
    if ((id % 2 == 1) == oddIds) {
      throw new ProtocolException(
          "OPEN with stream id "
              + id
              + ": the peer must use "
              + (oddIds ? "even" : "odd")
              + " ids");
    }
    if (id <= lastPeerId) {
      throw new ProtocolException(
          "OPEN with stream id " + id + " reuses an id (the previous was " + lastPeerId + ")");
    }
    if (o.window() < 0) {
      throw new ProtocolException("OPEN of stream " + id + " with negative window " + o.window());
    }
    lastPeerId = id;
    Limits l = limits;
    StreamHandler handler;
    try {
      if (streams.size() >= l.maxStreams()) {
        throw new StreamRefusedException(
            ErrorCode.REFUSED,
            "too-many-streams: at most " + l.maxStreams() + " streams on this link");
      }
      handler = Objects.requireNonNull(acceptor.accept(o), "the acceptor returned no handler");
    } catch (StreamRefusedException e) {
      countRefusal(l);
      sendQuietly(
          () ->
              FrameCodec.encode(new Frame.OpenFail(id, e.code(), String.valueOf(e.getMessage()))));
      return;
    } catch (RuntimeException | Error e) { // also out of memory: this stream only, not the link
      LOG.log(Level.WARNING, "acceptor failed on " + o, e);
      countRefusal(l);
      sendQuietly(
          () ->
              FrameCodec.encode(
                  new Frame.OpenFail(id, ErrorCode.INTERNAL, "acceptor failed: " + e)));
      return;
    }
    Stream s = new Stream(this, id, o.kind(), o.params(), handler, null);
    s.established(o.window());
    if (!register(s)) {
      return;
    }
    if (sendQuietly(() -> FrameCodec.encode(new Frame.OpenOk(id, initialWindow)))) {
      callback(s, () -> handler.onOpen(s));
    }
  }

  private void countRefusal(Limits l) {
    if (++refusedOpens > l.maxRefusedOpens()) {
      throw new ProtocolException(
          "more than " + l.maxRefusedOpens() + " refused OPENs on this link");
    }
  }

  private void onOpenOk(Frame.OpenOk ok) {
    Stream s = streams.get(ok.streamId());
    if (s == null || s.opening == null || s.isEstablished()) {
      return;
    }
    if (ok.window() < 0) {
      throw new ProtocolException(
          "OPEN_OK of stream " + ok.streamId() + " with negative window " + ok.window());
    }
    s.established(ok.window());
    if (s.opening.isCompletedExceptionally()) {
      // cancelled by the opener, or timed out waiting for this answer
      s.reset(ErrorCode.CANCELLED, "open cancelled");
      return;
    }
    if (callback(s, () -> s.handler.onOpen(s))) {
      s.opening.complete(s);
    } else {
      s.opening.completeExceptionally(new IOException("stream handler failed in onOpen"));
    }
  }

  /** Adds a stream unless the link closed meanwhile (then the stream is ended). */
  private boolean register(Stream s) {
    streams.put(s.id(), s);
    if (closedReason != null) {
      streams.remove(s.id(), s);
      linkLost(s);
      return false;
    }
    return true;
  }

  private void linkLost(Stream s) {
    if (!s.end("lost with the link: " + closedReason)) {
      return;
    }
    if (s.opening != null && !s.isEstablished()) {
      s.opening.completeExceptionally(new IOException("link closed: " + closedReason));
    } else {
      callback(s, () -> s.handler.onReset(s, ErrorCode.CANCELLED, closedReason));
    }
  }

  /**
   * Runs a handler callback; a handler that throws (also an {@link Error} such as {@link
   * OutOfMemoryError}) gets its stream reset with {@link ErrorCode#INTERNAL}, so one broken stream
   * does not take the link down.
   *
   * @return whether the callback returned normally
   */
  private boolean callback(Stream s, Runnable call) {
    try {
      call.run();
      return true;
    } catch (Throwable e) {
      LOG.log(Level.WARNING, "handler of " + s + " failed; resetting the stream", e);
      s.reset(ErrorCode.INTERNAL, "handler failed: " + e);
      try {
        s.handler.onReset(s, ErrorCode.INTERNAL, "handler failed: " + e);
      } catch (Throwable again) {
        LOG.log(Level.DEBUG, "onReset failed too", again);
      }
      return false;
    }
  }

  /** Sends from the receiving side, where a dead link needs no further handling. */
  private boolean sendQuietly(FrameSource source) {
    try {
      return send(source);
    } catch (IOException e) {
      return false;
    }
  }

  private record PendingPing(long sentNanos, CompletableFuture<Duration> done) {}
}
