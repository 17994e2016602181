package dev.cms.domain.process;

import dev.cms.domain.protocol.LengthPrefixed;
import dev.cms.domain.protocol.ProtocolException;
import dev.cms.domain.protocol.Utf8;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The messages of a {@code processes} stream of the agent channel (see {@code docs/PROTOCOL.md}),
 * agent to gateway only. Like terminal messages they are length-prefixed, {@code length:u32 type:u8
 * body} ({@code length} counts the type byte and the body), independent of DATA frame boundaries.
 *
 * <p>The agent sends one {@link Snapshot} (how many reports follow) and that many {@link Report}s:
 * every process it knows now. After that, a {@link Report} for every change (a process started or
 * exited) and a {@link Forgotten} when it drops a process (an exited terminal evicted to make room,
 * or no longer running a command). {@link Follower} is the gateway's reader: it enforces the order
 * and the bounds, so a hostile agent can cost a gateway at most {@link #MAX_PROCESSES} reports of
 * at most {@link #MAX_MESSAGE} bytes per stream.
 */
public final class ProcessWire {

  /** Largest message accepted (length prefix not counted). */
  public static final int MAX_MESSAGE = 16 * 1024;

  /** Most processes one agent may report at once (in a snapshot, or live on the stream). */
  public static final int MAX_PROCESSES = 256;

  /** Longest command in a report, in UTF-8 bytes. */
  public static final int MAX_COMMAND = 8 * 1024;

  /** Longest working directory in a report, in UTF-8 bytes. */
  public static final int MAX_CWD = 4 * 1024;

  private static final int SNAPSHOT = 1;
  private static final int REPORT = 2;
  private static final int FORGOTTEN = 3;
  private static final int STATE_RUNNING = 1;
  private static final int STATE_EXITED = 2;

  private ProcessWire() {}

  /** One message of a processes stream. */
  public sealed interface Message permits Snapshot, Report, Forgotten {}

  /**
   * A snapshot starts: exactly {@code count} {@link Report}s follow, the processes the agent knows.
   *
   * @param count 0 to {@link #MAX_PROCESSES}
   */
  public record Snapshot(int count) implements Message {
    public Snapshot {
      if (count < 0 || count > MAX_PROCESSES) {
        throw new ProtocolException(
            "snapshot of " + count + " processes (at most " + MAX_PROCESSES + ")");
      }
    }
  }

  /** One process: part of the snapshot, or (after it) its new state. */
  public record Report(ProcessReport process) implements Message {
    public Report {
      Objects.requireNonNull(process, "process");
    }
  }

  /** The agent no longer keeps this process; it will not be reported again. */
  public record Forgotten(String terminal) implements Message {
    public Forgotten {
      if (terminal == null || !ProcessReport.TERMINAL_ID.matcher(terminal).matches()) {
        throw new ProtocolException("forgotten process is not a terminal id");
      }
    }
  }

  /** Encodes one message, length prefix included. */
  public static byte[] encode(Message m) {
    ByteBuffer b = ByteBuffer.allocate(4 + MAX_MESSAGE + 1);
    b.putInt(0);
    if (m instanceof Snapshot s) {
      b.put((byte) SNAPSHOT).putShort((short) s.count());
    } else if (m instanceof Report r) {
      ProcessReport p = r.process();
      b.put((byte) REPORT);
      str(b, p.terminal());
      boolean running = p.state() == ProcessState.RUNNING;
      b.put((byte) (running ? STATE_RUNNING : STATE_EXITED));
      b.putInt(running ? 0 : p.exitCode());
      b.putLong(p.startedAt().toEpochMilli());
      b.putLong(running ? -1 : p.endedAt().toEpochMilli());
      b.putShort((short) (p.port() == null ? 0 : p.port()));
      str(b, p.cwd());
      str(b, p.command());
    } else if (m instanceof Forgotten f) {
      b.put((byte) FORGOTTEN);
      str(b, f.terminal());
    } else {
      throw new ProtocolException("cannot encode " + m);
    }
    int length = b.position() - 4;
    b.putInt(0, length);
    byte[] out = new byte[b.position()];
    b.get(0, out);
    return out;
  }

  private static void str(ByteBuffer b, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    b.putShort((short) bytes.length).put(bytes);
  }

  /**
   * Reassembles messages from the bytes of a stream, whatever the chunking; holds at most one
   * incomplete message. Not thread-safe: feed it from the stream's receiving thread only.
   */
  public static final class Decoder {
    private final LengthPrefixed<Message> messages =
        new LengthPrefixed<>("processes", MAX_MESSAGE, ProcessWire::decodeBody);

    /**
     * Adds received bytes; returns every message they complete, in order.
     *
     * @throws ProtocolException for a malformed message or one above {@link #MAX_MESSAGE}
     */
    public List<Message> feed(byte[] chunk) {
      return messages.feed(chunk);
    }
  }

  /** Decodes one message, length prefix included, that must be exactly {@code bytes}. */
  public static Message decode(byte[] bytes) {
    Decoder d = new Decoder();
    List<Message> messages = d.feed(bytes);
    if (messages.size() != 1 || d.messages.hasPartial()) {
      throw new ProtocolException("not exactly one processes message");
    }
    return messages.get(0);
  }

  private static Message decodeBody(ByteBuffer b) {
    int type = Byte.toUnsignedInt(b.get());
    try {
      Message m =
          switch (type) {
            case SNAPSHOT -> new Snapshot(Short.toUnsignedInt(b.getShort()));
            case REPORT -> new Report(report(b));
            case FORGOTTEN -> new Forgotten(str(b));
            default -> throw new ProtocolException("unknown processes message type " + type);
          };
      if (b.hasRemaining()) {
        throw new ProtocolException(b.remaining() + " trailing bytes in processes message " + type);
      }
      return m;
    } catch (BufferUnderflowException e) {
      throw new ProtocolException("truncated processes message " + type);
    }
  }

  private static ProcessReport report(ByteBuffer b) {
    String terminal = str(b);
    int state = Byte.toUnsignedInt(b.get());
    int exitCode = b.getInt();
    long startedAt = b.getLong();
    long endedAt = b.getLong();
    int port = Short.toUnsignedInt(b.getShort());
    String cwd = str(b);
    String command = str(b);
    Integer p = port == 0 ? null : port;
    if (state == STATE_RUNNING) {
      if (exitCode != 0 || endedAt != -1) {
        throw new ProtocolException("running process " + terminal + " with an exit");
      }
      return ProcessReport.running(terminal, command, cwd, p, instant(startedAt));
    }
    if (state != STATE_EXITED) {
      throw new ProtocolException("unknown process state " + state);
    }
    return ProcessReport.exited(
        terminal, command, cwd, p, instant(startedAt), instant(endedAt), exitCode);
  }

  private static Instant instant(long millis) {
    if (millis < 0) {
      throw new ProtocolException("negative time " + millis);
    }
    return Instant.ofEpochMilli(millis);
  }

  private static String str(ByteBuffer b) {
    byte[] bytes = new byte[Short.toUnsignedInt(b.getShort())];
    b.get(bytes);
    return Utf8.decode(ByteBuffer.wrap(bytes), "invalid UTF-8 in processes message");
  }

  /**
   * The gateway's reader of one processes stream: decodes, checks the order (a snapshot first, its
   * reports complete before anything else, no id twice in it) and the bounds (at most {@link
   * #MAX_PROCESSES} processes live at once), and turns the messages into events. Any violation is a
   * {@link ProtocolException}: the caller resets the stream. Not thread-safe.
   */
  public static final class Follower {
    /** What the stream told, in order. */
    public sealed interface Event permits Synced, Changed, Dropped {}

    /** The snapshot is complete: these are all the processes the agent knows now. */
    public record Synced(List<ProcessReport> processes) implements Event {
      public Synced {
        processes = List.copyOf(processes);
      }
    }

    /** A process started or ended after the snapshot. */
    public record Changed(ProcessReport process) implements Event {}

    /** The agent forgot a process. */
    public record Dropped(String terminal) implements Event {}

    private final Decoder decoder = new Decoder();
    private final Set<String> live = new HashSet<>();
    private Map<String, ProcessReport> snapshot; // while a snapshot is being received
    private int expected = -1; // reports still due for the snapshot; -1 before it
    private boolean synced;

    /** Adds received bytes; returns the events they complete, in order. */
    public List<Event> feed(byte[] chunk) {
      List<Event> events = new ArrayList<>();
      for (Message m : decoder.feed(chunk)) {
        Event e = accept(m);
        if (e != null) {
          events.add(e);
        }
      }
      return events;
    }

    private Event accept(Message m) {
      if (m instanceof Snapshot s) {
        if (snapshot != null || synced) {
          throw new ProtocolException("a second snapshot on one processes stream");
        }
        snapshot = new LinkedHashMap<>();
        expected = s.count();
        return expected == 0 ? completeSnapshot() : null;
      }
      if (!synced && snapshot == null) {
        throw new ProtocolException("processes stream must start with a snapshot");
      }
      if (snapshot != null) {
        if (!(m instanceof Report r)) {
          throw new ProtocolException("snapshot incomplete: " + expected + " reports still due");
        }
        if (snapshot.put(r.process().terminal(), r.process()) != null) {
          throw new ProtocolException("process " + r.process().terminal() + " twice in a snapshot");
        }
        return --expected == 0 ? completeSnapshot() : null;
      }
      if (m instanceof Report r) {
        String id = r.process().terminal();
        if (live.add(id) && live.size() > MAX_PROCESSES) {
          throw new ProtocolException("more than " + MAX_PROCESSES + " processes reported");
        }
        return new Changed(r.process());
      }
      Forgotten f = (Forgotten) m;
      live.remove(f.terminal());
      return new Dropped(f.terminal());
    }

    private Event completeSnapshot() {
      Synced done = new Synced(new ArrayList<>(snapshot.values()));
      live.addAll(snapshot.keySet());
      snapshot = null;
      synced = true;
      return done;
    }
  }
}
