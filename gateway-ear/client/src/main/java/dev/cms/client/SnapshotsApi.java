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

/** Snapshots of containers, to fork new ones from ({@link CreateContainer#withSnapshot}). */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public interface SnapshotsApi extends Closeable {

  /** Takes a snapshot of a RUNNING, PAUSED or STOPPED container (its processes run on). */
  @POST
  @Path("containers/{id}/snapshot")
  Snapshot take(@PathParam("id") String containerId, TakeSnapshot body);

  /** The caller's snapshots, newest first. */
  @GET
  @Path("snapshots")
  List<Snapshot> list();

  @GET
  @Path("snapshots/{id}")
  Snapshot get(@PathParam("id") String id);

  /** Removes the snapshot (forks of it run on). */
  @DELETE
  @Path("snapshots/{id}")
  Snapshot delete(@PathParam("id") String id);
}
