package dev.cms.client;

/** The optional body of {@code POST /api/v1/containers/{id}/snapshot}: a name for it. */
public record TakeSnapshot(String name) {}
