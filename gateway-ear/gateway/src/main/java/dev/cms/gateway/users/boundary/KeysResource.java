package dev.cms.gateway.users.boundary;

import dev.cms.gateway.problems.Bodies;
import dev.cms.gateway.security.Caller;
import dev.cms.gateway.users.control.Credentials;
import dev.cms.gateway.users.control.KeyView;
import jakarta.inject.Inject;
import jakarta.validation.Validator;
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

/**
 * {@code /api/v1/keys}: a user's own API keys. A key acts as its user: the same containers, the
 * same quota. Created keys are shown once; lists show prefixes and last use.
 */
@Path("v1/keys")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "keys")
@SecurityRequirement(name = "apiKey")
public class KeysResource {

  @Inject Caller caller;
  @Inject Credentials credentials;
  @Inject Validator validator;

  /** A new key's label (optional): at most 100 characters, no control characters. */
  @Schema(name = "NewKey", example = "{\"label\":\"ci\"}")
  public record NewKey(
      @Size(max = Credentials.MAX_LABEL, message = "must have at most 100 characters")
          @Pattern(regexp = "\\P{Cntrl}*", message = "must not contain control characters")
          String label) {
    /** Written out: Payara's OpenAPI scanner fails on a constrained record's implicit one. */
    public NewKey(String label) {
      this.label = label;
    }
  }

  @GET
  @Operation(summary = "The caller's API keys (prefix, label, created, last used)")
  public List<KeyView> list() {
    return credentials.keys(Access.user(caller).userId());
  }

  @POST
  @Consumes({MediaType.APPLICATION_JSON, MediaType.WILDCARD})
  @Operation(summary = "Make an API key; the answer's 'key' is shown this once")
  public Response create(NewKey body) {
    String user = Access.user(caller).userId();
    if (body != null) {
      Bodies.valid(validator, body, "{\"label\":…}");
    }
    return Response.status(201)
        .entity(credentials.createKey(user, body == null ? null : body.label()))
        .build();
  }

  @DELETE
  @Path("{id}")
  @Operation(summary = "Revoke one of the caller's API keys")
  public Response revoke(@PathParam("id") String id) {
    credentials.revokeKey(Access.user(caller).userId(), id);
    return Response.noContent().build();
  }
}
