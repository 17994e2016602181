package dev.cms.domain;

/**
 * Lifecycle state of an AppContainer record.
 *
 * <p>{@code CREATING → RUNNING → STOPPED → TERMINATED → DELETED}, plus {@code FAILED}, and {@code
 * RUNNING ⇄ PAUSED}. RUNNING means the container is up; whether its agent is connected is a
 * separate flag. PAUSED means its processes are frozen by the engine, memory kept. TERMINATED means
 * it exited on its own, crashed or was OOM-killed; DELETED means it was removed and only the record
 * remains.
 */
public enum ContainerStatus {
  /** The record exists and the engine is creating or starting the container. */
  CREATING,
  /** The container is up. */
  RUNNING,
  /**
   * Up, but every process in it frozen by the engine (memory kept); resumed to RUNNING through the
   * API. Its agent is not connected while paused.
   */
  PAUSED,
  /** Stopped through the API; it can be started again. */
  STOPPED,
  /**
   * Exited on its own, crashed or was killed outside the gateway; exit code and reason are kept.
   */
  TERMINATED,
  /** Removed from the engine; the record stays for history. */
  DELETED,
  /** Creation failed; the reason is kept. */
  FAILED;

  /**
   * Whether a container in this state still exists on the engine and counts against a key's quota.
   */
  public boolean isLive() {
    return this == CREATING || this == RUNNING || this == PAUSED || this == STOPPED;
  }

  /** Whether no further transition can happen. */
  public boolean isFinal() {
    return this == DELETED || this == FAILED;
  }
}
