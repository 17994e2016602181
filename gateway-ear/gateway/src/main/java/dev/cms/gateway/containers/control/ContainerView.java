package dev.cms.gateway.containers.control;

import dev.cms.domain.ContainerStatus;
import dev.cms.gateway.containers.entity.ContainerRecord;
import java.time.Instant;
import java.util.Map;

/**
 * A container as the API shows it. {@code token} is present only in the answer to its creation;
 * {@code exitCode} only once the container has exited. {@code template} names the template whose
 * image it runs ({@code default}: the AppContainer image); {@code snapshot} names the snapshot a
 * fork was made from.
 */
public record ContainerView(
    String id,
    ContainerStatus status,
    boolean agentConnected,
    Instant createdAt,
    Instant updatedAt,
    Instant lastActivityAt,
    Limits limits,
    Map<String, String> labels,
    Integer exitCode,
    String reason,
    String websocketUrl,
    String token,
    String template,
    String snapshot) {

  /**
   * The resource limits and timeouts of a container; {@code diskMb} is the size of everything it
   * may write (0: no disk limit).
   */
  public record Limits(
      int memoryMb,
      double cpus,
      long pidsLimit,
      long idleTimeoutSeconds,
      long ttlSeconds,
      long diskMb) {}

  /** A record as the API shows it, without a client token. */
  static ContainerView of(ContainerRecord r, boolean agentConnected, String publicBase) {
    var l = r.limits();
    boolean exited = r.status() == ContainerStatus.TERMINATED || r.exitCode() != null;
    return new ContainerView(
        r.id(),
        r.status(),
        agentConnected,
        r.createdAt(),
        r.updatedAt(),
        r.lastActivityAt(),
        new Limits(
            l.memoryMb(),
            l.cpus(),
            l.pidsLimit(),
            l.idleTimeoutSeconds(),
            l.ttlSeconds(),
            l.diskMb()),
        r.labels(),
        exited ? r.exitCode() : null,
        r.reason(),
        websocketUrl(publicBase, r.id()),
        null,
        r.template(),
        r.snapshotId());
  }

  /** The same view with the container's client token (the answer to its creation). */
  ContainerView withToken(String clientToken) {
    return new ContainerView(
        id,
        status,
        agentConnected,
        createdAt,
        updatedAt,
        lastActivityAt,
        limits,
        labels,
        exitCode,
        reason,
        websocketUrl,
        clientToken,
        template,
        snapshot);
  }

  /** The client WebSocket URL of a container, from the public base URL of the request. */
  static String websocketUrl(String publicBase, String id) {
    String ws =
        publicBase.startsWith("https://")
            ? "wss://" + publicBase.substring(8)
            : publicBase.startsWith("http://") ? "ws://" + publicBase.substring(7) : publicBase;
    return ws + "/ws/v1/containers/" + id;
  }
}
