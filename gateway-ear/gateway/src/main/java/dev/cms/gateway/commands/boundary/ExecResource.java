package dev.cms.gateway.commands.boundary;

import dev.cms.gateway.commands.control.Commands;
import dev.cms.gateway.commands.control.ExecRequest;
import dev.cms.gateway.commands.control.ExecResult;
import dev.cms.gateway.problems.ApiException;
import dev.cms.gateway.security.Caller;
import jakarta.inject.Inject;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.JsonbException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.MediaType;
import java.util.concurrent.CompletionException;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
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

  private static final Jsonb JSON = JsonbBuilder.create();

  @Inject Commands commands;
  @Inject Caller caller;

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
  @APIResponse(responseCode = "400", description = "no command, a bad cwd, env or timeout")
  @APIResponse(responseCode = "404", description = "no such container (or another owner's)")
  @APIResponse(responseCode = "409", description = "the container is not RUNNING (e.g. paused)")
  public void exec(
      @PathParam("id") String id,
      @RequestBody(
              content =
                  @Content(
                      mediaType = MediaType.APPLICATION_JSON,
                      schema = @Schema(implementation = ExecRequest.class)))
          String body,
      @Suspended AsyncResponse response) {
    ExecRequest r;
    try {
      r = body == null || body.isBlank() ? null : JSON.fromJson(body, ExecRequest.class);
    } catch (JsonbException e) {
      throw ApiException.badRequest("malformed request body: " + e.getMessage());
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
}
