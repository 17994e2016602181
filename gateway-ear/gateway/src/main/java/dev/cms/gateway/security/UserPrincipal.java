package dev.cms.gateway.security;

import java.util.Objects;

/**
 * A user as a presented credential names them.
 *
 * @param userId the user's id, also the owner id of their containers
 * @param name the user's sign-in name
 * @param admin whether the user has the role {@code admin}
 * @param credentialId the id of the credential that was presented
 * @param session whether that credential is a console session token (not an API key)
 */
public record UserPrincipal(
    String userId, String name, boolean admin, String credentialId, boolean session) {
  public UserPrincipal {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(credentialId, "credentialId");
  }
}
