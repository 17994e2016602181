package dev.cms.gateway.agents.boundary;

import dev.cms.gateway.agents.control.AgentListener;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The agent endpoint is reached through the agent listener only: on the servlet container's own
 * listener {@code /ws/v1/agent} answers 404 unless the request carries this process's relay token,
 * which only {@link AgentListener} adds (and strips from what agents send).
 */
@WebFilter(urlPatterns = "/ws/v1/agent", asyncSupported = true)
public class AgentRelayFilter extends HttpFilter {

  @Inject AgentListener listener;

  @Override
  protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    if (!listener.isRelayToken(req.getHeader(AgentListener.RELAY_HEADER))) {
      res.sendError(
          HttpServletResponse.SC_NOT_FOUND,
          "agents connect to the agent listener (CMS_AGENT_PORT), not to this port");
      return;
    }
    chain.doFilter(req, res);
  }
}
