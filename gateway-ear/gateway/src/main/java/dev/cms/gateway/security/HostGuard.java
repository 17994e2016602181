package dev.cms.gateway.security;

import dev.cms.domain.http.HostPolicy;
import dev.cms.gateway.config.Settings;
import jakarta.inject.Inject;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebListener;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;

/**
 * Answers 421 Misdirected Request to any request whose {@code Host} the {@link HostPolicy} does not
 * allow (DNS rebinding). Registered by the listener ahead of every other filter, so nothing of the
 * gateway runs for such a request. {@code /ws/v1/agent} is left to its own guard (the agent
 * listener's relay token): agents name the agent listener's address.
 */
public class HostGuard extends HttpFilter {

  private static final long serialVersionUID = 1L;
  private static final String AGENT_PATH = "/ws/v1/agent";

  private final transient HostPolicy policy;

  HostGuard(HostPolicy policy) {
    this.policy = policy;
  }

  @Override
  protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    String path = req.getRequestURI().substring(req.getContextPath().length());
    if (path.equals(AGENT_PATH)
        || policy.allows(req.getHeader("Host"), req.getLocalPort(), req.isSecure())) {
      chain.doFilter(req, res);
      return;
    }
    misdirected(res);
  }

  /** The 421 answer, plain text (no page of ours for a host we do not serve). */
  static void misdirected(HttpServletResponse res) throws IOException {
    res.setStatus(421);
    res.setContentType("text/plain;charset=UTF-8");
    res.getOutputStream().write(HostPolicy.MISDIRECTED.getBytes(StandardCharsets.UTF_8));
  }

  /** Registers the guard before the filters the WAR declares. */
  @WebListener
  public static class Registration implements ServletContextListener {

    @Inject Settings settings;

    @Override
    public void contextInitialized(ServletContextEvent sce) {
      HostPolicy policy = HostPolicy.of(settings.publicUrl(), settings.allowedHosts());
      var reg = sce.getServletContext().addFilter("cms-host-guard", new HostGuard(policy));
      reg.setAsyncSupported(true);
      reg.addMappingForUrlPatterns(
          EnumSet.of(DispatcherType.REQUEST), /* before the declared filters */ false, "/*");
    }
  }
}
