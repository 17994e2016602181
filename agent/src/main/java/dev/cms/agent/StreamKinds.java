package dev.cms.agent;

import dev.cms.agent.files.FileOps;
import dev.cms.agent.files.FileStreams;
import dev.cms.agent.files.Watches;
import dev.cms.agent.run.PortStreams;
import dev.cms.agent.run.PortWatcher;
import dev.cms.agent.run.TcpStreams;
import dev.cms.domain.env.EnvWire;
import dev.cms.domain.exec.ExecWire;
import dev.cms.domain.files.FsWire;
import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.Frame;
import dev.cms.domain.protocol.Mux;
import dev.cms.domain.protocol.StreamHandler;
import dev.cms.domain.protocol.StreamRefusedException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;

/** Accepts the streams the gateway opens, by kind; refuses unknown kinds with UNKNOWN_KIND. */
final class StreamKinds implements Mux.Acceptor {
  private final Map<String, Mux.Acceptor> kinds;

  StreamKinds(Map<String, Mux.Acceptor> kinds) {
    this.kinds = Map.copyOf(kinds);
  }

  /** The kinds this agent build serves, with terminals configured from the environment. */
  static StreamKinds standard(Executor workers) {
    return standard(workers, new Terminals(TerminalConfig.fromEnv(System.getenv()), workers));
  }

  /** The kinds this agent build serves. */
  static StreamKinds standard(Executor workers, Terminals terminals) {
    PortWatcher ports = new PortWatcher(); // polls only while a ports stream is open
    TcpStreams tcp = new TcpStreams(workers);
    Map<String, Mux.Acceptor> kinds = new HashMap<>(fileOps(workers));
    kinds.putAll(
        Map.of(
            EchoStreams.KIND, open -> EchoStreams.handler(workers),
            TerminalStreams.KIND, open -> TerminalStreams.accept(open, terminals),
            FileStreams.FILE_WRITE, open -> FileStreams.fileWrite(open, workers),
            FileStreams.ARCHIVE_EXTRACT, open -> FileStreams.archiveExtract(open, workers),
            FileStreams.FILE_READ, open -> FileStreams.fileRead(open, workers),
            FileStreams.ARCHIVE_CREATE, open -> FileStreams.archiveCreate(open, workers),
            PortStreams.KIND, open -> PortStreams.accept(open, ports, workers),
            ProcessStreams.KIND, open -> ProcessStreams.accept(open, terminals, workers),
            ExecWire.KIND, open -> ExecStreams.accept(open, terminals.config(), workers),
            TcpStreams.KIND, tcp::accept));
    kinds.put(EnvWire.KIND, open -> EnvStreams.accept(terminals.config().overlay(), workers));
    return new StreamKinds(kinds);
  }

  /** List, stat, delete, move, make directory and watch. */
  private static Map<String, Mux.Acceptor> fileOps(Executor workers) {
    Watches watches = new Watches(workers);
    Mux.Acceptor op = open -> FileOps.accept(open, workers);
    return Map.of(
        FsWire.LIST, op,
        FsWire.STAT, op,
        FsWire.DELETE, op,
        FsWire.MOVE, op,
        FsWire.MKDIR, op,
        FsWire.WATCH, watches::accept);
  }

  @Override
  public StreamHandler accept(Frame.Open open) throws StreamRefusedException {
    Mux.Acceptor kind = kinds.get(open.kind());
    if (kind == null) {
      throw new StreamRefusedException(
          ErrorCode.UNKNOWN_KIND, "unknown stream kind: " + open.kind());
    }
    return kind.accept(open);
  }
}
