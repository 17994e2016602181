package dev.cms.client;

/** A live container's client token and terminal WebSocket URL ({@code GET …/{id}/token}). */
public record ClientAccess(String token, String websocketUrl) {}
