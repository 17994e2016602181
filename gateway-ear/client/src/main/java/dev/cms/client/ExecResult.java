package dev.cms.client;

/** The answer of {@code POST …/exec}: the command's exit code and its output (each ≤ 1 MiB). */
public record ExecResult(
    int exitCode,
    String stdout,
    String stderr,
    long durationMs,
    boolean timedOut,
    boolean stdoutTruncated,
    boolean stderrTruncated) {}
