package dev.cms.client;

/** The answer of {@code DELETE …/files}: the path and how many entries went. */
public record FileDeleted(String path, int deleted) {}
