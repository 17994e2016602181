package dev.cms.gateway.files.boundary;

import dev.cms.domain.files.ParamException;
import dev.cms.domain.files.Transfer;
import dev.cms.gateway.containers.control.Containers;
import dev.cms.gateway.files.control.FileEntry;
import dev.cms.gateway.files.control.FileOperations;
import dev.cms.gateway.files.control.FileRequests;
import dev.cms.gateway.files.control.Listing;
import dev.cms.gateway.files.control.Refusals;
import dev.cms.gateway.files.control.Transfers;
import dev.cms.gateway.files.control.Uploads;
import dev.cms.gateway.files.control.WatchView;
import dev.cms.gateway.files.control.Watches;
import dev.cms.gateway.problems.ApiException;
import dev.cms.gateway.problems.Bodies;
import dev.cms.gateway.security.Caller;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code /api/v1/containers/{id}/files}: one file into or out of a running container (bodies stream
 * end to end), a directory's listing, a path's stat, delete, move, make directory and watches. (Its
 * own root path, so it never shadows {@code /containers/{id}} itself.) Everything runs as the
 * container's user ({@code node}); refusals are problems naming the agent's {@code rule}.
 */
@Path("v1/containers/{id}/files")
@Tag(name = "files")
@SecurityRequirement(name = "apiKey")
public class FilesResource {

  @Inject Containers containers;
  @Inject Transfers transfers;
  @Inject Uploads uploads;
  @Inject Caller caller;
  @Inject FileOperations files;
  @Inject Watches watches;

  @PUT
  @Consumes(MediaType.WILDCARD)
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Write one file (raw body) at an absolute path",
      description =
          "Parents are created; the file is written to a temporary name and renamed, so readers never see half"
              + " a file. mode is octal (default 644).")
  public Map<String, Object> putFile(
      @PathParam("id") String id,
      @QueryParam("path") String path,
      @QueryParam("mode") String mode,
      @HeaderParam("Content-Length") Long length,
      InputStream body) {
    QueryChecks.require(path, "path");
    containers.requireRunning(caller.scope(), id);
    uploads.checkLength(length);
    Transfer.FileWrite request;
    try {
      request = uploads.fileWrite(path, mode);
    } catch (ParamException e) {
      throw Refusals.problem(e.rule(), e.getMessage());
    }
    Transfer.Done r = uploads.upload(id, request, body);
    return Map.of("path", path, "bytes", r.bytes());
  }

  @GET
  @Produces({MediaType.APPLICATION_OCTET_STREAM, MediaType.APPLICATION_JSON})
  @Operation(
      summary = "Download one file; with ?list a directory's listing, with ?stat a path's entry",
      description =
          "Without list or stat: the file's bytes. ?list: {path, depth, entries [{name, path, type"
              + " (file, dir, symlink, other), size, mode (octal string), modified}], truncated},"
              + " sorted by name, each directory followed by its entries up to depth (1 to 8,"
              + " default 1), at most limit entries (1 to 10000, default 1000; truncated says when"
              + " cut); links are listed, never followed. ?stat: one entry (a link is described,"
              + " not followed).")
  @APIResponse(
      responseCode = "200",
      description = "the file (octet stream), the listing (?list) or the entry (?stat)",
      content = {
        @Content(mediaType = MediaType.APPLICATION_OCTET_STREAM),
        @Content(
            mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(oneOf = {Listing.class, FileEntry.class}))
      })
  @APIResponse(responseCode = "400", description = "a path rule or parameter was broken (rule)")
  @APIResponse(responseCode = "404", description = "no such container or path")
  @APIResponse(responseCode = "409", description = "the container is not RUNNING (e.g. paused)")
  public Response getFile(
      @PathParam("id") String id,
      @QueryParam("path") String path,
      @Parameter(description = "present: list the directory") @QueryParam("list") String list,
      @Parameter(description = "present: describe the path") @QueryParam("stat") String stat,
      @Parameter(description = "with list: levels, 1 to 8") @QueryParam("depth") Integer depth,
      @Parameter(description = "with list: most entries, 1 to 10000") @QueryParam("limit")
          Integer limit) {
    QueryChecks.require(path, "path");
    if (list != null && stat != null) {
      throw ApiException.badRequest("list and stat cannot be asked together").withRule("bad-param");
    }
    containers.requireRunning(caller.scope(), id);
    if (list != null) {
      Listing l = files.list(id, path, depth, limit);
      return Response.ok(l, MediaType.APPLICATION_JSON).build();
    }
    if (stat != null) {
      FileEntry e = files.stat(id, path);
      return Response.ok(e, MediaType.APPLICATION_JSON).build();
    }
    StreamingOutput d = transfers.download(id, new Transfer.FileRead(path));
    String name = path.substring(path.lastIndexOf('/') + 1);
    return Response.ok(d, MediaType.APPLICATION_OCTET_STREAM)
        .header("Content-Disposition", "attachment; filename=\"" + QueryChecks.safe(name) + "\"")
        .build();
  }

  @DELETE
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Delete a file, a link or a directory",
      description =
          "A link is deleted, never its target. A directory that is not empty only with"
              + " recursive=true (else 409, rule not-empty); / never. Answer: {path, deleted (the"
              + " number of entries removed)}.")
  @APIResponse(responseCode = "200", description = "deleted")
  @APIResponse(responseCode = "404", description = "nothing at path (rule not-found)")
  @APIResponse(responseCode = "409", description = "a non-empty directory without recursive=true")
  public Map<String, Object> deleteFile(
      @PathParam("id") String id,
      @QueryParam("path") String path,
      @QueryParam("recursive") boolean recursive) {
    QueryChecks.require(path, "path");
    containers.requireRunning(caller.scope(), id);
    int n = files.delete(id, path, recursive);
    containers.note(id, "FILE_DELETED", path + " (" + n + " entries)");
    return Map.of("path", path, "deleted", n);
  }

  @POST
  @Path("move")
  @Consumes({MediaType.APPLICATION_JSON, MediaType.WILDCARD})
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Move (rename) a path",
      description =
          "Body {from, to, overwrite (default false)}: rename(2), atomic, on one file system (else"
              + " 400, rule cross-device). An existing to is replaced only with overwrite (else 409,"
              + " rule already-exists); a non-empty directory is never replaced (409, not-empty);"
              + " the directory of to must exist (404). Answer: {from, to}.")
  @APIResponse(responseCode = "200", description = "moved")
  @APIResponse(responseCode = "409", description = "to exists, or is a non-empty directory")
  public Map<String, Object> move(
      @PathParam("id") String id,
      @RequestBody(
              content =
                  @Content(
                      mediaType = MediaType.APPLICATION_JSON,
                      schema = @Schema(implementation = FileRequests.Move.class)))
          @Valid
          FileRequests.Move r) {
    Bodies.required(r, "{\"from\":…,\"to\":…}");
    containers.requireRunning(caller.scope(), id);
    files.move(id, r.from(), r.to(), Boolean.TRUE.equals(r.overwrite()));
    containers.note(id, "FILE_MOVED", r.from() + " -> " + r.to());
    return Map.of("from", r.from(), "to", r.to());
  }

  @POST
  @Path("mkdir")
  @Consumes({MediaType.APPLICATION_JSON, MediaType.WILDCARD})
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Make a directory (mode 755)",
      description =
          "Body {path, parents (default false)}. Without parents the directory must not exist"
              + " (409, rule already-exists) and its parent must (404, not-found); with parents"
              + " missing parents are made and an existing directory is fine. Answer: 201 {path}.")
  @APIResponse(responseCode = "201", description = "made")
  public Response mkdir(
      @PathParam("id") String id,
      @RequestBody(
              content =
                  @Content(
                      mediaType = MediaType.APPLICATION_JSON,
                      schema = @Schema(implementation = FileRequests.Mkdir.class)))
          @Valid
          FileRequests.Mkdir r) {
    Bodies.required(r, "{\"path\":…}");
    containers.requireRunning(caller.scope(), id);
    files.mkdir(id, r.path(), Boolean.TRUE.equals(r.parents()));
    return Response.status(201).entity(Map.of("path", r.path())).build();
  }

  @POST
  @Path("watch")
  @Consumes({MediaType.APPLICATION_JSON, MediaType.WILDCARD})
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Watch a directory for changes",
      description =
          "Body {path, recursive (default false)}. Changes come as `file` events on GET"
              + " /api/v1/events: {container, watch, change (created, modified, deleted), type,"
              + " path}, coalesced over 100 ms; `overflow` {dropped} when changes were lost,"
              + " `ended` when the watch ended. At most 8 watches per container, 256 directories"
              + " per watch (node_modules and .git are not entered; truncated says when the bound"
              + " cut the tree). Answer: 201 {id, path, recursive, directories, truncated,"
              + " active}.")
  @APIResponse(
      responseCode = "201",
      description = "watching",
      content = @Content(schema = @Schema(implementation = WatchView.class)))
  @APIResponse(responseCode = "409", description = "too many watches on this container")
  public Response watch(
      @PathParam("id") String id,
      @RequestBody(
              content =
                  @Content(
                      mediaType = MediaType.APPLICATION_JSON,
                      schema = @Schema(implementation = FileRequests.Watch.class)))
          @Valid
          FileRequests.Watch r) {
    Bodies.required(r, "{\"path\":…}");
    containers.requireRunning(caller.scope(), id);
    WatchView w = watches.start(id, r.path(), Boolean.TRUE.equals(r.recursive()));
    return Response.status(201).entity(w).build();
  }

  @GET
  @Path("watch")
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "The container's file watches")
  public List<WatchView> listWatches(@PathParam("id") String id) {
    containers.requireOwned(caller.scope(), id);
    return watches.of(id);
  }

  @DELETE
  @Path("watch/{watch}")
  @Operation(summary = "Stop a file watch")
  @APIResponse(responseCode = "204", description = "stopped")
  public Response unwatch(@PathParam("id") String id, @PathParam("watch") String watch) {
    containers.requireOwned(caller.scope(), id);
    watches.stop(id, watch);
    return Response.noContent().build();
  }

  /** A JSON body the operation cannot go without (an empty body binds to null). */
}
