package dev.cms.client;

/** The answer of {@code DELETE /api/v1/containers/{id}}. */
public record ContainerDeleted(String id, boolean deleted, String status) {}
