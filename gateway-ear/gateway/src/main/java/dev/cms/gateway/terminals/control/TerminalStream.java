package dev.cms.gateway.terminals.control;

import dev.cms.domain.client.OutputFrame;
import dev.cms.domain.client.ServerMessage;
import dev.cms.domain.kinds.KindParams;
import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.ProtocolException;
import dev.cms.domain.protocol.Stream;
import dev.cms.domain.protocol.StreamHandler;
import dev.cms.domain.protocol.StreamRefusedException;
import dev.cms.domain.terminal.TerminalWire;
import dev.cms.gateway.metrics.Meters;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One terminal attached by one viewer: its {@code terminal} stream on the container's agent link
 * while the link is up. Output goes to the viewer as it comes and is credited back to the agent
 * only once sent (a slow viewer holds at most one stream window); the agent's messages are checked
 * (Attached first and once, Exited at most once); input typed while the stream opens is kept (up to
 * {@value #MAX_EARLY_BYTES} bytes) and sent first. A re-attach resumes after what the viewer has
 * seen.
 */
final class TerminalStream implements StreamHandler {

  private static final Logger LOG = Logger.getLogger(TerminalStream.class.getName());
  private static final Duration INPUT_TIMEOUT = Duration.ofSeconds(5);
  // input typed before a terminal stream is open is kept up to this much
  private static final int MAX_EARLY_BYTES = 64 * 1024;

  private final Terminals.Relay relay;
  private final Terminals.Viewer viewer;
  private final String terminal;
  volatile int cols;
  volatile int rows;
  private final TerminalWire.Decoder decoder = new TerminalWire.Decoder();
  volatile Stream stream;
  private volatile long nextOffset =
      -1; // the end of what the client has been sent; -1 = nothing yet
  volatile boolean detached;
  private final List<byte[]> early = new ArrayList<>();
  private int earlyBytes;
  // per stream: the agent sends Attached first and once, Exited at most once
  private boolean attachedSeen;
  private boolean exitedSeen;

  TerminalStream(
      Terminals.Relay relay,
      Terminals.Viewer viewer,
      String terminal,
      Long offset,
      int cols,
      int rows) {
    this.relay = relay;
    this.viewer = viewer;
    this.terminal = terminal;
    this.nextOffset = offset == null ? -1 : offset;
    this.cols = cols;
    this.rows = rows;
  }

  void connect() {
    var link = relay.agents().link(viewer.containerId());
    if (link.isEmpty()) {
      error(
          "agent-unavailable",
          "the container's agent is not connected yet; will attach when it is");
      return;
    }
    KindParams.Terminal params =
        new KindParams.Terminal(
            terminal,
            nextOffset >= 0 ? nextOffset : null,
            KindParams.Terminal.clamp(cols),
            KindParams.Terminal.clamp(rows),
            // attaching to a process must never run it again; otherwise the agent's default
            relay.processes().isProcess(viewer.containerId(), terminal) ? Boolean.FALSE : null,
            null);
    link.get()
        .mux()
        .open(params.kind(), params.params(), this)
        .whenComplete(
            (s, e) -> {
              if (e != null) {
                Throwable cause =
                    e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                if (cause instanceof StreamRefusedException refused) {
                  error("refused", refused.getMessage());
                } else {
                  LOG.log(Level.FINE, "terminal stream did not open", cause);
                }
              } else if (detached) {
                s.reset(ErrorCode.CANCELLED, "detached");
              }
            });
  }

  @Override
  public void onOpen(Stream s) {
    attachedSeen = false;
    exitedSeen = false;
    synchronized (this) {
      stream = s;
      // what the client typed while the stream was opening goes first, in order
      try {
        for (byte[] b : early) {
          if (!s.write(b, 0, b.length, INPUT_TIMEOUT)) {
            throw new IOException("the agent did not take early input");
          }
          relay.meters().relayed(Meters.Channel.TERMINAL, b.length);
        }
      } catch (IOException e) {
        error("agent-unavailable", "input typed before the terminal was ready was lost");
      }
      early.clear();
      earlyBytes = 0;
    }
  }

  @Override
  public boolean autoCredit() {
    return false;
  }

  @Override
  public void onData(Stream s, byte[] data) {
    relay.meters().relayed(Meters.Channel.TERMINAL, data.length);
    List<TerminalWire.Message> messages;
    try {
      messages = decoder.feed(data);
      for (TerminalWire.Message m : messages) {
        if (m instanceof TerminalWire.Attached) {
          if (attachedSeen) {
            throw new ProtocolException("a second Attached on one terminal stream");
          }
          attachedSeen = true;
        } else if (m instanceof TerminalWire.Failed) {
          continue; // may come at any time; the stream ends after it
        } else if (!attachedSeen) {
          throw new ProtocolException("terminal messages before Attached");
        } else if (exitedSeen) {
          throw new ProtocolException("terminal messages after Exited");
        } else if (m instanceof TerminalWire.Exited) {
          exitedSeen = true;
        }
      }
    } catch (ProtocolException e) {
      s.reset(ErrorCode.PROTOCOL, e.getMessage());
      error("agent-error", "the agent sent a malformed terminal message");
      return;
    }
    // credit the agent once everything this chunk carried has left for the client
    int[] pending = {1};
    Runnable sent =
        () -> {
          synchronized (pending) {
            if (--pending[0] == 0) {
              s.credit(data.length);
            }
          }
        };
    for (TerminalWire.Message m : messages) {
      if (m instanceof TerminalWire.Output o) {
        if (o.end() <= nextOffset) {
          continue; // already delivered before a re-attach
        }
        synchronized (pending) {
          pending[0]++;
        }
        nextOffset = o.end();
        viewer.output(new OutputFrame(terminal, o.offset(), o.data()).encode(), sent);
      } else if (m instanceof TerminalWire.Attached a) {
        viewer.send(
            new ServerMessage.Attached(
                terminal,
                a.offset(),
                a.firstOffset(),
                a.endOffset(),
                a.truncated(),
                a.running(),
                a.running() ? null : a.exitCode()));
      } else if (m instanceof TerminalWire.Exited x) {
        viewer.send(new ServerMessage.Exit(terminal, x.code()));
      } else if (m instanceof TerminalWire.Failed f) {
        error("terminal-failed", f.message());
      }
    }
    sent.run();
    relay.activity().accept(viewer.containerId());
  }

  @Override
  public void onReset(Stream s, int code, String reason) {
    synchronized (this) {
      stream = null;
    }
    if (!detached && code != ErrorCode.CANCELLED) {
      error("terminal-ended", reason);
    }
  }

  @Override
  public void onClose(Stream s) {
    stream = null;
    s.close();
  }

  void write(TerminalWire.Message m) throws IOException {
    byte[] bytes = TerminalWire.encode(m);
    Stream s;
    synchronized (this) {
      s = stream;
      if (s == null) {
        // the stream is still opening (or the agent link is coming back): keep a little input for
        // it
        if (earlyBytes + bytes.length > MAX_EARLY_BYTES) {
          throw new IOException(
              "terminal '" + terminal + "' is not connected to the agent right now; input dropped");
        }
        early.add(bytes);
        earlyBytes += bytes.length;
        return;
      }
    }
    if (!s.write(bytes, 0, bytes.length, INPUT_TIMEOUT)) {
      throw new IOException(
          "the agent did not take input for '"
              + terminal
              + "' within "
              + INPUT_TIMEOUT.toSeconds()
              + " s");
    }
    relay.meters().relayed(Meters.Channel.TERMINAL, bytes.length);
  }

  void detach() {
    detached = true;
    Stream s = stream;
    stream = null;
    if (s != null) {
      try {
        relay.resets().execute(() -> s.reset(ErrorCode.CANCELLED, "detached"));
      } catch (RuntimeException rejected) {
        s.reset(ErrorCode.CANCELLED, "detached");
      }
    }
  }

  private void error(String code, String message) {
    viewer.send(new ServerMessage.Error(terminal, code, message));
  }
}
