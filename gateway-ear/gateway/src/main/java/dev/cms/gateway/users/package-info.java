/**
 * Users of the console and the credentials they own. A user is an owner of containers (their owner
 * id is their user id), signs in with a password (PBKDF2, {@link
 * jakarta.security.enterprise.identitystore.Pbkdf2PasswordHash}), and holds API keys of their own
 * and the session tokens the console acts with on their behalf. Only hashes of passwords and tokens
 * are stored.
 *
 * <p>Boundaries: {@code SessionsResource} (the console's sign-in, with a service key), {@code
 * UsersResource} (admins manage users), {@code KeysResource} (a user's own API keys). Called by
 * {@code security.ApiKeyFilter} to resolve a presented user credential; calls only {@code
 * persistence}, {@code config}, {@code problems} and {@code security.Secrets}; fires {@code
 * UserRemoved} when a user is deleted (the snapshots component removes theirs).
 */
package dev.cms.gateway.users;
