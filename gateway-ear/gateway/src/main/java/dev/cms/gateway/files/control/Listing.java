package dev.cms.gateway.files.control;

import java.util.List;

/**
 * A directory's entries, each directory followed by its own up to {@code depth}, sorted by name.
 *
 * @param path the listed directory
 * @param depth how deep it was listed (1: its own entries only)
 * @param entries the entries
 * @param truncated whether the entry bound cut the listing
 */
public record Listing(String path, int depth, List<FileEntry> entries, boolean truncated) {}
