package dev.cms.gateway.containers.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.Objects;

/**
 * One row per owner of containers: the row a create locks (SELECT … FOR UPDATE) before it counts
 * the owner's live containers and adds one, so that the quota holds across every gateway sharing
 * the database.
 */
@Entity
@Table(name = "owner_quota")
public class OwnerQuota {

  @Id
  @Column(name = "owner_id", length = 64)
  private String ownerId;

  protected OwnerQuota() {}

  public OwnerQuota(String ownerId) {
    this.ownerId = Objects.requireNonNull(ownerId, "ownerId");
  }

  public String ownerId() {
    return ownerId;
  }
}
