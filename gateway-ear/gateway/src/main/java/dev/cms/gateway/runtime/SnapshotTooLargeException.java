package dev.cms.gateway.runtime;

/** A snapshot would take more than its {@link SnapshotSpec#maxBytes()}; nothing was kept. */
public class SnapshotTooLargeException extends RuntimeFailureException {
  private static final long serialVersionUID = 1L;

  public SnapshotTooLargeException(String message) {
    super(message, null);
  }
}
