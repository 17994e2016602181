package dev.cms.domain.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cms.domain.testing.MemoryLink;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class MuxTest {
  private static final int WINDOW = 64 * 1024;

  private MemoryLink link;

  @AfterEach
  void closeLink() {
    if (link != null) {
      link.close();
      assertThat(link.errors).isEmpty();
    }
  }

  private static Mux.Acceptor echoAcceptor() {
    return open -> {
      if (!open.kind().equals("echo")) {
        throw new StreamRefusedException(ErrorCode.UNKNOWN_KIND, "unknown kind " + open.kind());
      }
      return new EchoHandler();
    };
  }

  private static <T> T await(CompletableFuture<T> f) throws Exception {
    return f.get(20, TimeUnit.SECONDS);
  }

  private static void eventually(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition within 20 s").isLessThan(deadline);
      Thread.sleep(5);
    }
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  @Test
  void peerAcceptsStreamWithKindParamsAndParityIds() throws Exception {
    List<Frame.Open> seen = new CopyOnWriteArrayList<>();
    Recorder accepted = new Recorder();
    link =
        new MemoryLink(
            WINDOW,
            open -> {
              seen.add(open);
              return new Recorder();
            },
            open -> {
              seen.add(open);
              return accepted;
            });

    Stream first = await(link.gateway.open("echo", Map.of("a", "1"), new Recorder()));
    Stream second = await(link.gateway.open("echo", Map.of(), new Recorder()));
    Stream fromAgent = await(link.agent.open("files", Map.of(), new Recorder()));

    assertThat(first.id()).isEqualTo(1);
    assertThat(second.id()).isEqualTo(3);
    assertThat(fromAgent.id()).isEqualTo(2);
    assertThat(first.kind()).isEqualTo("echo");
    assertThat(first.params()).containsEntry("a", "1");
    assertThat(first.isOpen()).isTrue();
    assertThat(await(accepted.opened).id()).isEqualTo(1);
    assertThat(seen)
        .extracting(Frame.Open::streamId, Frame.Open::kind, Frame.Open::window)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(1, "echo", WINDOW),
            org.assertj.core.groups.Tuple.tuple(3, "echo", WINDOW),
            org.assertj.core.groups.Tuple.tuple(2, "files", WINDOW));
    assertThat(link.gateway.streamCount()).isEqualTo(3);
    eventually(() -> link.agent.streamCount() == 3);
  }

  @Test
  void refusedOpenFailsWithTheRefusalCode() throws Exception {
    link = new MemoryLink(WINDOW, MemoryLink.refuseAll(), echoAcceptor());

    CompletableFuture<Stream> open = link.gateway.open("terminal", Map.of(), new Recorder());

    assertThatThrownBy(() -> await(open))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(
            StreamRefusedException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_KIND);
              assertThat(e.getMessage()).isEqualTo("unknown kind terminal");
            });
    assertThat(link.gateway.streamCount()).isZero();
    assertThat(link.agent.streamCount()).isZero();
  }

  @Test
  void echoRoundTripThenCloseEndsTheStreamOnBothSides() throws Exception {
    link = new MemoryLink(WINDOW, MemoryLink.refuseAll(), echoAcceptor());
    Recorder rec = new Recorder();
    Stream s = await(link.gateway.open("echo", Map.of(), rec));

    s.write("hello, agent".getBytes(StandardCharsets.UTF_8));
    eventually(() -> rec.count.get() == 12);
    s.close();

    await(rec.closed);
    assertThat(new String(rec.bytes(), StandardCharsets.UTF_8)).isEqualTo("hello, agent");
    assertThat(s.isOpen()).isFalse();
    assertThatThrownBy(() -> s.write(new byte[1])).isInstanceOf(IOException.class);
    eventually(() -> link.gateway.streamCount() == 0 && link.agent.streamCount() == 0);
  }

  @Test
  void tenMegabytesArriveByteExactThroughSmallWindows() throws Exception {
    link = new MemoryLink(WINDOW, MemoryLink.refuseAll(), echoAcceptor());
    byte[] payload = random(10 * 1024 * 1024);
    Recorder echoed = new Recorder();
    Stream s = await(link.gateway.open("echo", Map.of(), echoed));

    s.write(payload); // 160 windows' worth: returns only because the echo keeps crediting
    s.close();

    await(echoed.closed);
    assertThat(echoed.bytes()).isEqualTo(payload);
  }

  @Test
  void oneWayTransferWithAutoCreditIsByteExact() throws Exception {
    Recorder sink = new Recorder();
    link = new MemoryLink(WINDOW, MemoryLink.refuseAll(), open -> sink);
    byte[] payload = random(10 * 1024 * 1024 + 17);
    Stream s = await(link.gateway.open("upload", Map.of(), new Recorder()));

    s.write(payload, 0, payload.length);
    s.close();

    await(sink.closed);
    assertThat(sink.bytes()).isEqualTo(payload);
  }

  @Test
  void writerBlocksWhenWindowIsExhaustedAndResumesAfterCredit() throws Exception {
    Recorder slow = new Recorder(false);
    link = new MemoryLink(WINDOW, MemoryLink.refuseAll(), open -> slow);
    Stream s = await(link.gateway.open("relay", Map.of(), new Recorder()));
    Stream peer = await(slow.opened);
    s.write(new byte[WINDOW]); // exactly the window: does not block

    CompletableFuture<Void> blocked =
        CompletableFuture.runAsync(
            () -> {
              try {
                s.write(new byte[1000]);
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            });

    Thread.sleep(300);
    assertThat(blocked).isNotDone();
    assertThat(slow.count.get()).isEqualTo(WINDOW);
    peer.credit(600);
    eventually(() -> slow.count.get() == WINDOW + 600);
    assertThat(blocked).isNotDone();
    peer.credit(400);
    await(blocked);
    eventually(() -> slow.count.get() == WINDOW + 1000);
  }

  @Test
  void timedWriteGivesUpWithoutSendingWhenNoWindowComes() throws Exception {
    Recorder slow = new Recorder(false);
    link = new MemoryLink(WINDOW, MemoryLink.refuseAll(), open -> slow);
    Stream s = await(link.gateway.open("relay", Map.of(), new Recorder()));
    s.write(new byte[WINDOW - 10]);

    boolean sent = s.write(new byte[100], 0, 100, Duration.ofMillis(200));

    assertThat(sent).isFalse();
    Thread.sleep(100);
    assertThat(slow.count.get()).isEqualTo(WINDOW - 10);
    assertThat(s.write(new byte[10], 0, 10, Duration.ofMillis(200))).isTrue();
    eventually(() -> slow.count.get() == WINDOW);
  }

  @Test
  void smallWritesOnOneStreamCompleteWhileALargeTransferRunsOnAnother() throws Exception {
    Recorder bulkSink = new Recorder(false);
    Recorder chatSink = new Recorder();
    link =
        new MemoryLink(
            WINDOW,
            MemoryLink.refuseAll(),
            open -> open.kind().equals("bulk") ? bulkSink : chatSink);
    Stream bulk = await(link.gateway.open("bulk", Map.of(), new Recorder()));
    Stream chat = await(link.gateway.open("chat", Map.of(), new Recorder()));
    Stream bulkPeer = await(bulkSink.opened);
    int total = 8 * 1024 * 1024;
    // a slow consumer: credits one frame's worth every millisecond (about 30 MB/s at most)
    Thread consumer =
        new Thread(
            () -> {
              int credited = 0;
              while (credited < total && !Thread.currentThread().isInterrupted()) {
                int due = bulkSink.count.get() - credited;
                if (due > 0) {
                  bulkPeer.credit(due);
                  credited += due;
                }
                try {
                  Thread.sleep(1);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
    consumer.start();
    CompletableFuture<Void> transfer =
        CompletableFuture.runAsync(
            () -> {
              try {
                bulk.write(new byte[total]);
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            });
    eventually(() -> bulkSink.count.get() > 0);

    long start = System.nanoTime();
    for (int i = 0; i < 20; i++) {
      chat.write(("line " + i + "\n").getBytes(StandardCharsets.UTF_8));
    }
    eventually(() -> chatSink.count.get() == 20 * 7 + 10 * 1);
    Duration chatTime = Duration.ofNanos(System.nanoTime() - start);

    assertThat(transfer).as("the bulk transfer is still running").isNotDone();
    assertThat(bulkSink.count.get()).isLessThan(total);
    assertThat(chatTime).isLessThan(Duration.ofSeconds(2));
    await(transfer);
    consumer.join();
    assertThat(bulkSink.count.get()).isEqualTo(total);
  }

  @Test
  void closeAllFailsPendingWritesAndResetsHandlers() throws Exception {
    Recorder slow = new Recorder(false);
    link = new MemoryLink(WINDOW, MemoryLink.refuseAll(), open -> slow);
    Recorder local = new Recorder();
    Stream s = await(link.gateway.open("relay", Map.of(), local));
    s.write(new byte[WINDOW]);
    CompletableFuture<Void> blocked =
        CompletableFuture.runAsync(
            () -> {
              try {
                s.write(new byte[10]);
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            });
    Thread.sleep(100);

    link.gateway.closeAll("link lost");
    link.gateway.closeAll("again"); // idempotent

    assertThatThrownBy(() -> await(blocked))
        .hasCauseInstanceOf(IllegalStateException.class)
        .hasRootCauseInstanceOf(IOException.class);
    assertThat(await(local.reset)).isEqualTo("link lost");
    assertThat(local.resetCode).isEqualTo(ErrorCode.CANCELLED);
    assertThat(s.isOpen()).isFalse();
    assertThat(link.gateway.streamCount()).isZero();
    assertThatThrownBy(() -> s.write(new byte[1])).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> await(link.gateway.open("echo", Map.of(), new Recorder())))
        .hasCauseInstanceOf(IOException.class);
    assertThatThrownBy(() -> await(link.gateway.ping())).hasCauseInstanceOf(IOException.class);
  }

  @Test
  void closeAllFailsPendingOpensAndPings() {
    Mux mux = new Mux(frame -> {}, true, WINDOW, MemoryLink.refuseAll());
    CompletableFuture<Stream> open = mux.open("echo", Map.of(), new Recorder());
    CompletableFuture<Duration> ping = mux.ping();

    mux.close();

    assertThat(open).isCompletedExceptionally();
    assertThatThrownBy(open::join).hasCauseInstanceOf(IOException.class);
    assertThatThrownBy(ping::join).hasCauseInstanceOf(IOException.class);
    assertThat(mux.streamCount()).isZero();
  }

  @Test
  void pingCompletesWithTheRoundTrip() throws Exception {
    link = new MemoryLink(WINDOW, MemoryLink.refuseAll(), MemoryLink.refuseAll());

    Duration rtt = await(link.agent.ping());

    assertThat(rtt).isPositive().isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void resetReachesThePeerHandlerAndFailsItsWrites() throws Exception {
    Recorder peer = new Recorder();
    link = new MemoryLink(WINDOW, MemoryLink.refuseAll(), open -> peer);
    Stream s = await(link.gateway.open("x", Map.of(), new Recorder()));
    Stream peerStream = await(peer.opened);

    s.reset(ErrorCode.CANCELLED, "client went away");

    assertThat(await(peer.reset)).isEqualTo("client went away");
    assertThat(peer.resetCode).isEqualTo(ErrorCode.CANCELLED);
    assertThatThrownBy(() -> peerStream.write(new byte[1])).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> s.write(new byte[1])).isInstanceOf(IOException.class);
    eventually(() -> link.agent.streamCount() == 0);
    assertThat(link.gateway.streamCount()).isZero();
  }

  @Test
  void handlerFailureResetsOnlyItsStream() throws Exception {
    Recorder good = new Recorder();
    link =
        new MemoryLink(
            WINDOW,
            MemoryLink.refuseAll(),
            open ->
                open.kind().equals("bad")
                    ? (s, data) -> {
                      throw new IllegalStateException("boom");
                    }
                    : good);
    Recorder badLocal = new Recorder();
    Stream bad = await(link.gateway.open("bad", Map.of(), badLocal));
    Stream ok = await(link.gateway.open("good", Map.of(), new Recorder()));

    bad.write(new byte[3]);
    ok.write(new byte[5]);

    assertThat(await(badLocal.reset)).startsWith("handler failed");
    assertThat(badLocal.resetCode).isEqualTo(ErrorCode.INTERNAL);
    eventually(() -> good.count.get() == 5);
  }

  @Test
  void anErrorInAHandlerOrAnAcceptorFailsOnlyThatStream() throws Exception {
    // given: one kind whose handler runs out of memory, one whose acceptor does
    Recorder good = new Recorder();
    link =
        new MemoryLink(
            WINDOW,
            MemoryLink.refuseAll(),
            open -> {
              switch (open.kind()) {
                case "oom-handler":
                  return (s, data) -> {
                    throw new OutOfMemoryError("Java heap space");
                  };
                case "oom-acceptor":
                  throw new OutOfMemoryError("Java heap space");
                default:
                  return good;
              }
            });
    Recorder badLocal = new Recorder();
    Stream bad = await(link.gateway.open("oom-handler", Map.of(), badLocal));

    // when
    bad.write(new byte[3]);

    // then: that stream is reset, the acceptor's stream fails to open, the link goes on
    assertThat(await(badLocal.reset)).startsWith("handler failed").contains("OutOfMemoryError");
    assertThat(badLocal.resetCode).isEqualTo(ErrorCode.INTERNAL);
    CompletableFuture<Stream> refused = link.gateway.open("oom-acceptor", Map.of(), new Recorder());
    assertThatThrownBy(() -> await(refused)).hasMessageContaining("acceptor failed");
    Stream ok = await(link.gateway.open("good", Map.of(), new Recorder()));
    ok.write(new byte[5]);
    eventually(() -> good.count.get() == 5);
  }

  // --- rules checked by feeding frames directly ---------------------------------------------

  /** A mux whose sent frames are kept, decoded. */
  private static final class Fed {
    final List<Frame> sent = new CopyOnWriteArrayList<>();
    final Mux mux;

    Fed(boolean oddIds, Mux.Acceptor acceptor) {
      mux = new Mux(b -> sent.add(FrameCodec.decode(b)), oddIds, 1000, acceptor);
    }

    void feed(Frame f) {
      mux.receive(FrameCodec.encode(f));
    }
  }

  @Test
  void dataBeyondTheGrantedWindowIsAProtocolError() {
    Fed fed = new Fed(false, open -> new Recorder(false));
    fed.feed(new Frame.Open(1, "x", 0, Map.of()));
    assertThat(fed.sent).containsExactly(new Frame.OpenOk(1, 1000));
    fed.feed(new Frame.Data(1, new byte[600]));

    assertThatThrownBy(() -> fed.feed(new Frame.Data(1, new byte[401])))
        .isInstanceOf(ProtocolException.class)
        .hasMessage("DATA of 401 bytes on stream 1 overruns the window of 400 bytes")
        .extracting(e -> ((ProtocolException) e).code())
        .isEqualTo(ErrorCode.PROTOCOL);
  }

  @Test
  void autoCreditReturnsConsumedBytesInBatchesOfHalfTheWindow() {
    Fed fed = new Fed(false, open -> new Recorder());
    fed.feed(new Frame.Open(1, "x", 0, Map.of()));
    fed.feed(new Frame.Data(1, new byte[300]));
    fed.feed(new Frame.Data(1, new byte[199]));
    assertThat(fed.sent).containsExactly(new Frame.OpenOk(1, 1000));

    fed.feed(new Frame.Data(1, new byte[1]));
    fed.feed(new Frame.Data(1, new byte[500]));
    fed.feed(new Frame.Data(1, new byte[500])); // allowed only because of the credit

    assertThat(fed.sent)
        .containsExactly(
            new Frame.OpenOk(1, 1000),
            new Frame.Window(1, 500),
            new Frame.Window(1, 500),
            new Frame.Window(1, 500));
  }

  @Test
  void openWithWrongParityOrReusedIdIsAProtocolError() {
    Fed gateway = new Fed(true, open -> new Recorder());
    assertThatThrownBy(() -> gateway.feed(new Frame.Open(3, "x", 10, Map.of())))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("must use even ids");

    gateway.feed(new Frame.Open(4, "x", 10, Map.of()));
    assertThatThrownBy(() -> gateway.feed(new Frame.Open(4, "x", 10, Map.of())))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("reuses");
    assertThatThrownBy(() -> gateway.feed(new Frame.Open(2, "x", 10, Map.of())))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("reuses");

    Fed agent = new Fed(false, open -> new Recorder());
    assertThatThrownBy(() -> agent.feed(new Frame.Open(2, "x", 10, Map.of())))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("must use odd ids");
  }

  @Test
  void framesForUnknownOrEndedStreamsAreIgnored() {
    Fed fed = new Fed(false, open -> new Recorder());
    fed.feed(new Frame.Open(1, "x", 10, Map.of()));
    fed.feed(new Frame.Reset(1, ErrorCode.CANCELLED, "bye"));

    fed.feed(new Frame.Data(1, new byte[5000]));
    fed.feed(new Frame.Window(1, 5));
    fed.feed(new Frame.Close(1));
    fed.feed(new Frame.Reset(1, ErrorCode.CANCELLED, "again"));
    fed.feed(new Frame.Data(77, new byte[1]));
    fed.feed(new Frame.OpenOk(8, 10));
    fed.feed(new Frame.OpenFail(8, 1, "x"));

    assertThat(fed.sent).containsExactly(new Frame.OpenOk(1, 1000));
    assertThat(fed.mux.streamCount()).isZero();
  }

  @Test
  void handshakeFramesAfterTheHandshakeAreProtocolErrors() {
    Fed fed = new Fed(true, open -> new Recorder());
    assertThatThrownBy(() -> fed.feed(new Frame.Hello(1, "c", "s", "v", List.of())))
        .isInstanceOf(ProtocolException.class)
        .hasMessage("HELLO is only allowed in the handshake");
    assertThatThrownBy(() -> fed.feed(new Frame.Window(1, 0)))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("not positive");
  }

  @Test
  void pingIsAnsweredWithPongAndGoAwayClosesEverything() {
    Recorder rec = new Recorder();
    Fed fed = new Fed(false, open -> rec);
    fed.feed(new Frame.Ping(42));
    fed.feed(new Frame.Open(1, "x", 10, Map.of()));

    fed.feed(new Frame.GoAway(ErrorCode.NONE, "shutting down"));

    assertThat(fed.sent).startsWith(new Frame.Pong(42));
    assertThat(rec.reset.join()).isEqualTo("peer sent GOAWAY(0): shutting down");
    assertThat(fed.mux.streamCount()).isZero();
  }

  @Test
  void waitingForWindowOnTheReceivingThreadFailsInsteadOfDeadlocking() {
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Fed fed =
        new Fed(
            false,
            open ->
                new StreamHandler() {
                  @Override
                  public void onOpen(Stream s) {
                    try {
                      s.write(new byte[1]);
                    } catch (IOException | RuntimeException e) {
                      failure.set(e);
                    }
                  }

                  @Override
                  public void onData(Stream s, byte[] data) {}
                });

    fed.feed(new Frame.Open(1, "x", 0, Map.of()));

    assertThat(failure.get())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("receiving thread");
  }

  @Test
  void aFailingTransportClosesTheLink() {
    Recorder rec = new Recorder();
    Mux mux =
        new Mux(
            frame -> {
              if (frame.get(1) == FrameType.DATA.code()) {
                throw new IOException("broken pipe");
              }
            },
            false,
            1000,
            open -> rec);
    mux.receive(FrameCodec.encode(new Frame.Open(1, "x", 100, Map.of())));
    Stream s = rec.opened.join();

    assertThatThrownBy(() -> s.write(new byte[10])).hasMessage("broken pipe");
    assertThat(rec.reset.join()).isEqualTo("send failed: broken pipe");
    assertThat(mux.streamCount()).isZero();
  }

  @Test
  void messagesAfterCloseAreIgnored() {
    Fed fed = new Fed(false, open -> new Recorder());
    fed.mux.close();
    fed.mux.receive(ByteBuffer.wrap(new byte[] {9, 9, 9}));
    fed.feed(new Frame.Ping(1));
    assertThat(fed.sent).isEmpty();
  }

  // --- bounds of an untrusted peer ------------------------------------------------------------

  @Test
  void opensBeyondTheStreamBoundFailAtOnceWithoutAFrame() {
    Fed fed = new Fed(true, MemoryLink.refuseAll());
    fed.mux.limits(new Mux.Limits(2, 10, null));
    fed.mux.open("x", Map.of(), new Recorder());
    fed.mux.open("x", Map.of(), new Recorder());

    CompletableFuture<Stream> third = fed.mux.open("x", Map.of(), new Recorder());

    assertThatThrownBy(third::join)
        .hasCauseInstanceOf(StreamRefusedException.class)
        .hasMessageContaining("too-many-streams: at most 2 streams");
    assertThat(fed.sent).hasSize(2);
    assertThat(fed.mux.streamCount()).isEqualTo(2);
  }

  @Test
  void aPeersOpensBeyondTheStreamBoundAreRefused() {
    Fed fed = new Fed(false, open -> new Recorder());
    fed.mux.limits(new Mux.Limits(1, 10, null));
    fed.feed(new Frame.Open(1, "x", 10, Map.of()));
    fed.feed(new Frame.Open(3, "x", 10, Map.of()));

    assertThat(fed.sent.get(1)).isInstanceOf(Frame.OpenFail.class);
    assertThat(((Frame.OpenFail) fed.sent.get(1)).code()).isEqualTo(ErrorCode.REFUSED);
    assertThat(fed.mux.streamCount()).isEqualTo(1);
  }

  @Test
  void tooManyRefusedOpensAreAProtocolError() {
    Fed fed = new Fed(true, MemoryLink.refuseAll());
    fed.mux.limits(new Mux.Limits(100, 3, null));
    for (int id = 2; id <= 6; id += 2) {
      fed.feed(new Frame.Open(id, "x", 10, Map.of()));
    }
    assertThat(fed.sent).hasSize(3);

    assertThatThrownBy(() -> fed.feed(new Frame.Open(8, "x", 10, Map.of())))
        .isInstanceOf(ProtocolException.class)
        .hasMessage("more than 3 refused OPENs on this link");
  }

  @Test
  void anUnansweredOpenTimesOutAndIsForgottenAndReset() throws Exception {
    Fed fed = new Fed(true, MemoryLink.refuseAll());
    fed.mux.limits(new Mux.Limits(100, 10, Duration.ofMillis(100)));

    CompletableFuture<Stream> open = fed.mux.open("x", Map.of(), new Recorder());

    assertThatThrownBy(() -> open.get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(java.util.concurrent.TimeoutException.class);
    eventually(() -> fed.mux.streamCount() == 0);
    eventually(() -> fed.sent.size() == 2);
    assertThat(fed.sent.get(1)).isInstanceOf(Frame.Reset.class);
    // a late answer is ignored
    fed.feed(new Frame.OpenOk(1, 10));
    assertThat(fed.mux.streamCount()).isZero();
  }

  @Test
  void aCancelledOpenIsForgottenAtOnceAndReset() throws Exception {
    Fed fed = new Fed(true, MemoryLink.refuseAll());

    CompletableFuture<Stream> open = fed.mux.open("x", Map.of(), new Recorder());
    open.cancel(false);

    assertThat(fed.mux.streamCount()).isZero();
    assertThat(fed.sent).hasSize(2);
    assertThat(fed.sent.get(1)).isInstanceOf(Frame.Reset.class);
  }
}
