package dev.cms.gateway.files.control;

/**
 * A file watch.
 *
 * @param id its id, for {@code DELETE …/files/watch/{id}}
 * @param path the watched directory
 * @param recursive whether directories under it are watched too
 * @param directories how many directories the agent watches for it
 * @param truncated whether the agent's bound of directories cut the tree
 * @param active false while the agent's link is down (a stop, a pause): it is watched again when
 *     the link is back
 */
public record WatchView(
    String id,
    String path,
    boolean recursive,
    int directories,
    boolean truncated,
    boolean active) {}
