/**
 * Rules about HTTP requests that the gateway and the console both apply and must agree on: which
 * {@code Host} a request may name ({@link dev.cms.domain.http.HostPolicy}) and how failed sign-ins
 * are counted ({@link dev.cms.domain.http.SignInThrottle}: per user name in the gateway, per client
 * address in the console).
 */
package dev.cms.domain.http;
