package dev.cms.gateway.events.control;

import dev.cms.gateway.containers.control.ContainerStatusChanged;
import dev.cms.gateway.containers.control.Containers;
import dev.cms.gateway.files.control.FileChanged;
import dev.cms.gateway.processes.control.PortChanged;
import dev.cms.gateway.processes.control.ProcessChanged;
import dev.cms.gateway.processes.control.ProcessView;
import dev.cms.gateway.snapshots.control.SnapshotChanged;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The owners' event streams ({@code GET /api/v1/events}): every status change of a container, every
 * process start and end, every port that opens or closes, every change a file watch reports, every
 * snapshot taken or deleted, pushed to the subscribers of the container's owner as Server-Sent
 * Events.
 *
 * <p>Bounded: at most {@value #MAX_PER_OWNER} streams per owner and {@value #MAX_STREAMS} in all
 * (more are refused); each stream queues at most {@value #MAX_QUEUED} events, a stream whose client
 * does not keep up is closed (the client reconnects with {@code Last-Event-ID} and gets what it
 * missed from the owner's last {@value #REPLAY} events). Events are written on the platform's
 * managed executor, one writer per stream at a time, never on the thread that fired them.
 */
@ApplicationScoped
public class EventHub {

  static final int MAX_PER_OWNER = 16;
  static final int MAX_STREAMS = 1024;
  static final int MAX_QUEUED = 256;
  static final int REPLAY = 256;
  private static final Logger LOG = Logger.getLogger(EventHub.class.getName());

  @Inject Containers containers;

  @Resource ManagedExecutorService executor;

  private final AtomicLong seq = new AtomicLong();
  private final Map<String, List<Subscriber>> byOwner = new ConcurrentHashMap<>();
  private final Map<String, ArrayDeque<Stored>> recent = new ConcurrentHashMap<>();
  private final Map<String, String> owners = new ConcurrentHashMap<>();
  private final AtomicLong streams = new AtomicLong();

  /** An event as sent: its id, name and JSON data. */
  record Stored(long id, String name, String data) {}

  /** Thrown when a new stream would exceed a bound. */
  public static final class TooManyStreams extends RuntimeException {
    TooManyStreams(String message) {
      super(message);
    }
  }

  /**
   * Subscribes {@code sink} to the events of {@code owner}; first sends what the owner's replay
   * buffer holds after {@code lastEventId} (when given).
   *
   * @throws TooManyStreams when the owner or the gateway has as many streams as allowed
   */
  public void subscribe(String owner, SseEventSink sink, Sse sse, Optional<Long> lastEventId) {
    List<Subscriber> list = byOwner.computeIfAbsent(owner, k -> new CopyOnWriteArrayList<>());
    synchronized (list) {
      list.removeIf(s -> s.closed);
      if (list.size() >= MAX_PER_OWNER) {
        throw new TooManyStreams("at most " + MAX_PER_OWNER + " event streams per API key");
      }
      if (streams.incrementAndGet() > MAX_STREAMS) {
        streams.decrementAndGet();
        throw new TooManyStreams("at most " + MAX_STREAMS + " event streams on this gateway");
      }
      Subscriber s = new Subscriber(owner, sink, sse);
      list.add(s);
      s.offer(
          new Stored(
              0,
              "hello",
              Json.createObjectBuilder()
                  .add("replay", lastEventId.isPresent())
                  .build()
                  .toString()));
      lastEventId.ifPresent(
          last -> {
            ArrayDeque<Stored> r = recent.get(owner);
            if (r != null) {
              synchronized (r) {
                r.stream().filter(e -> e.id() > last).forEach(s::offer);
              }
            }
          });
    }
  }

  void onStatus(@Observes ContainerStatusChanged change) {
    JsonObjectBuilder b =
        Json.createObjectBuilder()
            .add("container", change.containerId())
            .add("status", change.status().name());
    if (change.reason() != null) {
      b.add("reason", change.reason());
    }
    publish(change.containerId(), "container", b);
    if (change.status().isFinal()) {
      owners.remove(change.containerId());
    }
  }

  void onProcess(@Observes ProcessChanged change) {
    ProcessView p = change.process();
    JsonObjectBuilder b =
        Json.createObjectBuilder()
            .add("container", change.containerId())
            .add("id", p.id())
            .add("status", p.status());
    if (p.terminal() != null) {
      b.add("terminal", p.terminal());
    }
    if (p.command() != null) {
      b.add("command", p.command());
    }
    if (p.exitCode() != null) {
      b.add("exitCode", p.exitCode());
    }
    if (p.port() != null) {
      b.add("port", p.port());
    }
    publish(change.containerId(), "process", b);
  }

  void onPort(@Observes PortChanged change) {
    publish(
        change.containerId(),
        "port",
        Json.createObjectBuilder()
            .add("container", change.containerId())
            .add("port", change.port())
            .add("open", change.open()));
  }

  void onFile(@Observes FileChanged change) {
    JsonObjectBuilder b =
        Json.createObjectBuilder()
            .add("container", change.containerId())
            .add("watch", change.watch())
            .add("change", change.change())
            .add("path", change.path());
    if (change.type() != null) {
      b.add("type", change.type());
    }
    if ("overflow".equals(change.change())) {
      b.add("dropped", change.dropped());
    }
    publish(change.containerId(), "file", b);
  }

  void onSnapshot(@Observes SnapshotChanged change) {
    publish(
        change.containerId(),
        "snapshot",
        Json.createObjectBuilder()
            .add("container", change.containerId())
            .add("snapshot", change.snapshotId())
            .add("change", change.change())
            .add("sizeBytes", change.sizeBytes()));
  }

  private void publish(String containerId, String name, JsonObjectBuilder data) {
    String owner;
    try {
      owner = owners.computeIfAbsent(containerId, id -> containers.ownerOf(id).orElse(""));
    } catch (RuntimeException e) {
      LOG.log(Level.FINE, "no owner for " + containerId + " yet", e);
      return;
    }
    if (owner.isEmpty()) {
      owners.remove(containerId);
      return;
    }
    Stored e = new Stored(seq.incrementAndGet(), name, data.build().toString());
    ArrayDeque<Stored> r = recent.computeIfAbsent(owner, k -> new ArrayDeque<>());
    synchronized (r) {
      r.addLast(e);
      while (r.size() > REPLAY) {
        r.removeFirst();
      }
    }
    List<Subscriber> list = byOwner.get(owner);
    if (list != null) {
      for (Subscriber s : list) {
        s.offer(e);
      }
    }
  }

  /** Sends a comment to every stream, so dead ones are found and proxies keep them open. */
  public void heartbeat() {
    for (List<Subscriber> list : byOwner.values()) {
      for (Subscriber s : list) {
        s.offer(null);
      }
    }
  }

  /** Streams open now. */
  public long streams() {
    return streams.get();
  }

  @PreDestroy
  void closeAll() {
    for (List<Subscriber> list : byOwner.values()) {
      for (Subscriber s : list) {
        s.close("the gateway is stopping");
      }
    }
  }

  private final class Subscriber {
    final String owner;
    final SseEventSink sink;
    final Sse sse;
    final ArrayDeque<Stored> queue = new ArrayDeque<>();
    boolean writing; // guarded by queue
    volatile boolean closed;
    private static final Stored HEARTBEAT = new Stored(-1, "", "");

    Subscriber(String owner, SseEventSink sink, Sse sse) {
      this.owner = owner;
      this.sink = sink;
      this.sse = sse;
    }

    /** Queues an event ({@code null}: a heartbeat) and starts a writer unless one runs. */
    void offer(Stored e) {
      if (closed) {
        return;
      }
      boolean start;
      synchronized (queue) {
        if (queue.size() >= MAX_QUEUED) {
          start = false;
        } else {
          queue.addLast(e == null ? HEARTBEAT : e);
          start = !writing;
          writing = writing || start;
          e = null;
        }
      }
      if (e != null) {
        LOG.info(
            () -> "closing an event stream of " + owner + ": more than " + MAX_QUEUED + " queued");
        close("too slow");
        return;
      }
      if (start) {
        try {
          executor.execute(this::drain);
        } catch (RuntimeException rejected) {
          close("no thread to write events");
        }
      }
    }

    private void drain() {
      while (true) {
        Stored e;
        synchronized (queue) {
          e = queue.pollFirst();
          if (e == null || closed) {
            writing = false;
            return;
          }
        }
        if (sink.isClosed()) {
          close("client went away");
          return;
        }
        OutboundSseEvent out =
            e == HEARTBEAT
                ? sse.newEventBuilder().comment("keep-alive").build()
                : e.id() == 0
                    ? sse.newEventBuilder()
                        .name(e.name())
                        .data(e.data())
                        .reconnectDelay(3000)
                        .build()
                    : sse.newEventBuilder()
                        .id(Long.toString(e.id()))
                        .name(e.name())
                        .data(e.data())
                        .build();
        try {
          sink.send(out).toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          close("interrupted");
          return;
        } catch (java.util.concurrent.ExecutionException
            | java.util.concurrent.TimeoutException
            | RuntimeException failed) {
          close("write failed: " + failed);
          return;
        }
      }
    }

    void close(String why) {
      if (closed) {
        return;
      }
      closed = true;
      streams.decrementAndGet();
      List<Subscriber> list = byOwner.get(owner);
      if (list != null) {
        list.remove(this);
      }
      try {
        sink.close();
      } catch (RuntimeException e) {
        LOG.log(Level.FINE, "closing an event stream", e);
      }
      LOG.fine(() -> "event stream of " + owner + " closed: " + why);
    }
  }
}
