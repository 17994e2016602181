package dev.cms.gateway.templates.boundary;

import dev.cms.gateway.security.Caller;
import dev.cms.gateway.templates.control.TemplateView;
import dev.cms.gateway.templates.control.Templates;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code /api/v1/templates}: the templates a create may name, and whether each is usable. */
@Path("v1/templates")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "templates")
@SecurityRequirement(name = "apiKey")
public class TemplatesResource {

  @Inject Templates templates;
  @Inject Caller caller;

  @GET
  @Operation(
      summary = "List the templates, 'default' first",
      description =
          "Each: name, description, base, status (BUILDING, READY, FAILED), image (once READY),"
              + " error (once FAILED; admins see the build's last output too). A create names one"
              + " in its body's 'template'.")
  @APIResponse(
      responseCode = "200",
      description = "the templates",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = TemplateView[].class)))
  public List<TemplateView> list() {
    return templates.list(caller.isAdmin());
  }

  @GET
  @Path("{name}")
  @Operation(summary = "One template")
  @APIResponse(
      responseCode = "200",
      description = "the template",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = TemplateView.class)))
  @APIResponse(responseCode = "404", description = "no template of that name")
  public TemplateView get(@PathParam("name") String name) {
    return templates.get(name, caller.isAdmin());
  }
}
