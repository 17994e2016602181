package dev.cms.gateway.testing;

import jakarta.ws.rs.core.GenericType;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseBroadcaster;
import jakarta.ws.rs.sse.SseEventSink;
import java.lang.reflect.Type;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Server-Sent Events without a JAX-RS runtime, for controls tested without a container: {@link
 * #sse()} builds plain events, a {@link Sink} records what it was sent and can be held (a client
 * that does not read) or closed (a client that went away).
 */
public final class RecordingSse {

  private RecordingSse() {}

  /** One event as sent: a comment (heartbeat) has no name. */
  public record Sent(String id, String name, String data, String comment, long reconnectDelay)
      implements OutboundSseEvent {
    @Override
    public String getId() {
      return id;
    }

    @Override
    public String getName() {
      return name;
    }

    @Override
    public String getComment() {
      return comment;
    }

    @Override
    public long getReconnectDelay() {
      return reconnectDelay;
    }

    @Override
    public boolean isReconnectDelaySet() {
      return reconnectDelay >= 0;
    }

    @Override
    public Class<?> getType() {
      return String.class;
    }

    @Override
    public Type getGenericType() {
      return String.class;
    }

    @Override
    public MediaType getMediaType() {
      return MediaType.TEXT_PLAIN_TYPE;
    }

    @Override
    public Object getData() {
      return data;
    }
  }

  /** An {@link Sse} whose builder makes {@link Sent} events. */
  public static Sse sse() {
    return new Sse() {
      @Override
      public OutboundSseEvent.Builder newEventBuilder() {
        return new Builder();
      }

      @Override
      public SseBroadcaster newBroadcaster() {
        throw new UnsupportedOperationException("no broadcaster here");
      }
    };
  }

  private static final class Builder implements OutboundSseEvent.Builder {
    private String id;
    private String name;
    private String comment;
    private Object data;
    private long reconnectDelay = -1;

    @Override
    public OutboundSseEvent.Builder id(String id) {
      this.id = id;
      return this;
    }

    @Override
    public OutboundSseEvent.Builder name(String name) {
      this.name = name;
      return this;
    }

    @Override
    public OutboundSseEvent.Builder reconnectDelay(long milliseconds) {
      this.reconnectDelay = milliseconds;
      return this;
    }

    @Override
    public OutboundSseEvent.Builder mediaType(MediaType mediaType) {
      return this;
    }

    @Override
    public OutboundSseEvent.Builder comment(String comment) {
      this.comment = comment;
      return this;
    }

    @Override
    @SuppressWarnings("rawtypes") // the API's own signature
    public OutboundSseEvent.Builder data(Class type, Object data) {
      return data(data);
    }

    @Override
    @SuppressWarnings("rawtypes") // the API's own signature
    public OutboundSseEvent.Builder data(GenericType type, Object data) {
      return data(data);
    }

    @Override
    public OutboundSseEvent.Builder data(Object data) {
      this.data = data;
      return this;
    }

    @Override
    public OutboundSseEvent build() {
      return new Sent(id, name, data == null ? null : data.toString(), comment, reconnectDelay);
    }
  }

  /** A client's end of one event stream. */
  public static final class Sink implements SseEventSink {
    public final List<Sent> sent = new CopyOnWriteArrayList<>();
    private volatile boolean closed;
    private volatile CountDownLatch hold = new CountDownLatch(0);

    /** From now on each send waits until {@link #release} (a client that does not read). */
    public Sink hold() {
      hold = new CountDownLatch(1);
      return this;
    }

    public void release() {
      hold.countDown();
    }

    /** The client goes away. */
    public void goAway() {
      closed = true;
    }

    /** The named events sent so far (heartbeats left out). */
    public List<Sent> events() {
      return sent.stream().filter(e -> e.name() != null).toList();
    }

    @Override
    public boolean isClosed() {
      return closed;
    }

    @Override
    public CompletionStage<?> send(OutboundSseEvent event) {
      if (closed) {
        return CompletableFuture.failedFuture(new IllegalStateException("closed"));
      }
      try {
        if (!hold.await(60, TimeUnit.SECONDS)) {
          return CompletableFuture.failedFuture(new IllegalStateException("held too long"));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return CompletableFuture.failedFuture(e);
      }
      sent.add((Sent) event);
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
