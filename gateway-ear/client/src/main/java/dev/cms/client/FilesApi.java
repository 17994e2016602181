package dev.cms.client;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.io.Closeable;
import java.io.InputStream;

/**
 * A running container's files ({@code /api/v1/containers/{id}/files} and {@code …/archive}); every
 * path is absolute. Bodies are streamed both ways: the caller closes a stream it was handed.
 */
@Path("/api/v1/containers")
@Produces(MediaType.APPLICATION_JSON)
public interface FilesApi extends Closeable {

  /** Writes one file atomically (parents created); {@code mode} octal, null: 644. */
  @PUT
  @Path("{id}/files")
  @Consumes(MediaType.APPLICATION_OCTET_STREAM)
  FileWritten write(
      @PathParam("id") String id,
      @QueryParam("path") String path,
      @QueryParam("mode") String mode,
      InputStream body);

  /** The file's bytes, streamed: close the stream. */
  @GET
  @Path("{id}/files")
  @Produces(MediaType.APPLICATION_OCTET_STREAM)
  InputStream read(@PathParam("id") String id, @QueryParam("path") String path);

  /**
   * A directory's listing: pass {@code list} as {@code ""} (its presence asks for the listing);
   * {@code depth} 1 to 8, {@code limit} 1 to 10000, null: the gateway's defaults.
   */
  @GET
  @Path("{id}/files")
  Listing list(
      @PathParam("id") String id,
      @QueryParam("path") String path,
      @QueryParam("list") String list,
      @QueryParam("depth") Integer depth,
      @QueryParam("limit") Integer limit);

  /** One path's entry (a link described, not followed): pass {@code stat} as {@code ""}. */
  @GET
  @Path("{id}/files")
  FileEntry stat(
      @PathParam("id") String id, @QueryParam("path") String path, @QueryParam("stat") String stat);

  /** Deletes a file, link or directory; a non-empty directory only with {@code recursive}. */
  @DELETE
  @Path("{id}/files")
  FileDeleted delete(
      @PathParam("id") String id,
      @QueryParam("path") String path,
      @QueryParam("recursive") boolean recursive);

  @POST
  @Path("{id}/files/move")
  @Consumes(MediaType.APPLICATION_JSON)
  Moved move(@PathParam("id") String id, Move body);

  @POST
  @Path("{id}/files/mkdir")
  @Consumes(MediaType.APPLICATION_JSON)
  DirectoryMade mkdir(@PathParam("id") String id, Mkdir body);

  /** Unpacks a zip into directory {@code dest}, all or nothing. */
  @POST
  @Path("{id}/archive")
  @Consumes("application/zip")
  ArchiveUnpacked unpack(
      @PathParam("id") String id, @QueryParam("dest") String dest, InputStream zip);

  /** A directory as a zip, streamed: close the stream. */
  @GET
  @Path("{id}/archive")
  @Produces("application/zip")
  InputStream zip(@PathParam("id") String id, @QueryParam("path") String path);
}
