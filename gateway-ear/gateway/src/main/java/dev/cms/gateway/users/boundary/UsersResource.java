package dev.cms.gateway.users.boundary;

import dev.cms.gateway.problems.ApiException;
import dev.cms.gateway.security.Caller;
import dev.cms.gateway.security.UserPrincipal;
import dev.cms.gateway.users.control.UserView;
import dev.cms.gateway.users.control.Users;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code /api/v1/users}: admins create, list and delete users. */
@Path("v1/users")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "users")
@SecurityRequirement(name = "apiKey")
public class UsersResource {

  @Inject Caller caller;
  @Inject Users users;

  /** A new user: name, password and role ({@code user}, the default, or {@code admin}). */
  public record NewUser(String name, String password, String role) {}

  @GET
  @Operation(summary = "Every user (admins only)")
  public List<UserView> list() {
    Access.admin(caller);
    return users.list();
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(summary = "Create a user (admins only)")
  public Response create(NewUser body) {
    Access.admin(caller);
    if (body == null) {
      throw ApiException.badRequest("body must be {\"name\":…,\"password\":…,\"role\":…}");
    }
    return Response.status(201)
        .entity(users.create(body.name(), body.password(), body.role()))
        .build();
  }

  @DELETE
  @Path("{id}")
  @Operation(summary = "Delete a user and their credentials (admins only; not oneself)")
  public Response delete(@PathParam("id") String id) {
    UserPrincipal me = Access.admin(caller);
    if (me.userId().equals(id)) {
      throw ApiException.conflict("an admin cannot delete their own user").withRule("self");
    }
    users.delete(id);
    return Response.noContent().build();
  }
}
