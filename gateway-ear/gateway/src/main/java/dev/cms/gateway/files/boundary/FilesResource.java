package dev.cms.gateway.files.boundary;

import dev.cms.gateway.config.Settings;
import dev.cms.gateway.containers.control.Containers;
import dev.cms.gateway.files.control.Transfers;
import dev.cms.gateway.security.Caller;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code /api/v1/containers/{id}/files}: one file into or out of a running container; bodies stream
 * end to end. (Its own root path, so it never shadows {@code /containers/{id}} itself.)
 */
@Path("v1/containers/{id}/files")
@Tag(name = "files")
@SecurityRequirement(name = "apiKey")
public class FilesResource {

  @Inject Containers containers;
  @Inject Transfers transfers;
  @Inject Caller caller;
  @Inject Settings settings;

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
    Uploads.require(path, "path");
    containers.requireRunning(caller.id(), id);
    Uploads.checkLength(settings, length);
    Map<String, String> params = new LinkedHashMap<>();
    params.put("path", path);
    if (mode != null && !mode.isBlank()) {
      params.put("mode", mode.strip());
    }
    params.put("maxBytes", Long.toString(settings.maxUploadBytes()));
    Transfers.Result r =
        transfers.upload(id, "file-write", params, body, settings.maxUploadBytes());
    containers.note(id, "FILE_WRITTEN", path + " (" + r.bytes() + " bytes)");
    return Map.of("path", path, "bytes", r.bytes());
  }

  @GET
  @Produces(MediaType.APPLICATION_OCTET_STREAM)
  @Operation(summary = "Download one file")
  public Response getFile(@PathParam("id") String id, @QueryParam("path") String path) {
    Uploads.require(path, "path");
    containers.requireRunning(caller.id(), id);
    StreamingOutput d = transfers.download(id, "file-read", Map.of("path", path));
    String name = path.substring(path.lastIndexOf('/') + 1);
    return Response.ok(d, MediaType.APPLICATION_OCTET_STREAM)
        .header("Content-Disposition", "attachment; filename=\"" + Uploads.safe(name) + "\"")
        .build();
  }
}
