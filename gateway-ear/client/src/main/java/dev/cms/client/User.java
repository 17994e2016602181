package dev.cms.client;

import java.time.Instant;

/** A user of the gateway ({@code /api/v1/users}); {@code role} is user or admin. */
public record User(String id, String name, String role, Instant createdAt) {}
