package dev.cms.gateway.testing;

import dev.cms.domain.protocol.Mux;
import dev.cms.domain.protocol.Stream;
import dev.cms.domain.protocol.StreamHandler;
import dev.cms.domain.testing.MemoryLink;
import java.util.concurrent.CompletableFuture;

/**
 * A gateway {@link Mux} joined in memory (domain's {@link MemoryLink}) to an agent {@link Mux}
 * whose every accepted stream is handed to the test ({@link #agentStream}) and whose resets are
 * recorded, so a test can play a hostile agent on a real stream.
 */
public final class MuxPair implements AutoCloseable {
  public final Mux gateway;
  public final Mux agent;

  /** The agent's end of the first stream the gateway opened. */
  public final CompletableFuture<Stream> agentStream = new CompletableFuture<>();

  /** The reset the agent's end got: "code reason". */
  public final CompletableFuture<String> agentReset = new CompletableFuture<>();

  private final MemoryLink link;

  public MuxPair(int window) {
    link =
        new MemoryLink(
            window,
            MemoryLink.refuseAll(),
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
    gateway = link.gateway;
    agent = link.agent;
  }

  @Override
  public void close() {
    link.close();
  }
}
