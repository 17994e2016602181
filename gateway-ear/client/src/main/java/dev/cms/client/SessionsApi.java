package dev.cms.client;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.Closeable;

/**
 * {@code /api/v1/sessions}: opening a session takes a service key (the console's); the session's
 * own token ends it.
 */
@Path("/api/v1/sessions")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public interface SessionsApi extends Closeable {

  /** Checks a user's name and password and opens a session (401 wrong, 429 too many tries). */
  @POST
  Session open(SignIn body);

  /** Opens a session for a user the OpenID Connect provider signed in. */
  @POST
  @Path("federated")
  Session openFederated(FederatedSignIn body);

  /** The user behind the presented credential. */
  @GET
  @Path("current")
  Me current();

  /** Ends the session of the presented session token (sign-out). */
  @DELETE
  @Path("current")
  void end();
}
