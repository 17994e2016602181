package dev.cms.client;

/** The body of {@code POST …/files/move}; {@code overwrite} null means false. */
public record Move(String from, String to, Boolean overwrite) {}
