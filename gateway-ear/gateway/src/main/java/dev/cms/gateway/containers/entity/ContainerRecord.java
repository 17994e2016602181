package dev.cms.gateway.containers.entity;

import dev.cms.domain.ContainerStatus;
import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.MapKeyColumn;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** The gateway's record of one AppContainer; it outlives the container itself. */
@Entity
@Table(name = "container_record")
@NamedQuery(
    name = ContainerRecord.BY_OWNER,
    query = "SELECT c FROM ContainerRecord c WHERE c.ownerId = :owner ORDER BY c.createdAt DESC")
@NamedQuery(
    name = ContainerRecord.BY_OWNER_AND_STATUS,
    query =
        "SELECT c FROM ContainerRecord c WHERE c.ownerId = :owner AND c.status = :status"
            + " ORDER BY c.createdAt DESC")
@NamedQuery(
    name = ContainerRecord.COUNT_BY_OWNER_IN,
    query =
        "SELECT COUNT(c) FROM ContainerRecord c WHERE c.ownerId = :owner AND c.status IN :statuses")
@NamedQuery(
    name = ContainerRecord.IN_STATUSES,
    query = "SELECT c FROM ContainerRecord c WHERE c.status IN :statuses")
public class ContainerRecord {

  public static final String BY_OWNER = "ContainerRecord.byOwner";
  public static final String BY_OWNER_AND_STATUS = "ContainerRecord.byOwnerAndStatus";
  public static final String COUNT_BY_OWNER_IN = "ContainerRecord.countByOwnerIn";
  public static final String IN_STATUSES = "ContainerRecord.inStatuses";

  /**
   * The owner of warm-pool containers' records while they wait: no key or user id has this form, so
   * no quota counts them and no list, lookup or event stream shows them. A claim gives the record
   * its user; the engine's labels stay as they were at creation (Docker cannot change them).
   */
  public static final String POOL_OWNER = "cms:pool";

  @Id private String id;

  @Column(name = "owner_id", nullable = false)
  private String ownerId;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  private ContainerStatus status;

  @Column(name = "engine_id")
  private String engineId;

  private String image;

  /** The template whose image the container runs; null in records older than templates. */
  private String template;

  @Column(name = "memory_mb")
  private int memoryMb;

  private double cpus;

  @Column(name = "pids_limit")
  private long pidsLimit;

  @Column(name = "idle_timeout_seconds")
  private long idleTimeoutSeconds;

  @Column(name = "ttl_seconds")
  private long ttlSeconds;

  @Column(name = "disk_mb")
  private long diskMb;

  /** The user's labels (at most 32, each value at most 1 KiB: see the create's checks). */
  @ElementCollection(fetch = FetchType.EAGER)
  @CollectionTable(name = "container_label", joinColumns = @JoinColumn(name = "container_id"))
  @MapKeyColumn(name = "label_name", length = 128)
  @Column(name = "label_value", length = 1024, nullable = false)
  private Map<String, String> labels = new TreeMap<>();

  /** The gateway that made the container (null: a record from before issue 13, this gateway's). */
  @Column(name = "gateway_id", length = 64)
  private String gatewayId;

  @Column(name = "client_token_hash", nullable = false)
  private String clientTokenHash;

  @Column(name = "agent_secret_hash", nullable = false)
  private String agentSecretHash;

  /** Whether the create-time secret is accepted (once) on the next HELLO. */
  @Column(name = "agent_secret_armed", nullable = false)
  private boolean agentSecretArmed = true;

  /** Hash of the link credential the agent got for its create-time secret. */
  @Column(name = "agent_link_hash")
  private String agentLinkHash;

  @Column(name = "exit_code")
  private Integer exitCode;

  private String reason;

  @Column(name = "created_at", nullable = false)
  private Instant createdAt;

  @Column(name = "updated_at", nullable = false)
  private Instant updatedAt;

  @Column(name = "last_activity_at", nullable = false)
  private Instant lastActivityAt;

  /** The snapshot this container was made from (a fork); null for a fresh one. */
  @Column(name = "snapshot_id")
  private String snapshotId;

  @Version private long version;

  protected ContainerRecord() {}

  public ContainerRecord(
      String id,
      String ownerId,
      Limits limits,
      Map<String, String> labels,
      String clientTokenHash,
      String agentSecretHash,
      Instant now) {
    this.id = Objects.requireNonNull(id, "id");
    this.ownerId = Objects.requireNonNull(ownerId, "ownerId");
    this.memoryMb = limits.memoryMb();
    this.cpus = limits.cpus();
    this.pidsLimit = limits.pidsLimit();
    this.idleTimeoutSeconds = limits.idleTimeoutSeconds();
    this.ttlSeconds = limits.ttlSeconds();
    this.diskMb = limits.diskMb();
    this.labels = new TreeMap<>(labels == null ? Map.of() : labels);
    this.clientTokenHash = Objects.requireNonNull(clientTokenHash, "clientTokenHash");
    this.agentSecretHash = Objects.requireNonNull(agentSecretHash, "agentSecretHash");
    this.status = ContainerStatus.CREATING;
    this.createdAt = now;
    this.updatedAt = now;
    this.lastActivityAt = now;
  }

  /**
   * Resource limits of a container, as requested and recorded; {@code diskMb} 0 means no disk
   * limit.
   */
  public record Limits(
      int memoryMb,
      double cpus,
      long pidsLimit,
      long idleTimeoutSeconds,
      long ttlSeconds,
      long diskMb) {}

  /** Records the template the container is made from ({@code default}: the AppContainer image). */
  public void fromTemplate(String name) {
    this.template = Objects.requireNonNull(name, "name");
  }

  /** The template the container was made from; {@code default} for records older than templates. */
  public String template() {
    return template == null ? "default" : template;
  }

  public Limits limits() {
    return new Limits(memoryMb, cpus, pidsLimit, idleTimeoutSeconds, ttlSeconds, diskMb);
  }

  /** Moves to a new status; returns the event describing the transition. */
  public ContainerEvent transition(ContainerStatus to, String why, Instant now) {
    ContainerStatus from = status;
    status = Objects.requireNonNull(to, "to");
    reason = why;
    updatedAt = now;
    return new ContainerEvent(id, "STATUS", from, to, why, now);
  }

  public void exited(Integer code) {
    this.exitCode = code;
  }

  public void touch(Instant now) {
    lastActivityAt = now;
  }

  /**
   * A warm-pool container is handed to its user: the owner, limits and labels of their create, and
   * its clocks (idle timeout, time to live, created) start now.
   */
  public void claim(String owner, Limits limits, Map<String, String> labels, Instant now) {
    this.ownerId = Objects.requireNonNull(owner, "owner");
    this.memoryMb = limits.memoryMb();
    this.cpus = limits.cpus();
    this.pidsLimit = limits.pidsLimit();
    this.idleTimeoutSeconds = limits.idleTimeoutSeconds();
    this.ttlSeconds = limits.ttlSeconds();
    this.diskMb = limits.diskMb();
    this.labels.clear();
    this.labels.putAll(labels == null ? Map.of() : labels);
    this.createdAt = now;
    this.lastActivityAt = now;
  }

  public void assignEngine(String engineId, String image) {
    this.engineId = engineId;
    this.image = image;
  }

  /** Notes the gateway that makes this container (before it is persisted). */
  public void madeBy(String gatewayId) {
    this.gatewayId = gatewayId;
  }

  /**
   * Whether gateway {@code id} made the container (records from before gateways were named: yes).
   */
  public boolean madeBy(String id, boolean unnamedToo) {
    return gatewayId == null ? unnamedToo : gatewayId.equals(id);
  }

  /** Notes the snapshot this container is made from (before it is persisted). */
  public void forkedFrom(String snapshotId) {
    this.snapshotId = snapshotId;
  }

  public String snapshotId() {
    return snapshotId;
  }

  public String id() {
    return id;
  }

  public String ownerId() {
    return ownerId;
  }

  /** Whether the container waits in the warm pool for a user ({@link #POOL_OWNER} owns it). */
  public boolean pooled() {
    return POOL_OWNER.equals(ownerId);
  }

  public ContainerStatus status() {
    return status;
  }

  public String engineId() {
    return engineId;
  }

  public String image() {
    return image;
  }

  /** The labels, by name. */
  public Map<String, String> labels() {
    return new LinkedHashMap<>(new TreeMap<>(labels));
  }

  public String clientTokenHash() {
    return clientTokenHash;
  }

  public String agentSecretHash() {
    return agentSecretHash;
  }

  /** Whether the create-time secret is accepted on the next HELLO (once). */
  public boolean agentSecretArmed() {
    return agentSecretArmed;
  }

  public String agentLinkHash() {
    return agentLinkHash;
  }

  /**
   * The agent presented the create-time secret and gets a link credential: from now on only that is
   * accepted, the secret no more (until {@link #armAgentSecret} at the next start).
   */
  public void exchangeAgentSecret(String linkCredentialHash) {
    agentLinkHash = Objects.requireNonNull(linkCredentialHash, "linkCredentialHash");
    agentSecretArmed = false;
  }

  /**
   * The container is being started again: its new agent process knows only the create-time secret,
   * and nothing but that agent runs in it before its first HELLO. The link credential stays valid
   * until that exchange replaces it, so that a late notice of the start locks no agent out.
   */
  public void armAgentSecret() {
    agentSecretArmed = true;
  }

  /** The WELCOME with the new credential never arrived: the secret is accepted once more. */
  public void undoExchange() {
    agentSecretArmed = true;
    agentLinkHash = null;
  }

  public Integer exitCode() {
    return exitCode;
  }

  public String reason() {
    return reason;
  }

  public Instant createdAt() {
    return createdAt;
  }

  public Instant updatedAt() {
    return updatedAt;
  }

  public Instant lastActivityAt() {
    return lastActivityAt;
  }
}
