package dev.cms.agent;

import dev.cms.agent.run.ProcessSpec;
import dev.cms.agent.run.TcpStreams;
import dev.cms.domain.files.ParamException;
import dev.cms.domain.kinds.KindParams;
import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.Frame;
import dev.cms.domain.protocol.ProtocolException;
import dev.cms.domain.protocol.Stream;
import dev.cms.domain.protocol.StreamHandler;
import dev.cms.domain.protocol.StreamRefusedException;
import dev.cms.domain.terminal.TerminalWire;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Stream kind {@code terminal}: attaches the stream to a terminal of {@link Terminals}, starting
 * its shell when asked to. Messages in both directions are {@link TerminalWire} messages.
 *
 * <p>OPEN parameters ({@link KindParams.Terminal}): {@code terminal} (id, required), {@code offset}
 * (replay from this byte offset; absent: the most recent {@value Terminal#RECENT_BYTES} bytes),
 * {@code cols} and {@code rows} (default 80×24, clamped to 1..1000), {@code create} ({@code true},
 * the default: start the shell when the terminal is missing or its shell exited; {@code false}:
 * refuse a missing terminal); {@code command}, {@code cwd}, {@code env.<NAME>} (what a shell
 * started by this open runs, see {@link ProcessSpec}; absent: what the terminal ran before).
 *
 * <p>The agent sends {@link TerminalWire.Attached} first, then {@link TerminalWire.Output} from the
 * attachment's cursor on, and {@link TerminalWire.Exited} once the shell exited and all its output
 * was sent; then it closes its side. A sender thread per attachment does the writing and blocks on
 * the stream's window: a slow client only falls behind in the terminal's log.
 */
final class TerminalStreams {
  static final int DEFAULT_COLS = KindParams.DEFAULT_COLS;
  static final int DEFAULT_ROWS = KindParams.DEFAULT_ROWS;
  static final int MAX_SIZE = KindParams.MAX_SIZE;

  private static final Logger LOG = Logger.getLogger(TerminalStreams.class.getName());

  private TerminalStreams() {}

  /** Decides on an OPEN of kind {@code terminal}; runs on the link's receiving thread. */
  static StreamHandler accept(Frame.Open open, Terminals terminals) throws StreamRefusedException {
    KindParams.Terminal p;
    try {
      p = KindParams.Terminal.of(open.params());
    } catch (ParamException e) {
      throw TcpStreams.refusal(e);
    }
    Long offset = p.offset();
    int cols = p.cols();
    int rows = p.rows();
    boolean create = p.creates();
    ProcessSpec launch = ProcessSpec.of(p.launch()); // command, cwd, env.*: see ProcessSpec
    String id = p.terminal();
    Terminals.Opened opened = terminals.open(id, create, cols, rows, launch);
    return new Handler(opened.terminal(), offset, cols, rows, opened.started());
  }

  static int clamp(int v) {
    return Math.max(1, Math.min(MAX_SIZE, v));
  }

  private static StreamRefusedException refused(String message) {
    return new StreamRefusedException(ErrorCode.REFUSED, message);
  }

  /** One attachment: the stream's events in, a sender thread out. */
  private static final class Handler implements StreamHandler {
    private final Terminal terminal;
    private final Long offset;
    private final int cols;
    private final int rows;
    private final boolean started;
    private final TerminalWire.Decoder decoder = new TerminalWire.Decoder();
    private volatile Terminal.Attachment attachment;

    Handler(Terminal terminal, Long offset, int cols, int rows, boolean started) {
      this.terminal = terminal;
      this.offset = offset;
      this.cols = cols;
      this.rows = rows;
      this.started = started;
    }

    @Override
    public void onOpen(Stream s) {
      Terminal.Attachment a = terminal.attach(offset, cols, rows, started);
      attachment = a;
      Thread sender = new Thread(() -> send(s, a), "terminal-" + terminal.id() + "-send-" + s.id());
      sender.setDaemon(true);
      sender.start();
    }

    private void send(Stream s, Terminal.Attachment a) {
      try {
        s.write(TerminalWire.encode(a.attached()));
        TerminalWire.Message m;
        while ((m = terminal.next(a)) != null) {
          s.write(TerminalWire.encode(m));
          if (m instanceof TerminalWire.Exited) {
            s.close();
          }
        }
      } catch (IOException e) {
        LOG.log(Level.FINE, "{0} ended: {1}", new Object[] {s, e.getMessage()});
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException | Error e) { // this attachment fails, the agent stays
        LOG.log(Level.WARNING, "terminal " + terminal.id() + ": sender of " + s + " failed", e);
        try {
          s.write(TerminalWire.encode(new TerminalWire.Failed("agent failed: " + e)));
          s.close();
        } catch (IOException | RuntimeException again) {
          s.reset(ErrorCode.INTERNAL, "terminal sender failed");
        }
      } finally {
        terminal.detach(a);
      }
    }

    @Override
    public void onData(Stream s, byte[] data) {
      Terminal.Attachment a = attachment;
      List<TerminalWire.Message> messages;
      try {
        messages = decoder.feed(data);
        for (TerminalWire.Message m : messages) {
          if (!(m instanceof TerminalWire.Input
              || m instanceof TerminalWire.Resize
              || m instanceof TerminalWire.Kill)) {
            throw new ProtocolException(
                m.getClass().getSimpleName() + " is not sent to the agent on a terminal stream");
          }
        }
      } catch (ProtocolException e) {
        LOG.log(Level.FINE, "{0}: {1}", new Object[] {s, e.getMessage()});
        terminal.detach(a);
        s.reset(ErrorCode.PROTOCOL, e.getMessage());
        return;
      }
      List<byte[]> input = new ArrayList<>();
      for (TerminalWire.Message m : messages) {
        if (m instanceof TerminalWire.Input i) {
          input.add(i.data());
        } else if (m instanceof TerminalWire.Resize r) {
          terminal.resize(a, clamp(r.cols()), clamp(r.rows()));
        } else if (m instanceof TerminalWire.Kill) {
          terminal.kill(a);
        }
      }
      // the window comes back once the bytes reached the shell: a client never has more than
      // one window of keystrokes queued here
      int length = data.length;
      terminal.input(a, input, () -> s.credit(length));
    }

    @Override
    public void onClose(Stream s) {
      Terminal.Attachment a = attachment;
      if (a != null) {
        terminal.detach(a);
      }
      s.close();
    }

    @Override
    public void onReset(Stream s, int code, String reason) {
      Terminal.Attachment a = attachment;
      if (a != null) {
        terminal.detach(a);
      }
    }

    @Override
    public boolean autoCredit() {
      return false;
    }
  }
}
