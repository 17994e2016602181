package dev.cms.agent;

import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.Frame;
import dev.cms.domain.protocol.Mux;
import dev.cms.domain.protocol.StreamHandler;
import dev.cms.domain.protocol.StreamRefusedException;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Function;

/** Accepts the streams the gateway opens, by kind; refuses unknown kinds with UNKNOWN_KIND. */
final class StreamKinds implements Mux.Acceptor {
  private final Map<String, Function<Frame.Open, StreamHandler>> kinds;

  StreamKinds(Map<String, Function<Frame.Open, StreamHandler>> kinds) {
    this.kinds = Map.copyOf(kinds);
  }

  /** The kinds this agent build serves. */
  static StreamKinds standard(Executor workers) {
    return new StreamKinds(Map.of(EchoStreams.KIND, open -> EchoStreams.handler(workers)));
  }

  @Override
  public StreamHandler accept(Frame.Open open) throws StreamRefusedException {
    Function<Frame.Open, StreamHandler> kind = kinds.get(open.kind());
    if (kind == null) {
      throw new StreamRefusedException(
          ErrorCode.UNKNOWN_KIND, "unknown stream kind: " + open.kind());
    }
    return kind.apply(open);
  }
}
