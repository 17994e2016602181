package dev.cms.gateway.runtime;

import java.util.Map;

/**
 * A container as the engine sees it.
 *
 * @param engineId the engine's id
 * @param labels its labels
 * @param running whether it is up (also while paused)
 * @param paused whether its processes are frozen
 * @param exitCode the exit code when not running (null when unknown)
 * @param oomKilled whether the kernel killed it for memory
 * @param error the engine's error text, if any
 */
public record RuntimeContainer(
    String engineId,
    Map<String, String> labels,
    boolean running,
    boolean paused,
    Integer exitCode,
    boolean oomKilled,
    String error) {}
