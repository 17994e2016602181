package dev.cms.gateway.containers.control;

import dev.cms.gateway.agents.control.AgentAdmission;
import dev.cms.gateway.agents.control.AgentAdmissions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Agents' admissions answered from the container records ({@link Containers}). */
@ApplicationScoped
public class ContainerAgentAdmissions implements AgentAdmissions {

  @Inject Containers containers;

  @Override
  public AgentAdmission admitAgent(String containerId, String presented) {
    return containers.admitAgent(containerId, presented);
  }

  @Override
  public void undoAgentExchange(String containerId, String credential) {
    containers.undoAgentExchange(containerId, credential);
  }

  @Override
  public boolean acceptsDataConnection(String containerId, String credential) {
    return containers.acceptsDataConnection(containerId, credential);
  }
}
