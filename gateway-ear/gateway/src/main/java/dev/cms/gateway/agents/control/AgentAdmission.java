package dev.cms.gateway.agents.control;

/**
 * How an agent's HELLO was judged.
 *
 * @param accepted whether it may speak for the container
 * @param credential the link credential issued for the create-time secret; empty otherwise
 */
public record AgentAdmission(boolean accepted, String credential) {

  /** Not this container's agent (or the container is gone). */
  public static final AgentAdmission REFUSED = new AgentAdmission(false, "");

  /** The agent presented its current link credential. */
  public static final AgentAdmission LINK = new AgentAdmission(true, "");
}
