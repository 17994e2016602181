package dev.cms.client;

/** The user behind the presented credential ({@code GET /api/v1/sessions/current}). */
public record Me(String userId, String name, String role) {}
