package dev.cms.client;

import java.time.Instant;

/** A gateway session: its bearer token ({@code cmss_…}), its end and its user. */
public record Session(String token, Instant expiresAt, String userId, String name, String role) {

  /** Whether the session's user is an admin. */
  public boolean admin() {
    return "admin".equals(role);
  }
}
