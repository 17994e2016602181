package dev.cms.gateway.users.entity;

import java.util.Locale;

/** A user's role: {@code user} owns containers; {@code admin} also sees all and manages users. */
public enum Role {
  USER,
  ADMIN;

  /** The role as the API and the console's security roles spell it: {@code user}, {@code admin}. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The role named {@code s}.
   *
   * @throws IllegalArgumentException when it is neither {@code user} nor {@code admin}
   */
  public static Role of(String s) {
    if (s != null) {
      for (Role r : values()) {
        if (r.wire().equals(s.strip().toLowerCase(Locale.ROOT))) {
          return r;
        }
      }
    }
    throw new IllegalArgumentException("role must be 'user' or 'admin', was '" + s + "'");
  }
}
