package dev.cms.gateway.runtime;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What to capture a snapshot as.
 *
 * @param snapshotId the gateway's id of the snapshot ({@code s-…}): names its image and archive
 * @param labels labels the snapshot's image carries (e.g. the gateway's id, for the sweep)
 * @param dropEnv names of environment variables of the container that its image must not carry (the
 *     container's own secrets); a fork gets its own
 * @param maxBytes the most the snapshot may take; a larger one fails with {@link
 *     SnapshotTooLargeException} and leaves nothing behind
 */
public record SnapshotSpec(
    String snapshotId, Map<String, String> labels, Set<String> dropEnv, long maxBytes) {
  public SnapshotSpec {
    Objects.requireNonNull(snapshotId, "snapshotId");
    labels = Map.copyOf(labels);
    dropEnv = Set.copyOf(dropEnv);
  }
}
