package dev.cms.gateway.security;

import jakarta.enterprise.context.RequestScoped;
import java.util.Optional;

/**
 * The authenticated caller of the current API request, set by {@link ApiKeyFilter}: a service (a
 * key of {@code CMS_API_KEYS}, known by the key's id) or a user (by one of their own credentials,
 * known by their user id, which is also their owner id).
 */
@RequestScoped
public class Caller {

  private String id;
  private UserPrincipal user;

  void authenticate(String id) {
    this.id = id;
    this.user = null;
  }

  void authenticate(UserPrincipal user) {
    this.id = user.userId();
    this.user = user;
  }

  /**
   * The caller's owner id: a service key's id or the user's id; fails if the request was not
   * authenticated (a programming error).
   */
  public String id() {
    if (id == null) {
      throw new IllegalStateException("request not authenticated");
    }
    return id;
  }

  /** The signed-in user behind this call; empty for a service key. */
  public Optional<UserPrincipal> user() {
    id();
    return Optional.ofNullable(user);
  }

  /** Whether the call comes with a key of {@code CMS_API_KEYS}. */
  public boolean isService() {
    return user().isEmpty();
  }

  /** Whether the call comes from a user in the role {@code admin}. */
  public boolean isAdmin() {
    return user().map(UserPrincipal::admin).orElse(false);
  }

  /**
   * The owner whose containers the caller may see and control, or {@code null} for every owner's
   * (an admin).
   */
  public String scope() {
    return isAdmin() ? null : id();
  }
}
