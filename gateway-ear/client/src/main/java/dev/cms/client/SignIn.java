package dev.cms.client;

/** The body of {@code POST /api/v1/sessions}: a user's name and password (service keys only). */
public record SignIn(String name, String password) {}
