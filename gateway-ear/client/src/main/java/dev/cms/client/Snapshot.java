package dev.cms.client;

import java.time.Instant;

/**
 * A snapshot of a container ({@code GET /api/v1/snapshots}); {@link CreateContainer#withSnapshot}
 * forks a new container from it.
 *
 * @param id its id ({@code s-…})
 * @param name the caller's name for it, if any
 * @param owner the owner id it belongs to
 * @param container the container it was taken of
 * @param image the engine's image reference of it
 * @param sizeBytes what it takes in all ({@code imageBytes + workspaceBytes})
 * @param imageBytes what its image adds to the AppContainer image
 * @param workspaceBytes the size of the archive of the container's workspace
 * @param createdAt when it was taken
 */
public record Snapshot(
    String id,
    String name,
    String owner,
    String container,
    String image,
    long sizeBytes,
    long imageBytes,
    long workspaceBytes,
    Instant createdAt) {}
