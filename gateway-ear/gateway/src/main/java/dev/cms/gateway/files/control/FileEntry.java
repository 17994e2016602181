package dev.cms.gateway.files.control;

import java.time.Instant;

/**
 * One file as the API shows it.
 *
 * @param name its last path segment
 * @param path its absolute path
 * @param type {@code file}, {@code dir}, {@code symlink} or {@code other} (links are not followed)
 * @param size bytes (of the link itself for a link)
 * @param mode permission bits, octal ({@code "0644"}; setuid, setgid, sticky included)
 * @param modified last modification
 */
public record FileEntry(
    String name, String path, String type, long size, String mode, Instant modified) {}
