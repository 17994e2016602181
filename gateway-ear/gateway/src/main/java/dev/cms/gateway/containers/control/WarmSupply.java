package dev.cms.gateway.containers.control;

import dev.cms.gateway.containers.entity.ContainerRecord;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Started containers waiting for a user (the warm pool, {@code pool.control.WarmPool}): a create
 * asks it first and starts a container of its own only when it answers empty. An interface, so that
 * the lifecycle does not depend on the pool (the pool depends on the lifecycle).
 */
public interface WarmSupply {

  /** The template of today's AppContainer image. */
  String DEFAULT_TEMPLATE = "default";

  /**
   * Hands a waiting container of {@code template} to the claim's owner, with its limits, labels and
   * environment; never the same container to two claims.
   *
   * @return the claimed container (its client token included); empty when none waits or the claim
   *     failed (the failed container is removed), so the caller creates one cold
   * @throws dev.cms.gateway.problems.ApiException when the owner's quota is used up
   */
  Optional<ContainerView> claim(String template, Claim claim);

  /**
   * What a create asks of a pooled container, its request checked already.
   *
   * @param owner the creator
   * @param limits the limits to apply (memory and CPUs through the engine)
   * @param labels the caller's labels, for the record
   * @param env the create request's environment, for the agent
   * @param publicBase the base of the answer's URLs
   */
  record Claim(
      String owner,
      ContainerRecord.Limits limits,
      Map<String, String> labels,
      Map<String, String> env,
      String publicBase) {
    public Claim {
      Objects.requireNonNull(owner, "owner");
      Objects.requireNonNull(limits, "limits");
      labels = Map.copyOf(labels);
      env = Map.copyOf(env);
    }
  }
}
