package dev.cms.gateway.containers.control;

/** The engine labels the gateway puts on the containers it makes. */
public final class ContainerLabels {

  /** Names the gateway that made a container: its reconcile, events and reaper act on it. */
  public static final String GATEWAY = "cms.gateway";

  /** Names the record of a container. */
  public static final String RECORD = "cms.record";

  /**
   * Names the key id that owned a container at its creation ({@link
   * dev.cms.gateway.containers.entity.ContainerRecord#POOL_OWNER} for a warm-pool one).
   */
  public static final String OWNER = "cms.owner";

  /** Names the warm-pool template a container was started for, waiting for a user. */
  public static final String POOL = "cms.pool";

  private ContainerLabels() {}
}
