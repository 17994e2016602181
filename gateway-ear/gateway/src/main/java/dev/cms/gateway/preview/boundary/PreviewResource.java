package dev.cms.gateway.preview.boundary;

import dev.cms.gateway.containers.control.Containers;
import dev.cms.gateway.preview.control.PreviewUrls;
import dev.cms.gateway.problems.ApiException;
import dev.cms.gateway.security.Caller;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code /api/v1/containers/{id}/preview/{port}}: the preview URLs of a port of a container. */
@Path("v1/containers/{id}/preview/{port}")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "preview")
@SecurityRequirement(name = "apiKey")
public class PreviewResource {

  @Inject Containers containers;
  @Inject PreviewUrls urls;
  @Inject Caller caller;
  @Context UriInfo uri;

  @GET
  @Operation(
      summary = "Preview URLs of a port",
      description =
          "Both on the preview listener (CMS_PREVIEW_PORT), an origin apart from the console's and"
              + " the API's; the secret is the port's own. url: the host form"
              + " {port}-{id}-{secret}.{domain} (each preview its own origin). pathUrl:"
              + " /preview/{id}-{secret}/{port}/ for places without wildcard DNS.")
  public Map<String, Object> preview(@PathParam("id") String id, @PathParam("port") int port) {
    if (port < 1 || port > 65535) {
      throw ApiException.badRequest("port must be between 1 and 65535, was " + port);
    }
    containers.get(caller.scope(), id, "");
    String host = uri.getBaseUri().getHost();
    return Map.of(
        "port", port, "url", urls.hostUrl(id, port, host), "pathUrl", urls.pathUrl(id, port, host));
  }
}
