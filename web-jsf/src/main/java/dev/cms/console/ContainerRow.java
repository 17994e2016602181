package dev.cms.console;

import dev.cms.client.ContainerView;
import java.io.Serializable;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** One of the key's containers as the list shows it (a bean with getters for EL 5). */
public class ContainerRow implements Serializable {

  private static final long serialVersionUID = 1L;
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("MMM d, HH:mm:ss", Locale.ENGLISH)
          .withZone(ZoneId.systemDefault());

  private final String id;
  private final String status;
  private final boolean agentConnected;
  private final String created;
  private final int memoryMb;
  private final String reason;

  public ContainerRow(
      String id,
      String status,
      boolean agentConnected,
      String created,
      int memoryMb,
      String reason) {
    this.id = id;
    this.status = status;
    this.agentConnected = agentConnected;
    this.created = created;
    this.memoryMb = memoryMb;
    this.reason = reason;
  }

  static ContainerRow of(ContainerView c) {
    return new ContainerRow(
        c.id(),
        c.status() == null ? "UNKNOWN" : c.status(),
        c.agentConnected(),
        c.createdAt() == null ? "" : TIME.format(c.createdAt()),
        c.limits() == null ? 0 : c.limits().memoryMb(),
        c.reason());
  }

  public String getId() {
    return id;
  }

  public String getStatus() {
    return status;
  }

  public boolean isAgentConnected() {
    return agentConnected;
  }

  public String getCreated() {
    return created;
  }

  public int getMemoryMb() {
    return memoryMb;
  }

  public String getReason() {
    return reason;
  }

  public boolean isRunning() {
    return "RUNNING".equals(status);
  }

  public boolean isStopped() {
    return "STOPPED".equals(status);
  }

  /** Whether the container still exists on the engine (it can be stopped, started, deleted). */
  public boolean isLive() {
    return "RUNNING".equals(status)
        || "STOPPED".equals(status)
        || "PAUSED".equals(status)
        || "CREATING".equals(status);
  }

  /** The CSS modifier of the status badge. */
  public String getBadge() {
    return "cms-badge cms-badge-" + status.toLowerCase(Locale.ROOT);
  }
}
