package dev.cms.client;

import java.time.Instant;
import java.util.Map;

/**
 * A container as the gateway shows it ({@code GET /api/v1/containers/{id}}). {@code status} is one
 * of CREATING, RUNNING, PAUSED, STOPPED, FAILED, TERMINATED, DELETED; {@code websocketUrl} and
 * {@code token} (the client token for its terminals) come with the create answer only; {@code
 * template} names the template it runs, {@code snapshot} the snapshot a fork was made from.
 */
public record ContainerView(
    String id,
    String status,
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

  /** The resource limits and timeouts of a container ({@code diskMb} 0: no disk limit). */
  public record Limits(
      int memoryMb,
      double cpus,
      long pidsLimit,
      long idleTimeoutSeconds,
      long ttlSeconds,
      long diskMb) {}

  /** Whether the container is up. */
  public boolean running() {
    return "RUNNING".equals(status);
  }
}
