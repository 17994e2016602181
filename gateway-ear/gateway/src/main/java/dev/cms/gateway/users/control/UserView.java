package dev.cms.gateway.users.control;

import dev.cms.gateway.users.entity.UserAccount;
import java.time.Instant;

/** A user as the API shows them (never with the password hash). */
public record UserView(String id, String name, String role, Instant createdAt) {
  static UserView of(UserAccount u) {
    return new UserView(u.id(), u.name(), u.role().wire(), u.createdAt());
  }
}
