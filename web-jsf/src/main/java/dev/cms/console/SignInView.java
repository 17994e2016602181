package dev.cms.console;

import dev.cms.domain.http.SignInThrottle;
import jakarta.enterprise.context.RequestScoped;
import jakarta.faces.application.FacesMessage;
import jakarta.faces.context.ExternalContext;
import jakarta.faces.context.FacesContext;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.security.enterprise.AuthenticationStatus;
import jakarta.security.enterprise.SecurityContext;
import jakarta.security.enterprise.authentication.mechanism.http.AuthenticationParameters;
import jakarta.security.enterprise.credential.UsernamePasswordCredential;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The sign-in page: hands the name and password to Jakarta Security ({@link ConsoleSecurity}),
 * limits failed attempts per client address (the gateway limits them per user name), and gives the
 * session a new id before signing in (session fixation).
 */
@Named
@RequestScoped
public class SignInView {

  @Inject SecurityContext security;
  @Inject SignInOutcome outcome;
  @Inject ConsoleSettings settings;

  private String name;
  private String password;

  public void signIn() throws IOException {
    FacesContext fc = FacesContext.getCurrentInstance();
    ExternalContext ec = fc.getExternalContext();
    HttpServletRequest req = (HttpServletRequest) ec.getRequest();
    HttpServletResponse res = (HttpServletResponse) ec.getResponse();
    String address = req.getRemoteAddr();
    SignInThrottle perAddress = settings.signInThrottle();
    Optional<Duration> wait = perAddress.blocked(address, Instant.now());
    if (wait.isPresent()) {
      error(
          "Too many failed sign-ins from your address; try again in "
              + Math.max(1, wait.get().toSeconds())
              + " s.");
      return;
    }
    if (req.getSession(false) != null) {
      req.changeSessionId(); // before any identity is attached to the session
    }
    AuthenticationStatus status =
        security.authenticate(
            req,
            res,
            AuthenticationParameters.withParams()
                .newAuthentication(true)
                .credential(
                    new UsernamePasswordCredential(
                        name == null ? "" : name.strip(), password == null ? "" : password)));
    password = null;
    switch (status) {
      case SEND_CONTINUE -> fc.responseComplete(); // the mechanism redirects to the page asked for
      case SUCCESS -> {
        perAddress.succeeded(address);
        ec.redirect(ec.getRequestContextPath() + "/");
      }
      default -> {
        perAddress.failed(address, Instant.now());
        // no session survives a failed sign-in: nothing of the attempt (nor the mechanism's saved
        // request, which would leave the next visit with an empty answer) is kept
        ec.invalidateSession();
        error(outcome.message() == null ? "Wrong user name or password." : outcome.message());
      }
    }
  }

  private static void error(String text) {
    FacesContext.getCurrentInstance()
        .addMessage(null, new FacesMessage(FacesMessage.SEVERITY_ERROR, text, null));
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getPassword() {
    return password;
  }

  public void setPassword(String password) {
    this.password = password;
  }
}
