package dev.cms.gateway.events.boundary;

import dev.cms.gateway.events.control.EventHub;
import dev.cms.gateway.problems.ApiException;
import dev.cms.gateway.security.Caller;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code GET /api/v1/events}: the caller's live events as Server-Sent Events: {@code container}
 * (status changes), {@code process} (starts and ends, with exit codes), {@code port} (opened,
 * closed) and {@code file} (changes a file watch reports), each with a JSON object as data and an
 * id a reconnect may send back as {@code Last-Event-ID}.
 */
@Path("v1/events")
@Tag(name = "events")
@SecurityRequirement(name = "apiKey")
public class EventsResource {

  @Inject EventHub hub;
  @Inject Caller caller;

  @GET
  @Produces(MediaType.SERVER_SENT_EVENTS)
  @Operation(
      summary = "The caller's container, process and port events, live (Server-Sent Events)",
      description =
          "Events: `container` {container, status, reason}, `process` {container, id, status,"
              + " terminal, command, exitCode, port}, `port` {container, port, open}, `file`"
              + " {container, watch, change (created, modified, deleted, overflow, ended), type,"
              + " path, dropped}; first a"
              + " `hello`. A comment every 15 s keeps the stream open. Reconnect with"
              + " `Last-Event-ID` to get the missed events (the last 256 per key are kept). At most"
              + " 16 streams per key.")
  @APIResponse(responseCode = "200", description = "the event stream")
  @APIResponse(responseCode = "429", description = "too many event streams for this key")
  public void events(
      @Context SseEventSink sink,
      @Context Sse sse,
      @HeaderParam("Last-Event-ID") String lastEventId) {
    Optional<Long> last = Optional.empty();
    if (lastEventId != null && lastEventId.strip().matches("\\d{1,18}")) {
      last = Optional.of(Long.parseLong(lastEventId.strip()));
    }
    try {
      hub.subscribe(caller.id(), sink, sse, last);
    } catch (EventHub.TooManyStreams e) {
      throw ApiException.tooManyRequests(e.getMessage());
    }
  }
}
