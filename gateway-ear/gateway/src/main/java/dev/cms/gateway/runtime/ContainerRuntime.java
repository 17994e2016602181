package dev.cms.gateway.runtime;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The control plane: what the gateway needs from a container engine. Docker ({@code DockerRuntime})
 * is the implementation today; Kubernetes is the planned second one, so nothing here speaks of
 * images layers, sockets or pods. Implementations throw {@link RuntimeUnavailableException} when
 * the engine cannot be reached and {@link RuntimeFailureException} when it refuses an operation.
 */
public interface ContainerRuntime {

  /**
   * Sets up (on first call) and then checks the network containment of the containers: that code in
   * them reaches no port of the host but the agent listener's, no link-local address and no other
   * container.
   *
   * @return why containment is not in place; empty when it is, or when the operator switched it off
   */
  Optional<String> containmentProblem();

  /** Checks the engine answers. */
  void ping();

  /**
   * Makes sure the AppContainer image exists, building it when missing; returns its reference.
   * Blocks while a build runs.
   */
  String ensureImage();

  /**
   * Makes sure the image of a template exists (its base with the agent, its setup run as root on
   * top), building it when missing and reusing it when present, also across restarts; returns its
   * reference. Blocks while a build runs, at most {@code timeout} for the setup.
   *
   * @throws RuntimeFailureException when the build fails or times out; the message says why and
   *     ends with the build's last output
   */
  String ensureTemplateImage(ImageRecipe recipe, Duration timeout);

  /** Creates and starts a container; returns the engine's id for it. */
  String createAndStart(ContainerSpec spec);

  /**
   * Changes the memory limit (MiB, swap included) and CPU limit (cores) of a running container, as
   * a create with them would have set them (a warm-pool container gets its user's limits at claim
   * time).
   */
  void updateLimits(String engineId, int memoryMb, double cpus);

  /**
   * Creates a container from a snapshot ({@code spec.image()} is ignored: the snapshot's image is
   * used), puts the snapshot's workspace back into its writable paths before anything in it runs,
   * and starts it; returns the engine's id for it.
   */
  String createAndStart(ContainerSpec spec, RuntimeSnapshot from);

  /**
   * Captures a container (running, paused or stopped) as a snapshot: an image of its file system
   * plus, where its writable paths are not in that image, an archive of their content. A running
   * container's processes are frozen for the capture (consistency) and run on afterwards; a failed
   * capture leaves nothing behind.
   *
   * @throws SnapshotTooLargeException when it would take more than {@code spec.maxBytes()}
   */
  RuntimeSnapshot snapshot(String engineId, SnapshotSpec spec);

  /**
   * Removes what a snapshot keeps (its image reference and its workspace archive); the image's
   * layers are freed once no container made from it is left. A snapshot already gone is not an
   * error.
   */
  void removeSnapshot(String snapshotId);

  /**
   * The ids of the snapshots this runtime keeps (images or workspace archives) whose images carry
   * all of these labels, or that have a workspace archive; for sweeping orphans.
   */
  java.util.Set<String> snapshots(Map<String, String> labels);

  /** Starts a stopped container. */
  void start(String engineId);

  /**
   * Freezes every process of a running container (memory kept, nothing runs); a paused one is not
   * an error.
   */
  void pause(String engineId);

  /** Lets a paused container's processes run again; a running one is not an error. */
  void resume(String engineId);

  /** Stops a running (or paused) container, killing it after the grace period. */
  void stop(String engineId, Duration grace);

  /**
   * Removes a container whatever its state, and what the runtime keeps for it beside it (its disk);
   * a container already gone is not an error.
   */
  void remove(String engineId);

  /**
   * Frees what the runtime keeps for containers that no longer exist (their disks), also of those
   * removed outside the gateway or whose creation failed half-way; idempotent.
   */
  void releaseLeftovers();

  /** The engine's view of one container, or empty when it does not exist. */
  Optional<RuntimeContainer> inspect(String engineId);

  /** Every container carrying all of these labels, running or not. */
  List<RuntimeContainer> list(Map<String, String> labels);

  /**
   * Follows the engine's lifecycle events of containers carrying these labels until the returned
   * handle is closed; reconnects by itself when the engine's event stream breaks.
   */
  AutoCloseable watch(Map<String, String> labels, Consumer<RuntimeEvent> listener);
}
