package dev.cms.gateway.commands.boundary;

import dev.cms.gateway.commands.control.BackgroundExecs;
import dev.cms.gateway.commands.control.Commands;
import dev.cms.gateway.commands.control.ExecRequest;
import dev.cms.gateway.commands.control.ExecResult;
import dev.cms.gateway.problems.ApiException;
import dev.cms.gateway.problems.Problem;
import dev.cms.gateway.security.Caller;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.concurrent.CompletionException;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code POST /api/v1/containers/{id}/exec}: run a command and wait for its end. */
@Path("v1/containers/{id}/exec")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "processes")
@SecurityRequirement(name = "apiKey")
public class ExecResource {

  @Inject Commands commands;
  @Inject Caller caller;
  @Inject BackgroundExecs backgrounds;
  @Context Sse sse;

  @Context UriInfo uri;

  @POST
  @Consumes({MediaType.APPLICATION_JSON, MediaType.WILDCARD})
  @Operation(
      summary = "Run a command without a terminal and wait for its end",
      description =
          "Body: command (required, run by the shell as node), cwd (default /app), env,"
              + " timeoutSeconds (default 60, at most 600: then it is killed), stdin (text, at most"
              + " 1 MiB). Answer: exitCode, stdout, stderr (each at most 1 MiB kept), durationMs,"
              + " timedOut, stdoutTruncated, stderrTruncated. The request thread is not held.")
  @APIResponse(
      responseCode = "200",
      description = "the command ended (or was killed at its timeout)",
      content = @Content(schema = @Schema(implementation = ExecResult.class)))
  @APIResponse(
      responseCode = "400",
      description = "no command, a bad cwd, env or timeout: the problem lists the fields",
      content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(ref = "Problem")))
  @APIResponse(responseCode = "404", description = "no such container (or another owner's)")
  @APIResponse(responseCode = "409", description = "the container is not RUNNING (e.g. paused)")
  public void exec(
      @PathParam("id") String id,
      @Parameter(
              description =
                  "true: start it in the background and answer 202 with its execId at once (then"
                      + " GET …/exec/{execId}, …/exec/{execId}/stream, DELETE …/exec/{execId})")
          @QueryParam("background")
          boolean background,
      @RequestBody(
              content =
                  @Content(
                      mediaType = MediaType.APPLICATION_JSON,
                      schema = @Schema(implementation = ExecRequest.class)))
          @Valid
          ExecRequest r,
      @Suspended AsyncResponse response) {
    if (background) {
      BackgroundExecs.JobView job = backgrounds.start(caller.scope(), id, r);
      response.resume(
          Response.accepted(job)
              .location(uri.getAbsolutePathBuilder().path(job.execId()).replaceQuery(null).build())
              .build());
      return;
    }
    commands
        .exec(caller.scope(), id, r)
        .whenComplete(
            (result, failure) -> {
              if (failure == null) {
                response.resume(result);
              } else {
                response.resume(
                    failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause()
                        : failure);
              }
            });
  }

  @GET
  @Path("{execId}")
  @Operation(
      summary = "A background command: RUNNING, or how it ended (EXITED, KILLED, FAILED)",
      description =
          "With wait=N (seconds, at most 600) the answer waits until it ended or N seconds"
              + " passed, holding no thread.")
  @APIResponse(
      responseCode = "200",
      description = "the command's state, with its result once it ended",
      content = @Content(schema = @Schema(implementation = BackgroundExecs.JobView.class)))
  @APIResponse(responseCode = "404", description = "no such background command of the caller's")
  public void job(
      @PathParam("id") String id,
      @PathParam("execId") String execId,
      @Parameter(description = "seconds to wait for its end (0: answer at once)")
          @QueryParam("wait")
          @DefaultValue("0")
          int wait,
      @Suspended AsyncResponse response) {
    if (wait < 0 || wait > 600) {
      throw ApiException.badRequest("wait must be between 0 and 600 seconds, was " + wait);
    }
    if (wait == 0) {
      response.resume(backgrounds.get(caller.scope(), id, execId));
      return;
    }
    response.setTimeout(wait + 30L, java.util.concurrent.TimeUnit.SECONDS);
    backgrounds
        .whenEnded(caller.scope(), id, execId, java.time.Duration.ofSeconds(wait))
        .whenComplete((v, e) -> response.resume(e != null ? e : v));
  }

  @GET
  @Path("{execId}/stream")
  @Produces(MediaType.SERVER_SENT_EVENTS)
  @Operation(
      summary = "A background command's output as Server-Sent Events, from its start",
      description =
          "Events: `stdout` and `stderr` {\"data\": text} in the order they came, then one `end`"
              + " {execId, status, result}; then the stream closes. A client that comes late gets"
              + " everything from the start first (each output is kept up to 1 MiB).")
  @APIResponse(responseCode = "200", description = "the output stream")
  @APIResponse(responseCode = "404", description = "no such background command of the caller's")
  public void stream(
      @PathParam("id") String id, @PathParam("execId") String execId, @Context SseEventSink sink) {
    String owner = caller.scope();
    backgrounds.get(owner, id, execId); // 404 before the stream opens
    BackgroundExecs.Listener l =
        e -> {
          if (sink.isClosed()) {
            throw new IllegalStateException("the client went away");
          }
          if (e.end() != null) {
            sink.send(
                    sse.newEventBuilder()
                        .name("end")
                        .mediaType(MediaType.APPLICATION_JSON_TYPE)
                        .data(BackgroundExecs.JobView.class, e.end())
                        .build())
                .whenComplete((x, f) -> sink.close());
          } else {
            sink.send(
                sse.newEventBuilder()
                    .name(e.stderr() ? "stderr" : "stdout")
                    .data(
                        String.class,
                        jakarta.json.Json.createObjectBuilder()
                            .add("data", e.text())
                            .build()
                            .toString())
                    .build());
          }
        };
    backgrounds.stream(owner, id, execId, l);
  }

  @DELETE
  @Path("{execId}")
  @Operation(summary = "Kill a background command and what it started (an ended one: as it ended)")
  @APIResponse(
      responseCode = "200",
      description = "killed (status KILLED, exit code 137), or how it had ended",
      content = @Content(schema = @Schema(implementation = BackgroundExecs.JobView.class)))
  @APIResponse(responseCode = "404", description = "no such background command of the caller's")
  public BackgroundExecs.JobView kill(
      @PathParam("id") String id, @PathParam("execId") String execId) {
    return backgrounds.kill(caller.scope(), id, execId);
  }
}
