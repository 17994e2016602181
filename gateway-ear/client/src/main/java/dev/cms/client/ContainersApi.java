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

/** {@code /api/v1/containers}: create, list, inspect, stop, start, pause, resume and delete. */
@Path("/api/v1/containers")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public interface ContainersApi extends Closeable {

  /**
   * Creates a container; with {@code wait} = {@code "ready"} the answer waits (bounded by the
   * gateway) until its agent is connected. Null: answer at once.
   */
  @POST
  ContainerView create(CreateContainer body, @QueryParam("wait") String wait);

  /** The caller's containers (an admin's: all), newest first; {@code status} null: all. */
  @GET
  List<ContainerView> list(@QueryParam("status") String status);

  @GET
  @Path("{id}")
  ContainerView get(@PathParam("id") String id);

  /** A live container's client token and WebSocket URL again (to attach another client). */
  @GET
  @Path("{id}/token")
  ClientAccess token(@PathParam("id") String id);

  /** The container's history, oldest first. */
  @GET
  @Path("{id}/events")
  List<ContainerEvent> events(@PathParam("id") String id);

  @POST
  @Path("{id}/stop")
  ContainerView stop(@PathParam("id") String id);

  @POST
  @Path("{id}/start")
  ContainerView start(@PathParam("id") String id);

  @POST
  @Path("{id}/pause")
  ContainerView pause(@PathParam("id") String id);

  /** Resumes a paused container; the answer comes once its agent is back. */
  @POST
  @Path("{id}/resume")
  ContainerView resume(@PathParam("id") String id);

  /** Stops and removes the container; its record stays, DELETED. */
  @DELETE
  @Path("{id}")
  ContainerDeleted delete(@PathParam("id") String id);
}
