package dev.cms.client;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.Closeable;
import java.util.List;

/**
 * The caller's API keys ({@code /api/v1/keys}) and, for admins, the users ({@code /api/v1/users}).
 */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public interface UsersApi extends Closeable {

  @GET
  @Path("keys")
  List<ApiKey> keys();

  /** Makes an API key; the answer's {@code key} is its secret, shown this once. */
  @POST
  @Path("keys")
  ApiKey createKey(NewKey body);

  @DELETE
  @Path("keys/{id}")
  void revokeKey(@PathParam("id") String id);

  @GET
  @Path("users")
  List<User> users();

  @POST
  @Path("users")
  User createUser(NewUser body);

  @DELETE
  @Path("users/{id}")
  void deleteUser(@PathParam("id") String id);
}
