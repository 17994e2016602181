package dev.cms.gateway.pool.control;

import dev.cms.domain.env.EnvWire;
import dev.cms.domain.kinds.KindParams;
import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.LengthPrefixed;
import dev.cms.domain.protocol.ProtocolException;
import dev.cms.domain.protocol.Stream;
import dev.cms.domain.protocol.StreamHandler;
import dev.cms.gateway.agents.control.Agents;
import dev.cms.gateway.config.Settings;
import dev.cms.gateway.containers.control.ContainerView;
import dev.cms.gateway.containers.control.PooledContainers;
import dev.cms.gateway.containers.control.WarmSupply;
import dev.cms.gateway.metrics.Meters;
import dev.cms.gateway.problems.ApiException;
import dev.cms.gateway.runtime.ContainerRuntime;
import dev.cms.gateway.templates.control.Templates;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.metrics.Tag;

/**
 * The warm pool: started containers per template, agents connected, waiting for a create to claim
 * one. See the package documentation for the whole behaviour.
 */
@ApplicationScoped
public class WarmPool implements WarmSupply {
  /** The {@code env} stream's open parameters: none (the variables travel as messages). */
  private static final KindParams.Env ENV = new KindParams.Env();

  /** At most this many pool containers start at once (the machine serves users meanwhile). */
  public static final int MAX_PARALLEL_FILLS = 2;

  /** How long a claim waits for the agent to acknowledge the environment. */
  static final Duration ENV_TIMEOUT = Duration.ofSeconds(5);

  static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(60);

  private static final Logger LOG = Logger.getLogger(WarmPool.class.getName());

  @Inject PooledContainers pooled;
  @Inject Agents agents;
  @Inject ContainerRuntime runtime;
  @Inject Settings settings;
  @Inject Meters meters;
  @Inject Templates templates;

  @Resource ManagedExecutorService executor;

  /** One template's pool: waiting containers (oldest first), those starting, its backoff. */
  private static final class Slot {
    final ConcurrentLinkedDeque<PooledContainers.Pooled> waiting = new ConcurrentLinkedDeque<>();
    final AtomicInteger starting = new AtomicInteger();
    volatile long notBeforeNanos;
    volatile Duration backoff = FIRST_BACKOFF;
    volatile String lastFailure;
  }

  private final Map<String, Slot> slots = new ConcurrentHashMap<>();
  private final AtomicInteger fills = new AtomicInteger();
  private final AtomicLong claims = new AtomicLong();
  private final AtomicLong misses = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private volatile boolean started;
  private volatile boolean stopping;

  @PostConstruct
  void registerGauges() {
    for (String t : templates()) {
      meters.gauge(
          "cms_pool_waiting",
          "Warm-pool containers started, agent connected, waiting for a create",
          () -> size(t),
          new Tag("template", t));
    }
    meters.gauge("cms_pool_target", "Warm-pool containers kept per template", this::target);
  }

  /** The templates the pool keeps containers of: all of them (each once its image is built). */
  Set<String> templates() {
    return templates.names();
  }

  private Slot slot(String template) {
    return slots.computeIfAbsent(template, t -> new Slot());
  }

  /** Containers waiting with a connected agent for {@code template}. */
  public int size(String template) {
    Slot s = slots.get(template);
    return s == null ? 0 : s.waiting.size();
  }

  /** Creates that got a pooled container. */
  public long claims() {
    return claims.get();
  }

  /** Creates that found the pool (on) empty, or whose claim failed, and were created cold. */
  public long misses() {
    return misses.get();
  }

  /** Pool containers that failed to start, or to be claimed, and were removed. */
  public long failures() {
    return failures.get();
  }

  /** The target size per template ({@code CMS_WARM_POOL_SIZE}). */
  public int target() {
    return settings.warmPoolSize();
  }

  /** The bound of pool containers of all templates together ({@code CMS_WARM_POOL_MAX}). */
  public int max() {
    return settings.warmPoolMax();
  }

  /** Pool containers of every template, waiting or starting. */
  public int total() {
    int n = 0;
    for (Slot s : slots.values()) {
      n += s.waiting.size() + s.starting.get();
    }
    return n;
  }

  /** What {@code GET /api/v1/pool} shows of one template. */
  public record TemplateView(
      String template, int target, int waiting, int starting, String lastFailure) {}

  /** Every template's state. */
  public List<TemplateView> view() {
    List<TemplateView> out = new ArrayList<>();
    for (String t : new java.util.TreeSet<>(templates())) {
      Slot s = slot(t);
      out.add(new TemplateView(t, target(), s.waiting.size(), s.starting.get(), s.lastFailure));
    }
    return out;
  }

  @Override
  public Optional<ContainerView> claim(String template, Claim claim) {
    if (target() == 0 || stopping) {
      return Optional.empty();
    }
    Slot s = slot(template);
    try {
      PooledContainers.Pooled p;
      while ((p = s.waiting.pollFirst()) != null) {
        if (agents.isConnected(p.id()) && pooled.waitingAndRunning(p.id())) {
          Optional<ContainerView> v = handOver(p, claim);
          if (v.isPresent()) {
            claims.incrementAndGet();
            meters.pool(Meters.PoolEvent.CLAIMED);
            return v;
          }
          break; // that claim failed: create cold rather than risk another slow failure
        }
        failures.incrementAndGet();
        meters.pool(Meters.PoolEvent.FAILED);
        discard(p, "unhealthy: its agent is not connected or it stopped");
      }
      misses.incrementAndGet();
      meters.pool(Meters.PoolEvent.MISSED);
      return Optional.empty();
    } finally {
      refill();
    }
  }

  private Optional<ContainerView> handOver(PooledContainers.Pooled p, Claim claim) {
    try {
      var l = claim.limits();
      if (l.memoryMb() != settings.defaultMemoryMb() || l.cpus() != settings.defaultCpus()) {
        runtime.updateLimits(p.engineId(), l.memoryMb(), l.cpus());
      }
      if (!claim.env().isEmpty()) {
        sendEnv(p.id(), claim.env());
      }
      return Optional.of(pooled.handOver(p.id(), claim));
    } catch (ApiException e) {
      if (e.status() != 429) {
        return failed(p, e);
      }
      // the owner's quota filled meanwhile: the container saw their environment, so it goes
      discard(p, "claim refused: " + e.getMessage());
      throw e;
    } catch (RuntimeException e) {
      return failed(p, e);
    }
  }

  private Optional<ContainerView> failed(PooledContainers.Pooled p, RuntimeException e) {
    LOG.log(Level.WARNING, "claiming pooled " + p.id() + " failed; creating cold", e);
    failures.incrementAndGet();
    meters.pool(Meters.PoolEvent.FAILED);
    discard(p, "claim failed: " + e.getMessage());
    return Optional.empty();
  }

  /** Hands the environment to the agent and waits (bounded) for its {@code Applied}. */
  private void sendEnv(String id, Map<String, String> env) {
    Agents.Link link =
        agents.link(id).orElseThrow(() -> new IllegalStateException("agent of " + id + " gone"));
    CompletableFuture<Integer> applied = new CompletableFuture<>();
    StreamHandler handler =
        new StreamHandler() {
          final LengthPrefixed<EnvWire.Message> decoder = EnvWire.decoder();

          @Override
          public void onData(Stream s, byte[] data) {
            try {
              for (EnvWire.Message m : decoder.feed(data)) {
                if (m instanceof EnvWire.Applied a) {
                  applied.complete(a.count());
                } else {
                  throw new ProtocolException("the agent sends no " + m);
                }
              }
            } catch (ProtocolException e) {
              applied.completeExceptionally(e);
              s.reset(ErrorCode.PROTOCOL, e.getMessage());
            }
          }

          @Override
          public void onClose(Stream s) {
            s.close();
            applied.completeExceptionally(new IllegalStateException("closed before Applied"));
          }

          @Override
          public void onReset(Stream s, int code, String reason) {
            applied.completeExceptionally(
                new IllegalStateException("the agent refused the environment: " + reason));
          }
        };
    long deadline = System.nanoTime() + ENV_TIMEOUT.toNanos();
    try {
      Stream s =
          link.mux()
              .open(ENV.kind(), ENV.params(), handler)
              .get(ENV_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      for (EnvWire.Message m : EnvWire.messages(env)) {
        byte[] b = EnvWire.encode(m);
        Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
        if (!s.write(b, 0, b.length, left)) {
          s.reset(ErrorCode.CANCELLED, "timed out");
          throw new IllegalStateException("the agent took no environment within " + ENV_TIMEOUT);
        }
      }
      int count = applied.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (count != env.size()) {
        throw new IllegalStateException("the agent applied " + count + " of " + env.size());
      }
    } catch (TimeoutException e) {
      throw new IllegalStateException("no acknowledgement of the environment in " + ENV_TIMEOUT);
    } catch (ExecutionException e) {
      throw new IllegalStateException("the env stream failed: " + e.getCause().getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    } catch (java.io.IOException e) {
      throw new IllegalStateException("the env stream failed: " + e.getMessage());
    }
  }

  private void discard(PooledContainers.Pooled p, String why) {
    try {
      pooled.remove(p.id(), "warm pool: " + why);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "could not remove pooled " + p.id() + " (housekeeping retries)", e);
    }
  }

  /**
   * Keeps the pool: at the first call (after the records were reconciled) removes what an earlier
   * run left; then drops unhealthy members and starts refills. Called by {@link PoolKeeper}.
   */
  public void maintain() {
    if (stopping || (started && target() == 0)) {
      return;
    }
    if (!started) {
      synchronized (this) {
        if (!started) {
          for (String id : pooled.records()) {
            LOG.info(() -> "removing warm-pool container " + id + " of an earlier run");
            pooled.remove(id, "warm pool: left by an earlier run of the gateway");
          }
          started = true;
        }
      }
    }
    for (Slot s : slots.values()) {
      for (PooledContainers.Pooled p : List.copyOf(s.waiting)) {
        if (!agents.isConnected(p.id()) || !pooled.waitingAndRunning(p.id())) {
          if (s.waiting.remove(p)) {
            LOG.warning(() -> "warm-pool container " + p.id() + " is unhealthy; replacing it");
            failures.incrementAndGet();
            meters.pool(Meters.PoolEvent.FAILED);
            discard(p, "unhealthy: its agent is not connected or it stopped");
          }
        }
      }
    }
    refill();
  }

  /** Starts fills up to the target of each template, within the bounds and the backoff. */
  synchronized void refill() {
    if (!started || stopping || target() == 0) {
      return;
    }
    for (String t : templates()) {
      if (templates.readyImage(t).isEmpty()) {
        continue; // still building (or failed): nothing to start yet
      }
      Slot s = slot(t);
      while (!stopping
          && s.waiting.size() + s.starting.get() < target()
          && total() < settings.warmPoolMax()
          && System.nanoTime() - s.notBeforeNanos >= 0) {
        int running = fills.get();
        if (running >= MAX_PARALLEL_FILLS) {
          return;
        }
        if (!fills.compareAndSet(running, running + 1)) {
          continue; // another thread started a fill meanwhile: look again
        }
        s.starting.incrementAndGet();
        try {
          executor.execute(() -> fill(t, s));
        } catch (RuntimeException e) {
          s.starting.decrementAndGet();
          fills.decrementAndGet();
          LOG.log(Level.WARNING, "cannot schedule a warm-pool fill", e);
          return;
        }
      }
    }
  }

  private void fill(String template, Slot s) {
    PooledContainers.Pooled p = null;
    try {
      String image =
          templates
              .readyImage(template)
              .orElseThrow(() -> new IllegalStateException("template " + template + " not ready"));
      p = pooled.create(template, image);
      boolean up =
          agents
              .whenConnected(p.id(), settings.readyTimeout())
              .get(settings.readyTimeout().toSeconds() + 5, TimeUnit.SECONDS);
      if (!up) {
        throw new IllegalStateException("its agent did not connect in " + settings.readyTimeout());
      }
      if (stopping) {
        discard(p, "the gateway is stopping");
      } else {
        s.waiting.addLast(p);
        s.backoff = FIRST_BACKOFF;
        s.lastFailure = null;
      }
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      failures.incrementAndGet();
      meters.pool(Meters.PoolEvent.FAILED);
      Duration wait = s.backoff;
      s.notBeforeNanos = System.nanoTime() + wait.toNanos();
      s.backoff =
          wait.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : wait.multipliedBy(2);
      s.lastFailure = String.valueOf(e.getMessage());
      LOG.warning(
          () ->
              "a warm-pool container of "
                  + template
                  + " failed to start (next try in "
                  + wait.toSeconds()
                  + " s): "
                  + e.getMessage());
      if (p != null) {
        discard(p, "failed to start: " + e.getMessage());
      }
    } finally {
      s.starting.decrementAndGet();
      fills.decrementAndGet();
    }
    refill();
  }

  /** How long a stopping gateway waits for the pool containers still starting. */
  static final Duration DRAIN_WAIT = Duration.ofSeconds(10);

  /**
   * Removes every pool container (the gateway stops): the waiting ones at once, then, after a
   * bounded wait for those still starting, every pool record left (a start cut short by the stop is
   * removed by the next start's clean-up).
   */
  public void drain() {
    stopping = true;
    int n = 0;
    for (Slot s : slots.values()) {
      PooledContainers.Pooled p;
      while ((p = s.waiting.pollFirst()) != null) {
        discard(p, "the gateway is stopping");
        n++;
      }
    }
    long deadline = System.nanoTime() + DRAIN_WAIT.toNanos();
    while (fills.get() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    for (String id : pooled.records()) {
      pooled.remove(id, "warm pool: the gateway is stopping");
      n++;
    }
    int removed = n;
    LOG.info(() -> "warm pool drained: " + removed + " containers removed");
  }
}
