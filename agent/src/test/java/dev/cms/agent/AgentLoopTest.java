package dev.cms.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.Frame;
import dev.cms.domain.protocol.FrameCodec;
import dev.cms.domain.protocol.FrameType;
import dev.cms.domain.protocol.Mux;
import dev.cms.domain.protocol.Stream;
import dev.cms.domain.protocol.StreamHandler;
import dev.cms.domain.protocol.StreamRefusedException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The agent's connection loop against an in-JVM WebSocket server playing the gateway. */
@Timeout(60)
class AgentLoopTest {
  private TinyWebSocketServer server;
  private Channel channel;
  private Thread loop;

  @BeforeEach
  void start() throws IOException {
    server = new TinyWebSocketServer();
  }

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.stop();
      loop.join(5000);
    }
    server.close();
  }

  private void runAgent(OptionalInt heartbeat) {
    AgentConfig config = new AgentConfig(server.uri(), "s3cr3t", "c-42", heartbeat);
    Backoff fast = new Backoff(Duration.ofMillis(20), Duration.ofMillis(100), () -> 1.0);
    channel = new Channel(config, StreamKinds.standard(Agent.workers()), fast, "test");
    loop = new Thread(channel, "agent-loop");
    loop.setDaemon(true);
    loop.start();
  }

  private TinyWebSocketServer.Peer nextPeer() throws InterruptedException {
    TinyWebSocketServer.Peer p = server.accept(10_000);
    assertThat(p).as("the agent connected").isNotNull();
    return p;
  }

  /** Reads HELLO, answers WELCOME and runs a gateway-side Mux over the connection. */
  private static final class FakeGateway {
    final TinyWebSocketServer.Peer peer;
    final Frame.Hello hello;
    final Mux mux;
    final AtomicInteger pings = new AtomicInteger();
    final CompletableFuture<Void> gone = new CompletableFuture<>();
    volatile boolean answerPings = true;

    FakeGateway(TinyWebSocketServer.Peer peer, int heartbeatMillis) throws IOException {
      this(peer, heartbeatMillis, "");
    }

    FakeGateway(TinyWebSocketServer.Peer peer, int heartbeatMillis, String linkCredential)
        throws IOException {
      this.peer = peer;
      this.hello = (Frame.Hello) FrameCodec.decode(peer.read());
      peer.sendBinary(
          FrameCodec.toBytes(new Frame.Welcome(1, heartbeatMillis, 64 * 1024, linkCredential)));
      mux =
          new Mux(
              frame -> {
                byte[] b = new byte[frame.remaining()];
                frame.get(b);
                peer.sendBinary(b);
              },
              true,
              64 * 1024,
              open -> {
                throw new StreamRefusedException(ErrorCode.UNKNOWN_KIND, "none");
              });
      Thread reader =
          new Thread(
              () -> {
                try {
                  for (byte[] m = peer.read(); m != null; m = peer.read()) {
                    if (m[1] == FrameType.PING.code()) {
                      pings.incrementAndGet();
                      if (!answerPings) {
                        continue;
                      }
                    }
                    mux.receive(ByteBuffer.wrap(m));
                  }
                } catch (IOException e) {
                  // connection dropped
                } finally {
                  mux.closeAll("gone");
                  gone.complete(null);
                }
              },
              "fake-gateway");
      reader.setDaemon(true);
      reader.start();
    }
  }

  @Test
  void saysHelloThenEchoesAndRefusesUnknownKinds() throws Exception {
    runAgent(OptionalInt.empty());
    TinyWebSocketServer.Peer peer = nextPeer();
    FakeGateway gw = new FakeGateway(peer, 10_000);

    assertThat(peer.path).isEqualTo("/ws/v1/agent");
    assertThat(gw.hello)
        .isEqualTo(new Frame.Hello(1, "c-42", "s3cr3t", "test", java.util.List.of()));

    ByteArrayOutputStream echoed = new ByteArrayOutputStream();
    CompletableFuture<Void> closed = new CompletableFuture<>();
    Stream echo =
        gw.mux
            .open(
                "echo",
                Map.of(),
                new StreamHandler() {
                  @Override
                  public void onData(Stream s, byte[] data) {
                    echoed.write(data, 0, data.length);
                  }

                  @Override
                  public void onClose(Stream s) {
                    closed.complete(null);
                  }
                })
            .get(10, TimeUnit.SECONDS);
    byte[] payload = new byte[1024 * 1024 + 3];
    new Random(7).nextBytes(payload);
    echo.write(payload);
    echo.close();
    closed.get(20, TimeUnit.SECONDS);
    assertThat(echoed.toByteArray()).isEqualTo(payload);

    assertThatThrownBy(() -> gw.mux.open("nope", Map.of(), (s, d) -> {}).get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(
            StreamRefusedException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_KIND);
              assertThat(e.getMessage()).isEqualTo("unknown stream kind: nope");
            });
  }

  @Test
  void pingsAtTheHeartbeatAndReconnectsWhenPongsStop() throws Exception {
    runAgent(OptionalInt.empty());
    FakeGateway gw = new FakeGateway(nextPeer(), 100);
    Thread.sleep(450);
    assertThat(gw.pings.get()).isBetween(2, 6);

    gw.answerPings = false;

    gw.gone.get(5, TimeUnit.SECONDS); // the agent dropped the silent link
    FakeGateway again = new FakeGateway(nextPeer(), 100);
    assertThat(again.hello.containerId()).isEqualTo("c-42");
  }

  @Test
  void heartbeatOverrideWinsOverWelcome() throws Exception {
    runAgent(OptionalInt.of(50));
    FakeGateway gw = new FakeGateway(nextPeer(), 60_000);
    Thread.sleep(400);
    assertThat(gw.pings.get()).isGreaterThanOrEqualTo(4);
  }

  @Test
  void reconnectsAfterTheLinkDrops() throws Exception {
    runAgent(OptionalInt.empty());
    TinyWebSocketServer.Peer first = nextPeer();
    new FakeGateway(first, 300);

    first.close();

    FakeGateway second = new FakeGateway(nextPeer(), 300);
    assertThat(second.hello.secret()).isEqualTo("s3cr3t");
  }

  @Test
  void presentsTheLinkCredentialFromWelcomeOnEveryLaterHello() throws Exception {
    runAgent(OptionalInt.empty());
    TinyWebSocketServer.Peer first = nextPeer();
    FakeGateway one = new FakeGateway(first, 300, "link-cred-1");
    assertThat(one.hello.secret()).isEqualTo("s3cr3t");

    first.close();
    TinyWebSocketServer.Peer second = nextPeer();
    FakeGateway two = new FakeGateway(second, 300);
    assertThat(two.hello.secret()).isEqualTo("link-cred-1");

    second.close();
    assertThat(new FakeGateway(nextPeer(), 300).hello.secret()).isEqualTo("link-cred-1");
  }

  @Test
  void keepsRetryingWhenRefused() throws Exception {
    runAgent(OptionalInt.empty());
    for (int i = 0; i < 3; i++) {
      TinyWebSocketServer.Peer peer = nextPeer();
      peer.read(); // HELLO
      peer.sendBinary(
          FrameCodec.toBytes(new Frame.GoAway(ErrorCode.UNAUTHORIZED, "bad agent secret")));
      peer.sendClose(1008, "unauthorized");
      peer.close();
    }
    FakeGateway restored = new FakeGateway(nextPeer(), 10_000);
    assertThat(restored.hello.containerId()).isEqualTo("c-42");
  }

  @Test
  void retriesWhenNothingListens() throws Exception {
    java.net.URI dead;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      dead = java.net.URI.create("ws://127.0.0.1:" + s.getLocalPort() + "/ws/v1/agent");
    }
    AgentConfig config = new AgentConfig(dead, "x", "c", OptionalInt.empty());
    CountingBackoff backoff = new CountingBackoff();
    channel = new Channel(config, StreamKinds.standard(Runnable::run), backoff.backoff, "test");
    loop = new Thread(channel);
    loop.setDaemon(true);
    loop.start();

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (backoff.count.get() < 3 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(backoff.count.get()).isGreaterThanOrEqualTo(3);
  }

  private static final class CountingBackoff {
    final AtomicInteger count = new AtomicInteger();
    final Backoff backoff =
        new Backoff(
            Duration.ofMillis(10),
            Duration.ofMillis(20),
            () -> {
              count.incrementAndGet();
              return 0.0;
            });
  }
}
