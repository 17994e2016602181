package dev.cms.gateway.runtime;

import java.util.Map;

/**
 * A lifecycle event of one container, as reported by the engine.
 *
 * @param kind what happened
 * @param engineId the engine's id of the container ({@code null} for {@link Kind#RESYNC})
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
    REMOVED,
    /** Its processes were frozen (paused). */
    PAUSED,
    /** Its processes run again after a pause. */
    RESUMED,
    /**
     * Not about one container: the event stream broke (the engine restarted or was unreachable) and
     * is followed again; events of the gap may be lost, so the records must be reconciled.
     */
    RESYNC
  }

  /** The event that asks for a reconciliation after a gap in the event stream. */
  public static RuntimeEvent resync() {
    return new RuntimeEvent(Kind.RESYNC, null, Map.of(), null);
  }
}
