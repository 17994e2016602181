package dev.cms.client;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.Closeable;
import java.util.List;

/** The named environments a create may choose ({@code "template"} in {@link CreateContainer}). */
@Path("/api/v1/templates")
@Produces(MediaType.APPLICATION_JSON)
public interface TemplatesApi extends Closeable {

  /** Every template, {@code default} first, with whether its image is built. */
  @GET
  List<Template> list();

  /** One template (404 when there is no such name). */
  @GET
  @Path("{name}")
  Template get(@PathParam("name") String name);
}
