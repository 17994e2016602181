package dev.cms.gateway.containers.boundary;

import dev.cms.domain.ContainerStatus;
import dev.cms.gateway.config.Settings;
import dev.cms.gateway.containers.control.ContainerView;
import dev.cms.gateway.containers.control.Containers;
import dev.cms.gateway.containers.control.CreateRequest;
import dev.cms.gateway.containers.control.EventView;
import dev.cms.gateway.problems.ApiException;
import dev.cms.gateway.problems.Problem;
import dev.cms.gateway.security.Caller;
import dev.cms.gateway.templates.control.Templates;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
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
import jakarta.ws.rs.core.UriBuilder;
import jakarta.ws.rs.core.UriInfo;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code /api/v1/containers}: create, inspect, list, stop, start and delete AppContainers. */
@Path("v1/containers")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "containers")
@SecurityRequirement(name = "apiKey")
public class ContainersResource {

  @Inject Containers containers;
  @Inject Caller caller;
  @Inject Settings settings;
  @Inject Templates templates;

  /** Finishes {@code ?wait=ready} answers (a managed thread, not the agent's socket thread). */
  @Resource ManagedExecutorService executor;

  @Context UriInfo uri;

  @POST
  @Consumes({MediaType.APPLICATION_JSON, MediaType.WILDCARD})
  @Operation(
      summary = "Create an AppContainer",
      description =
          "Body (all optional): memoryMb, cpus, idleTimeoutSeconds, ttlSeconds, env, labels,"
              + " template (a name from GET /api/v1/templates; default: 'default'), snapshot (the id"
              + " of a snapshot of the caller's: the new container starts with its files; 404 when"
              + " there is none). With ?wait=ready the answer waits (bounded) until the container's"
              + " agent is connected, and first, bounded by CMS_READY_TIMEOUT_SECONDS, for a template"
              + " still building. A template unknown: 400 (rule unknown-template); still building:"
              + " 503 (rule template-building, Retry-After); failed to build: 409 (rule"
              + " template-failed).")
  @APIResponse(
      responseCode = "201",
      description = "created (with ?wait=ready: and its agent connected)",
      content = @Content(schema = @Schema(implementation = ContainerView.class)))
  @APIResponse(
      responseCode = "400",
      description =
          "a field out of its bounds or of the wrong JSON type, malformed JSON, an unknown"
              + " template: the problem lists each refused field in violations",
      content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(ref = "Problem")))
  @APIResponse(responseCode = "429", description = "the key's live-container quota is used up")
  public void create(
      @RequestBody(
              required = false,
              content =
                  @Content(
                      mediaType = MediaType.APPLICATION_JSON,
                      schema = @Schema(implementation = CreateRequest.class)))
          @Valid
          CreateRequest body,
      @Parameter(description = "'ready' to wait for the agent") @QueryParam("wait") String wait,
      @Suspended AsyncResponse answer) {
    try {
      if (wait != null && !wait.isEmpty() && !"ready".equals(wait)) {
        throw ApiException.badRequest("wait must be 'ready', was '" + wait + "'");
      }
      CreateRequest req = body == null ? CreateRequest.defaults() : body;
      String owner = caller.id();
      String publicBase = publicBase();
      Containers.Endpoints endpoints = new Containers.Endpoints(publicBase, containers.agentUrl());
      UriBuilder location = uri.getAbsolutePathBuilder();
      boolean ready = "ready".equals(wait);
      // with ?wait=ready a template still being built is waited for too (bounded, no thread held)
      CompletableFuture<Void> template =
          ready
              ? templates.whenSettled(req.template(), settings.readyTimeout())
              : CompletableFuture.completedFuture(null);
      if (template.isDone()) {
        create(owner, req, endpoints, location, ready, answer);
        return;
      }
      answer.setTimeout(2 * settings.readyTimeout().toSeconds() + 30, TimeUnit.SECONDS);
      template.thenRunAsync(
          () -> {
            try {
              create(owner, req, endpoints, location, true, answer);
            } catch (RuntimeException e) {
              answer.resume(e);
            }
          },
          executor);
    } catch (RuntimeException e) {
      answer.resume(e);
    }
  }

  private void create(
      String owner,
      CreateRequest req,
      Containers.Endpoints endpoints,
      UriBuilder location,
      boolean ready,
      AsyncResponse answer) {
    ContainerView created = containers.create(owner, req, endpoints);
    java.net.URI at = location.path(created.id()).build();
    if (!ready) {
      answer.resume(Response.created(at).entity(created).build());
      return;
    }
    // the wait for the agent holds no request thread; it is bounded by CMS_READY_TIMEOUT_SECONDS
    answer.setTimeout(settings.readyTimeout().toSeconds() + 30, TimeUnit.SECONDS);
    containers
        .whenReady(created, endpoints.publicBase(), executor)
        .whenComplete(
            (view, e) -> {
              if (e != null) {
                answer.resume(
                    e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
              } else {
                answer.resume(Response.created(at).entity(view).build());
              }
            });
  }

  @GET
  @Operation(summary = "List the caller's containers, newest first")
  public List<ContainerView> list(
      @Parameter(description = "only containers in this status") @QueryParam("status")
          String status) {
    return containers.list(caller.scope(), parseStatus(status), publicBase());
  }

  @GET
  @Path("{id}")
  @Operation(summary = "One container")
  public ContainerView get(@PathParam("id") String id) {
    return containers.get(caller.scope(), id, publicBase());
  }

  @GET
  @Path("{id}/token")
  @Operation(
      summary = "The container's client token and WebSocket URL again",
      description = "For attaching another client (a second browser tab) to a live container.")
  public Map<String, String> token(@PathParam("id") String id) {
    return containers.clientAccess(caller.scope(), id, publicBase());
  }

  @GET
  @Path("{id}/events")
  @Operation(summary = "The container's history: status changes and agent links, oldest first")
  public List<EventView> events(@PathParam("id") String id) {
    return containers.history(caller.scope(), id);
  }

  @DELETE
  @Path("{id}")
  @Operation(summary = "Stop and remove the container; the record stays, DELETED")
  public Map<String, Object> delete(@PathParam("id") String id) {
    ContainerView v = containers.delete(caller.scope(), id, publicBase());
    return Map.of("id", v.id(), "deleted", true, "status", v.status());
  }

  @POST
  @Path("{id}/stop")
  @Operation(summary = "Stop a running or paused container (RUNNING, PAUSED → STOPPED)")
  public ContainerView stop(@PathParam("id") String id) {
    return containers.stop(caller.scope(), id, publicBase());
  }

  @POST
  @Path("{id}/pause")
  @Operation(
      summary = "Pause a running container (RUNNING → PAUSED)",
      description =
          "The engine freezes every process in it; memory is kept. Its agent is disconnected"
              + " while paused: terminals, processes, exec and files answer 409 (rule paused)."
              + " A paused container is never reaped for idleness; its ttlSeconds still runs."
              + " Pausing a PAUSED container is harmless.")
  @APIResponse(responseCode = "200", description = "paused")
  @APIResponse(responseCode = "409", description = "the container is not RUNNING")
  public ContainerView pause(@PathParam("id") String id) {
    return containers.pause(caller.scope(), id, publicBase());
  }

  @POST
  @Path("{id}/resume")
  @Operation(
      summary = "Resume a paused container (PAUSED → RUNNING)",
      description =
          "Its processes run on where they were. The answer waits (bounded by"
              + " CMS_READY_TIMEOUT_SECONDS, holding no thread) until the agent has dialled back,"
              + " so agentConnected is true when it comes. The idle clock starts again.")
  @APIResponse(
      responseCode = "200",
      description = "running again",
      content = @Content(schema = @Schema(implementation = ContainerView.class)))
  @APIResponse(responseCode = "409", description = "the container is not PAUSED")
  public void resume(@PathParam("id") String id, @Suspended AsyncResponse answer) {
    try {
      String base = publicBase();
      ContainerView v = containers.resume(caller.scope(), id, base);
      if (v.agentConnected()) {
        answer.resume(v);
        return;
      }
      answer.setTimeout(settings.readyTimeout().toSeconds() + 30, TimeUnit.SECONDS);
      containers
          .whenAgentBack(id, base)
          .whenComplete(
              (view, e) -> {
                if (e != null) {
                  answer.resume(
                      e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
                } else {
                  answer.resume(view);
                }
              });
    } catch (RuntimeException e) {
      answer.resume(e);
    }
  }

  @POST
  @Path("{id}/start")
  @Operation(summary = "Start a stopped container (STOPPED → RUNNING)")
  public ContainerView start(@PathParam("id") String id) {
    return containers.start(caller.scope(), id, publicBase());
  }

  private static Optional<ContainerStatus> parseStatus(String status) {
    if (status == null || status.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(ContainerStatus.valueOf(status.strip().toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(
          "unknown status '" + status + "'; one of " + Arrays.toString(ContainerStatus.values()));
    }
  }

  private String publicBase() {
    return settings
        .publicUrl()
        .orElseGet(
            () -> {
              String base = uri.getBaseUri().toString(); // …/api/
              String root = base.substring(0, base.length() - "api/".length());
              return root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
            });
  }
}
