package dev.cms.console;

import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.Serializable;
import java.time.Instant;
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

  static ContainerRow of(JsonObject c) {
    String created = "";
    try {
      created = TIME.format(Instant.parse(c.getString("createdAt", "")));
    } catch (RuntimeException e) {
      created = c.getString("createdAt", "");
    }
    int memory = 0;
    JsonValue limits = c.get("limits");
    if (limits instanceof JsonObject l && l.get("memoryMb") instanceof JsonNumber n) {
      memory = n.intValue();
    }
    JsonValue reason = c.get("reason");
    return new ContainerRow(
        c.getString("id"),
        c.getString("status", "UNKNOWN"),
        c.getBoolean("agentConnected", false),
        created,
        memory,
        reason instanceof jakarta.json.JsonString s ? s.getString() : null);
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
