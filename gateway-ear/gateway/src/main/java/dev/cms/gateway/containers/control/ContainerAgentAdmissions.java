package dev.cms.gateway.containers.control;

import dev.cms.domain.ContainerStatus;
import dev.cms.gateway.agents.control.AgentAdmission;
import dev.cms.gateway.agents.control.AgentAdmissions;
import dev.cms.gateway.containers.entity.ContainerRecord;
import dev.cms.gateway.security.Secrets;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Agents' admissions answered from the container records. */
@ApplicationScoped
public class ContainerAgentAdmissions implements AgentAdmissions {

  private static final Logger LOG = Logger.getLogger(ContainerAgentAdmissions.class.getName());

  @Inject ContainerStore store;

  /** {@inheritDoc} Of two HELLOs racing for the one exchange, the loser is refused. */
  @Override
  public AgentAdmission admitAgent(String containerId, String presented) {
    try {
      return store.admitAgent(containerId, presented);
    } catch (RuntimeException e) {
      if (!ContainerLedger.optimisticLock(e)) {
        throw e;
      }
      LOG.fine(() -> "agent admission for " + containerId + " lost a race: " + e);
      return AgentAdmission.REFUSED;
    }
  }

  @Override
  public void undoAgentExchange(String containerId, String credential) {
    try {
      store.undoAgentExchange(containerId, credential);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "could not re-arm the agent secret of " + containerId, e);
    }
  }

  @Override
  public boolean acceptsDataConnection(String containerId, String credential) {
    ContainerRecord rec = store.find(containerId);
    return rec != null
        && rec.status() == ContainerStatus.RUNNING
        && rec.agentLinkHash() != null
        && Secrets.matches(credential, rec.agentLinkHash());
  }
}
