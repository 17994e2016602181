package dev.cms.console;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Only the console's own pages may frame the console ({@code frame-ancestors 'self'}, beside
 * Payara's server-wide {@code X-Frame-Options: SAMEORIGIN}). Previews come from the gateway's
 * preview listener, another origin, and are framed by the console, never the other way round.
 */
@WebFilter("/*")
public class ConsoleHeadersFilter extends HttpFilter {

  private static final long serialVersionUID = 1L;

  @Override
  protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    res.setHeader("Content-Security-Policy", "frame-ancestors 'self'");
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("Referrer-Policy", "same-origin");
    chain.doFilter(req, res);
  }
}
