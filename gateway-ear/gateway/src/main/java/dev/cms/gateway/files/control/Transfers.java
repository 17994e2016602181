package dev.cms.gateway.files.control;

import dev.cms.domain.files.Rule;
import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.LineBuffer;
import dev.cms.domain.protocol.ProtocolException;
import dev.cms.domain.protocol.Stream;
import dev.cms.domain.protocol.StreamHandler;
import dev.cms.domain.protocol.StreamRefusedException;
import dev.cms.gateway.agents.control.Agents;
import dev.cms.gateway.metrics.Meters;
import dev.cms.gateway.preview.control.TcpPipe;
import dev.cms.gateway.problems.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Moves bytes between HTTP bodies and agent streams, with the agent's verdict mapped to problems.
 */
@ApplicationScoped
public class Transfers {

  private static final java.util.logging.Logger LOG =
      java.util.logging.Logger.getLogger(Transfers.class.getName());
  private static final int CHUNK = 32 * 1024;

  /**
   * Longest result line ({@code progress …}, {@code ok …}, {@code error <rule> <message>}) read
   * from an agent; a longer one resets the upload stream.
   */
  public static final int MAX_VERDICT_LINE = 8 * 1024;

  // as long as the Mux waits for an OPEN answer (CMS_AGENT_OPEN_TIMEOUT_SECONDS default)
  private static final long OPEN_TIMEOUT_S = 10;
  // how long the agent may take for its verdict after the upload's end (a large zip unpacks), and
  // how long a download may stall
  private static final long RESULT_TIMEOUT_S = 300;

  @Inject Agents agents;
  @Inject Meters meters;

  /** What the agent reported for a finished upload. */
  public record Result(long bytes, long entries) {}

  /**
   * Streams {@code body} into a new agent stream of {@code kind} and returns the agent's verdict; a
   * refusal becomes a 4xx {@link ApiException} naming the rule. At most {@code maxBytes} are read
   * from the body.
   */
  public Result upload(
      String containerId,
      String kind,
      Map<String, String> params,
      InputStream body,
      long maxBytes) {
    Verdict verdict = new Verdict();
    Stream s = open(containerId, kind, params, verdict);
    byte[] buf = new byte[CHUNK];
    long total = 0;
    try {
      for (int n; (n = body.read(buf)) > 0; ) {
        total += n;
        if (total > maxBytes) {
          s.reset(ErrorCode.CANCELLED, "upload too large");
          meters.uploadRefused(Rule.TOO_LARGE.wire());
          throw new ApiException(
                  413, "Content Too Large", "the upload exceeds " + maxBytes + " bytes", null)
              .withRule("too-large");
        }
        if (verdict.result.isDone()) {
          break; // the agent already decided (a refusal): stop reading
        }
        s.write(buf, 0, n);
        meters.relayed(Meters.Channel.FILES, n);
      }
      s.close();
    } catch (IOException e) {
      if (!verdict.result.isDone()) {
        s.reset(ErrorCode.CANCELLED, "upload aborted");
        throw new ApiException(400, "Bad Request", "the upload was interrupted", e);
      }
    }
    String[] line = await(verdict.result, RESULT_TIMEOUT_S);
    if ("ok".equals(line[0])) {
      return new Result(parse(line, 1), parse(line, 2));
    }
    String rule = line.length > 1 ? line[1] : Rule.IO_ERROR.wire();
    meters.uploadRefused(rule);
    throw refusal(rule, line.length > 2 ? line[2] : "refused");
  }

  /**
   * Opens a download stream (refusals become problems at once, before any byte of the answer is
   * written); the result writes it out with flow control, and aborts the agent's stream if the
   * client goes away.
   */
  public StreamingOutput download(String containerId, String kind, Map<String, String> params) {
    TcpPipe pipe;
    try {
      pipe = TcpPipe.open(link(containerId).mux(), kind, params, OPEN_TIMEOUT_S * 1000);
    } catch (StreamRefusedException r) {
      throw refusal(r);
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

  /**
   * Collects the agent's result lines ({@code progress …}, then {@code ok …} or {@code error …}).
   */
  static final class Verdict implements StreamHandler {
    final CompletableFuture<String[]> result = new CompletableFuture<>();
    private final LineBuffer lines = new LineBuffer("upload verdict", MAX_VERDICT_LINE);

    @Override
    public void onData(Stream s, byte[] data) {
      if (result.isDone()) {
        return; // decided: whatever else the agent sends is dropped (and credited)
      }
      try {
        for (String line : lines.feed(data)) {
          if (line.startsWith("ok ") || line.startsWith("error ")) {
            result.complete(line.split(" ", 3));
          }
        }
      } catch (ProtocolException e) {
        LOG.warning(() -> "agent broke an upload stream: " + e.getMessage());
        result.complete(new String[] {"error", "io-error", "the agent sent a malformed result"});
        s.reset(ErrorCode.PROTOCOL, e.getMessage());
      }
    }

    @Override
    public void onClose(Stream s) {
      result.complete(
          new String[] {"error", "io-error", "the agent ended the transfer without a result"});
      s.close();
    }

    @Override
    public void onReset(Stream s, int code, String reason) {
      result.complete(new String[] {"error", "io-error", "the transfer was aborted: " + reason});
    }
  }

  private Agents.Link link(String containerId) {
    return agents
        .link(containerId)
        .orElseThrow(
            () ->
                ApiException.unavailable(
                    "the agent of container " + containerId + " is not connected", null));
  }

  private Stream open(
      String containerId, String kind, Map<String, String> params, StreamHandler h) {
    Agents.Link link = link(containerId);
    try {
      return link.mux().open(kind, params, h).get(OPEN_TIMEOUT_S, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StreamRefusedException r) {
        throw refusal(r);
      }
      throw ApiException.unavailable("the agent could not be reached", e);
    } catch (TimeoutException e) {
      throw ApiException.unavailable("the agent did not answer within " + OPEN_TIMEOUT_S + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApiException.unavailable("interrupted", e);
    }
  }

  /** An agent's refusal ({@code "<rule>: <message>"}) as a problem naming the rule. */
  private static ApiException refusal(StreamRefusedException r) {
    String msg = r.getMessage() == null ? "refused" : r.getMessage();
    int colon = msg.indexOf(": ");
    return refusal(colon > 0 ? msg.substring(0, colon) : "refused", msg);
  }

  /**
   * A refusal with its rule (the agent's wire name), as a problem with the status {@link Rule}
   * gives it; a name that is not a rule becomes {@code refused}.
   */
  static ApiException refusal(String rule, String message) {
    Rule r = Rule.orRefused(rule);
    int status = r.httpStatus();
    String title =
        status == 413
            ? "Content Too Large"
            : Response.Status.fromStatusCode(status).getReasonPhrase();
    return new ApiException(status, title, "refused (" + r.wire() + "): " + message, null)
        .withRule(r.wire());
  }

  private static String[] await(CompletableFuture<String[]> f, long seconds) {
    try {
      return f.get(seconds, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw ApiException.unavailable("no result from the agent", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApiException.unavailable("interrupted", e);
    }
  }

  private static long parse(String[] line, int i) {
    try {
      return i < line.length ? Long.parseLong(line[i].strip()) : 0;
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
