package dev.cms.gateway.containers.control;

import dev.cms.gateway.config.Settings;
import dev.cms.gateway.problems.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.logging.Logger;

/**
 * The per-key quota of live containers ({@code CMS_MAX_CONTAINERS_PER_KEY}): the binding count is
 * the database's, under the owner's row lock, so that it holds across gateways sharing one.
 */
@ApplicationScoped
public class ContainerQuota {

  private static final Logger LOG = Logger.getLogger(ContainerQuota.class.getName());

  @Inject ContainerStore store;
  @Inject Settings settings;

  /** The quota's limit. */
  public int limit() {
    return settings.maxContainersPerKey();
  }

  /** An early refusal before any work (a 429 when the quota is used up); not the binding count. */
  public void check(String owner) {
    long live = store.count(owner, ContainerLedger.LIVE);
    if (live >= limit()) {
      throw reached(live);
    }
  }

  /**
   * Runs a write that the database checks against the owner's quota (under the owner's row lock); a
   * 429 when the quota is used up.
   */
  public void within(String owner, Runnable write) {
    try {
      store.ensureOwner(owner);
    } catch (RuntimeException e) {
      // another create (maybe on another gateway) inserted the owner's row at the same moment
      LOG.fine(() -> "quota row of " + owner + " inserted concurrently: " + e);
    }
    try {
      write.run();
    } catch (ContainerStore.QuotaExceeded e) {
      throw reached(e.live());
    }
  }

  private ApiException reached(long live) {
    return ApiException.tooManyRequests(
        "this API key already has "
            + live
            + " live containers (limit "
            + limit()
            + "); delete one first");
  }
}
