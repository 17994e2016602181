package dev.cms.gateway.users.boundary;

import dev.cms.gateway.problems.ApiException;
import dev.cms.gateway.problems.Bodies;
import dev.cms.gateway.security.Caller;
import dev.cms.gateway.security.UserPrincipal;
import dev.cms.gateway.users.control.Credentials;
import dev.cms.gateway.users.control.IdTokens;
import dev.cms.gateway.users.control.Users;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code /api/v1/sessions}: the console's sign-in. With its service key the console presents a
 * user's name and password and gets the user's role and a session token to act for them with; with
 * that token it ends the session at sign-out.
 */
@Path("v1/sessions")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "sessions")
@SecurityRequirement(name = "apiKey")
public class SessionsResource {

  @Inject Caller caller;
  @Inject Users users;
  @Inject Credentials credentials;
  @Inject IdTokens idTokens;

  /** A sign-in: the user's name and password. */
  public record SignIn(String name, String password) {}

  /** A sign-in through the OpenID Connect provider: the ID token it just issued to the user. */
  public record FederatedSignIn(String idToken) {}

  /** A session: its token (for the console's server side only), its end and its user. */
  public record Session(String token, Instant expiresAt, String userId, String name, String role) {}

  /** The signed-in user behind a session token or API key. */
  public record Me(String userId, String name, String role) {}

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Check a user's password and open a session (service keys only)",
      description = "401 on a wrong name or password, 429 when the name failed too often recently.")
  public Response open(SignIn body) {
    Access.service(caller);
    Bodies.required(body, "{\"name\":…,\"password\":…}");
    Users.Account a = users.signIn(body.name(), body.password());
    Credentials.Session s = credentials.openSession(a.id());
    return Response.status(201)
        .entity(new Session(s.token(), s.expiresAt(), a.id(), a.name(), a.role().wire()))
        .build();
  }

  @POST
  @Path("federated")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      summary =
          "Open a session for a user the OpenID Connect provider signed in (service keys only)",
      description =
          "The gateway checks the ID token itself (signature by the provider's keys, issuer,"
              + " audience = CMS_OIDC_CLIENT_ID, expiry, first use). The user is created at their"
              + " first sign-in and gets the role of the provider's role claim; 401 on a bad token,"
              + " 409 when the name belongs to another user.")
  public Response openFederated(FederatedSignIn body) {
    Access.service(caller);
    Bodies.required(body, "{\"idToken\":…}");
    Users.Account a = users.signInFederated(idTokens.verify(body.idToken()));
    Credentials.Session s = credentials.openSession(a.id());
    return Response.status(201)
        .entity(new Session(s.token(), s.expiresAt(), a.id(), a.name(), a.role().wire()))
        .build();
  }

  @GET
  @Path("current")
  @Operation(summary = "The user behind the presented credential")
  public Me current() {
    UserPrincipal u = Access.user(caller);
    return new Me(u.userId(), u.name(), u.admin() ? "admin" : "user");
  }

  @DELETE
  @Path("current")
  @Operation(summary = "End the session of the presented session token (sign-out)")
  public Response close() {
    UserPrincipal u = Access.user(caller);
    if (!u.session()) {
      throw ApiException.badRequest("an API key is revoked with DELETE /api/v1/keys/{id}")
          .withRule("not-a-session");
    }
    credentials.closeSession(u.credentialId());
    return Response.noContent().build();
  }
}
