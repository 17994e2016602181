package dev.cms.gateway.runtime;

import java.util.Map;

/**
 * A lifecycle event of one container, as reported by the engine.
 *
 * @param kind what happened
 * @param engineId the engine's id of the container
 * @param labels the container's labels (they name the record)
 * @param exitCode for {@link Kind#DIED}: the exit code, when the engine gives one
 */
public record RuntimeEvent(
    Kind kind, String engineId, Map<String, String> labels, Integer exitCode) {

  /** The lifecycle events the gateway follows. */
  public enum Kind {
    STARTED,
    DIED,
    OOM,
    REMOVED
  }
}
