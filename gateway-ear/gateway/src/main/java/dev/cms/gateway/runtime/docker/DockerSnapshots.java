package dev.cms.gateway.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.cms.gateway.runtime.RuntimeFailureException;
import dev.cms.gateway.runtime.RuntimeSnapshot;
import dev.cms.gateway.runtime.SnapshotSpec;
import dev.cms.gateway.runtime.SnapshotTooLargeException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Snapshots on Docker: {@code docker commit} of the container (tagged {@code cms-snapshot:<snapshot
 * id>}) plus, for each writable path the container has on a volume of its disk ({@link
 * ContainerDisks#TARGETS}), a tar of that path's content taken through the engine's archive API
 * into {@code <data dir>/snapshots/<snapshot id>/<dir>.tar}. A commit never includes volumes, and
 * with a read-only root file system every file the user wrote is on one.
 *
 * <p>Why the archive API and a file, not a volume copy: the engine reads through the container's
 * mounts (also of a stopped container), keeps owner, mode and links in the tar, and writes it back
 * into a created, not yet started container's volumes the same way; nothing depends on the disks
 * being loop mounts on this host, and a tar file is what a second runtime (Kubernetes) can restore
 * too. The archive takes no more room than the files (a disk of {@code CMS_DISK_MB} bounds it) and
 * is deleted with the snapshot.
 */
final class DockerSnapshots {
  private static final Logger LOG = Logger.getLogger(DockerSnapshots.class.getName());

  /** Repository of snapshot images; the tag is the snapshot id. */
  static final String REPOSITORY = "cms-snapshot";

  /** Label on each snapshot image naming its snapshot. */
  static final String LABEL = "cms.snapshot";

  private static final Pattern ID = Pattern.compile("s-[a-z0-9]{4,40}");
  private static final String PART = ".part";

  private final DockerClient client;
  private final Path root;

  DockerSnapshots(DockerClient client, Path dataDir) {
    this.client = client;
    this.root = dataDir.resolve("snapshots").toAbsolutePath().normalize();
  }

  /**
   * Commits the container and archives its volumes; the caller has frozen it (or it is stopped). On
   * failure nothing of the snapshot is left.
   */
  RuntimeSnapshot capture(String engineId, SnapshotSpec spec) {
    String id = checkId(spec.snapshotId());
    InspectContainerResponse c = client.inspectContainerCmd(engineId).exec();
    Path dir = dir(id);
    String imageId = null;
    try {
      Map<String, String> labels = new HashMap<>(spec.labels());
      labels.put(LABEL, id);
      List<String> scrubbed = new ArrayList<>();
      String[] env = c.getConfig().getEnv() == null ? new String[0] : c.getConfig().getEnv();
      for (String e : env) {
        String name = e.contains("=") ? e.substring(0, e.indexOf('=')) : e;
        if (spec.dropEnv().contains(name)) {
          scrubbed.add(name + "="); // the commit keeps the container's value unless overridden
        }
      }
      imageId =
          client
              .commitCmd(engineId)
              .withRepository(REPOSITORY)
              .withTag(id)
              .withPause(false) // frozen by the caller, for the archives as well
              .withLabels(labels)
              .withEnv(scrubbed.toArray(String[]::new))
              .exec();
      long imageBytes = layerBytes(imageId, c.getImageId());
      if (imageBytes > spec.maxBytes()) {
        throw tooLarge(imageBytes, spec.maxBytes());
      }
      long budget = spec.maxBytes() - imageBytes;
      long archived = 0;
      boolean anyArchive = false;
      Set<String> mounted = new HashSet<>();
      if (c.getMounts() != null) {
        for (var m : c.getMounts()) {
          if (m.getDestination() != null) {
            mounted.add(m.getDestination().getPath());
          }
        }
      }
      for (Map.Entry<String, String> t : ContainerDisks.TARGETS.entrySet()) {
        if (!mounted.contains(t.getValue())) {
          continue; // not on a volume: the commit has it
        }
        if (!anyArchive) {
          createPrivate(dir);
          anyArchive = true;
        }
        archived += archive(engineId, t.getValue(), dir.resolve(t.getKey() + ".tar"), budget);
        budget = spec.maxBytes() - imageBytes - archived;
      }
      return new RuntimeSnapshot(
          id,
          REPOSITORY + ":" + id,
          imageId,
          anyArchive ? dir.toString() : null,
          imageBytes,
          archived);
    } catch (IOException e) {
      cleanUp(id, imageId);
      throw new RuntimeFailureException(
          "cannot store the workspace of snapshot " + id + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      cleanUp(id, imageId);
      throw e;
    }
  }

  /** Writes the snapshot's workspace archives into a created container, before its start. */
  void restore(String engineId, RuntimeSnapshot from) {
    if (from.workspace() == null) {
      return;
    }
    Path dir = dir(checkId(from.snapshotId()));
    for (Map.Entry<String, String> t : ContainerDisks.TARGETS.entrySet()) {
      Path tar = dir.resolve(t.getKey() + ".tar");
      if (!Files.isRegularFile(tar)) {
        continue;
      }
      try (InputStream in = Files.newInputStream(tar)) {
        client
            .copyArchiveToContainerCmd(engineId)
            .withRemotePath(t.getValue())
            .withTarInputStream(in)
            .exec();
      } catch (IOException e) {
        throw new RuntimeFailureException(
            "cannot read the workspace of snapshot " + from.snapshotId() + ": " + e.getMessage(),
            e);
      }
    }
  }

  /**
   * Removes the snapshot's tag and archive; its image goes too unless a container made from it
   * still exists (then it stays, untagged, until {@link #ids} finds it again with no record).
   */
  void remove(String snapshotId) {
    if (!ID.matcher(snapshotId).matches()) {
      return;
    }
    String ref = REPOSITORY + ":" + snapshotId;
    try {
      client.removeImageCmd(ref).withForce(false).exec();
    } catch (NotFoundException gone) {
      // the wanted state holds
    } catch (ConflictException inUse) {
      // a fork runs on it: only the name goes now, the layers when the fork is gone
      try {
        client.removeImageCmd(ref).withForce(true).exec();
      } catch (NotFoundException gone) {
        // the wanted state holds
      }
    }
    for (var image :
        client
            .listImagesCmd()
            .withShowAll(true)
            .withLabelFilter(Map.of(LABEL, snapshotId))
            .exec()) {
      try {
        client.removeImageCmd(image.getId()).withForce(false).exec();
      } catch (NotFoundException gone) {
        // the wanted state holds
      } catch (ConflictException inUse) {
        LOG.fine(() -> "image of snapshot " + snapshotId + " stays while a fork uses it");
      }
    }
    deleteTree(dir(snapshotId));
  }

  /** Snapshot ids of images carrying these labels and of archives under the data dir. */
  Set<String> ids(Map<String, String> labels) {
    Set<String> ids = new HashSet<>();
    for (var image : client.listImagesCmd().withShowAll(true).withLabelFilter(labels).exec()) {
      String id = image.getLabels() == null ? null : image.getLabels().get(LABEL);
      if (id != null && ID.matcher(id).matches()) {
        ids.add(id);
      }
    }
    if (Files.isDirectory(root)) {
      try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
        for (Path p : dirs) {
          String id = p.getFileName().toString();
          if (ID.matcher(id).matches()) {
            ids.add(id);
          }
        }
      } catch (IOException e) {
        LOG.log(Level.WARNING, "cannot list " + root, e);
      }
    }
    return ids;
  }

  // --- the steps -------------------------------------------------------------------------------

  /** The tar of {@code path}'s content (entries relative to it), at most {@code budget} bytes. */
  private long archive(String engineId, String path, Path file, long budget) throws IOException {
    Path part = file.resolveSibling(file.getFileName() + PART);
    long written = 0;
    try (InputStream in = client.copyArchiveFromContainerCmd(engineId, path + "/.").exec();
        OutputStream out = Files.newOutputStream(part)) {
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) >= 0) {
        written += n;
        if (written > budget) {
          throw tooLarge(written, budget);
        }
        out.write(buf, 0, n);
      }
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(part);
      throw e;
    }
    Files.move(part, file, StandardCopyOption.ATOMIC_MOVE);
    return written;
  }

  /** What the committed image adds to the container's own image. */
  private long layerBytes(String imageId, String parentImageId) {
    Long size = client.inspectImageCmd(imageId).exec().getSize();
    Long parent = null;
    try {
      parent =
          parentImageId == null ? null : client.inspectImageCmd(parentImageId).exec().getSize();
    } catch (NotFoundException gone) {
      // the base is gone: count the whole image
    }
    long s = size == null ? 0 : size;
    return Math.max(0, s - (parent == null ? 0 : parent));
  }

  private static SnapshotTooLargeException tooLarge(long bytes, long max) {
    return new SnapshotTooLargeException(
        "the snapshot would take more than "
            + Math.max(0, max)
            + " bytes (at least "
            + bytes
            + "); free some space in the container first");
  }

  private void cleanUp(String id, String imageId) {
    try {
      if (imageId != null) {
        remove(id);
      } else {
        deleteTree(dir(id));
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "could not clean up the failed snapshot " + id + " (swept later)", e);
    }
  }

  private void createPrivate(Path dir) throws IOException {
    Files.createDirectories(root);
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
    Files.createDirectories(dir);
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new RuntimeFailureException("cannot delete " + dir + ": " + e.getMessage(), e);
    }
  }

  private Path dir(String id) {
    Path p = root.resolve(checkId(id)).normalize();
    if (!p.getParent().equals(root)) {
      throw new IllegalArgumentException("outside the snapshots directory: " + id);
    }
    return p;
  }

  private static String checkId(String id) {
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException("not a snapshot id: " + id);
    }
    return id;
  }
}
