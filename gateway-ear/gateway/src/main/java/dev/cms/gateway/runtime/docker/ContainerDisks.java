package dev.cms.gateway.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Mount;
import com.github.dockerjava.api.model.MountType;
import dev.cms.gateway.runtime.DiskLimitUnavailableException;
import dev.cms.gateway.runtime.RuntimeFailureException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Each container's disk: a sparse file {@code <data dir>/disks/<name>.img} of {@code CMS_DISK_MB}
 * MiB with an ext4 file system, loop-mounted on the host at {@code <data dir>/disks/<name>}, whose
 * subdirectories become named volumes (local driver, {@code type=none,o=bind}) at {@code /app},
 * {@code /home/node}, {@code /tmp} and {@code /var/tmp}. With a read-only root file system that is
 * everything the container can write besides small tmpfs mounts, so a full disk is ENOSPC inside
 * the container and nothing to the host.
 *
 * <p>Why this way: the engine here (overlay2 on ext4) supports neither {@code --storage-opt size}
 * nor loop devices in its local volume driver ({@code o=loop}), so the gateway, as root on the
 * engine's host, makes and mounts the file system itself. Named volumes (not bind mounts) make the
 * engine copy the image's content and ownership in on first use ({@code /home/node} keeps its dot
 * files, {@code /app} stays owned by {@code node}, {@code /tmp} keeps mode 1777).
 *
 * <p>Every step is idempotent, so a retry, a restarted gateway or a rebooted host (mounts gone,
 * files and volumes kept) finds its way; nothing outside {@code <data dir>/disks} is ever touched.
 */
final class ContainerDisks {
  private static final Logger LOG = Logger.getLogger(ContainerDisks.class.getName());
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
  private static final int OUTPUT_LIMIT = 4096;
  private static final List<Path> SYSTEM_BIN =
      List.of(Path.of("/usr/sbin"), Path.of("/sbin"), Path.of("/usr/bin"), Path.of("/bin"));

  /** Label on each volume, naming the container (disk) it belongs to. */
  static final String LABEL = "cms.disk";

  /** Directory of the disk (inside the mounted file system) → where it appears in the container. */
  static final Map<String, String> TARGETS =
      Map.of("app", "/app", "home", "/home/node", "tmp", "/tmp", "vartmp", "/var/tmp");

  private final DockerClient client;
  private final Path root;
  private final long diskMb;
  private final String dockerHost;
  private final Set<String> preparing = ConcurrentHashMap.newKeySet();
  private volatile Optional<String> unavailable;

  ContainerDisks(DockerClient client, Path dataDir, long diskMb, String dockerHost) {
    this.client = client;
    this.root = dataDir.resolve("disks").toAbsolutePath().normalize();
    this.diskMb = diskMb;
    this.dockerHost = dockerHost;
  }

  /** Whether containers get a disk limit ({@code CMS_DISK_MB} > 0). */
  boolean enabled() {
    return diskMb > 0;
  }

  /** Logs once, at start, what containers will get. */
  void logSetting() {
    if (!enabled()) {
      LOG.warning(
          "CMS_DISK_MB=0: containers are created WITHOUT a disk limit; one container can fill the"
              + " host's disk");
      return;
    }
    Optional<String> why = whyUnavailable();
    if (why.isPresent()) {
      LOG.warning(
          "disk limit of "
              + diskMb
              + " MiB per container is not possible here, container creation will fail: "
              + why.get());
    } else {
      LOG.info(
          () ->
              "each container gets a disk of "
                  + diskMb
                  + " MiB (sparse file and loop mount under "
                  + root
                  + "; read-only root file system)");
    }
  }

  /**
   * Makes the container's disk and volumes (or finds them made) and returns the mounts the
   * container is created with. Call {@link #created} once the container exists, or {@link #release}
   * when its creation failed.
   *
   * @throws DiskLimitUnavailableException when this host cannot give containers a disk limit
   * @throws RuntimeFailureException when making the disk failed
   */
  List<Mount> prepare(String name) {
    checkName(name);
    Optional<String> why = whyUnavailable();
    if (why.isPresent()) {
      throw new DiskLimitUnavailableException(
          "cannot give the container a disk limit of "
              + diskMb
              + " MiB: "
              + why.get()
              + ". Run the gateway as root on the engine's host with e2fsprogs and util-linux, or"
              + " set CMS_DISK_MB=0 to create containers without a disk limit",
          null);
    }
    preparing.add(name);
    try {
      Path image = image(name);
      if (!Files.exists(image, LinkOption.NOFOLLOW_LINKS)) {
        makeImage(name, image);
      }
      mount(name);
      List<Mount> mounts = new ArrayList<>();
      for (Map.Entry<String, String> t : TARGETS.entrySet()) {
        String volume = volume(name, t.getKey());
        ensureVolume(name, volume, mountPoint(name).resolve(t.getKey()));
        mounts.add(
            new Mount().withType(MountType.VOLUME).withSource(volume).withTarget(t.getValue()));
      }
      return mounts;
    } catch (IOException e) {
      preparing.remove(name);
      throw new RuntimeFailureException(
          "cannot prepare the disk of " + name + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      preparing.remove(name);
      throw e;
    }
  }

  /** The container of a prepared disk exists now: its disk is no longer exempt from sweeping. */
  void created(String name) {
    preparing.remove(name);
  }

  /**
   * Mounts the container's disk again if it has one that is not mounted (after a reboot of the
   * host); a container without a disk (made with {@code CMS_DISK_MB=0}) is left alone.
   */
  void ensureMounted(String name) {
    if (!NAME.matcher(name).matches() || !Files.exists(image(name), LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try {
      mount(name);
    } catch (IOException e) {
      throw new RuntimeFailureException(
          "cannot mount the disk of " + name + " again: " + e.getMessage(), e);
    }
  }

  /**
   * Removes the container's volumes, unmounts its disk and deletes the file: frees the space.
   * Idempotent; a container that has no disk is fine. Call after the container was removed.
   */
  void release(String name) {
    if (!NAME.matcher(name).matches()) {
      return;
    }
    preparing.remove(name);
    for (String dir : TARGETS.keySet()) {
      String volume = volume(name, dir);
      try {
        client.removeVolumeCmd(volume).exec();
      } catch (NotFoundException gone) {
        // the wanted state holds
      } catch (ConflictException inUse) {
        throw new RuntimeFailureException(
            "volume " + volume + " is still in use: " + inUse.getMessage(), inUse);
      }
    }
    Path mountPoint = mountPoint(name);
    try {
      if (isMounted(mountPoint)) {
        Result r = run("umount", mountPoint.toString());
        if (r.exit() != 0) {
          LOG.warning(
              () ->
                  "umount "
                      + mountPoint
                      + " failed ("
                      + r.output()
                      + "); detaching it lazily instead");
          Result lazy = run("umount", "-l", mountPoint.toString());
          if (lazy.exit() != 0) {
            throw new IOException("umount -l " + mountPoint + " failed: " + lazy.output());
          }
        }
      }
      if (!isMounted(mountPoint)) {
        Files.deleteIfExists(mountPoint); // an empty directory once unmounted
      }
      Files.deleteIfExists(image(name));
      Files.deleteIfExists(partial(name));
      LOG.fine(() -> "released the disk of " + name);
    } catch (IOException e) {
      throw new RuntimeFailureException(
          "cannot release the disk of " + name + ": " + e.getMessage(), e);
    }
  }

  /** Names of the containers that have a disk (file or mount point) under the disks directory. */
  List<String> names() {
    List<String> names = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      return names;
    }
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(root)) {
      for (Path p : dir) {
        String n = p.getFileName().toString();
        if (n.endsWith(".img.part")) {
          n = n.substring(0, n.length() - ".img.part".length());
        } else if (n.endsWith(".img")) {
          n = n.substring(0, n.length() - ".img".length());
        }
        if (NAME.matcher(n).matches() && !names.contains(n)) {
          names.add(n);
        }
      }
    } catch (IOException e) {
      LOG.log(Level.WARNING, "cannot list " + root, e);
    }
    return names;
  }

  /** The disks being prepared right now (their containers may not exist yet). */
  Set<String> preparing() {
    return Set.copyOf(preparing);
  }

  /** Whether the disk is being prepared right now (its container may not exist yet). */
  boolean isPreparing(String name) {
    return preparing.contains(name);
  }

  // --- the steps -------------------------------------------------------------------------------

  private void makeImage(String name, Path image) throws IOException {
    Files.createDirectories(root);
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
    Path part = partial(name);
    Files.deleteIfExists(part);
    try (RandomAccessFile f = new RandomAccessFile(part.toFile(), "rw")) {
      f.setLength(diskMb * 1024 * 1024); // sparse: costs nothing until written
    }
    // no blocks reserved for root; a small journal; tables and journal not zeroed (sparse stays
    // sparse; the kernel treats uninitialized inode tables as empty)
    Result r =
        run(
            "mkfs.ext4",
            "-q",
            "-F",
            "-m",
            "0",
            "-J",
            "size=4",
            "-E",
            "lazy_itable_init=1,lazy_journal_init=1,nodiscard",
            part.toString());
    if (r.exit() != 0) {
      Files.deleteIfExists(part);
      throw new IOException("mkfs.ext4 failed (exit " + r.exit() + "): " + r.output());
    }
    Files.move(part, image, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private void mount(String name) throws IOException {
    Path mountPoint = mountPoint(name);
    Files.createDirectories(mountPoint);
    if (!isMounted(mountPoint)) {
      // discard: space freed in the container is freed in the sparse file too; noinit_itable: no
      // background zeroing of the inode tables, which would allocate them in the file
      Result r =
          run(
              "mount",
              "-t",
              "ext4",
              "-o",
              "loop,discard,noinit_itable,nosuid,nodev",
              image(name).toString(),
              mountPoint.toString());
      if (r.exit() != 0) {
        throw new IOException(
            "mount of " + image(name) + " failed (exit " + r.exit() + "): " + r.output());
      }
    }
    for (String dir : TARGETS.keySet()) {
      Path d = mountPoint.resolve(dir);
      if (!Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectory(d); // empty: the engine copies the image's content in on first use
      }
    }
  }

  private void ensureVolume(String name, String volume, Path device) {
    try {
      client.inspectVolumeCmd(volume).exec();
      return;
    } catch (NotFoundException missing) {
      // create it
    }
    client
        .createVolumeCmd()
        .withName(volume)
        .withDriver("local")
        .withDriverOpts(Map.of("type", "none", "o", "bind", "device", device.toString()))
        .withLabels(Map.of(LABEL, name))
        .exec();
  }

  // --- what this host allows -------------------------------------------------------------------

  private Optional<String> whyUnavailable() {
    Optional<String> known = unavailable;
    if (known == null) {
      known = probe();
      unavailable = known;
    }
    return known;
  }

  private Optional<String> probe() {
    if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
      return Optional.of("loop mounts need Linux, this is " + System.getProperty("os.name"));
    }
    try {
      Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
      if (!Integer.valueOf(0).equals(uid)) {
        return Optional.of(
            "the gateway runs as uid "
                + uid
                + ", not root (it mounts a file system per container)");
      }
    } catch (IOException | RuntimeException e) {
      return Optional.of("cannot tell the gateway's user id: " + e);
    }
    if (!dockerHost.startsWith("unix://")) {
      return Optional.of(
          "the Docker engine is not local ("
              + dockerHost
              + "): its volumes cannot bind the gateway's mounts");
    }
    for (String command : List.of("mkfs.ext4", "mount", "umount")) {
      if (find(command).isEmpty()) {
        return Optional.of(command + " is not installed (needs e2fsprogs and util-linux)");
      }
    }
    if (!Files.exists(Path.of("/dev/loop-control"))) {
      return Optional.of("no loop devices (/dev/loop-control is missing)");
    }
    return Optional.empty();
  }

  private static Optional<Path> find(String command) {
    List<Path> dirs = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      for (String p : path.split(":")) {
        if (!p.isEmpty()) {
          dirs.add(Path.of(p));
        }
      }
    }
    dirs.addAll(SYSTEM_BIN);
    return dirs.stream().map(d -> d.resolve(command)).filter(Files::isExecutable).findFirst();
  }

  // --- names and paths -------------------------------------------------------------------------

  private static void checkName(String name) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("not a container name: " + name);
    }
  }

  static String volume(String name, String dir) {
    return name + "-" + dir;
  }

  private Path image(String name) {
    return inside(name + ".img");
  }

  private Path partial(String name) {
    return inside(name + ".img.part");
  }

  private Path mountPoint(String name) {
    return inside(name);
  }

  private Path inside(String file) {
    Path p = root.resolve(file).normalize();
    if (!p.getParent().equals(root)) {
      throw new IllegalArgumentException("outside the disks directory: " + file);
    }
    return p;
  }

  /** Whether {@code dir} is a mount point, by the kernel's own table. */
  static boolean isMounted(Path dir) throws IOException {
    String want = dir.toAbsolutePath().normalize().toString();
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
      String[] f = line.split(" ");
      if (f.length > 4 && unescape(f[4]).equals(want)) {
        return true;
      }
    }
    return false;
  }

  /** mountinfo writes space, tab, newline and backslash as octal escapes ({@code \040}). */
  static String unescape(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
        out.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  // --- external commands -----------------------------------------------------------------------

  record Result(int exit, String output) {}

  /** Runs a command with a bounded wait, its output (stdout and stderr) kept up to a few KiB. */
  static Result run(String... command) throws IOException {
    Path exe = find(command[0]).orElseThrow(() -> new IOException(command[0] + " not found"));
    List<String> cmd = new ArrayList<>(List.of(command));
    cmd.set(0, exe.toString());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().close();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Thread reader =
        new Thread(
            () -> {
              byte[] buf = new byte[4096];
              try (InputStream in = p.getInputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                  synchronized (out) {
                    int keep = Math.min(n, OUTPUT_LIMIT - out.size());
                    if (keep > 0) {
                      out.write(buf, 0, keep);
                    }
                  }
                }
              } catch (IOException e) {
                // the process ended
              }
            },
            "cms-disk-command");
    reader.setDaemon(true);
    reader.start();
    try {
      if (!p.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(
            String.join(" ", command) + " did not finish in " + COMMAND_TIMEOUT.toSeconds() + " s");
      }
      reader.join(1000);
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running " + command[0], e);
    }
    String text;
    synchronized (out) {
      text = out.toString(StandardCharsets.UTF_8).strip().replace('\n', ' ');
    }
    return new Result(p.exitValue(), text);
  }
}
