package dev.cms.client;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.io.Closeable;
import java.util.List;

/**
 * What runs in a container: processes in their own terminals, commands run to their end ({@code
 * exec}), the listening ports and their preview URLs.
 */
@Path("/api/v1/containers")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public interface ProcessesApi extends Closeable {

  /** Runs a command in a terminal of its own (attachable over the client WebSocket). */
  @POST
  @Path("{id}/processes")
  ProcessView start(@PathParam("id") String id, StartProcess body);

  /** The container's processes, newest first. */
  @GET
  @Path("{id}/processes")
  List<ProcessView> list(@PathParam("id") String id);

  @GET
  @Path("{id}/processes/{pid}")
  ProcessView get(@PathParam("id") String id, @PathParam("pid") String pid);

  /** SIGTERM, then SIGKILL after a grace period; the answer has the exit code. */
  @POST
  @Path("{id}/processes/{pid}/stop")
  ProcessView stop(@PathParam("id") String id, @PathParam("pid") String pid);

  /** Runs a command without a terminal and answers when it ended (or timed out). */
  @POST
  @Path("{id}/exec")
  ExecResult exec(@PathParam("id") String id, ExecCommand body);

  /** Starts a command in the background ({@code background=true}); answers its id, RUNNING. */
  @POST
  @Path("{id}/exec")
  ExecJob execInBackground(
      @PathParam("id") String id, @QueryParam("background") boolean background, ExecCommand body);

  /** A background command as it stands; {@code wait} seconds (≤ 600) to wait for its end. */
  @GET
  @Path("{id}/exec/{execId}")
  ExecJob execJob(
      @PathParam("id") String id, @PathParam("execId") String execId, @QueryParam("wait") int wait);

  /** Kills a background command and what it started (status KILLED, exit code 137). */
  @DELETE
  @Path("{id}/exec/{execId}")
  ExecJob killExec(@PathParam("id") String id, @PathParam("execId") String execId);

  /** The TCP ports listening in the container, with their preview URLs. */
  @GET
  @Path("{id}/ports")
  List<PortView> ports(@PathParam("id") String id);

  /** The preview URLs of a port, whether or not anything listens on it yet. */
  @GET
  @Path("{id}/preview/{port}")
  PortView preview(@PathParam("id") String id, @PathParam("port") int port);
}
