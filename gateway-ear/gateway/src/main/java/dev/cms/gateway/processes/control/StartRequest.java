package dev.cms.gateway.processes.control;

import java.util.Map;

/**
 * What to run: a shell command line, in {@code cwd} (default {@code /app}), with extra {@code env};
 * {@code port} is the port the app will listen on (its preview URLs are returned).
 */
public record StartRequest(String command, String cwd, Map<String, String> env, Integer port) {}
