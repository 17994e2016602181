package dev.cms.client;

import java.util.Map;

/**
 * The body of {@code POST …/exec}: the command (required, run by the shell), its directory (null:
 * /app), extra environment, the timeout (null: 60 s, at most 600) and text for its stdin.
 */
public record ExecCommand(
    String command, String cwd, Map<String, String> env, Integer timeoutSeconds, String stdin) {

  /** Just a command, everything else defaulted. */
  public static ExecCommand of(String command) {
    return new ExecCommand(command, null, null, null, null);
  }
}
