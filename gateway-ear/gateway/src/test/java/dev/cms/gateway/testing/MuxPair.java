package dev.cms.gateway.testing;

import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.Mux;
import dev.cms.domain.protocol.ProtocolException;
import dev.cms.domain.protocol.Stream;
import dev.cms.domain.protocol.StreamHandler;
import dev.cms.domain.protocol.StreamRefusedException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A gateway {@link Mux} joined in memory to an agent {@link Mux} whose every accepted stream is
 * handed to the test ({@link #agentStream}) and whose resets are recorded, so a test can play a
 * hostile agent on a real stream.
 */
public final class MuxPair implements AutoCloseable {
  public final Mux gateway;
  public final Mux agent;

  /** The agent's end of the first stream the gateway opened. */
  public final CompletableFuture<Stream> agentStream = new CompletableFuture<>();

  /** The reset the agent's end got: "code reason". */
  public final CompletableFuture<String> agentReset = new CompletableFuture<>();

  private final Thread toAgent;
  private final Thread toGateway;

  public MuxPair(int window) {
    LinkedBlockingQueue<ByteBuffer> a = new LinkedBlockingQueue<>();
    LinkedBlockingQueue<ByteBuffer> g = new LinkedBlockingQueue<>();
    gateway =
        new Mux(
            a::add,
            true,
            window,
            open -> {
              throw new StreamRefusedException(ErrorCode.UNKNOWN_KIND, "no");
            });
    agent =
        new Mux(
            g::add,
            false,
            window,
            open ->
                new StreamHandler() {
                  @Override
                  public void onOpen(Stream s) {
                    agentStream.complete(s);
                  }

                  @Override
                  public void onData(Stream s, byte[] data) {}

                  @Override
                  public void onReset(Stream s, int code, String reason) {
                    agentReset.complete(code + " " + reason);
                  }
                });
    toAgent = pump(a, agent, "to-agent");
    toGateway = pump(g, gateway, "to-gateway");
  }

  private static Thread pump(LinkedBlockingQueue<ByteBuffer> q, Mux target, String name) {
    Thread t =
        new Thread(
            () -> {
              try {
                while (true) {
                  ByteBuffer frame = q.take();
                  try {
                    target.receive(frame);
                  } catch (ProtocolException e) {
                    target.goAway(e.code(), String.valueOf(e.getMessage()));
                  }
                }
              } catch (InterruptedException e) {
                // closed
              }
            },
            name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  @Override
  public void close() {
    gateway.closeAll("test over");
    agent.closeAll("test over");
    toAgent.interrupt();
    toGateway.interrupt();
  }
}
