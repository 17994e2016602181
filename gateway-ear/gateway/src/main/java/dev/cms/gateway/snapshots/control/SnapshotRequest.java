package dev.cms.gateway.snapshots.control;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * What a caller may ask for when taking a snapshot; the body is optional.
 *
 * @param name a name of the caller's choosing (at most 100 characters, no control characters)
 */
@Schema(name = "SnapshotRequest", description = "Body of POST /api/v1/containers/{id}/snapshot")
public record SnapshotRequest(
    @Schema(description = "a name of the caller's choosing", maxLength = 100) String name) {}
