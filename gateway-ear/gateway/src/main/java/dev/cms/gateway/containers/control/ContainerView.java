package dev.cms.gateway.containers.control;

import dev.cms.domain.ContainerStatus;
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
}
