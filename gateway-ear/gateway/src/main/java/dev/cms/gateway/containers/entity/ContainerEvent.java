package dev.cms.gateway.containers.entity;

import dev.cms.domain.ContainerStatus;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One entry of a container's history: a status transition or another notable happening, with its
 * reason.
 */
@Entity
@Table(name = "container_event")
@NamedQuery(
    name = ContainerEvent.OF_CONTAINER,
    query = "SELECT e FROM ContainerEvent e WHERE e.containerId = :id ORDER BY e.seq")
public class ContainerEvent {

  public static final String OF_CONTAINER = "ContainerEvent.ofContainer";

  // orders events recorded within the same millisecond; seeded from the clock so it grows across
  // restarts
  private static final AtomicLong SEQ = new AtomicLong(System.currentTimeMillis() * 1000);

  @Id private String id;

  @Column(name = "container_id", nullable = false)
  private String containerId;

  private long seq;

  @Column(nullable = false)
  private Instant at;

  @Column(nullable = false)
  private String kind;

  @Enumerated(EnumType.STRING)
  @Column(name = "from_status")
  private ContainerStatus fromStatus;

  @Enumerated(EnumType.STRING)
  @Column(name = "to_status")
  private ContainerStatus toStatus;

  private String reason;

  protected ContainerEvent() {}

  public ContainerEvent(
      String containerId,
      String kind,
      ContainerStatus from,
      ContainerStatus to,
      String reason,
      Instant at) {
    this.id = UUID.randomUUID().toString();
    this.containerId = Objects.requireNonNull(containerId, "containerId");
    this.kind = Objects.requireNonNull(kind, "kind");
    this.fromStatus = from;
    this.toStatus = to;
    this.reason = reason == null ? null : truncate(reason);
    this.at = Objects.requireNonNull(at, "at");
    this.seq = SEQ.incrementAndGet();
  }

  /** An event that is not a status change (e.g. the agent connected). */
  public static ContainerEvent note(String containerId, String kind, String reason, Instant at) {
    return new ContainerEvent(containerId, kind, null, null, reason, at);
  }

  private static String truncate(String s) {
    return s.length() <= 2000 ? s : s.substring(0, 1997) + "...";
  }

  public String containerId() {
    return containerId;
  }

  public Instant at() {
    return at;
  }

  public String kind() {
    return kind;
  }

  public ContainerStatus fromStatus() {
    return fromStatus;
  }

  public ContainerStatus toStatus() {
    return toStatus;
  }

  public String reason() {
    return reason;
  }
}
