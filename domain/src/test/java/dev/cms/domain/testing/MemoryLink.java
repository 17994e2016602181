package dev.cms.domain.testing;

import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.Mux;
import dev.cms.domain.protocol.ProtocolException;
import dev.cms.domain.protocol.StreamRefusedException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Two {@link Mux}es joined in memory, the one link every module's tests use (domain's test-jar,
 * {@code <type>test-jar</type>}): each side's transport queues the frame and a thread per direction
 * feeds it to the other side's {@link Mux#receive}, so delivery is asynchronous as on a WebSocket.
 * A {@link ProtocolException} (or any other failure of {@code receive}) is recorded in {@link
 * #errors} and answered like a real owner would: GOAWAY and close.
 */
public final class MemoryLink implements AutoCloseable {
  /** The gateway's end (it opens odd stream ids). */
  public final Mux gateway;

  /** The agent's end. */
  public final Mux agent;

  /** What {@code receive} threw, on either side, in order. */
  public final List<RuntimeException> errors = new CopyOnWriteArrayList<>();

  private final Pipe toAgent = new Pipe("to-agent");
  private final Pipe toGateway = new Pipe("to-gateway");

  public MemoryLink(int window, Mux.Acceptor gatewayAcceptor, Mux.Acceptor agentAcceptor) {
    gateway = new Mux(toAgent::put, true, window, gatewayAcceptor);
    agent = new Mux(toGateway::put, false, window, agentAcceptor);
    toAgent.start(agent);
    toGateway.start(gateway);
  }

  /** An acceptor that refuses every stream the other side opens. */
  public static Mux.Acceptor refuseAll() {
    return open -> {
      throw new StreamRefusedException(ErrorCode.UNKNOWN_KIND, "no kinds here");
    };
  }

  @Override
  public void close() {
    gateway.closeAll("test over");
    agent.closeAll("test over");
    toAgent.thread.interrupt();
    toGateway.thread.interrupt();
  }

  private final class Pipe {
    private final LinkedBlockingQueue<ByteBuffer> queue = new LinkedBlockingQueue<>();
    private final String name;
    private Thread thread;

    Pipe(String name) {
      this.name = name;
    }

    void put(ByteBuffer frame) {
      queue.add(frame);
    }

    void start(Mux target) {
      thread =
          new Thread(
              () -> {
                try {
                  while (true) {
                    ByteBuffer frame = queue.take();
                    try {
                      target.receive(frame);
                    } catch (RuntimeException e) {
                      errors.add(e);
                      int code = e instanceof ProtocolException p ? p.code() : ErrorCode.INTERNAL;
                      target.goAway(code, String.valueOf(e.getMessage()));
                    }
                  }
                } catch (InterruptedException e) {
                  // link closed
                }
              },
              name);
      thread.setDaemon(true);
      thread.start();
    }
  }
}
