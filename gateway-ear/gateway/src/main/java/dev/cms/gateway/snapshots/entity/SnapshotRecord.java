package dev.cms.gateway.snapshots.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Objects;

/**
 * The gateway's record of one snapshot: who owns it, which container it was taken of, and where the
 * runtime keeps it (an image, and the archive of the workspace volumes when there were any).
 */
@Entity
@Table(name = "snapshot_record")
@NamedQuery(
    name = SnapshotRecord.BY_OWNER,
    query = "SELECT s FROM SnapshotRecord s WHERE s.ownerId = :owner ORDER BY s.createdAt DESC")
@NamedQuery(
    name = SnapshotRecord.ALL,
    query = "SELECT s FROM SnapshotRecord s ORDER BY s.createdAt DESC")
@NamedQuery(
    name = SnapshotRecord.COUNT_BY_OWNER,
    query = "SELECT COUNT(s) FROM SnapshotRecord s WHERE s.ownerId = :owner")
public class SnapshotRecord {

  public static final String BY_OWNER = "SnapshotRecord.byOwner";
  public static final String ALL = "SnapshotRecord.all";
  public static final String COUNT_BY_OWNER = "SnapshotRecord.countByOwner";

  @Id private String id;

  @Column(name = "owner_id", nullable = false)
  private String ownerId;

  @Column(name = "parent_container_id", nullable = false)
  private String parentContainerId;

  private String name;

  @Column(nullable = false)
  private String image;

  @Column(name = "image_id")
  private String imageId;

  @Column(name = "workspace_path")
  private String workspacePath;

  @Column(name = "image_bytes", nullable = false)
  private long imageBytes;

  @Column(name = "workspace_bytes", nullable = false)
  private long workspaceBytes;

  @Column(name = "created_at", nullable = false)
  private Instant createdAt;

  protected SnapshotRecord() {}

  public SnapshotRecord(
      String id,
      String ownerId,
      String parentContainerId,
      String name,
      String image,
      String imageId,
      String workspacePath,
      long imageBytes,
      long workspaceBytes,
      Instant createdAt) {
    this.id = Objects.requireNonNull(id, "id");
    this.ownerId = Objects.requireNonNull(ownerId, "ownerId");
    this.parentContainerId = Objects.requireNonNull(parentContainerId, "parentContainerId");
    this.name = name;
    this.image = Objects.requireNonNull(image, "image");
    this.imageId = imageId;
    this.workspacePath = workspacePath;
    this.imageBytes = imageBytes;
    this.workspaceBytes = workspaceBytes;
    this.createdAt = Objects.requireNonNull(createdAt, "createdAt");
  }

  public String id() {
    return id;
  }

  public String ownerId() {
    return ownerId;
  }

  public String parentContainerId() {
    return parentContainerId;
  }

  public String name() {
    return name;
  }

  public String image() {
    return image;
  }

  public String imageId() {
    return imageId;
  }

  public String workspacePath() {
    return workspacePath;
  }

  public long imageBytes() {
    return imageBytes;
  }

  public long workspaceBytes() {
    return workspaceBytes;
  }

  public long sizeBytes() {
    return imageBytes + workspaceBytes;
  }

  public Instant createdAt() {
    return createdAt;
  }
}
