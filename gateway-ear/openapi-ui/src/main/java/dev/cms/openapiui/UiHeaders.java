package dev.cms.openapiui;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Security headers of the Swagger UI page: every script and style comes from this WAR (no CDN, no
 * inline script), requests go only to this origin (the {@code /openapi} document and "try it out"
 * calls to {@code /api}), and the page is framed by nobody else.
 */
@WebFilter(urlPatterns = "/*")
public class UiHeaders extends HttpFilter {

  private static final long serialVersionUID = 1L;

  /** Swagger UI sets style attributes from script and draws its icons as data: images. */
  static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline';"
          + " img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none';"
          + " form-action 'self'; frame-ancestors 'self'";

  @Override
  protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    res.setHeader("Content-Security-Policy", CSP);
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("Referrer-Policy", "no-referrer");
    chain.doFilter(req, res);
  }
}
