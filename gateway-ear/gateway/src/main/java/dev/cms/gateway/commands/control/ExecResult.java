package dev.cms.gateway.commands.control;

/**
 * How a command ended: its exit code (-1 when it could not be told), its output apart, how long it
 * ran, whether it was killed at its timeout, and whether output was cut at the limit.
 */
public record ExecResult(
    int exitCode,
    String stdout,
    String stderr,
    long durationMs,
    boolean timedOut,
    boolean stdoutTruncated,
    boolean stderrTruncated) {}
