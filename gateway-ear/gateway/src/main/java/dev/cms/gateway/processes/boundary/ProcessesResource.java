package dev.cms.gateway.processes.boundary;

import dev.cms.gateway.problems.Problem;
import dev.cms.gateway.processes.control.PortLinks;
import dev.cms.gateway.processes.control.ProcessView;
import dev.cms.gateway.processes.control.Processes;
import dev.cms.gateway.processes.control.StartRequest;
import dev.cms.gateway.security.Caller;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code /api/v1/containers/{id}/processes} and {@code …/ports}: run the app and see what listens.
 */
@Path("v1/containers/{id}/processes")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "processes")
@SecurityRequirement(name = "apiKey")
public class ProcessesResource {

  @Inject Processes processes;
  @Inject PortLinks urls;
  @Inject Caller caller;
  @Context UriInfo uri;

  @POST
  @Consumes({MediaType.APPLICATION_JSON, MediaType.WILDCARD})
  @Operation(
      summary = "Run a command in its own terminal",
      description =
          "Body: command (required), cwd (default /app), env, port. The answer's terminal can be attached"
              + " over the client WebSocket; with a port, the preview URLs are included.")
  @APIResponse(
      responseCode = "201",
      description = "started, with its terminal (and preview URLs with a port)")
  @APIResponse(
      responseCode = "400",
      description = "no command, a bad cwd, env or port: the problem lists the fields",
      content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(ref = "Problem")))
  public Response start(
      @PathParam("id") String id,
      @RequestBody(
              content =
                  @Content(
                      mediaType = MediaType.APPLICATION_JSON,
                      schema = @Schema(implementation = StartRequest.class)))
          @Valid
          StartRequest r) {
    ProcessView p = processes.start(caller.scope(), id, r);
    return Response.status(201).entity(withUrls(id, p)).build();
  }

  @GET
  @Operation(summary = "The container's processes, newest first")
  public List<Map<String, Object>> list(@PathParam("id") String id) {
    return processes.list(caller.scope(), id).stream().map(p -> withUrls(id, p)).toList();
  }

  @GET
  @Path("{pid}")
  @Operation(summary = "One process, with its exit code once it ended")
  public Map<String, Object> get(@PathParam("id") String id, @PathParam("pid") String pid) {
    return withUrls(id, processes.get(caller.scope(), id, pid));
  }

  @POST
  @Path("{pid}/stop")
  @Operation(
      summary = "Stop a process: SIGTERM, then SIGKILL after a grace period; answers with its exit")
  public Map<String, Object> stop(@PathParam("id") String id, @PathParam("pid") String pid) {
    return withUrls(id, processes.stop(caller.scope(), id, pid));
  }

  private Map<String, Object> withUrls(String id, ProcessView p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", p.id());
    m.put("terminal", p.terminal());
    m.put("command", p.command());
    m.put("cwd", p.cwd());
    m.put("status", p.status());
    m.put("startedAt", p.startedAt().toString());
    if (p.exitCode() != null) {
      m.put("exitCode", p.exitCode());
      m.put("endedAt", String.valueOf(p.endedAt()));
    }
    if (p.port() != null) {
      m.putAll(portUrls(urls, uri, id, p.port()));
    }
    return m;
  }

  static Map<String, Object> portUrls(PortLinks urls, UriInfo uri, String id, int port) {
    var base = uri.getBaseUri();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("port", port);
    m.put("url", urls.hostUrl(id, port, base.getHost()));
    m.put("pathUrl", urls.pathUrl(id, port, base.getHost()));
    return m;
  }
}
