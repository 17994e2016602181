package dev.cms.client;

import java.util.Map;

/**
 * The body of {@code POST …/processes}: the command (required), its directory (null: /app), extra
 * environment, and the port it will listen on (null: none) for the answer's preview URLs.
 */
public record StartProcess(String command, String cwd, Map<String, String> env, Integer port) {}
