package dev.cms.agent;

import dev.cms.agent.files.FileOps;
import dev.cms.agent.files.FileStreams;
import dev.cms.agent.files.Watches;
import dev.cms.agent.run.PortStreams;
import dev.cms.agent.run.PortWatcher;
import dev.cms.agent.run.TcpStreams;
import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.Frame;
import dev.cms.domain.protocol.Mux;
import dev.cms.domain.protocol.StreamHandler;
import dev.cms.domain.protocol.StreamKind;
import dev.cms.domain.protocol.StreamRefusedException;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;

/** Accepts the streams the gateway opens, by kind; refuses unknown kinds with UNKNOWN_KIND. */
final class StreamKinds implements Mux.Acceptor {
  private final Map<StreamKind, Mux.Acceptor> kinds;

  StreamKinds(Map<StreamKind, Mux.Acceptor> kinds) {
    this.kinds = kinds.isEmpty() ? Map.of() : new EnumMap<>(kinds);
  }

  /** The kinds this agent build serves, with terminals configured from the environment. */
  static StreamKinds standard(Executor workers) {
    return standard(workers, new Terminals(TerminalConfig.fromEnv(System.getenv()), workers));
  }

  /** The kinds this agent build serves. */
  static StreamKinds standard(Executor workers, Terminals terminals) {
    PortWatcher ports = new PortWatcher(); // polls only while a ports stream is open
    TcpStreams tcp = new TcpStreams(workers);
    Map<StreamKind, Mux.Acceptor> kinds = new EnumMap<>(StreamKind.class);
    kinds.putAll(fileOps(workers));
    kinds.put(StreamKind.ECHO, open -> EchoStreams.handler(workers));
    kinds.put(StreamKind.TERMINAL, open -> TerminalStreams.accept(open, terminals));
    kinds.put(StreamKind.FILE_WRITE, open -> FileStreams.fileWrite(open, workers));
    kinds.put(StreamKind.ARCHIVE_EXTRACT, open -> FileStreams.archiveExtract(open, workers));
    kinds.put(StreamKind.FILE_READ, open -> FileStreams.fileRead(open, workers));
    kinds.put(StreamKind.ARCHIVE_CREATE, open -> FileStreams.archiveCreate(open, workers));
    kinds.put(StreamKind.PORTS, open -> PortStreams.accept(open, ports, workers));
    kinds.put(StreamKind.PROCESSES, open -> ProcessStreams.accept(open, terminals, workers));
    kinds.put(StreamKind.EXEC, open -> ExecStreams.accept(open, terminals.config(), workers));
    kinds.put(StreamKind.TCP, tcp::accept);
    kinds.put(
        StreamKind.ENV, open -> EnvStreams.accept(open, terminals.config().overlay(), workers));
    return new StreamKinds(kinds);
  }

  /** List, stat, delete, move, make directory and watch. */
  private static Map<StreamKind, Mux.Acceptor> fileOps(Executor workers) {
    Watches watches = new Watches(workers);
    Mux.Acceptor op = open -> FileOps.accept(open, workers);
    return Map.of(
        StreamKind.FILE_LIST, op,
        StreamKind.FILE_STAT, op,
        StreamKind.FILE_DELETE, op,
        StreamKind.FILE_MOVE, op,
        StreamKind.FILE_MKDIR, op,
        StreamKind.FILE_WATCH, watches::accept);
  }

  /** The kinds this dispatcher serves. */
  Set<StreamKind> served() {
    return kinds.keySet();
  }

  @Override
  public StreamHandler accept(Frame.Open open) throws StreamRefusedException {
    Mux.Acceptor kind = StreamKind.of(open.kind()).map(kinds::get).orElse(null);
    if (kind == null) {
      throw new StreamRefusedException(
          ErrorCode.UNKNOWN_KIND, "unknown stream kind: " + open.kind());
    }
    return kind.accept(open);
  }
}
