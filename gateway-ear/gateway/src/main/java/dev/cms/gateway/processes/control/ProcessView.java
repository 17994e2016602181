package dev.cms.gateway.processes.control;

import java.time.Instant;

/**
 * A process as the API shows it; its {@code terminal} (same as its id) is attachable over the
 * client WebSocket.
 */
public record ProcessView(
    String id,
    String terminal,
    String command,
    String cwd,
    Integer port,
    String status,
    Integer exitCode,
    Instant startedAt,
    Instant endedAt) {}
