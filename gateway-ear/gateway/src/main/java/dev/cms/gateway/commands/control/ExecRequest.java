package dev.cms.gateway.commands.control;

import java.util.Map;

/**
 * A command to run and wait for: a shell command line, in {@code cwd} (default {@code /app}), with
 * extra {@code env}, at most {@code timeoutSeconds} (default 60, at most 600), given {@code stdin}
 * (text, at most 1 MiB).
 */
public record ExecRequest(
    String command, String cwd, Map<String, String> env, Integer timeoutSeconds, String stdin) {}
