package dev.cms.gateway.security;

import java.util.Optional;

/**
 * Resolves a presented bearer token that is not a service key to the user who owns it. An interface
 * so that security does not depend on the {@code users} component, which implements it.
 */
public interface CredentialResolver {

  /** The user owning a live credential {@code token}; empty when it is unknown or expired. */
  Optional<UserPrincipal> resolve(String token);
}
