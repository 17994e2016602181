package dev.cms.client;

import java.util.List;

/**
 * A directory's listing ({@code GET …/files?list}): entries sorted by name, each directory followed
 * by its own up to {@code depth}; {@code truncated} when the limit cut it.
 */
public record Listing(String path, int depth, List<FileEntry> entries, boolean truncated) {}
