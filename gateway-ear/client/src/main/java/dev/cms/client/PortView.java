package dev.cms.client;

/**
 * A port with its preview URLs ({@code …/ports}, {@code …/preview/{port}}): {@code url} the host
 * form (its own origin), {@code pathUrl} the path form for places without wildcard DNS.
 */
public record PortView(int port, String url, String pathUrl) {}
