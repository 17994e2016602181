package dev.cms.console;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The OpenID Connect redirect URI ({@code /console/Callback}): the mechanism has handled the
 * provider's answer by the time this runs, so the browser goes on to the console page. (Payara's
 * mechanism could replay the original request instead, but its replayed request has no parameter
 * map, which Faces cannot take.)
 */
@WebServlet("/Callback")
public class SignInCallback extends HttpServlet {

  private static final long serialVersionUID = 1L;

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
    res.sendRedirect(req.getContextPath() + "/");
  }
}
