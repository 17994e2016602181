package dev.cms.gateway.files.boundary;

import dev.cms.domain.files.Transfer;
import dev.cms.gateway.containers.control.Containers;
import dev.cms.gateway.files.control.Transfers;
import dev.cms.gateway.files.control.Uploads;
import dev.cms.gateway.security.Caller;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.InputStream;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code /api/v1/containers/{id}/archive}: a zip into or a directory out of a running container.
 */
@Path("v1/containers/{id}/archive")
@Tag(name = "files")
@SecurityRequirement(name = "apiKey")
public class ArchiveResource {

  @Inject Containers containers;
  @Inject Transfers transfers;
  @Inject Uploads uploads;
  @Inject Caller caller;

  @POST
  @Consumes(MediaType.WILDCARD)
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Unpack a zip (raw body) into an absolute directory",
      description =
          "All or nothing: the archive is checked and unpacked aside, then moved into place. Unix modes are"
              + " kept. Refusals name their rule (dotdot-entry, symlink-entry, compression-ratio, …).")
  public Map<String, Object> postArchive(
      @PathParam("id") String id,
      @QueryParam("dest") String dest,
      @HeaderParam("Content-Length") Long length,
      InputStream body) {
    QueryChecks.require(dest, "dest");
    containers.requireRunning(caller.scope(), id);
    uploads.checkLength(length);
    Transfer.Done r = uploads.upload(id, uploads.archiveExtract(dest), body);
    return Map.of("dest", dest, "entries", r.entries(), "bytes", r.bytes());
  }

  @GET
  @Produces("application/zip")
  @Operation(summary = "Download a directory as a zip")
  public Response getArchive(@PathParam("id") String id, @QueryParam("path") String path) {
    QueryChecks.require(path, "path");
    containers.requireRunning(caller.scope(), id);
    StreamingOutput d = transfers.download(id, new Transfer.ArchiveCreate(path));
    String name = path.equals("/") ? "root" : path.substring(path.lastIndexOf('/') + 1);
    return Response.ok(d, "application/zip")
        .header(
            "Content-Disposition", "attachment; filename=\"" + QueryChecks.safe(name) + ".zip\"")
        .build();
  }
}
