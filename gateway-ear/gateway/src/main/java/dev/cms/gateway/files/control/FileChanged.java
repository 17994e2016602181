package dev.cms.gateway.files.control;

/**
 * Fired (synchronously) for every change a file watch reports, for the owner's event stream.
 *
 * @param containerId the container
 * @param watch the watch's id
 * @param change {@code created}, {@code modified}, {@code deleted}; or {@code overflow} (changes
 *     were lost: {@code dropped} of them, 0 when unknown) or {@code ended} (the watch is over)
 * @param type {@code file}, {@code dir}, {@code symlink}, {@code other}; null for overflow, ended
 * @param path the absolute path; for overflow and ended the watched directory
 * @param dropped for overflow: how many changes were lost (0: unknown)
 */
public record FileChanged(
    String containerId, String watch, String change, String type, String path, long dropped) {}
