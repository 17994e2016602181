package dev.cms.agent.files;

import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.Mux;
import dev.cms.domain.protocol.ProtocolException;
import dev.cms.domain.protocol.StreamRefusedException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A gateway mux and an agent mux serving the file kinds, joined in memory (like the agent tests'
 * {@code MemoryLink}): a thread per direction feeds the frames to the other side.
 */
final class Link implements AutoCloseable {
  final Mux gateway;
  final Mux agent;
  final List<RuntimeException> errors = new CopyOnWriteArrayList<>();
  private final Pipe toAgent = new Pipe("to-agent");
  private final Pipe toGateway = new Pipe("to-gateway");

  Link(int window, Executor workers) {
    Map<String, Mux.Acceptor> kinds =
        Map.of(
            FileStreams.FILE_WRITE, open -> FileStreams.fileWrite(open, workers),
            FileStreams.ARCHIVE_EXTRACT, open -> FileStreams.archiveExtract(open, workers),
            FileStreams.FILE_READ, open -> FileStreams.fileRead(open, workers),
            FileStreams.ARCHIVE_CREATE, open -> FileStreams.archiveCreate(open, workers));
    gateway =
        new Mux(
            toAgent::put,
            true,
            window,
            open -> {
              throw new StreamRefusedException(ErrorCode.UNKNOWN_KIND, "gateway accepts nothing");
            });
    agent =
        new Mux(
            toGateway::put,
            false,
            window,
            open -> {
              Mux.Acceptor a = kinds.get(open.kind());
              if (a == null) {
                throw new StreamRefusedException(ErrorCode.UNKNOWN_KIND, open.kind());
              }
              return a.accept(open);
            });
    toAgent.start(agent);
    toGateway.start(gateway);
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
