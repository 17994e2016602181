package dev.cms.gateway.containers.control;

import dev.cms.gateway.runtime.RuntimeSnapshot;

/**
 * Where a fork's snapshot comes from: the snapshots component implements it, so that creating a
 * container from a snapshot needs no dependency of this component on that one.
 */
public interface SnapshotSource {

  /**
   * The owner's snapshot a new container is made from.
   *
   * @throws dev.cms.gateway.problems.ApiException 404 when the owner has no snapshot of that id
   */
  RuntimeSnapshot forkable(String owner, String snapshotId);
}
