/**
 * Snapshots and forks. {@code control.Snapshots} takes a snapshot of a container through the
 * runtime ({@code ContainerRuntime#snapshot}: an image of its file system plus an archive of its
 * workspace volumes, the container frozen meanwhile and held by {@code Containers#whileHeld}),
 * keeps a {@code SnapshotRecord} per snapshot (owner, parent container, size), enforces the
 * per-owner quota, deletes snapshots with their image and archive, removes a deleted user's
 * snapshots ({@code users.control.UserRemoved}) and sweeps what the runtime keeps without a record
 * ({@code control.SnapshotSweeper}). It implements {@code containers.control.SnapshotSource}, so
 * {@code POST /api/v1/containers} with {@code "snapshot"} forks one without the containers
 * component depending on this one; {@code SnapshotChanged} feeds the owner's event stream.
 *
 * <p>Calls {@code containers.control} (holding a container, the gateway id), the runtime SPI,
 * {@code persistence}, {@code config}, {@code problems} and {@code security.Secrets}; called by its
 * boundaries ({@code SnapshotsResource}, {@code ContainerSnapshotResource}) only.
 */
package dev.cms.gateway.snapshots;
