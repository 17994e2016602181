package dev.cms.client;

/** The answer of {@code POST …/files/mkdir}. */
public record DirectoryMade(String path) {}
