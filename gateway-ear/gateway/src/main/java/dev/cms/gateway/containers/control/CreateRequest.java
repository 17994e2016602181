package dev.cms.gateway.containers.control;

import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * What a caller may ask for when creating a container; every field is optional (null takes the
 * default). The bounds are Bean Validation constraints, checked at the REST boundary
 * ({@code @Valid}); the upper bounds of memory, CPUs and the two timeouts are the gateway's
 * settings ({@link WithinSettings}).
 *
 * @param memoryMb memory limit in MiB
 * @param cpus CPU limit in cores (fractions allowed)
 * @param idleTimeoutSeconds remove the container after this long without activity
 * @param ttlSeconds remove the container this long after creation, whatever happens
 * @param env extra environment variables for the container
 * @param labels the caller's own labels, kept on the record
 * @param template the template whose image the container runs ({@code GET /api/v1/templates});
 *     null: {@code default}
 * @param snapshot the id of a snapshot of the caller's to start from (a fork: its files intact)
 */
@WithinSettings
@Schema(
    name = "CreateRequest",
    description = "Body of POST /api/v1/containers; every field optional",
    example =
        "{\"memoryMb\":512,\"cpus\":1.0,\"idleTimeoutSeconds\":1800,\"ttlSeconds\":86400,"
            + "\"env\":{\"NODE_ENV\":\"development\"},\"labels\":{\"project\":\"demo\"},"
            + "\"template\":\"default\"}")
public record CreateRequest(
    @Schema(description = "memory limit in MiB; at most CMS_MAX_MEMORY_MB", minimum = "64")
        @Min(value = 64, message = "must be at least 64")
        Integer memoryMb,
    @Schema(
            description = "CPU limit in cores, fractions allowed; at most CMS_MAX_CPUS",
            minimum = "0.1")
        @DecimalMin(value = "0.1", message = "must be at least 0.1")
        Double cpus,
    @Schema(
            description = "seconds without activity before the container is removed",
            minimum = "10")
        @Min(value = 10, message = "must be at least 10")
        Long idleTimeoutSeconds,
    @Schema(description = "seconds after creation before the container is removed", minimum = "10")
        @Min(value = 10, message = "must be at least 10")
        Long ttlSeconds,
    @Schema(
            description =
                "extra environment variables: at most 100; names [A-Za-z_][A-Za-z0-9_]*,"
                    + " not CMS_…; values at most 8192 characters")
        @Size(max = 100, message = "must have at most 100 entries")
        Map<
                @Pattern(
                    regexp = "[A-Za-z_][A-Za-z0-9_]{0,127}",
                    message = "is not a valid variable name")
                @Pattern(regexp = "(?!CMS_).*", message = "is reserved (CMS_ prefix)") String,
                @NotNull(message = "must be a string")
                @Size(max = 8192, message = "must be at most 8192 characters")
                @Pattern(regexp = "[^\\x00]*", message = "must not contain NUL") String>
            env,
    @Schema(
            description =
                "the caller's own labels: at most 32; names"
                    + " [A-Za-z0-9][A-Za-z0-9._/-]{0,127}; values at most 1024 characters")
        @Size(max = 32, message = "must have at most 32 labels")
        Map<
                @Pattern(
                    regexp = "[A-Za-z0-9][A-Za-z0-9._/-]{0,127}",
                    message = "must be a name matching [A-Za-z0-9][A-Za-z0-9._/-]{0,127}")
                String,
                @NotNull(message = "must be a string")
                @Size(max = 1024, message = "must be at most 1024 characters") String>
            labels,
    @Schema(description = "a template name from GET /api/v1/templates", defaultValue = "default")
        String template,
    @Schema(description = "the id of a snapshot of the caller's to start from") String snapshot) {
  /**
   * The canonical constructor, written out so that the components' constraints stay on the fields:
   * Payara's OpenAPI scanner takes a constrained constructor parameter for a path parameter and
   * fails the whole document.
   */
  public CreateRequest(
      Integer memoryMb,
      Double cpus,
      Long idleTimeoutSeconds,
      Long ttlSeconds,
      Map<String, String> env,
      Map<String, String> labels,
      String template,
      String snapshot) {
    this.memoryMb = memoryMb;
    this.cpus = cpus;
    this.idleTimeoutSeconds = idleTimeoutSeconds;
    this.ttlSeconds = ttlSeconds;
    this.env = env;
    this.labels = labels;
    this.template = template;
    this.snapshot = snapshot;
  }

  /** A request with every field defaulted. */
  public static CreateRequest defaults() {
    return new CreateRequest(null, null, null, null, null, null, null, null);
  }
}
