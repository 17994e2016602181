package dev.cms.gateway.preview.control;

import dev.cms.domain.ContainerStatus;
import dev.cms.gateway.config.Settings;
import dev.cms.gateway.containers.control.ContainerStatusChanged;
import dev.cms.gateway.containers.control.Containers;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Decides on preview requests: which are previews, which are admitted (right secret, container
 * RUNNING), and where their bytes go (the container's agent link). Counts preview traffic as
 * container activity, at most once per 5 s per container.
 */
@ApplicationScoped
public class PreviewProxy {

  private static final Logger LOG = Logger.getLogger(PreviewProxy.class.getName());
  private static final long ACTIVITY_EVERY_MS = 5_000;
  private static final long STATUS_CACHE_MS = 2_000;

  @Inject PreviewUrls urls;
  @Inject Containers containers;
  @Inject Settings settings;

  @Inject
  @ConfigProperty(name = "cms.preview.rewrite.host", defaultValue = "false")
  boolean rewriteHost;

  @Resource(lookup = "java:comp/DefaultManagedThreadFactory")
  ManagedThreadFactory managedThreads;

  private final Map<String, Long> lastActivity = new ConcurrentHashMap<>();
  private final Map<String, Cached> statuses = new ConcurrentHashMap<>();

  /** A deleted container's cached status and activity go with it. */
  void onStatus(@Observes ContainerStatusChanged change) {
    if (change.status().isFinal()) {
      statuses.remove(change.containerId());
      lastActivity.remove(change.containerId());
    }
  }

  private record Cached(ContainerStatus status, long at) {}

  /** The preview a request is for, or empty when it is one of the gateway's own. */
  public Optional<PreviewAddress> route(String host, String rawPath, String query) {
    return PreviewAddress.parse(host, rawPath, query, urls.domain());
  }

  /**
   * Whether the preview may be served: well formed, the right secret, the container RUNNING. The
   * caller answers a plain 404 otherwise, whatever the reason.
   */
  public boolean admits(PreviewAddress a) {
    if (!a.valid() || !PreviewAddress.CONTAINER_ID.matcher(a.containerId()).matches()) {
      return false;
    }
    if (!urls.matches(a.containerId(), a.port(), a.secret())) {
      return false;
    }
    return statusOf(a.containerId()) == ContainerStatus.RUNNING;
  }

  /** Records preview traffic as activity, at most once per 5 s per container. */
  public void touch(String containerId) {
    long now = System.currentTimeMillis();
    boolean[] due = {false};
    lastActivity.compute(
        containerId,
        (k, last) -> {
          if (last == null || now - last >= ACTIVITY_EVERY_MS) {
            due[0] = true;
            return now;
          }
          return last;
        });
    if (due[0]) {
      try {
        containers.activity(containerId);
      } catch (RuntimeException e) {
        LOG.log(Level.FINE, "could not record preview activity of " + containerId, e);
      }
    }
    if (lastActivity.size() > 10_000) {
      lastActivity.entrySet().removeIf(e -> now - e.getValue() > 60_000);
    }
  }

  /** The {@code Host} to send to the app, or {@code null} to keep the client's. */
  public String hostFor(int port) {
    return rewriteHost ? "localhost:" + port : null;
  }

  private volatile java.util.concurrent.ExecutorService pool;
  private volatile BoundedThreads bounded;

  /**
   * Runs preview exchanges on reused threads (made by {@link #threads()}): starting a managed
   * thread per request was the largest cost per preview request. Bounded with {@link #threads()}:
   * when every relay thread is busy, {@code execute} throws {@link
   * java.util.concurrent.RejectedExecutionException} (the filter answers 503).
   */
  public java.util.concurrent.Executor executor() {
    java.util.concurrent.ExecutorService p = pool;
    if (p == null) {
      synchronized (this) {
        if (pool == null) {
          BoundedThreads t = threads();
          pool =
              new java.util.concurrent.ThreadPoolExecutor(
                  0,
                  t.max(),
                  30,
                  java.util.concurrent.TimeUnit.SECONDS,
                  new java.util.concurrent.SynchronousQueue<>(),
                  t);
        }
        p = pool;
      }
    }
    return p;
  }

  @jakarta.annotation.PreDestroy
  void shutdown() {
    if (pool != null) {
      pool.shutdownNow();
    }
  }

  /**
   * Threads for relays: managed threads, never the 200-thread default executor; at most {@code
   * CMS_MAX_PREVIEW_THREADS} of them in all (exchanges, uploads, both directions of tunnels).
   */
  public BoundedThreads threads() {
    BoundedThreads b = bounded;
    if (b == null) {
      synchronized (this) {
        if (bounded == null) {
          ManagedThreadFactory f = managedThreads;
          ThreadFactory base =
              f != null
                  ? f
                  : r -> {
                    Thread t = new Thread(r);
                    t.setDaemon(true);
                    return t;
                  };
          bounded = new BoundedThreads(base, settings.maxPreviewThreads());
        }
        b = bounded;
      }
    }
    return b;
  }

  private ContainerStatus statusOf(String id) {
    long now = System.currentTimeMillis();
    Cached c = statuses.get(id);
    if (c != null && now - c.at() < STATUS_CACHE_MS) {
      return c.status();
    }
    ContainerStatus s;
    try {
      s = containers.statusOf(id);
    } catch (RuntimeException e) {
      s = ContainerStatus.DELETED; // unknown: treated like a removed one
    }
    statuses.put(id, new Cached(s, now));
    if (statuses.size() > 10_000) {
      statuses.entrySet().removeIf(e -> now - e.getValue().at() > STATUS_CACHE_MS);
    }
    return s;
  }
}
