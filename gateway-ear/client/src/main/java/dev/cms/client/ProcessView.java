package dev.cms.client;

import java.time.Instant;

/**
 * A process started in its own terminal ({@code …/processes}): {@code status} RUNNING or EXITED;
 * {@code exitCode} and {@code endedAt} once it ended; {@code port}, {@code url} and {@code pathUrl}
 * when it was started with a port.
 */
public record ProcessView(
    String id,
    String terminal,
    String command,
    String cwd,
    String status,
    Instant startedAt,
    Integer exitCode,
    Instant endedAt,
    Integer port,
    String url,
    String pathUrl) {

  /** Whether the process still runs. */
  public boolean running() {
    return "RUNNING".equals(status);
  }
}
