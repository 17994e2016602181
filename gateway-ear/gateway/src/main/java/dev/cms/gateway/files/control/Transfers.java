package dev.cms.gateway.files.control;

import dev.cms.domain.files.Transfer;
import dev.cms.domain.protocol.StreamRefusedException;
import dev.cms.gateway.agents.control.Agents;
import dev.cms.gateway.metrics.Meters;
import dev.cms.gateway.preview.control.TcpPipe;
import dev.cms.gateway.problems.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.util.concurrent.TimeoutException;

/**
 * Moves bytes from agent streams into HTTP bodies (downloads), with the agent's refusal mapped to a
 * problem. Uploads go through {@link Uploads}.
 */
@ApplicationScoped
public class Transfers {

  // as long as the Mux waits for an OPEN answer (CMS_AGENT_OPEN_TIMEOUT_SECONDS default)
  private static final long OPEN_TIMEOUT_S = Uploads.OPEN_TIMEOUT_S;
  // how long a download may stall
  private static final long RESULT_TIMEOUT_S = Uploads.RESULT_TIMEOUT_S;

  @Inject Agents agents;
  @Inject Meters meters;

  /**
   * Opens a download stream ({@link Transfer.FileRead} or {@link Transfer.ArchiveCreate}; refusals
   * become problems at once, before any byte of the answer is written); the result writes it out
   * with flow control, and aborts the agent's stream if the client goes away.
   */
  public StreamingOutput download(String containerId, Transfer.Open request) {
    TcpPipe pipe;
    try {
      pipe =
          TcpPipe.open(
              link(containerId).mux(), request.kind(), request.params(), OPEN_TIMEOUT_S * 1000);
    } catch (StreamRefusedException r) {
      throw Refusals.problem(r);
    } catch (TimeoutException e) {
      throw ApiException.unavailable("the agent did not answer within " + OPEN_TIMEOUT_S + " s", e);
    } catch (IOException e) {
      throw ApiException.unavailable("the agent could not be reached", e);
    }
    return out -> {
      try {
        pipe.readTimeout(RESULT_TIMEOUT_S * 1000);
        meters.relayed(Meters.Channel.FILES, pipe.in().transferTo(out));
        pipe.finish();
      } catch (IOException e) {
        pipe.abort("the download failed: " + e.getMessage());
        throw e;
      }
    };
  }

  private Agents.Link link(String containerId) {
    return agents
        .link(containerId)
        .orElseThrow(
            () ->
                ApiException.unavailable(
                    "the agent of container " + containerId + " is not connected", null));
  }
}
