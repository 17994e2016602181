package dev.cms.client;

import java.util.Map;

/**
 * The body of {@code POST /api/v1/containers}: every field optional (null: the gateway's default).
 */
public record CreateContainer(
    Integer memoryMb,
    Double cpus,
    Long idleTimeoutSeconds,
    Long ttlSeconds,
    Map<String, String> env,
    Map<String, String> labels,
    String template,
    String snapshot) {

  /** A request with every field left to the gateway. */
  public static CreateContainer defaults() {
    return new CreateContainer(null, null, null, null, null, null, null, null);
  }

  /** This request with the memory limit in MiB. */
  public CreateContainer withMemoryMb(int mb) {
    return new CreateContainer(
        mb, cpus, idleTimeoutSeconds, ttlSeconds, env, labels, template, snapshot);
  }

  /** This request with a template ({@link TemplatesApi}); null: {@code default}. */
  public CreateContainer withTemplate(String name) {
    return new CreateContainer(
        memoryMb, cpus, idleTimeoutSeconds, ttlSeconds, env, labels, name, snapshot);
  }

  /** This request as a fork of one of the caller's snapshots ({@link SnapshotsApi}). */
  public CreateContainer withSnapshot(String snapshotId) {
    return new CreateContainer(
        memoryMb, cpus, idleTimeoutSeconds, ttlSeconds, env, labels, template, snapshotId);
  }

  /** This request with the idle timeout in seconds. */
  public CreateContainer withIdleTimeoutSeconds(long seconds) {
    return new CreateContainer(
        memoryMb, cpus, seconds, ttlSeconds, env, labels, template, snapshot);
  }
}
