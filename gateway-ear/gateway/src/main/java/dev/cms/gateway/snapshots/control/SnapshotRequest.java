package dev.cms.gateway.snapshots.control;

import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * What a caller may ask for when taking a snapshot; the body is optional. The constraints are
 * checked at the REST boundary ({@code @Valid}).
 *
 * @param name a name of the caller's choosing (at most 100 characters, no control characters)
 */
@Schema(
    name = "SnapshotRequest",
    description = "Body of POST /api/v1/containers/{id}/snapshot",
    example = "{\"name\":\"before the upgrade\"}")
public record SnapshotRequest(
    @Schema(description = "a name of the caller's choosing", maxLength = 100)
        @Size(max = 100, message = "must be at most 100 characters")
        @Pattern(regexp = "\\P{Cntrl}*", message = "must not contain control characters")
        String name) {
  /**
   * The canonical constructor, written out so that the components' constraints stay on the fields:
   * Payara's OpenAPI scanner takes a constrained constructor parameter for a path parameter and
   * fails the whole document.
   */
  public SnapshotRequest(String name) {
    this.name = name;
  }
}
