package dev.cms.gateway.metrics;

import dev.cms.domain.files.Rule;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.Histogram;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;

/**
 * Every meter of the gateway, in the application registry ({@code mp_scope="application"} on {@code
 * /metrics}). Tag values come only from enums, never from what a client or an agent sent, so a
 * hostile agent cannot grow the registry (an unknown upload rule counts as {@code refused}).
 */
@ApplicationScoped
public class Meters {

  /** Where relayed bytes went through the gateway. */
  public enum Channel {
    TERMINAL,
    FILES,
    PREVIEW;

    String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Why the reaper removed a container. */
  public enum Reaped {
    IDLE,
    TTL;

    String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** What happened in the warm pool. */
  public enum PoolEvent {
    /** a create got a waiting container */
    CLAIMED,
    /** a create found none waiting and went cold */
    MISSED,
    /** a pool container failed to start, to be claimed, or turned unhealthy */
    FAILED;

    String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  static final String POOL = "cms_pool_events";
  static final String RELAYED = "cms_relayed_bytes";
  static final String UPLOAD_REFUSALS = "cms_upload_refusals";
  static final String REAPED = "cms_reaper_removals";
  static final String CREATE_TO_READY = "cms_container_create_to_ready_ms";

  @Inject MetricRegistry registry;

  private final Map<Channel, Counter> relayed = new EnumMap<>(Channel.class);
  private final Map<Rule, Counter> refusals = new EnumMap<>(Rule.class);
  private final Map<Reaped, Counter> reaped = new EnumMap<>(Reaped.class);
  private final Map<PoolEvent, Counter> pool = new EnumMap<>(PoolEvent.class);
  private Histogram createToReady;

  @PostConstruct
  void register() {
    Metadata bytes =
        Metadata.builder()
            .withName(RELAYED)
            .withDescription(
                "Bytes the gateway relayed between clients and containers, both ways, by channel")
            .build();
    for (Channel c : Channel.values()) {
      relayed.put(c, registry.counter(bytes, new Tag("channel", c.tag())));
    }
    Metadata refused =
        Metadata.builder()
            .withName(UPLOAD_REFUSALS)
            .withDescription("Uploads (files and zips, REST and WebSocket) refused, by rule")
            .build();
    for (Rule r : Rule.values()) {
      refusals.put(r, registry.counter(refused, new Tag("rule", r.wire())));
    }
    Metadata removals =
        Metadata.builder()
            .withName(REAPED)
            .withDescription(
                "Containers the reaper removed, by reason (idle timeout, time to live)")
            .build();
    for (Reaped r : Reaped.values()) {
      reaped.put(r, registry.counter(removals, new Tag("reason", r.tag())));
    }
    Metadata poolEvents =
        Metadata.builder()
            .withName(POOL)
            .withDescription("Warm-pool claims, misses (cold creates) and failures")
            .build();
    for (PoolEvent e : PoolEvent.values()) {
      pool.put(e, registry.counter(poolEvents, new Tag("event", e.tag())));
    }
    // a histogram of milliseconds, not a Timer: Payara's Prometheus text gives a Timer's quantiles
    // in nanoseconds beside a sum in seconds
    createToReady =
        registry.histogram(
            Metadata.builder()
                .withName(CREATE_TO_READY)
                .withDescription(
                    "From a create request to the container's agent connected (ready), in milliseconds")
                .build());
  }

  /** {@code n} bytes moved through {@code channel}. */
  public void relayed(Channel channel, long n) {
    if (n > 0) {
      relayed.get(channel).inc(n);
    }
  }

  /** An upload was refused for {@code rule} (a wire name; anything unknown counts as refused). */
  public void uploadRefused(String rule) {
    refusals.get(Rule.orRefused(rule)).inc();
  }

  /** The reaper removed a container. */
  public void reaped(Reaped why) {
    reaped.get(why).inc();
  }

  /** Something happened in the warm pool. */
  public void pool(PoolEvent e) {
    pool.get(e).inc();
  }

  /** A created container became ready this long after its create request. */
  public void createdToReady(Duration d) {
    createToReady.update(d.toMillis());
  }

  /** Registers a gauge under {@code name}, read each time {@code /metrics} is scraped. */
  public <T extends Number> void gauge(
      String name, String description, Supplier<T> value, Tag... tags) {
    registry.gauge(
        Metadata.builder().withName(name).withDescription(description).build(), value, tags);
  }
}
