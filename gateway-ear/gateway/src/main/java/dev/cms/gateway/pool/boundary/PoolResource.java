package dev.cms.gateway.pool.boundary;

import dev.cms.gateway.pool.control.WarmPool;
import dev.cms.gateway.problems.ApiException;
import dev.cms.gateway.security.Caller;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code /api/v1/pool}: the warm pool's state and counters, for admins. */
@Path("v1/pool")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "pool")
@SecurityRequirement(name = "apiKey")
public class PoolResource {

  @Inject Caller caller;
  @Inject WarmPool pool;

  /**
   * The pool's state.
   *
   * @param size containers per template the pool keeps ({@code CMS_WARM_POOL_SIZE}; 0 = off)
   * @param max most pool containers of all templates together ({@code CMS_WARM_POOL_MAX})
   * @param total pool containers now, waiting or starting
   * @param claims creates served by a pooled container
   * @param misses creates that found the pool empty (or whose claim failed) and started cold
   * @param failures pool containers that failed to start or to be claimed, or became unhealthy
   * @param templates each template's waiting and starting containers
   */
  public record PoolView(
      int size,
      int max,
      int total,
      long claims,
      long misses,
      long failures,
      List<WarmPool.TemplateView> templates) {}

  @GET
  @Operation(summary = "The warm pool: size, waiting containers, claims and misses (admins only)")
  public PoolView get() {
    if (!caller.isAdmin()) {
      throw new ApiException(Response.Status.FORBIDDEN, "only an admin sees the warm pool")
          .withRule("admin-only");
    }
    return new PoolView(
        pool.target(),
        pool.max(),
        pool.total(),
        pool.claims(),
        pool.misses(),
        pool.failures(),
        pool.view());
  }
}
