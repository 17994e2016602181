package dev.cms.gateway.containers.control;

import java.util.Map;

/**
 * What a caller may ask for when creating a container; every field is optional (null takes the
 * default).
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
public record CreateRequest(
    Integer memoryMb,
    Double cpus,
    Long idleTimeoutSeconds,
    Long ttlSeconds,
    Map<String, String> env,
    Map<String, String> labels,
    String template,
    String snapshot) {

  /** A request with every field defaulted. */
  public static CreateRequest defaults() {
    return new CreateRequest(null, null, null, null, null, null, null, null);
  }
}
