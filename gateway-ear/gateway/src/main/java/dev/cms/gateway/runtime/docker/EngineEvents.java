package dev.cms.gateway.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import dev.cms.gateway.runtime.RuntimeEvent;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Follows the engine's container events for some labels on a daemon thread of its own
 * (docker-java's callback model; a managed pool's bounded threads must not hold a stream for ever),
 * translated to the runtime SPI's {@link RuntimeEvent}s. When the stream breaks it subscribes again
 * from the last event seen, with a backoff up to 5 s, and tells the listener of the gap ({@link
 * RuntimeEvent#resync}) once it follows again.
 */
final class EngineEvents implements Runnable, AutoCloseable {

  private static final Logger LOG = Logger.getLogger(EngineEvents.class.getName());

  /** Starts following; closing the answer ends it. */
  static AutoCloseable follow(
      DockerClient client, Map<String, String> labels, Consumer<RuntimeEvent> listener) {
    EngineEvents follower = new EngineEvents(client, labels, listener);
    Thread t = new Thread(follower, "cms-docker-events");
    t.setDaemon(true);
    t.start();
    return follower;
  }

  private final DockerClient client;
  private final Map<String, String> labels;
  private final Consumer<RuntimeEvent> listener;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile ResultCallback.Adapter<Event> current;
  private volatile long sinceSeconds = System.currentTimeMillis() / 1000;

  private EngineEvents(
      DockerClient client, Map<String, String> labels, Consumer<RuntimeEvent> listener) {
    this.client = client;
    this.labels = Map.copyOf(labels);
    this.listener = listener;
  }

  @Override
  public void run() {
    long backoff = 500;
    boolean gap = false;
    while (!closed.get()) {
      boolean afterGap = gap;
      ResultCallback.Adapter<Event> callback =
          new ResultCallback.Adapter<>() {
            @Override
            public void onStart(java.io.Closeable stream) {
              super.onStart(stream);
              if (afterGap) {
                LOG.info("following the Docker engine's events again; reconciling the records");
                listener.accept(RuntimeEvent.resync());
              }
            }

            @Override
            public void onNext(Event e) {
              if (e.getTime() != null) {
                sinceSeconds = Math.max(sinceSeconds, e.getTime());
              }
              toRuntimeEvent(e).ifPresent(listener);
            }
          };
      current = callback;
      try {
        client
            .eventsCmd()
            .withEventTypeFilter(EventType.CONTAINER)
            .withLabelFilter(labels)
            .withSince(Long.toString(sinceSeconds))
            .exec(callback);
        backoff = 500;
        callback.awaitCompletion();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        if (!closed.get()) {
          LOG.log(Level.FINE, "Docker event stream failed", e);
        }
      }
      if (closed.get()) {
        return;
      }
      LOG.fine("Docker event stream ended; following again");
      gap = true;
      try {
        Thread.sleep(backoff);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      backoff = Math.min(backoff * 2, 5000);
    }
  }

  @Override
  public void close() {
    closed.set(true);
    var c = current;
    if (c != null) {
      try {
        c.close();
      } catch (IOException e) {
        LOG.log(Level.FINE, "closing the event stream", e);
      }
    }
  }

  private static Optional<RuntimeEvent> toRuntimeEvent(Event e) {
    String action = e.getAction() != null ? e.getAction() : e.getStatus();
    if (action == null || e.getId() == null) {
      return Optional.empty();
    }
    Map<String, String> attributes =
        e.getActor() == null || e.getActor().getAttributes() == null
            ? Map.of()
            : new HashMap<>(e.getActor().getAttributes());
    RuntimeEvent.Kind kind =
        switch (action) {
          case "start" -> RuntimeEvent.Kind.STARTED;
          case "die" -> RuntimeEvent.Kind.DIED;
          case "oom" -> RuntimeEvent.Kind.OOM;
          case "destroy" -> RuntimeEvent.Kind.REMOVED;
          case "pause" -> RuntimeEvent.Kind.PAUSED;
          case "unpause" -> RuntimeEvent.Kind.RESUMED;
          default -> null;
        };
    if (kind == null) {
      return Optional.empty();
    }
    Integer exit = null;
    String code = attributes.get("exitCode");
    if (code != null) {
      try {
        exit = Integer.valueOf(code);
      } catch (NumberFormatException ignored) {
        // leave unknown
      }
    }
    return Optional.of(new RuntimeEvent(kind, e.getId(), attributes, exit));
  }
}
