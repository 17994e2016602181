package dev.cms.gateway.containers.control;

import dev.cms.domain.ContainerStatus;
import dev.cms.gateway.agents.control.Agents;
import dev.cms.gateway.config.Settings;
import dev.cms.gateway.containers.entity.ContainerRecord;
import dev.cms.gateway.problems.ApiException;
import dev.cms.gateway.runtime.ContainerRuntime;
import dev.cms.gateway.runtime.ContainerSpec;
import dev.cms.gateway.runtime.DiskLimitUnavailableException;
import dev.cms.gateway.runtime.RuntimeFailureException;
import dev.cms.gateway.runtime.RuntimeSnapshot;
import dev.cms.gateway.runtime.RuntimeUnavailableException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The engine's side of making and removing one container: the launch (create and start on the
 * runtime, recorded RUNNING, or FAILED with the matching problem), the removal (recorded DELETED),
 * the limits and agent URL a container gets, and the mapping of the engine's failures to problems.
 */
@ApplicationScoped
public class ContainerEngine {

  private static final Logger LOG = Logger.getLogger(ContainerEngine.class.getName());

  @Inject ContainerLedger ledger;
  @Inject ContainerRuntime runtime;
  @Inject Agents agents;
  @Inject Settings settings;
  @Inject GatewayIdentity identity;

  /**
   * What a launch starts: the record {@code id} (in CREATING) of {@code owner}, an image resolved
   * inside the launch (an unreachable engine there is a FAILED record and a 503), the limits, the
   * caller's environment, the agent's secret and URL, engine labels beside the gateway's own, and
   * the snapshot of a fork (else null).
   */
  record Launch(
      String id,
      String owner,
      Supplier<String> imageOf,
      ContainerRecord.Limits limits,
      Map<String, String> env,
      String agentSecret,
      String agentUrl,
      Map<String, String> extraLabels,
      RuntimeSnapshot fork) {
    Launch {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(owner, "owner");
      env = Map.copyOf(env);
      extraLabels = Map.copyOf(extraLabels);
    }
  }

  /**
   * Creates and starts the engine's container of a record in CREATING, then records it RUNNING; a
   * failure records it FAILED and answers the matching problem.
   */
  public void launch(Launch l) {
    String id = l.id();
    ledger.inFlight(
        id,
        () -> {
          try {
            String image = l.imageOf().get();
            Map<String, String> containerEnv = new LinkedHashMap<>(l.env());
            containerEnv.put("CMS_AGENT_URL", l.agentUrl());
            containerEnv.put("CMS_AGENT_SECRET", l.agentSecret());
            containerEnv.put("CMS_CONTAINER_ID", id);
            Map<String, String> engineLabels = new LinkedHashMap<>(l.extraLabels());
            engineLabels.put(ContainerLabels.GATEWAY, identity.id());
            engineLabels.put(ContainerLabels.RECORD, id);
            engineLabels.put(ContainerLabels.OWNER, l.owner());
            ContainerRecord.Limits limits = l.limits();
            ContainerSpec spec =
                new ContainerSpec(
                    "cms-" + id,
                    image,
                    engineLabels,
                    containerEnv,
                    limits.memoryMb(),
                    limits.cpus(),
                    limits.pidsLimit(),
                    limits.diskMb());
            String engineId =
                l.fork() == null
                    ? runtime.createAndStart(spec)
                    : runtime.createAndStart(spec, l.fork());
            ledger.update(
                id,
                rec -> {
                  rec.assignEngine(engineId, image);
                  return rec.transition(
                      ContainerStatus.RUNNING, "container started", Instant.now());
                });
          } catch (DiskLimitUnavailableException e) {
            fail(id, e.getMessage());
            throw ApiException.unavailable(e.getMessage(), e).withRule("disk-limit-unavailable");
          } catch (RuntimeUnavailableException e) {
            fail(id, e.getMessage());
            throw ApiException.unavailable("the container engine is unreachable", e);
          } catch (RuntimeFailureException | IllegalStateException e) {
            fail(id, e.getMessage());
            throw new ApiException(500, "Internal Server Error", "container creation failed", e);
          }
        });
  }

  private void fail(String id, String reason) {
    try {
      ledger.update(id, r -> r.transition(ContainerStatus.FAILED, reason, Instant.now()));
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "could not record the failure of " + id, e);
    }
  }

  /**
   * Stops and removes the container from the engine and records it DELETED with {@code reason};
   * nothing for a record that is DELETED or FAILED already.
   */
  public void remove(String id, String reason) {
    synchronized (ledger.lock(id)) {
      ContainerRecord rec = ledger.find(id);
      if (rec.status() == ContainerStatus.DELETED || rec.status() == ContainerStatus.FAILED) {
        // a repeated delete (or a reap of a gone record) must not leave its lock behind
        ledger.forget(id);
        return;
      }
      ledger.inFlight(
          id,
          () -> {
            agents.drop(id, "container deleted");
            if (rec.engineId() != null) {
              call(() -> runtime.remove(rec.engineId()));
            }
            ledger.update(id, r -> r.transition(ContainerStatus.DELETED, reason, Instant.now()));
          });
    }
  }

  /** Runs an engine call; an unreachable engine is a 503, a refusal a 502. */
  static void call(Runnable engineCall) {
    try {
      engineCall.run();
    } catch (RuntimeUnavailableException e) {
      throw ApiException.unavailable("the container engine is unreachable", e);
    } catch (RuntimeFailureException e) {
      throw new ApiException(502, "Bad Gateway", "the container engine refused the operation", e);
    }
  }

  /** The agent URL containers get: {@code CMS_AGENT_GATEWAY_URL}, else the agent listener's. */
  public String agentUrl() {
    return settings
        .agentGatewayUrl()
        .orElseGet(() -> "ws://host.docker.internal:" + settings.agentPort() + "/ws/v1/agent");
  }

  /** The request's limits, the settings' defaults where it names none (both validated). */
  public ContainerRecord.Limits limits(CreateRequest r) {
    int memory = r.memoryMb() == null ? settings.defaultMemoryMb() : r.memoryMb();
    double cpus = r.cpus() == null ? settings.defaultCpus() : r.cpus();
    long idle =
        r.idleTimeoutSeconds() == null
            ? settings.defaultIdleTimeoutSeconds()
            : r.idleTimeoutSeconds();
    long ttl = r.ttlSeconds() == null ? settings.defaultTtlSeconds() : r.ttlSeconds();
    return new ContainerRecord.Limits(
        memory, cpus, settings.pidsLimit(), idle, ttl, Math.max(0, settings.diskMb()));
  }
}
