package dev.cms.gateway.users.control;

import dev.cms.gateway.users.entity.UserCredential;
import java.time.Instant;

/**
 * One of a user's API keys as their list shows it: its prefix, never the key.
 *
 * @param key the key itself, only in the answer that created it (shown once), else null
 */
public record KeyView(
    String id, String label, String prefix, Instant createdAt, Instant lastUsedAt, String key) {
  static KeyView of(UserCredential c, String key) {
    return new KeyView(c.id(), c.label(), c.prefix(), c.createdAt(), c.lastUsedAt(), key);
  }
}
