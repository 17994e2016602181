package dev.cms.gateway.users.boundary;

import dev.cms.gateway.problems.ApiException;
import dev.cms.gateway.problems.Bodies;
import dev.cms.gateway.security.Caller;
import dev.cms.gateway.security.UserPrincipal;
import dev.cms.gateway.users.control.UserView;
import dev.cms.gateway.users.control.Users;
import jakarta.inject.Inject;
import jakarta.validation.Validator;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
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
import org.eclipse.microprofile.openapi.annotations.media.Schema;
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
  @Inject Validator validator;

  /**
   * A new user: name, password and role ({@code user}, the default, or {@code admin}). The rules
   * are those {@link Users#create} keeps for every door.
   */
  @Schema(name = "NewUser", example = "{\"name\":\"alice\",\"password\":\"correct-horse-1\"}")
  public record NewUser(
      @NotNull(message = "is required")
          @Pattern(
              regexp = "\\s*[a-z][a-z0-9._-]{1,31}\\s*",
              message =
                  "must be 2 to 32 lower-case letters, digits, '.', '-' or '_', starting with a"
                      + " letter")
          String name,
      @NotNull(message = "is required")
          @Size(
              min = Users.MIN_PASSWORD,
              max = Users.MAX_PASSWORD,
              message =
                  "must have " + Users.MIN_PASSWORD + " to " + Users.MAX_PASSWORD + " characters")
          @Pattern(regexp = "(?s).*\\S.*", message = "must not be blank")
          String password,
      @Pattern(regexp = "(?i)\\s*(user|admin)?\\s*", message = "must be 'user' or 'admin'")
          String role) {
    /** Written out: Payara's OpenAPI scanner fails on a constrained record's implicit one. */
    public NewUser(String name, String password, String role) {
      this.name = name;
      this.password = password;
      this.role = role;
    }
  }

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
    Bodies.valid(validator, body, "{\"name\":…,\"password\":…,\"role\":…}");
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
