package dev.cms.client;

import java.time.Instant;

/**
 * One path in a container ({@code ?stat}, or an entry of a listing): {@code type} is file, dir,
 * symlink or other; {@code mode} the octal permission string.
 */
public record FileEntry(
    String name, String path, String type, long size, String mode, Instant modified) {}
