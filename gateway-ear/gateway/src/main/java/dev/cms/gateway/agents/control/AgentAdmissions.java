package dev.cms.gateway.agents.control;

/**
 * Who may speak for a container, as its records say. The {@code containers} component answers (the
 * agent socket and the data connections ask it here), so agents never depend on containers.
 */
public interface AgentAdmissions {

  /**
   * Whether an agent presenting {@code presented} may speak for the container: the create-time
   * secret is accepted once after each (re)start and exchanged for a link credential, which is
   * accepted from then on. Never for a container that is gone.
   */
  AgentAdmission admitAgent(String containerId, String presented);

  /**
   * The WELCOME that carried {@code credential} never reached the agent: its create-time secret is
   * accepted once more (unless another link took over meanwhile).
   */
  void undoAgentExchange(String containerId, String credential);

  /**
   * Whether an agent data connection presenting {@code credential} may carry the container's
   * preview traffic: the container running and the credential its current link credential.
   */
  boolean acceptsDataConnection(String containerId, String credential);
}
