package dev.cms.client;

/** The body of {@code POST /api/v1/users} (admins only). */
public record NewUser(String name, String password, String role) {}
