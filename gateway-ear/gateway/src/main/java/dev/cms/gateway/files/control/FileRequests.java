package dev.cms.gateway.files.control;

import jakarta.validation.constraints.NotBlank;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The JSON bodies of the file operations; their constraints are checked at the REST boundary
 * ({@code @Valid}), the paths' own rules (absolute, no {@code ..}) by the file operations.
 */
public final class FileRequests {
  private FileRequests() {}

  /**
   * Rename {@code from} to {@code to}; replace an existing {@code to} only with {@code overwrite}.
   */
  @Schema(
      name = "MoveRequest",
      example = "{\"from\":\"/app/old.txt\",\"to\":\"/app/new.txt\",\"overwrite\":false}")
  public record Move(
      @Schema(description = "an absolute path", required = true)
          @NotBlank(message = "is required (an absolute path)")
          String from,
      @Schema(description = "an absolute path", required = true)
          @NotBlank(message = "is required (an absolute path)")
          String to,
      @Schema(description = "replace an existing to", defaultValue = "false") Boolean overwrite) {
    /**
     * The canonical constructor, written out so that the components' constraints stay on the
     * fields: Payara's OpenAPI scanner takes a constrained constructor parameter for a path
     * parameter and fails the whole document.
     */
    public Move(String from, String to, Boolean overwrite) {
      this.from = from;
      this.to = to;
      this.overwrite = overwrite;
    }
  }

  /**
   * Make directory {@code path}; with {@code parents}, its missing parents too (no error if it
   * exists).
   */
  @Schema(name = "MkdirRequest", example = "{\"path\":\"/app/src/lib\",\"parents\":true}")
  public record Mkdir(
      @Schema(description = "an absolute path", required = true)
          @NotBlank(message = "is required (an absolute path)")
          String path,
      @Schema(description = "make missing parents too", defaultValue = "false") Boolean parents) {
    /**
     * The canonical constructor, written out so that the components' constraints stay on the
     * fields: Payara's OpenAPI scanner takes a constrained constructor parameter for a path
     * parameter and fails the whole document.
     */
    public Mkdir(String path, Boolean parents) {
      this.path = path;
      this.parents = parents;
    }
  }

  /**
   * Watch directory {@code path} for changes; with {@code recursive}, the directories under it too.
   */
  @Schema(name = "WatchRequest", example = "{\"path\":\"/app/src\",\"recursive\":true}")
  public record Watch(
      @Schema(description = "an absolute path of a directory", required = true)
          @NotBlank(message = "is required (an absolute path)")
          String path,
      @Schema(description = "the directories under it too", defaultValue = "false")
          Boolean recursive) {
    /**
     * The canonical constructor, written out so that the components' constraints stay on the
     * fields: Payara's OpenAPI scanner takes a constrained constructor parameter for a path
     * parameter and fails the whole document.
     */
    public Watch(String path, Boolean recursive) {
      this.path = path;
      this.recursive = recursive;
    }
  }
}
