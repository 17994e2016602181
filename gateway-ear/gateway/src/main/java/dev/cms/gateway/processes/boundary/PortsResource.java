package dev.cms.gateway.processes.boundary;

import dev.cms.gateway.containers.control.Containers;
import dev.cms.gateway.processes.control.PortLinks;
import dev.cms.gateway.processes.control.Ports;
import dev.cms.gateway.security.Caller;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code /api/v1/containers/{id}/ports}: what listens in the container, with preview URLs. */
@Path("v1/containers/{id}/ports")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "processes")
@SecurityRequirement(name = "apiKey")
public class PortsResource {

  @Inject Ports ports;
  @Inject PortLinks urls;
  @Inject Containers containers;
  @Inject Caller caller;
  @Context UriInfo uri;

  @GET
  @Operation(summary = "The TCP ports listening in the container, with their preview URLs")
  public List<Map<String, Object>> ports(@PathParam("id") String id) {
    containers.get(caller.scope(), id, "");
    return ports.of(id).stream().map(p -> ProcessesResource.portUrls(urls, uri, id, p)).toList();
  }
}
