package dev.cms.console;

import dev.cms.domain.http.HostPolicy;
import jakarta.inject.Inject;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.SessionCookieConfig;
import jakarta.servlet.annotation.WebListener;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.logging.Logger;

/**
 * Sets up what the console's sessions and requests must be before the first request: the session
 * cookie (HttpOnly, SameSite=Lax; behind https also Secure with the {@code __Host-} prefix), the
 * session timeout, and the Host guard (421 for a {@code Host} the {@link
 * dev.cms.domain.http.HostPolicy} does not allow) ahead of every other filter.
 */
@WebListener
public class ConsoleStartup implements ServletContextListener {

  static final String SECURE_COOKIE_NAME = "__Host-cms-session";
  private static final Logger LOG = Logger.getLogger(ConsoleStartup.class.getName());

  @Inject ConsoleSettings settings;

  @Override
  public void contextInitialized(ServletContextEvent sce) {
    ServletContext sc = sce.getServletContext();
    sc.setSessionTimeout(settings.sessionMinutes());
    SessionCookieConfig cookie = sc.getSessionCookieConfig();
    cookie.setHttpOnly(true);
    cookie.setAttribute("SameSite", "Lax"); // Servlet 6; on Payara 6 glassfish-web.xml says it
    if (settings.secureCookie()) {
      // __Host-: Secure, no Domain, Path=/ — the browser then refuses it from anything but https
      cookie.setSecure(true);
      cookie.setName(SECURE_COOKIE_NAME);
      cookie.setPath("/");
      LOG.info("console session cookie: " + SECURE_COOKIE_NAME + ", Secure, HttpOnly, Lax");
    }
    var reg = sc.addFilter("cms-host-guard", new HostGuard(settings));
    reg.setAsyncSupported(true);
    reg.addMappingForUrlPatterns(
        // FORWARD too: the container authenticates before any filter runs, and forwards to the
        // sign-in page; that dispatch is where a foreign Host is refused for protected pages
        EnumSet.of(DispatcherType.REQUEST, DispatcherType.FORWARD),
        /* before the declared filters */ false,
        "/*");
  }

  /** Answers 421 Misdirected Request for a {@code Host} this service does not serve. */
  static final class HostGuard extends HttpFilter {

    private static final long serialVersionUID = 1L;
    private final transient ConsoleSettings settings;

    HostGuard(ConsoleSettings settings) {
      this.settings = settings;
    }

    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
        throws IOException, ServletException {
      if (settings.hostPolicy().allows(req.getHeader("Host"), req.getLocalPort(), req.isSecure())) {
        chain.doFilter(req, res);
        return;
      }
      misdirected(res);
    }

    /** The 421 answer. */
    static void misdirected(HttpServletResponse res) throws IOException {
      res.setStatus(421);
      res.setContentType("text/plain;charset=UTF-8");
      res.getOutputStream().write(HostPolicy.MISDIRECTED.getBytes(StandardCharsets.UTF_8));
    }
  }
}
