package dev.cms.gateway.files.control;

import dev.cms.domain.files.FileOp;
import dev.cms.domain.files.FsWire;
import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.LengthPrefixed;
import dev.cms.domain.protocol.ProtocolException;
import dev.cms.domain.protocol.Stream;
import dev.cms.domain.protocol.StreamHandler;
import dev.cms.domain.protocol.StreamKind;
import dev.cms.domain.protocol.StreamRefusedException;
import dev.cms.gateway.agents.control.Agents;
import dev.cms.gateway.containers.control.ContainerStatusChanged;
import dev.cms.gateway.problems.ApiException;
import dev.cms.gateway.security.Secrets;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * File watches: each one an agent {@code file-watch} stream whose changes are fired as {@link
 * FileChanged} (the owner's event stream shows them as {@code file} events). A watch outlives its
 * agent link: when the link drops (a stop, a pause, a lost connection) it is inactive, and it is
 * opened again when the agent is back, announced by an {@code overflow} (changes meanwhile are not
 * known). It ends when deleted or with the container.
 *
 * <p>Bounds: {@value #MAX_PER_CONTAINER} watches per container; at most {@value #MAX_PER_SECOND}
 * changes a second per watch are passed on (the rest are counted into one {@code overflow}); every
 * path the agent reports must lie under the watched directory, a malformed message or a foreign
 * path resets the stream ({@code PROTOCOL}) and ends the watch.
 */
@ApplicationScoped
public class Watches {

  public static final int MAX_PER_CONTAINER = 8;
  public static final int MAX_PER_SECOND = 100;
  private static final long OPEN_TIMEOUT_S = 10;
  private static final Logger LOG = Logger.getLogger(Watches.class.getName());

  @Inject Agents agents;
  @Inject Event<FileChanged> changes;

  private final Map<String, Map<String, W>> byContainer = new ConcurrentHashMap<>();

  /** Starts watching {@code path}; answers once the agent watches it. */
  public WatchView start(String containerId, String path, boolean recursive) {
    Map<String, W> mine = byContainer.computeIfAbsent(containerId, k -> new ConcurrentHashMap<>());
    W w;
    synchronized (mine) {
      if (mine.size() >= MAX_PER_CONTAINER) {
        throw Refusals.problem(
            "too-many-watches",
            "at most " + MAX_PER_CONTAINER + " watches per container; delete one first");
      }
      w = new W("w-" + Secrets.id(8), containerId, trimmed(path), recursive);
      mine.put(w.id, w);
    }
    try {
      FsWire.Message first = open(w).get(OPEN_TIMEOUT_S + 20, TimeUnit.SECONDS);
      if (first instanceof FsWire.Failed f) {
        throw Refusals.problem(f.rule(), f.message());
      }
      return w.view();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof ApiException a) {
        throw forget(w, a);
      }
      if (cause instanceof StreamRefusedException r) {
        throw forget(w, Refusals.problem("refused", r.getMessage()));
      }
      throw forget(w, ApiException.unavailable("the agent could not be reached", cause));
    } catch (TimeoutException e) {
      throw forget(w, ApiException.unavailable("the agent did not start the watch in time", e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw forget(w, ApiException.unavailable("interrupted", e));
    } catch (ApiException a) {
      throw forget(w, a);
    }
  }

  /** The container's watches. */
  public List<WatchView> of(String containerId) {
    return byContainer.getOrDefault(containerId, Map.of()).values().stream()
        .map(W::view)
        .sorted(Comparator.comparing(WatchView::id))
        .toList();
  }

  /** Ends a watch. */
  public void stop(String containerId, String watchId) {
    Map<String, W> mine = byContainer.getOrDefault(containerId, Map.of());
    W w = mine.remove(watchId);
    if (w == null) {
      throw ApiException.notFound("no watch '" + watchId + "' on container " + containerId);
    }
    w.end();
  }

  private ApiException forget(W w, ApiException a) {
    byContainer.getOrDefault(w.containerId, Map.of()).remove(w.id);
    w.end();
    return a;
  }

  /** Opens the agent stream of a watch; completes with the agent's first message. */
  private CompletableFuture<FsWire.Message> open(W w) {
    Agents.Link link =
        agents
            .link(w.containerId)
            .orElseThrow(
                () ->
                    ApiException.unavailable(
                        "the agent of container " + w.containerId + " is not connected", null));
    Handler h = new Handler(w);
    link.mux()
        .open(StreamKind.FILE_WATCH, new FileOp.Watch(w.path, w.recursive).params(), h)
        .orTimeout(OPEN_TIMEOUT_S, TimeUnit.SECONDS)
        .whenComplete(
            (s, failure) -> {
              if (failure != null) {
                h.first.completeExceptionally(
                    failure instanceof java.util.concurrent.CompletionException
                        ? failure.getCause()
                        : failure);
              } else {
                w.attach(s);
              }
            });
    return h.first;
  }

  /** The agent is back: its inactive watches are opened again. */
  void onLink(@Observes Agents.LinkChanged change) {
    if (!change.connected()) {
      return;
    }
    for (W w : byContainer.getOrDefault(change.containerId(), Map.of()).values()) {
      if (!w.isActive()) {
        try {
          open(w)
              .whenComplete(
                  (first, failure) -> {
                    if (first instanceof FsWire.Done) {
                      fire(w, "overflow", null, w.path, 0);
                    } else {
                      LOG.info(
                          () ->
                              "watch "
                                  + w.id
                                  + " of "
                                  + w.containerId
                                  + " could not start again: "
                                  + (failure != null ? failure : first));
                      if (byContainer.getOrDefault(w.containerId, Map.of()).remove(w.id) != null) {
                        fire(w, "ended", null, w.path, 0);
                      }
                    }
                  });
        } catch (RuntimeException e) {
          LOG.log(Level.FINE, "reopening a watch", e);
        }
      }
    }
  }

  void onStatus(@Observes ContainerStatusChanged change) {
    if (change.status().isFinal() || change.status() == dev.cms.domain.ContainerStatus.TERMINATED) {
      Map<String, W> gone = byContainer.remove(change.containerId());
      if (gone != null) {
        for (W w : gone.values()) {
          w.end();
          fire(w, "ended", null, w.path, 0);
        }
      }
    }
  }

  private void fire(W w, String change, String type, String path, long dropped) {
    try {
      changes.fire(new FileChanged(w.containerId, w.id, change, type, path, dropped));
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "a file-change observer failed", e);
    }
  }

  private static String trimmed(String path) {
    String p = path.replaceAll("/+", "/");
    while (p.length() > 1 && p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p;
  }

  /** One watch. */
  private static final class W {
    final String id;
    final String containerId;
    final String path;
    final boolean recursive;
    volatile Stream stream;
    volatile int directories;
    volatile boolean truncated;
    volatile boolean ended;

    W(String id, String containerId, String path, boolean recursive) {
      this.id = id;
      this.containerId = containerId;
      this.path = path;
      this.recursive = recursive;
    }

    void attach(Stream s) {
      stream = s;
      if (ended) {
        s.reset(ErrorCode.CANCELLED, "watch deleted");
      }
    }

    boolean isActive() {
      Stream s = stream;
      return s != null && s.isOpen();
    }

    WatchView view() {
      return new WatchView(id, path, recursive, directories, truncated, isActive());
    }

    void end() {
      ended = true;
      Stream s = stream;
      if (s != null) {
        s.reset(ErrorCode.CANCELLED, "watch deleted");
      }
    }

    boolean under(String p) {
      return p.equals(path)
          || p.startsWith(path.equals("/") ? "/" : path + "/") && !p.contains("/../");
    }
  }

  /** The gateway's side of one watch stream. */
  private final class Handler implements StreamHandler {
    final W w;
    final CompletableFuture<FsWire.Message> first = new CompletableFuture<>();
    final LengthPrefixed<FsWire.Message> decoder = FsWire.decoder();
    long second;
    int inSecond;
    long dropped;

    Handler(W w) {
      this.w = w;
    }

    @Override
    public void onData(Stream s, byte[] data) {
      try {
        for (FsWire.Message m : decoder.feed(data)) {
          if (!first.isDone()) {
            if (m instanceof FsWire.Done d) {
              w.directories = d.count();
              w.truncated = d.truncated();
              first.complete(d);
              continue;
            }
            if (m instanceof FsWire.Failed f) {
              first.complete(f);
              s.reset(ErrorCode.CANCELLED, "refused");
              return;
            }
            throw new ProtocolException("a watch starts with Done or Failed");
          }
          if (m instanceof FsWire.Change c) {
            if (!w.under(c.path())) {
              throw new ProtocolException("a change outside the watched directory");
            }
            if (admit()) {
              fire(w, c.kind().apiName(), c.type().apiName(), c.path(), 0);
            }
          } else if (m instanceof FsWire.Overflow o) {
            if (admit()) {
              fire(w, "overflow", null, w.path, o.dropped());
            }
          } else {
            throw new ProtocolException("unexpected message on a watch");
          }
        }
      } catch (ProtocolException e) {
        LOG.warning(() -> "agent of " + w.containerId + " broke a watch: " + e.getMessage());
        first.complete(new FsWire.Failed("io-error", "the agent sent a malformed answer"));
        s.reset(ErrorCode.PROTOCOL, e.getMessage());
        if (byContainer.getOrDefault(w.containerId, Map.of()).remove(w.id) != null) {
          w.ended = true;
          fire(w, "ended", null, w.path, 0);
        }
      }
    }

    /** At most MAX_PER_SECOND a second; the rest are counted and reported as one overflow. */
    private boolean admit() {
      long now = System.currentTimeMillis() / 1000;
      if (now != second) {
        second = now;
        inSecond = 0;
        if (dropped > 0) {
          long lost = dropped;
          dropped = 0;
          inSecond++;
          fire(w, "overflow", null, w.path, lost);
        }
      }
      if (inSecond >= MAX_PER_SECOND) {
        dropped++;
        return false;
      }
      inSecond++;
      return true;
    }

    @Override
    public void onClose(Stream s) {
      first.complete(null);
      s.close();
      ended();
    }

    @Override
    public void onReset(Stream s, int code, String reason) {
      first.complete(new FsWire.Failed("io-error", "the watch was aborted: " + reason));
      if (code != ErrorCode.CANCELLED) {
        ended();
      } // a lost link (CANCELLED): the watch waits for the agent to come back
    }

    private void ended() {
      if (!w.ended && byContainer.getOrDefault(w.containerId, Map.of()).remove(w.id) != null) {
        w.ended = true;
        fire(w, "ended", null, w.path, 0);
      }
    }
  }
}
