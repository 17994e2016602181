package dev.cms.gateway.agents.boundary;

import dev.cms.gateway.agents.control.AgentListener;
import dev.cms.gateway.agents.control.RateWindow;
import dev.cms.gateway.agents.control.Untrusted;
import dev.cms.gateway.config.Settings;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.logging.Logger;

/**
 * Rate-limits upgrades to the agent endpoint per remote address ({@code
 * CMS_AGENT_CONNECTS_PER_MINUTE}), before any frame is read: a reconnect storm from one address
 * gets {@code 429} with {@code Retry-After} and costs one log line per minute, not one per attempt.
 * Only the address is limited here, never a container id: an unauthenticated caller must not be
 * able to lock a container's real agent out.
 */
@WebFilter(urlPatterns = "/ws/v1/agent", asyncSupported = true)
public class AgentConnectFilter extends HttpFilter {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = Logger.getLogger(AgentConnectFilter.class.getName());

  @Inject transient Settings settings;
  @Inject transient AgentListener listener;
  private transient volatile RateWindow window;

  @Override
  protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    String address = agentAddress(req);
    RateWindow.Decision d = window().admit(address);
    if (d.suppressedBefore() > 0) {
      LOG.warning(
          () ->
              d.suppressedBefore()
                  + " agent connection attempts from "
                  + Untrusted.quote(address)
                  + " were refused in the last minute (more than "
                  + settings.agentConnectsPerMinute()
                  + ")");
    }
    if (d.firstRefused()) {
      LOG.warning(
          () ->
              "refusing agent connection attempts from "
                  + Untrusted.quote(address)
                  + " for the rest of the minute (more than "
                  + settings.agentConnectsPerMinute()
                  + " a minute)");
    }
    if (!d.allowed()) {
      res.setHeader("Retry-After", "60");
      res.sendError(429, "too many agent connection attempts from this address");
      return;
    }
    chain.doFilter(req, res);
  }

  /**
   * The agent's address: as the agent listener saw it (its relay token vouches for the header),
   * else the connection's own (everything relayed comes from loopback).
   */
  private String agentAddress(HttpServletRequest req) {
    String peer = req.getHeader(AgentListener.PEER_HEADER);
    if (peer != null && listener.isRelayToken(req.getHeader(AgentListener.RELAY_HEADER))) {
      int colon = peer.lastIndexOf(':');
      return colon > 0 ? peer.substring(0, colon) : peer;
    }
    return String.valueOf(req.getRemoteAddr());
  }

  private RateWindow window() {
    RateWindow w = window;
    if (w == null) {
      synchronized (this) {
        if (window == null) {
          window = new RateWindow(settings.agentConnectsPerMinute(), 100_000);
        }
        w = window;
      }
    }
    return w;
  }
}
