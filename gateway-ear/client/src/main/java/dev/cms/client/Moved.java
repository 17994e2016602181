package dev.cms.client;

/** The answer of {@code POST …/files/move}. */
public record Moved(String from, String to) {}
