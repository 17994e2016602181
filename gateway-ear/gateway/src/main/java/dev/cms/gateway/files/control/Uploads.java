package dev.cms.gateway.files.control;

import dev.cms.domain.files.ParamException;
import dev.cms.domain.files.Params;
import dev.cms.domain.files.Rule;
import dev.cms.domain.files.Transfer;
import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.ProtocolException;
import dev.cms.domain.protocol.Stream;
import dev.cms.domain.protocol.StreamHandler;
import dev.cms.domain.protocol.StreamRefusedException;
import dev.cms.gateway.agents.control.Agents;
import dev.cms.gateway.config.Settings;
import dev.cms.gateway.containers.control.Containers;
import dev.cms.gateway.metrics.Meters;
import dev.cms.gateway.problems.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;

/**
 * The one upload service of the gateway, behind both doors: the REST door ({@code PUT …/files},
 * {@code POST …/archive}) streams an HTTP body through {@link #upload}, the WebSocket door drives
 * an {@link Upload} chunk by chunk. Either way the open parameters are {@link Transfer} records
 * built from the settings here, the bytes are counted against {@code maxUploadBytes}, the agent's
 * result lines are decoded by {@link Transfer#verdicts} (progress, then one verdict), a refusal is
 * counted by rule and becomes a problem through {@link Refusals}, and a success is noted in the
 * container's events.
 */
@ApplicationScoped
public class Uploads {
  private static final int CHUNK = 32 * 1024;

  /** As long as the Mux waits for an OPEN answer ({@code CMS_AGENT_OPEN_TIMEOUT_SECONDS}). */
  static final long OPEN_TIMEOUT_S = 10;

  /** How long the agent may take to take one chunk (its window closed). */
  static final Duration WRITE_TIMEOUT = Duration.ofSeconds(30);

  /** How long the agent may take for its verdict after the end (a large zip unpacks). */
  static final long RESULT_TIMEOUT_S = 300;

  @Inject Agents agents;
  @Inject Settings settings;
  @Inject Containers containers;
  @Inject Meters meters;

  /**
   * The parameters of a file upload.
   *
   * @param mode octal permission bits ({@code 644}), {@code null} or blank for the default
   * @throws ParamException {@code bad-param} when the mode is not octal 0..777 (counted)
   */
  public Transfer.FileWrite fileWrite(String path, String mode) {
    int bits = -1;
    if (mode != null && !mode.isBlank()) {
      try {
        bits = Params.mode("mode", mode.strip());
      } catch (ParamException e) {
        refused(e.rule());
        throw e;
      }
    }
    return new Transfer.FileWrite(path, bits, settings.maxUploadBytes());
  }

  /** Counts a refusal a door made itself, before any stream was opened. */
  public void refused(Rule rule) {
    meters.uploadRefused(rule.wire());
  }

  /** The parameters of a zip upload unpacked into {@code dest}, with the configured limits. */
  public Transfer.ArchiveExtract archiveExtract(String dest) {
    return new Transfer.ArchiveExtract(
        dest,
        new Transfer.ArchiveLimits(
            settings.maxUploadBytes(),
            settings.maxArchiveEntries(),
            settings.maxUnpackedBytes(),
            settings.maxCompressionRatio()));
  }

  /**
   * A declared {@code Content-Length} above the limit: refused before a byte is read.
   *
   * @throws ApiException 413 {@code too-large}
   */
  public void checkLength(Long length) {
    if (length != null && length > settings.maxUploadBytes()) {
      refused(Rule.TOO_LARGE);
      throw Refusals.problem(
          Rule.TOO_LARGE,
          "the upload of "
              + length
              + " bytes exceeds the limit of "
              + settings.maxUploadBytes()
              + " bytes");
    }
  }

  /**
   * The REST door: streams {@code body} into a new upload and returns the agent's verdict.
   *
   * @throws ApiException the refusal, with the status of its rule
   */
  public Transfer.Done upload(String containerId, Transfer.Open request, InputStream body) {
    Upload up = start(containerId, request, bytes -> {}, "");
    byte[] buf = new byte[CHUNK];
    try {
      if (up.awaitOpen()) {
        for (int n; (n = body.read(buf)) > 0; ) {
          if (!up.write(buf, 0, n)) {
            break; // decided (a refusal): stop reading
          }
        }
        up.end();
      }
    } catch (IOException e) {
      up.fail(Rule.ABORTED, "the upload was interrupted: " + e.getMessage());
    }
    Transfer.Verdict v = await(up.verdict());
    if (v instanceof Transfer.Done d) {
      return d;
    }
    Transfer.Refused r = (Transfer.Refused) v;
    throw Refusals.problem(r.rule(), r.message());
  }

  /**
   * Opens an upload stream on the container's agent; the answer comes later, in {@link
   * Upload#verdict}. Never throws: a missing agent or a refusal completes the verdict at once.
   *
   * @param progress gets the agent's {@code progress} counts
   * @param via how it came in, for the container's events ({@code ", over WebSocket"}), or empty
   */
  public Upload start(
      String containerId, Transfer.Open request, LongConsumer progress, String via) {
    Upload up = new Upload(containerId, request, progress, via);
    Optional<Agents.Link> link = agents.link(containerId);
    if (link.isEmpty()) {
      up.finish(
          new Transfer.Refused(
              Rule.AGENT_UNAVAILABLE,
              "the agent of container " + containerId + " is not connected"));
      return up;
    }
    link.get()
        .mux()
        .open(request.kind(), request.params(), up)
        .whenComplete(
            (s, e) -> {
              if (e != null) {
                Throwable cause =
                    e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
                up.opened.completeExceptionally(cause);
                up.finish(
                    cause instanceof StreamRefusedException r
                        ? new Transfer.Refused(Refusals.rule(r), r.getMessage())
                        : new Transfer.Refused(
                            Rule.AGENT_UNAVAILABLE, "the agent could not be reached: " + cause));
              }
            });
    containers.activity(containerId);
    return up;
  }

  /**
   * One upload in progress: the door writes chunks and ends it (or fails it); the agent's verdict
   * completes {@link #verdict}. Writes block while the agent grants no window (backpressure).
   */
  public final class Upload implements StreamHandler {
    private final String containerId;
    private final Transfer.Open request;
    private final LongConsumer progress;
    private final String via;
    private final long maxBytes = settings.maxUploadBytes();
    private final CompletableFuture<Stream> opened = new CompletableFuture<>();
    private final CompletableFuture<Transfer.Verdict> verdict = new CompletableFuture<>();
    private final Transfer.Verdicts lines = Transfer.verdicts();
    private final AtomicBoolean decided = new AtomicBoolean();
    private long received; // by the door's thread

    Upload(String containerId, Transfer.Open request, LongConsumer progress, String via) {
      this.containerId = containerId;
      this.request = request;
      this.progress = progress;
      this.via = via;
    }

    /** What is uploaded. */
    public Transfer.Open request() {
      return request;
    }

    /** The bytes the door has sent so far. */
    public long received() {
      return received;
    }

    /**
     * Completes with a {@link Transfer.Done} or a {@link Transfer.Refused}, never exceptionally.
     */
    public CompletableFuture<Transfer.Verdict> verdict() {
      return verdict;
    }

    /**
     * Sends one chunk to the agent.
     *
     * @return false when the upload is decided (refused: more than {@code maxUploadBytes}, the
     *     agent took no data for 30 s, or the agent's refusal came first); the door stops sending
     */
    public boolean write(byte[] b, int off, int len) {
      if (decided.get()) {
        return false;
      }
      received += len;
      if (received > maxBytes) {
        fail(Rule.TOO_LARGE, "the upload exceeds " + maxBytes + " bytes");
        return false;
      }
      try {
        Stream s = stream();
        if (s == null) {
          return false;
        }
        if (!s.write(b, off, len, WRITE_TIMEOUT)) {
          fail(Rule.IO_ERROR, "the agent took no data for " + WRITE_TIMEOUT.toSeconds() + " s");
          return false;
        }
        meters.relayed(Meters.Channel.FILES, len);
        return !decided.get();
      } catch (IOException e) {
        fail(Rule.IO_ERROR, String.valueOf(e.getMessage()));
        return false;
      }
    }

    /** The door's last byte was sent: the agent now decides. */
    public void end() {
      if (decided.get()) {
        return;
      }
      Stream s = stream();
      if (s != null) {
        s.close();
      }
    }

    /** Ends the upload with a refusal of the door's own (the agent's stream is reset). */
    public void fail(Rule rule, String message) {
      opened.thenAccept(s -> s.reset(ErrorCode.CANCELLED, message));
      finish(new Transfer.Refused(rule, message));
    }

    /** Waits for the agent to accept the stream; false when it did not (the verdict says why). */
    boolean awaitOpen() {
      return stream() != null;
    }

    private Stream stream() {
      try {
        return opened.get(OPEN_TIMEOUT_S, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        fail(Rule.AGENT_UNAVAILABLE, "the agent did not answer within " + OPEN_TIMEOUT_S + " s");
      } catch (ExecutionException e) {
        // the verdict is already the refusal
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail(Rule.ABORTED, "interrupted");
      }
      return null;
    }

    @Override
    public void onOpen(Stream s) {
      opened.complete(s);
    }

    @Override
    public void onData(Stream s, byte[] data) {
      if (decided.get()) {
        return; // decided: whatever else the agent sends is dropped (and credited)
      }
      try {
        for (Transfer.Verdict v : lines.feed(data)) {
          if (v instanceof Transfer.Progress p) {
            progress.accept(p.bytes());
          } else {
            finish(v);
          }
        }
      } catch (ProtocolException e) {
        s.reset(ErrorCode.PROTOCOL, e.getMessage());
        finish(new Transfer.Refused(Rule.IO_ERROR, "the agent sent a malformed result"));
      }
    }

    @Override
    public void onClose(Stream s) {
      s.close();
      finish(new Transfer.Refused(Rule.IO_ERROR, "the agent ended the upload without a result"));
    }

    @Override
    public void onReset(Stream s, int code, String reason) {
      opened.completeExceptionally(new IOException(reason));
      finish(new Transfer.Refused(Rule.IO_ERROR, "the upload was aborted: " + reason));
    }

    void finish(Transfer.Verdict v) {
      if (!decided.compareAndSet(false, true)) {
        return; // the first verdict stands
      }
      try {
        if (v instanceof Transfer.Refused r) {
          meters.uploadRefused(r.rule().wire());
        } else if (v instanceof Transfer.Done d) {
          noteDone(d);
        }
      } finally {
        verdict.complete(v); // after the bookkeeping: whoever waits sees it done
      }
    }

    private void noteDone(Transfer.Done d) {
      if (request instanceof Transfer.ArchiveExtract a) {
        containers.note(
            containerId,
            "ARCHIVE_EXTRACTED",
            a.dest() + " (" + d.entries() + " entries, " + d.bytes() + " bytes" + via + ")");
      } else if (request instanceof Transfer.FileWrite w) {
        containers.note(
            containerId, "FILE_WRITTEN", w.path() + " (" + d.bytes() + " bytes" + via + ")");
      }
    }
  }

  private static Transfer.Verdict await(CompletableFuture<Transfer.Verdict> f) {
    try {
      return f.get(RESULT_TIMEOUT_S, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw ApiException.unavailable("no result from the agent", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApiException.unavailable("interrupted", e);
    }
  }
}
