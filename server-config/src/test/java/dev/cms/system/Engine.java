package dev.cms.system;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import java.util.Map;
import java.util.Optional;

/** Direct access to the Docker engine, to check what the gateway did and to act behind its back. */
public final class Engine {

  private static final DockerClient CLIENT = client();

  private Engine() {}

  private static DockerClient client() {
    var config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
    var http =
        new ApacheDockerHttpClient.Builder()
            .dockerHost(config.getDockerHost())
            .sslConfig(config.getSSLConfig())
            .build();
    return DockerClientImpl.getInstance(config, http);
  }

  public static DockerClient docker() {
    return CLIENT;
  }

  /** The engine's view of the container of a record, or empty when the engine has none. */
  public static Optional<InspectContainerResponse> byRecord(String recordId) {
    var found =
        CLIENT
            .listContainersCmd()
            .withShowAll(true)
            .withLabelFilter(Map.of("cms.record", recordId))
            .exec();
    if (found.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(CLIENT.inspectContainerCmd(found.get(0).getId()).exec());
    } catch (NotFoundException e) {
      return Optional.empty();
    }
  }

  public static String engineId(String recordId) {
    return byRecord(recordId)
        .orElseThrow(() -> new AssertionError("no engine container for " + recordId))
        .getId();
  }

  static void removeAllLabelled(String label, String value) {
    try {
      for (var c :
          CLIENT
              .listContainersCmd()
              .withShowAll(true)
              .withLabelFilter(Map.of(label, value))
              .exec()) {
        try {
          CLIENT.removeContainerCmd(c.getId()).withForce(true).exec();
        } catch (RuntimeException ignored) {
          // already gone
        }
      }
    } catch (RuntimeException ignored) {
      // engine unreachable: nothing to clean
    }
  }

  /**
   * Frees the container disks a stopped gateway left under {@code dataDir/disks} (containers
   * removed behind its back, as {@link #removeAllLabelled} does, keep theirs): their volumes,
   * mounts, files.
   */
  static void releaseDisks(java.nio.file.Path dataDir) {
    java.nio.file.Path disks = dataDir.resolve("disks");
    if (!java.nio.file.Files.isDirectory(disks)) {
      return;
    }
    try (var all = java.nio.file.Files.list(disks)) {
      for (java.nio.file.Path p : all.toList()) {
        String name = p.getFileName().toString();
        if (!java.nio.file.Files.isDirectory(p)) {
          continue;
        }
        for (String dir : java.util.List.of("app", "home", "tmp", "vartmp")) {
          try {
            CLIENT.removeVolumeCmd(name + "-" + dir).exec();
          } catch (RuntimeException ignored) {
            // gone or never made
          }
        }
        new ProcessBuilder("umount", p.toString()).inheritIO().start().waitFor();
        java.nio.file.Files.deleteIfExists(p);
        java.nio.file.Files.deleteIfExists(disks.resolve(name + ".img"));
      }
    } catch (java.io.IOException | RuntimeException e) {
      System.err.println("cannot release the disks under " + disks + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The content of one file of the record's container, copied out by the engine (works while the
   * container is paused, when nothing can run in it).
   */
  public static String readFile(String recordId, String path) throws java.io.IOException {
    try (java.io.InputStream tar =
            CLIENT.copyArchiveFromContainerCmd(engineId(recordId), path).exec();
        var in = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(tar)) {
      if (in.getNextEntry() == null) {
        throw new java.io.IOException("no file " + path);
      }
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  /** Runs a command in the record's container as {@code node} and returns its standard output. */
  public static String exec(String recordId, String... cmd) throws InterruptedException {
    return execAs("node", recordId, cmd);
  }

  /**
   * Runs a command in the record's container as root, from the engine's side (what code in the
   * container cannot do), and returns its standard output.
   */
  public static String execAsRoot(String recordId, String... cmd) throws InterruptedException {
    return execAs("0", recordId, cmd);
  }

  private static String execAs(String user, String recordId, String... cmd)
      throws InterruptedException {
    return execIn(engineId(recordId), user, cmd);
  }

  /**
   * Runs a command in any container of the engine (by its engine id) as this user, and returns its
   * standard output.
   */
  public static String execIn(String engineId, String user, String... cmd)
      throws InterruptedException {
    String exec =
        CLIENT
            .execCreateCmd(engineId)
            .withUser(user)
            .withAttachStdout(true)
            .withAttachStderr(true)
            .withCmd(cmd)
            .exec()
            .getId();
    StringBuilder out = new StringBuilder();
    CLIENT
        .execStartCmd(exec)
        .exec(
            new com.github.dockerjava.api.async.ResultCallback.Adapter<
                com.github.dockerjava.api.model.Frame>() {
              @Override
              public void onNext(com.github.dockerjava.api.model.Frame f) {
                if (f.getStreamType() == com.github.dockerjava.api.model.StreamType.STDOUT) {
                  out.append(new String(f.getPayload(), java.nio.charset.StandardCharsets.UTF_8));
                }
              }
            })
        .awaitCompletion(60, java.util.concurrent.TimeUnit.SECONDS);
    return out.toString();
  }
}
