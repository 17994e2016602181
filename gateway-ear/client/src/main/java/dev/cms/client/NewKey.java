package dev.cms.client;

/** The body of {@code POST /api/v1/keys}. */
public record NewKey(String label) {}
