package dev.cms.gateway.containers.control;

import dev.cms.domain.ContainerStatus;
import dev.cms.gateway.containers.entity.ContainerEvent;
import dev.cms.gateway.containers.entity.ContainerRecord;
import dev.cms.gateway.problems.ApiException;
import dev.cms.gateway.runtime.ContainerRuntime;
import dev.cms.gateway.runtime.RuntimeContainer;
import dev.cms.gateway.security.ClientTokens;
import dev.cms.gateway.security.Secrets;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The lifecycle's side of the warm pool ({@code pool.control.WarmPool}): containers started ahead
 * for a template, owned by {@link ContainerRecord#POOL_OWNER} while they wait, handed to a user
 * within their quota, and removed when the pool lets them go.
 */
@ApplicationScoped
public class PooledContainers {

  private static final Logger LOG = Logger.getLogger(PooledContainers.class.getName());

  @Inject ContainerLedger ledger;
  @Inject ContainerEngine engine;
  @Inject ContainerQuota quota;
  @Inject ContainerStore store;
  @Inject ContainerRuntime runtime;
  @Inject ClientTokens clientTokens;
  @Inject GatewayIdentity identity;

  /** A warm-pool container: its record and the engine's id. */
  public record Pooled(String id, String engineId) {}

  /**
   * Creates and starts a container for the warm pool, with the default limits and no environment of
   * a user, owned by {@link ContainerRecord#POOL_OWNER} and labelled {@link ContainerLabels#POOL} =
   * {@code template} (the caller waits for its agent).
   */
  public Pooled create(String template, String image) {
    ContainerRecord.Limits limits = engine.limits(CreateRequest.defaults());
    String id = "c-" + Secrets.id(12);
    String agentSecret = Secrets.token(40);
    Instant now = Instant.now();
    ContainerRecord record =
        new ContainerRecord(
            id,
            ContainerRecord.POOL_OWNER,
            limits,
            Map.of(),
            Secrets.hash(clientTokens.tokenFor(id)),
            Secrets.hash(agentSecret),
            now);
    record.fromTemplate(template);
    record.madeBy(identity.id());
    store.add(
        record,
        new ContainerEvent(
            id,
            "STATUS",
            null,
            ContainerStatus.CREATING,
            "created for the warm pool (template " + template + ")",
            now));
    engine.launch(
        new ContainerEngine.Launch(
            id,
            ContainerRecord.POOL_OWNER,
            () -> image,
            limits,
            Map.of(),
            agentSecret,
            engine.agentUrl(),
            Map.of(ContainerLabels.POOL, template),
            null));
    return new Pooled(id, ledger.find(id).engineId());
  }

  /**
   * Gives a waiting warm-pool container to its user (within their quota): owner, limits and labels
   * on the record, its clocks start now, and the owner's event stream hears of it. The engine's
   * limits and the agent's environment are the pool's part, done before.
   *
   * @throws IllegalStateException when the container no longer waits in the pool
   * @throws ApiException when the owner's quota is used up
   */
  public ContainerView handOver(String id, WarmSupply.Claim claim) {
    Instant now = Instant.now();
    quota.within(
        claim.owner(),
        () ->
            ledger.announce(
                id,
                store.updateWithinQuota(
                    claim.owner(),
                    quota.limit(),
                    ContainerLedger.LIVE,
                    id,
                    rec -> {
                      if (!rec.pooled() || rec.status() != ContainerStatus.RUNNING) {
                        throw new IllegalStateException(id + " no longer waits in the warm pool");
                      }
                      rec.claim(claim.owner(), claim.limits(), claim.labels(), now);
                      return rec.transition(
                          ContainerStatus.RUNNING, "claimed from the warm pool", now);
                    })));
    ContainerRecord rec = ledger.find(id);
    if (!rec.ownerId().equals(claim.owner())) {
      throw new IllegalStateException(id + " no longer waits in the warm pool");
    }
    return ledger.view(rec, claim.publicBase()).withToken(clientTokens.tokenFor(id));
  }

  /** Whether the record is a warm-pool container that still waits, RUNNING. */
  public boolean waitingAndRunning(String id) {
    ContainerRecord rec = store.find(id);
    return rec != null && rec.pooled() && rec.status() == ContainerStatus.RUNNING;
  }

  /** Removes a waiting warm-pool container (engine and record); not one a user claimed. */
  public void remove(String id, String reason) {
    ContainerRecord rec;
    try {
      rec = store.find(id);
    } catch (RuntimeException e) {
      // at the gateway's stop the server closes the application's data source before the warm
      // pool drains; the caller knows this one waits (a claim takes it off the pool's list first),
      // so it goes from the engine (the next start's reconciliation marks its record)
      LOG.fine(() -> "no database for removing pooled " + id + ": " + e);
      for (RuntimeContainer c : onEngine()) {
        if (id.equals(c.labels().get(ContainerLabels.RECORD))) {
          runtime.remove(c.engineId());
        }
      }
      return;
    }
    if (rec != null && rec.pooled()) {
      engine.remove(id, reason);
    }
  }

  /**
   * The warm-pool containers with a live record (e.g. left by an earlier run of the gateway); none
   * at the gateway's stop without the database (the engine's pool label stays on a claimed
   * container, so only the record tells a waiting one; the next start's clean-up removes them).
   */
  public List<String> records() {
    try {
      return store.byOwner(ContainerRecord.POOL_OWNER).stream()
          .filter(r -> ContainerLedger.ON_ENGINE.contains(r.status()) && ledger.ours(r))
          .map(ContainerRecord::id)
          .toList();
    } catch (RuntimeException e) {
      LOG.fine(() -> "no database for listing the pooled records: " + e);
      return List.of();
    }
  }

  private List<RuntimeContainer> onEngine() {
    return runtime.list(Map.of(ContainerLabels.GATEWAY, identity.id())).stream()
        .filter(
            c ->
                c.labels().containsKey(ContainerLabels.POOL)
                    && c.labels().containsKey(ContainerLabels.RECORD))
        .toList();
  }
}
