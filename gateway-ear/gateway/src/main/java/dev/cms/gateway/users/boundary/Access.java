package dev.cms.gateway.users.boundary;

import dev.cms.gateway.problems.ApiException;
import dev.cms.gateway.security.Caller;
import dev.cms.gateway.security.UserPrincipal;
import jakarta.ws.rs.core.Response;

/** Who may call the user endpoints: 403 problems naming what was missing. */
final class Access {

  private Access() {}

  static UserPrincipal user(Caller caller) {
    return caller
        .user()
        .orElseThrow(
            () ->
                new ApiException(
                        Response.Status.FORBIDDEN,
                        "a service key (CMS_API_KEYS) has no user; use a user's API key")
                    .withRule("user-only"));
  }

  static UserPrincipal admin(Caller caller) {
    UserPrincipal u = user(caller);
    if (!u.admin()) {
      throw new ApiException(Response.Status.FORBIDDEN, "only an admin manages users")
          .withRule("admin-only");
    }
    return u;
  }

  static void service(Caller caller) {
    if (!caller.isService()) {
      throw new ApiException(
              Response.Status.FORBIDDEN,
              "sign-ins are checked for the console, with a service key (CMS_API_KEYS)")
          .withRule("service-only");
    }
  }
}
