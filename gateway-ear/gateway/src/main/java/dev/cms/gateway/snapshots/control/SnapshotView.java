package dev.cms.gateway.snapshots.control;

import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A snapshot as the API shows it.
 *
 * @param id its id ({@code s-…}); {@code POST /api/v1/containers} with {@code "snapshot"} forks it
 * @param name the caller's name for it, if any
 * @param owner the owner id it belongs to (the container's owner)
 * @param container the id of the container it was taken of (its parent)
 * @param image the engine's image reference of it
 * @param sizeBytes what it takes in all: {@code imageBytes + workspaceBytes}
 * @param imageBytes what its image adds to the AppContainer image
 * @param workspaceBytes the size of the archive of the container's workspace volumes
 * @param createdAt when it was taken
 */
@Schema(name = "SnapshotView", description = "A snapshot of a container, to fork new ones from")
public record SnapshotView(
    String id,
    String name,
    String owner,
    String container,
    String image,
    long sizeBytes,
    long imageBytes,
    long workspaceBytes,
    Instant createdAt) {}
