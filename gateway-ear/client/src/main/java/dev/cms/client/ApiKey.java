package dev.cms.client;

import java.time.Instant;

/**
 * One of the caller's API keys ({@code /api/v1/keys}); {@code key} is the secret, present only in
 * the answer that made it.
 */
public record ApiKey(
    String id, String label, String prefix, Instant createdAt, Instant lastUsedAt, String key) {}
