package dev.cms.gateway.runtime;

import java.util.Objects;

/**
 * A snapshot as the runtime keeps it: an image of the container's file system and, where the
 * container's writable paths live outside that image (on volumes), an archive of their content.
 *
 * @param snapshotId the gateway's id of the snapshot ({@code s-…})
 * @param image the image reference a fork is created from
 * @param imageId the engine's id of that image
 * @param workspace where the archive of the writable paths is kept; {@code null} when the image
 *     holds everything
 * @param imageBytes what the image adds to the one the container was made from
 * @param workspaceBytes the size of the workspace archive
 */
public record RuntimeSnapshot(
    String snapshotId,
    String image,
    String imageId,
    String workspace,
    long imageBytes,
    long workspaceBytes) {
  public RuntimeSnapshot {
    Objects.requireNonNull(snapshotId, "snapshotId");
    Objects.requireNonNull(image, "image");
  }

  /** Everything the snapshot takes on the engine's host. */
  public long sizeBytes() {
    return imageBytes + workspaceBytes;
  }
}
