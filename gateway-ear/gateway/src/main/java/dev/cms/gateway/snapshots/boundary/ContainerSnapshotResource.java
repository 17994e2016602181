package dev.cms.gateway.snapshots.boundary;

import dev.cms.gateway.problems.Problem;
import dev.cms.gateway.security.Caller;
import dev.cms.gateway.snapshots.control.SnapshotRequest;
import dev.cms.gateway.snapshots.control.SnapshotView;
import dev.cms.gateway.snapshots.control.Snapshots;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code POST /api/v1/containers/{id}/snapshot}: take a snapshot of a container. */
@Path("v1/containers/{id}/snapshot")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "snapshots")
@SecurityRequirement(name = "apiKey")
public class ContainerSnapshotResource {

  @Inject Snapshots snapshots;
  @Inject Caller caller;

  @Context UriInfo uri;

  @POST
  @Consumes({MediaType.APPLICATION_JSON, MediaType.WILDCARD})
  @Operation(
      summary = "Take a snapshot of a container",
      description =
          "An image of the container's file system plus an archive of its workspace volumes"
              + " (/app, /home/node, /tmp, /var/tmp), taken with the container frozen (a running"
              + " one runs on afterwards). Body (optional): name. POST /api/v1/containers with"
              + " \"snapshot\" starts a new container from it with the files intact. The snapshot"
              + " belongs to the container's owner and counts against CMS_MAX_SNAPSHOTS_PER_KEY.")
  @RequestBody(
      required = false,
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(ref = "SnapshotRequest")))
  @APIResponse(
      responseCode = "201",
      description = "taken",
      content =
          @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "SnapshotView")))
  @APIResponse(responseCode = "404", description = "no such container of the caller's")
  @APIResponse(
      responseCode = "409",
      description = "the container is not RUNNING, PAUSED or STOPPED")
  @APIResponse(
      responseCode = "413",
      description = "larger than a container's disk (rule snapshot-too-large)")
  @APIResponse(
      responseCode = "429",
      description = "the owner's snapshot quota is used up (rule snapshot-quota)")
  @APIResponse(
      responseCode = "400",
      description = "a bad name: the problem lists the fields",
      content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(ref = "Problem")))
  public Response snapshot(@PathParam("id") String id, @Valid SnapshotRequest req) {
    SnapshotView made = snapshots.create(caller.scope(), id, req);
    java.net.URI location = uri.getBaseUriBuilder().path("v1/snapshots").path(made.id()).build();
    return Response.created(location).entity(made).build();
  }
}
