package dev.cms.agent.files;

import dev.cms.domain.files.FileOp;
import dev.cms.domain.files.FsWire;
import dev.cms.domain.protocol.Frame;
import dev.cms.domain.protocol.Stream;
import dev.cms.domain.protocol.StreamHandler;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Stream kind {@code file-watch}: changes under a directory, from the JDK's {@link WatchService}
 * (inotify). Params {@code path} (a directory; the path rule applies), {@code recursive}. The agent
 * answers {@code Done(truncated, directories)} once watching (or {@code Failed}), then {@code
 * Change}s, coalesced for {@value #COALESCE_MS} ms (created then modified is created; created then
 * deleted is nothing), and an {@code Overflow} when more than {@value #MAX_PENDING} distinct paths
 * waited for the gateway or the kernel dropped events. Bounds: {@value #MAX_WATCHES} watches on the
 * agent at once, {@value #MAX_DIRS} directories per watch (a recursive watch skips {@code
 * node_modules} and {@code .git}, and says {@code truncated} when the bound cut its tree);
 * directories created later are watched as they appear, within the bound. The gateway's CLOSE or
 * RESET ends the watch. Registration runs on a worker with the user's file-system ids, so only
 * directories the user may read are watched.
 */
public final class Watches {
  static final int MAX_WATCHES = 8;
  static final int MAX_DIRS = 256;
  static final int MAX_PENDING = 1024;
  static final long COALESCE_MS = 100;
  private static final Set<String> SKIPPED = Set.of("node_modules", ".git");
  private static final Logger LOG = Logger.getLogger(Watches.class.getName());

  private final Executor workers;
  private final Map<WatchKey, Set<Watch>> byKey = new ConcurrentHashMap<>();
  private final Set<Watch> active = new CopyOnWriteArraySet<>();
  private WatchService service; // guarded by this; made on a worker, with the user's ids

  public Watches(Executor workers) {
    this.workers = workers;
  }

  /** Accepts a watch stream; its parameters are checked by the worker. */
  public StreamHandler accept(Frame.Open open) {
    return new Watch(open.params());
  }

  private synchronized WatchService service() throws IOException {
    if (service == null) {
      service = FileSystems.getDefault().newWatchService();
      WatchService ws = service;
      Thread t = new Thread(() -> poll(ws), "cms-file-watch");
      t.setDaemon(true);
      t.start();
    }
    return service;
  }

  private void poll(WatchService ws) {
    while (true) {
      WatchKey key;
      try {
        key = ws.take();
      } catch (InterruptedException | ClosedWatchServiceException e) {
        return;
      }
      Path dir = (Path) key.watchable();
      Set<Watch> watches = byKey.getOrDefault(key, Set.of());
      for (WatchEvent<?> ev : key.pollEvents()) {
        if (ev.kind() == StandardWatchEventKinds.OVERFLOW) {
          watches.forEach(w -> w.overflow());
          continue;
        }
        Path name = (Path) ev.context();
        String n = name.toString();
        if (n.contains(".cms-upload-") || n.startsWith(".cms-staging-")) {
          continue; // the agent's own temporary files of an upload
        }
        Path path = dir.resolve(name);
        FsWire.ChangeKind kind =
            ev.kind() == StandardWatchEventKinds.ENTRY_CREATE
                ? FsWire.ChangeKind.CREATED
                : ev.kind() == StandardWatchEventKinds.ENTRY_DELETE
                    ? FsWire.ChangeKind.DELETED
                    : FsWire.ChangeKind.MODIFIED;
        FsWire.FileType type = typeOf(path);
        for (Watch w : watches) {
          w.change(kind, type == null ? w.deletedType(path) : type, path);
          if (kind == FsWire.ChangeKind.CREATED && type == FsWire.FileType.DIR && w.recursive) {
            workers.execute(() -> w.registerTree(path));
          }
        }
      }
      if (!key.reset()) {
        Set<Watch> gone = byKey.remove(key);
        if (gone != null) {
          gone.forEach(w -> w.forget(key));
        }
      }
    }
  }

  private static FsWire.FileType typeOf(Path p) {
    try {
      BasicFileAttributes a =
          Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      return a.isSymbolicLink()
          ? FsWire.FileType.SYMLINK
          : a.isDirectory()
              ? FsWire.FileType.DIR
              : a.isRegularFile() ? FsWire.FileType.FILE : FsWire.FileType.OTHER;
    } catch (IOException e) {
      return null; // gone
    }
  }

  /** One watch stream. */
  private final class Watch implements StreamHandler {
    final Map<String, String> params;
    final Map<WatchKey, Path> dirs = new HashMap<>(); // guarded by this
    final LinkedHashMap<Path, FsWire.Change> pending = new LinkedHashMap<>(); // guarded by this
    long dropped; // guarded by this
    boolean kernelOverflow; // guarded by this
    boolean truncated; // guarded by this
    boolean recursive;
    volatile boolean ended;
    volatile Stream stream;

    Watch(Map<String, String> params) {
      this.params = params;
    }

    @Override
    public void onOpen(Stream s) {
      stream = s;
      workers.execute(this::run);
    }

    @Override
    public void onData(Stream s, byte[] data) {
      // nothing is expected from the gateway
    }

    @Override
    public void onClose(Stream s) {
      end();
      s.close();
    }

    @Override
    public void onReset(Stream s, int code, String reason) {
      end();
    }

    private void run() {
      Stream s = stream;
      try {
        Path root;
        try {
          FileOp.Watch op = FileOps.decode(() -> FileOp.Watch.of(params));
          root = Fs.checkPath("path", op.path());
          recursive = op.recursive();
          if (!Files.isDirectory(root)) {
            throw Files.exists(root)
                ? new Failure(Failure.NOT_A_DIRECTORY, root + " is not a directory")
                : new Failure(Failure.NOT_FOUND, root + " does not exist");
          }
          if (!Files.isReadable(root)) {
            throw new Failure(Failure.PERMISSION_DENIED, root + " cannot be read");
          }
          synchronized (Watches.this) {
            if (active.size() >= MAX_WATCHES) {
              throw new Failure(
                  Failure.TOO_MANY_WATCHES, "at most " + MAX_WATCHES + " watches at once");
            }
            active.add(this);
          }
          try {
            register(root);
          } catch (IOException e) {
            throw FileOps.of(e, root.toString());
          }
          if (recursive) {
            registerTree(root);
          }
        } catch (Failure f) {
          end();
          s.write(FsWire.encode(new FsWire.Failed(f.rule(), f.oneLine())));
          s.close();
          return;
        }
        int n;
        boolean cut;
        synchronized (this) {
          n = dirs.size();
          cut = truncated;
        }
        s.write(FsWire.encode(new FsWire.Done(cut, n)));
        send(s);
      } catch (IOException e) {
        LOG.log(Level.FINE, "{0} ended: {1}", new Object[] {s, e.toString()});
        end();
      } catch (RuntimeException | Error e) {
        LOG.log(Level.WARNING, s + " failed", e);
        end();
        s.reset(dev.cms.domain.protocol.ErrorCode.INTERNAL, "io-error: " + e);
      }
    }

    /** Sends the changes as they come, coalesced, until the watch ends. */
    private void send(Stream s) throws IOException {
      while (!ended) {
        List<FsWire.Change> batch;
        long lost;
        boolean kernel;
        synchronized (this) {
          while (!ended && pending.isEmpty() && dropped == 0 && !kernelOverflow) {
            try {
              wait();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              return;
            }
          }
        }
        try {
          Thread.sleep(COALESCE_MS); // what comes meanwhile joins this batch
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        synchronized (this) {
          batch = new ArrayList<>(pending.values());
          pending.clear();
          lost = dropped;
          kernel = kernelOverflow;
          dropped = 0;
          kernelOverflow = false;
        }
        if (ended) {
          return;
        }
        if (lost > 0 || kernel) {
          s.write(FsWire.encode(new FsWire.Overflow(lost)));
        }
        for (FsWire.Change c : batch) {
          s.write(FsWire.encode(c)); // waits for window; changes meanwhile coalesce in pending
        }
      }
    }

    synchronized void change(FsWire.ChangeKind kind, FsWire.FileType type, Path path) {
      if (ended) {
        return;
      }
      FsWire.Change before = pending.get(path);
      if (before == null && pending.size() >= MAX_PENDING) {
        dropped++;
        notifyAll();
        return;
      }
      if (before != null && before.kind() == FsWire.ChangeKind.CREATED) {
        if (kind == FsWire.ChangeKind.DELETED) {
          pending.remove(path); // came and went within the window
          return;
        }
        kind = FsWire.ChangeKind.CREATED;
      }
      pending.remove(path); // the latest change goes last
      pending.put(path, new FsWire.Change(kind, type, path.toString()));
      notifyAll();
    }

    synchronized void overflow() {
      kernelOverflow = true;
      notifyAll();
    }

    synchronized FsWire.FileType deletedType(Path path) {
      return dirs.containsValue(path) ? FsWire.FileType.DIR : FsWire.FileType.OTHER;
    }

    synchronized void forget(WatchKey key) {
      dirs.remove(key);
    }

    /** Watches {@code start} and the directories under it, links not followed, within bounds. */
    void registerTree(Path start) {
      try {
        Files.walkFileTree(
            start,
            new SimpleFileVisitor<>() {
              @Override
              public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes a) {
                if (ended) {
                  return FileVisitResult.TERMINATE;
                }
                if (!dir.equals(start) && SKIPPED.contains(String.valueOf(dir.getFileName()))) {
                  return FileVisitResult.SKIP_SUBTREE;
                }
                try {
                  if (!register(dir)) {
                    return FileVisitResult.TERMINATE;
                  }
                } catch (IOException e) {
                  return FileVisitResult.SKIP_SUBTREE; // unreadable: not watched
                }
                return FileVisitResult.CONTINUE;
              }

              @Override
              public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE;
              }
            });
      } catch (IOException e) {
        LOG.log(Level.FINE, "watching under " + start, e);
      }
    }

    /** Registers one directory; false when the bound is reached. */
    private boolean register(Path dir) throws IOException {
      synchronized (this) {
        if (ended) {
          return false;
        }
        if (dirs.containsValue(dir)) {
          return true;
        }
        if (dirs.size() >= MAX_DIRS) {
          truncated = true;
          return false;
        }
      }
      WatchKey key =
          dir.register(
              service(),
              StandardWatchEventKinds.ENTRY_CREATE,
              StandardWatchEventKinds.ENTRY_DELETE,
              StandardWatchEventKinds.ENTRY_MODIFY);
      byKey.computeIfAbsent(key, k -> new CopyOnWriteArraySet<>()).add(this);
      synchronized (this) {
        dirs.put(key, dir);
      }
      return true;
    }

    void end() {
      List<WatchKey> keys;
      synchronized (this) {
        if (ended) {
          return;
        }
        ended = true;
        keys = new ArrayList<>(dirs.keySet());
        dirs.clear();
        pending.clear();
        notifyAll();
      }
      active.remove(this);
      for (WatchKey k : keys) {
        Set<Watch> users = byKey.get(k);
        if (users != null) {
          users.remove(this);
          if (users.isEmpty() && byKey.remove(k, users)) {
            k.cancel();
          }
        }
      }
    }
  }
}
