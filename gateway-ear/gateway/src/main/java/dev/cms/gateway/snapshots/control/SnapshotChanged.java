package dev.cms.gateway.snapshots.control;

/**
 * A snapshot was taken or deleted; the owner's event stream shows it.
 *
 * @param containerId the container it was taken of (whose owner owns it)
 * @param snapshotId its id
 * @param change {@code created} or {@code deleted}
 * @param sizeBytes its size
 */
public record SnapshotChanged(
    String containerId, String snapshotId, String change, long sizeBytes) {}
