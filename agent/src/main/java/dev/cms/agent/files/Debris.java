package dev.cms.agent.files;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Removes what uploads of an earlier agent left behind: an agent killed mid-upload (the container
 * restarted, OOM) never ran its clean-up, so its temp files ({@code .<name>.cms-upload-<16 hex>},
 * next to the target) and staging directories ({@code .cms-staging-<digits>}, inside the
 * destination) would stay forever.
 *
 * <p>Uploads go anywhere the agent may write, so the sweep covers what is findable at a bounded
 * cost: the workspace, the home directory and the temp directory, to a limited depth, visiting a
 * limited number of entries in a limited time, not descending into {@code node_modules} or {@code
 * .git} (huge, and no upload target in practice), never following links. Only entries older than
 * this agent's start are removed, so uploads of this agent (which start once its link is up) are
 * never touched; names must match exactly what {@link FileWrite} and {@link ArchiveExtract} make,
 * so a user's file that merely contains the marker stays.
 */
public final class Debris {

  private static final Logger LOG = Logger.getLogger(Debris.class.getName());

  /** A temp file of {@link FileWrite}: {@code .<name>.cms-upload-<16 hex digits>}. */
  static final Pattern UPLOAD =
      Pattern.compile("\\..*" + Pattern.quote(FileWrite.TEMP_MARK) + "[0-9a-f]{16}");

  /** A staging directory of {@link ArchiveExtract} ({@code Files.createTempDirectory} digits). */
  static final Pattern STAGING =
      Pattern.compile(Pattern.quote(ArchiveExtract.STAGING_PREFIX) + "[0-9]+");

  private static final Set<String> SKIPPED = Set.of("node_modules", ".git");

  /** Most removals logged one by one; the rest only counted. */
  private static final int LOGGED = 50;

  /**
   * How far a sweep goes.
   *
   * @param maxDepth directory levels below each root
   * @param maxVisited entries looked at in all, over every root
   * @param maxTime wall time for the whole sweep
   */
  public record Limits(int maxDepth, int maxVisited, Duration maxTime) {
    /** Enough for a workspace with a few projects, cheap on an empty one. */
    public static final Limits DEFAULT = new Limits(12, 200_000, Duration.ofSeconds(30));
  }

  /**
   * What a sweep did.
   *
   * @param removed the temp files and staging directories removed
   * @param visited the entries looked at
   * @param complete whether every root was walked within the limits of count and time
   */
  public record Result(List<Path> removed, int visited, boolean complete) {
    public Result {
      removed = List.copyOf(removed);
    }
  }

  private Debris() {}

  /**
   * Sweeps on a daemon thread and logs what it removed, so that the agent's dial-back is not
   * delayed by the walk.
   */
  public static Thread sweepInBackground(List<Path> roots, Instant olderThan) {
    Thread t =
        new Thread(
            () -> {
              Result r = sweep(roots, olderThan, Limits.DEFAULT);
              LOG.info(
                  "debris sweep of "
                      + roots
                      + ": removed "
                      + r.removed().size()
                      + " upload leftovers, looked at "
                      + r.visited()
                      + " entries"
                      + (r.complete() ? "" : " (stopped at the sweep's limits)"));
            },
            "agent-debris-sweep");
    t.setDaemon(true);
    t.setPriority(Thread.MIN_PRIORITY);
    t.start();
    return t;
  }

  /**
   * Removes the upload leftovers under {@code roots} older than {@code olderThan}.
   *
   * @param roots directories to walk (missing ones, and roots inside another root, are skipped)
   */
  public static Result sweep(List<Path> roots, Instant olderThan, Limits limits) {
    long deadline = System.nanoTime() + limits.maxTime().toNanos();
    Walker w = new Walker(olderThan, limits.maxVisited(), deadline);
    for (Path root : distinct(roots)) {
      if (!Files.isDirectory(root) || w.stopped) {
        continue;
      }
      try {
        Files.walkFileTree(
            root, EnumSet.noneOf(java.nio.file.FileVisitOption.class), limits.maxDepth(), w);
      } catch (IOException e) {
        LOG.fine(() -> "debris sweep of " + root + ": " + e);
      }
    }
    return new Result(w.removed, w.visited, !w.stopped);
  }

  /** Normalized, absolute, without roots that lie inside another root. */
  private static List<Path> distinct(List<Path> roots) {
    Set<Path> all = new LinkedHashSet<>();
    for (Path r : roots) {
      if (r != null) {
        all.add(r.toAbsolutePath().normalize());
      }
    }
    List<Path> out = new ArrayList<>();
    for (Path r : all) {
      boolean inside = false;
      for (Path other : all) {
        if (!other.equals(r) && r.startsWith(other)) {
          inside = true;
          break;
        }
      }
      if (!inside) {
        out.add(r);
      }
    }
    return out;
  }

  private static final class Walker extends SimpleFileVisitor<Path> {
    private final Instant olderThan;
    private final int maxVisited;
    private final long deadline;
    final List<Path> removed = new ArrayList<>();
    int visited;
    boolean stopped;

    Walker(Instant olderThan, int maxVisited, long deadline) {
      this.olderThan = olderThan;
      this.maxVisited = maxVisited;
      this.deadline = deadline;
    }

    @Override
    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes a) {
      if (overBudget()) {
        return FileVisitResult.TERMINATE;
      }
      String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
      if (STAGING.matcher(name).matches() && old(a)) {
        Fs.deleteQuietly(dir);
        removed(dir);
        return FileVisitResult.SKIP_SUBTREE;
      }
      return SKIPPED.contains(name) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
    }

    @Override
    public FileVisitResult visitFile(Path file, BasicFileAttributes a) {
      if (overBudget()) {
        return FileVisitResult.TERMINATE;
      }
      if (a.isRegularFile() && UPLOAD.matcher(file.getFileName().toString()).matches() && old(a)) {
        try {
          if (Files.deleteIfExists(file)) {
            removed(file);
          }
        } catch (IOException e) {
          LOG.fine(() -> "debris sweep: cannot delete " + file + ": " + e);
        }
      }
      return FileVisitResult.CONTINUE;
    }

    @Override
    public FileVisitResult visitFileFailed(Path file, IOException e) {
      return FileVisitResult.CONTINUE; // unreadable (not ours) or gone meanwhile
    }

    private boolean old(BasicFileAttributes a) {
      return a.lastModifiedTime().toInstant().isBefore(olderThan);
    }

    private void removed(Path p) {
      removed.add(p);
      if (removed.size() <= LOGGED) {
        LOG.info("debris sweep: removed " + p + ", left by an interrupted upload");
      }
    }

    private boolean overBudget() {
      if (++visited > maxVisited || System.nanoTime() > deadline) {
        stopped = true;
      }
      return stopped;
    }
  }
}
