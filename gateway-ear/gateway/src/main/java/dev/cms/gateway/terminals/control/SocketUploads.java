package dev.cms.gateway.terminals.control;

import dev.cms.domain.client.ClientMessage;
import dev.cms.domain.client.OutputFrame;
import dev.cms.domain.client.ServerMessage;
import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.LineBuffer;
import dev.cms.domain.protocol.ProtocolException;
import dev.cms.domain.protocol.Stream;
import dev.cms.domain.protocol.StreamHandler;
import dev.cms.gateway.agents.control.Agents;
import dev.cms.gateway.config.Settings;
import dev.cms.gateway.containers.control.Containers;
import dev.cms.gateway.metrics.Meters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Uploads over the client WebSocket: {@code upload} opens a {@code file-write} or {@code
 * archive-extract} stream on the agent, binary frames carry the bytes (checked for order and size),
 * {@code upload-end} closes it; the agent's progress and verdict come back as {@code
 * upload-progress} and {@code upload-result}. The same agent rules as the REST door apply. Writing
 * blocks the client's socket while the agent has granted no window: that is the backpressure.
 */
public final class SocketUploads {

  private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(30);
  private static final int MAX_UPLOADS = 4;
  // the agent's progress and verdict lines; a longer one resets the upload (as in the REST door)
  private static final int MAX_VERDICT_LINE = 8 * 1024;

  /** Makes the per-client upload table. */
  @ApplicationScoped
  public static class Factory {
    @Inject Agents agents;
    @Inject Settings settings;
    @Inject Containers containers;
    @Inject Meters meters;

    public SocketUploads create(String containerId, Consumer<ServerMessage> send) {
      return new SocketUploads(this, containerId, send);
    }
  }

  private final Factory f;
  private final String containerId;
  private final Consumer<ServerMessage> send;
  private final Map<String, Upload> uploads = new ConcurrentHashMap<>();

  private SocketUploads(Factory f, String containerId, Consumer<ServerMessage> send) {
    this.f = f;
    this.containerId = containerId;
    this.send = send;
  }

  private final class Upload implements StreamHandler {
    final ClientMessage.Upload request;
    final CompletableFuture<Stream> opened = new CompletableFuture<>();
    final LineBuffer lines = new LineBuffer("upload verdict", MAX_VERDICT_LINE);
    long received;
    volatile boolean finished;

    Upload(ClientMessage.Upload request) {
      this.request = request;
    }

    @Override
    public void onOpen(Stream s) {
      opened.complete(s);
    }

    @Override
    public void onData(Stream s, byte[] data) {
      if (finished) {
        return; // decided: whatever else the agent sends is dropped (and credited)
      }
      List<String> received;
      try {
        received = lines.feed(data);
      } catch (ProtocolException e) {
        s.reset(ErrorCode.PROTOCOL, e.getMessage());
        finish(
            new ServerMessage.UploadResult(
                request.upload(), false, 0, 0, "io-error", "the agent sent a malformed result"));
        return;
      }
      for (String text : received) {
        String[] line = text.split(" ", 3);
        if ("progress".equals(line[0]) && line.length > 1) {
          send.accept(new ServerMessage.UploadProgress(request.upload(), number(line[1])));
        } else if ("ok".equals(line[0])) {
          finish(
              new ServerMessage.UploadResult(
                  request.upload(), true, number(at(line, 1)), number(at(line, 2)), null, null));
        } else if ("error".equals(line[0])) {
          finish(
              new ServerMessage.UploadResult(
                  request.upload(), false, 0, 0, at(line, 1), at(line, 2)));
        }
      }
    }

    @Override
    public void onClose(Stream s) {
      s.close();
      finish(
          new ServerMessage.UploadResult(
              request.upload(),
              false,
              0,
              0,
              "io-error",
              "the agent ended the upload without a result"));
    }

    @Override
    public void onReset(Stream s, int code, String reason) {
      opened.completeExceptionally(new IOException(reason));
      finish(
          new ServerMessage.UploadResult(
              request.upload(), false, 0, 0, "io-error", "the upload was aborted: " + reason));
    }

    synchronized void finish(ServerMessage.UploadResult result) {
      if (finished) {
        return;
      }
      finished = true;
      uploads.remove(request.upload(), this);
      if (!result.ok()) {
        f.meters.uploadRefused(result.rule());
      }
      send.accept(result);
      if (result.ok()) {
        f.containers.note(
            containerId,
            "zip".equals(request.kind()) ? "ARCHIVE_EXTRACTED" : "FILE_WRITTEN",
            request.path()
                + " ("
                + result.entries()
                + " entries, "
                + result.bytes()
                + " bytes, over WebSocket)");
      }
    }

    Stream stream() throws IOException {
      try {
        return opened.get(15, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IOException("the upload stream did not open: " + e.getMessage());
      }
    }
  }

  public void start(ClientMessage.Upload u) {
    if (uploads.containsKey(u.upload())) {
      refuse(u.upload(), "bad-param", "upload '" + u.upload() + "' is already in progress");
      return;
    }
    if (uploads.size() >= MAX_UPLOADS) {
      refuse(
          u.upload(), "too-many-uploads", "at most " + MAX_UPLOADS + " uploads at once per socket");
      return;
    }
    var link = f.agents.link(containerId);
    if (link.isEmpty()) {
      refuse(u.upload(), "agent-unavailable", "the container's agent is not connected");
      return;
    }
    Map<String, String> params = new HashMap<>();
    String kind;
    if ("zip".equals(u.kind())) {
      kind = "archive-extract";
      params.put("dest", u.path());
      params.put("maxEntries", Long.toString(f.settings.maxArchiveEntries()));
      params.put("maxUnpackedBytes", Long.toString(f.settings.maxUnpackedBytes()));
      params.put("maxRatio", Long.toString(f.settings.maxCompressionRatio()));
    } else {
      kind = "file-write";
      params.put("path", u.path());
      if (u.mode() != null) {
        params.put("mode", u.mode());
      }
    }
    params.put("maxBytes", Long.toString(f.settings.maxUploadBytes()));
    Upload up = new Upload(u);
    uploads.put(u.upload(), up);
    link.get()
        .mux()
        .open(kind, params, up)
        .whenComplete(
            (s, e) -> {
              if (e != null) {
                up.finish(
                    new ServerMessage.UploadResult(
                        u.upload(), false, 0, 0, "io-error", "the agent refused the upload: " + e));
              }
            });
    f.containers.activity(containerId);
  }

  public void chunk(ByteBuffer frame) {
    OutputFrame chunk;
    try {
      chunk = OutputFrame.decode(frame);
    } catch (ProtocolException e) {
      send.accept(
          new ServerMessage.Error(
              null, "bad-message", "malformed upload frame: " + e.getMessage()));
      return;
    }
    Upload up = uploads.get(chunk.terminal());
    if (up == null) {
      send.accept(
          new ServerMessage.Error(
              null,
              "bad-message",
              "no upload '" + chunk.terminal() + "' in progress; send an upload first"));
      return;
    }
    if (chunk.offset() != up.received) {
      fail(
          up,
          "bad-param",
          "upload chunk at offset " + chunk.offset() + ", expected " + up.received);
      return;
    }
    up.received += chunk.data().length;
    if (up.received > f.settings.maxUploadBytes()) {
      fail(up, "too-large", "the upload exceeds " + f.settings.maxUploadBytes() + " bytes");
      return;
    }
    try {
      Stream s = up.stream();
      if (!up.finished && !s.write(chunk.data(), 0, chunk.data().length, WRITE_TIMEOUT)) {
        fail(up, "io-error", "the agent took no data for " + WRITE_TIMEOUT.toSeconds() + " s");
      } else {
        f.meters.relayed(Meters.Channel.FILES, chunk.data().length);
      }
    } catch (IOException e) {
      fail(up, "io-error", e.getMessage());
    }
  }

  public void end(String id) {
    Upload up = uploads.get(id);
    if (up == null) {
      send.accept(
          new ServerMessage.Error(null, "bad-message", "no upload '" + id + "' in progress"));
      return;
    }
    try {
      up.stream().close();
    } catch (IOException e) {
      fail(up, "io-error", e.getMessage());
    }
  }

  public void abort(String id) {
    Upload up = uploads.get(id);
    if (up != null) {
      fail(up, "aborted", "aborted by the client");
    }
  }

  public void abortAll() {
    uploads.values().forEach(up -> fail(up, "aborted", "the client went away"));
  }

  private void fail(Upload up, String rule, String message) {
    up.opened.thenAccept(s -> s.reset(ErrorCode.CANCELLED, message));
    up.finish(new ServerMessage.UploadResult(up.request.upload(), false, 0, 0, rule, message));
  }

  private void refuse(String id, String rule, String message) {
    f.meters.uploadRefused(rule);
    send.accept(new ServerMessage.UploadResult(id, false, 0, 0, rule, message));
  }

  private static String at(String[] a, int i) {
    return i < a.length ? a[i] : "";
  }

  private static long number(String s) {
    try {
      return Long.parseLong(s.strip());
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
