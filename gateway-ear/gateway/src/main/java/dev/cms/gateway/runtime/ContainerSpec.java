package dev.cms.gateway.runtime;

import java.util.Map;
import java.util.Objects;

/**
 * What to create: name, labels, environment and limits. The runtime adds its own hardening
 * (non-root user, no new privileges, no capabilities, init as PID 1, an isolated network). {@code
 * diskMb} bounds everything the container may write (its root file system is read-only); 0 means no
 * disk limit.
 */
public record ContainerSpec(
    String name,
    String image,
    Map<String, String> labels,
    Map<String, String> env,
    int memoryMb,
    double cpus,
    long pidsLimit,
    long diskMb) {
  public ContainerSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(image, "image");
    labels = Map.copyOf(labels);
    env = Map.copyOf(env);
  }
}
