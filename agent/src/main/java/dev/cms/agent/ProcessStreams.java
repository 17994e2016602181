package dev.cms.agent;

import dev.cms.agent.run.TcpStreams;
import dev.cms.domain.files.ParamException;
import dev.cms.domain.kinds.KindParams;
import dev.cms.domain.process.ProcessReport;
import dev.cms.domain.process.ProcessWire;
import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.Frame;
import dev.cms.domain.protocol.Stream;
import dev.cms.domain.protocol.StreamHandler;
import dev.cms.domain.protocol.StreamRefusedException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Stream kind {@code processes}, opened by the gateway after each handshake (no params): the agent
 * reports its processes (terminals running a command) as {@link ProcessWire} messages, a snapshot
 * first and then every change, so that a gateway that restarted learns them again from the agent.
 * Bytes from the gateway are ignored; the stream stays open until the gateway closes or resets it
 * or the link drops.
 *
 * <p>Changes wait in a per-stream map while the stream has no window; only a terminal's latest
 * state is kept, so what waits is bounded by the number of terminals.
 */
final class ProcessStreams {

  private static final Logger LOG = Logger.getLogger(ProcessStreams.class.getName());

  private ProcessStreams() {}

  /** Accepts an OPEN of kind {@code processes}. */
  static StreamHandler accept(Frame.Open open, Terminals terminals, Executor workers)
      throws StreamRefusedException {
    try {
      KindParams.Processes.of(open.params());
    } catch (ParamException e) {
      throw TcpStreams.refusal(e);
    }
    return new Handler(terminals, workers);
  }

  private static final class Handler implements StreamHandler, Terminals.ProcessListener {
    private final Terminals terminals;
    private final Executor workers;
    private volatile Stream stream;

    // guarded by this
    private List<ProcessReport> snapshot; // not yet sent
    private final Map<String, ProcessReport> pending = new LinkedHashMap<>(); // null: forgotten
    private final Set<String> reported = new HashSet<>(); // what the gateway was told about
    private boolean sending;
    private boolean done;

    Handler(Terminals terminals, Executor workers) {
      this.terminals = terminals;
      this.workers = workers;
    }

    @Override
    public void onOpen(Stream s) {
      stream = s;
      terminals.subscribe(this);
      kick();
    }

    @Override
    public void onData(Stream s, byte[] data) {
      // nothing is expected from the gateway
    }

    @Override
    public void onClose(Stream s) {
      stop();
      s.close();
    }

    @Override
    public void onReset(Stream s, int code, String reason) {
      stop();
    }

    private void stop() {
      synchronized (this) {
        done = true;
        snapshot = null;
        pending.clear();
      }
      terminals.unsubscribe(this);
    }

    @Override
    public void snapshot(List<ProcessReport> processes) {
      synchronized (this) {
        snapshot = List.copyOf(processes);
      }
    }

    @Override
    public void changed(String terminal, ProcessReport report) {
      synchronized (this) {
        if (done) {
          return;
        }
        pending.remove(terminal); // re-inserted last: the order of changes is kept
        pending.put(terminal, report);
      }
      kick();
    }

    /** Starts the sender unless it runs; it drains what is due, blocking on the window. */
    private void kick() {
      synchronized (this) {
        if (sending || done || stream == null || (snapshot == null && pending.isEmpty())) {
          return;
        }
        sending = true;
      }
      try {
        workers.execute(this::send);
      } catch (RuntimeException e) {
        synchronized (this) {
          sending = false;
        }
      }
    }

    private void send() {
      Stream s = stream;
      while (true) {
        byte[] bytes;
        synchronized (this) {
          if (done || (snapshot == null && pending.isEmpty())) {
            sending = false;
            return;
          }
          bytes = due();
        }
        if (bytes.length == 0) {
          continue;
        }
        try {
          s.write(bytes);
        } catch (IOException e) {
          LOG.log(Level.FINE, "{0} ended: {1}", new Object[] {s, e.getMessage()});
          synchronized (this) {
            sending = false;
          }
          stop();
          return;
        } catch (RuntimeException | Error e) { // this stream fails, the agent stays
          LOG.log(Level.WARNING, s + " failed", e);
          synchronized (this) {
            sending = false;
          }
          s.reset(ErrorCode.INTERNAL, "agent failed: " + e);
          stop();
          return;
        }
      }
    }

    /** Encodes what is due: the snapshot (once), then the latest state of each changed terminal. */
    private byte[] due() { // holds this
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      if (snapshot != null) {
        out.writeBytes(ProcessWire.encode(new ProcessWire.Snapshot(snapshot.size())));
        for (ProcessReport r : snapshot) {
          out.writeBytes(ProcessWire.encode(new ProcessWire.Report(r)));
          reported.add(r.terminal());
        }
        snapshot = null;
      }
      for (Map.Entry<String, ProcessReport> e : pending.entrySet()) {
        if (e.getValue() == null) {
          if (reported.remove(e.getKey())) {
            out.writeBytes(ProcessWire.encode(new ProcessWire.Forgotten(e.getKey())));
          }
        } else {
          out.writeBytes(ProcessWire.encode(new ProcessWire.Report(e.getValue())));
          reported.add(e.getKey());
        }
      }
      pending.clear();
      return out.toByteArray();
    }
  }
}
