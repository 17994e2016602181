package dev.cms.client;

/** The body of {@code POST …/files/mkdir}; with {@code parents}, missing parents too. */
public record Mkdir(String path, Boolean parents) {}
