package dev.cms.client;

/** The body of {@code POST /api/v1/sessions/federated}: the provider's fresh ID token. */
public record FederatedSignIn(String idToken) {}
