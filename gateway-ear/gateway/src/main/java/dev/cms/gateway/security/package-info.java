/**
 * Who is calling: {@code ApiKeyFilter} authenticates every {@code /api} call (a service key of
 * {@code CMS_API_KEYS}, else a user's credential through {@code CredentialResolver}, which the
 * {@code users} component implements) into the request's {@code Caller}; {@code HostGuard} refuses
 * requests naming a foreign {@code Host} (421); {@code ClientTokens} and {@code Secrets} make and
 * check tokens; {@code KeyFiles} keeps the random keys (client tokens, previews) under the data
 * directory. Calls only {@code config}, {@code problems} and the shared {@code dev.cms.domain.http}
 * rules; never a component's control.
 */
package dev.cms.gateway.security;
