package dev.cms.console;

import dev.cms.client.Session;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.SessionScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.Serializable;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The signed-in user of this console session and the gateway session token the console acts with
 * for them. Held in the server-side session only; never rendered into a page. When the session ends
 * (sign-out or timeout) the gateway session is closed too, and {@link LiveEvents} stops using it
 * (the user's live event stream ends with their last session).
 */
@Named
@SessionScoped
public class UserSession implements Serializable {

  private static final long serialVersionUID = 1L;
  private static final Logger LOG = Logger.getLogger(UserSession.class.getName());

  @Inject Gateway gateway;
  @Inject LiveEvents live;

  private String token;
  private String userId;
  private String name;
  private boolean admin;
  private String refusal;

  /**
   * Signs this session in with the gateway's session answer {@code {token, userId, name, role}};
   * returns the caller's console roles.
   */
  Set<String> signedIn(Session gatewaySession) {
    boolean isAdmin = gatewaySession.admin();
    signedIn(gatewaySession.token(), gatewaySession.userId(), gatewaySession.name(), isAdmin);
    return isAdmin ? Set.of("user", "admin") : Set.of("user");
  }

  private void signedIn(String token, String userId, String name, boolean admin) {
    if (this.token != null) {
      live.leave(this.userId, this.token); // signed in again in the same session
    }
    this.token = token;
    this.userId = userId;
    this.name = name;
    this.admin = admin;
    live.join(userId, token);
  }

  /** Why the gateway refused a user their identity provider signed in (shown by the 403 page). */
  void refused(String reason) {
    this.refusal = reason;
  }

  public String getRefusal() {
    return refusal;
  }

  /** The user's gateway session token; empty before sign-in. */
  Optional<String> token() {
    return Optional.ofNullable(token);
  }

  public String getName() {
    return name;
  }

  public String getUserId() {
    return userId;
  }

  public boolean isAdmin() {
    return admin;
  }

  @PreDestroy
  void ended() {
    if (token == null) {
      return;
    }
    String t = token;
    token = null;
    live.leave(userId, t);
    try {
      gateway.closeSession(t);
    } catch (RuntimeException e) {
      // the gateway session expires by itself
      LOG.log(Level.FINE, "could not close the gateway session of " + name, e);
    }
  }
}
