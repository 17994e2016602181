package dev.cms.client;

/** The answer of {@code PUT …/files}: the path written and its size. */
public record FileWritten(String path, long bytes) {}
