package dev.cms.gateway.snapshots.boundary;

import dev.cms.gateway.security.Caller;
import dev.cms.gateway.snapshots.control.SnapshotView;
import dev.cms.gateway.snapshots.control.Snapshots;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code /api/v1/snapshots}: list, inspect and delete the caller's snapshots. */
@Path("v1/snapshots")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "snapshots")
@SecurityRequirement(name = "apiKey")
public class SnapshotsResource {

  @Inject Snapshots snapshots;
  @Inject Caller caller;

  @GET
  @Operation(summary = "List the caller's snapshots (an admin's: everyone's), newest first")
  public List<SnapshotView> list() {
    return snapshots.list(caller.scope());
  }

  @GET
  @Path("{id}")
  @Operation(summary = "One snapshot")
  @APIResponse(responseCode = "404", description = "no such snapshot of the caller's")
  public SnapshotView get(@PathParam("id") String id) {
    return snapshots.get(caller.scope(), id);
  }

  @DELETE
  @Path("{id}")
  @Operation(
      summary = "Delete a snapshot: its record, its image and its workspace archive",
      description =
          "Containers forked from it run on; the image's layers are freed once the last of them"
              + " is gone.")
  @APIResponse(responseCode = "404", description = "no such snapshot of the caller's")
  public SnapshotView delete(@PathParam("id") String id) {
    return snapshots.delete(caller.scope(), id);
  }
}
