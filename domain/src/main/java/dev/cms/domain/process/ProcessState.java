package dev.cms.domain.process;

/** Whether a process (a command terminal on the agent) is still running. */
public enum ProcessState {
  /** The command runs; it has no exit code yet. */
  RUNNING,
  /** The command ended; its exit code (128 + signal for a signal) is known. */
  EXITED
}
