package dev.cms.client;

/** The answer of {@code POST …/archive}: where a zip went, its entries and unpacked bytes. */
public record ArchiveUnpacked(String dest, long entries, long bytes) {}
