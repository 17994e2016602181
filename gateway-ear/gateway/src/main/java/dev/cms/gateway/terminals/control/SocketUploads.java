package dev.cms.gateway.terminals.control;

import dev.cms.domain.client.ClientMessage;
import dev.cms.domain.client.OutputFrame;
import dev.cms.domain.client.ServerMessage;
import dev.cms.domain.files.ParamException;
import dev.cms.domain.files.Rule;
import dev.cms.domain.files.Transfer;
import dev.cms.domain.protocol.ProtocolException;
import dev.cms.gateway.files.control.Uploads;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The WebSocket door of {@link Uploads}: {@code upload} starts one (a {@code file} or a {@code
 * zip}), binary frames carry the bytes (checked for order here, for size by the service), {@code
 * upload-end} ends it; the agent's progress and verdict come back as {@code upload-progress} and
 * {@code upload-result} with the rule's wire name. The same parameters, bounds and rules as the
 * REST door apply, since both are the one service. Writing blocks the client's socket while the
 * agent has granted no window: that is the backpressure.
 */
public final class SocketUploads {

  private static final int MAX_UPLOADS = 4;

  /** Makes the per-client upload table. */
  @ApplicationScoped
  public static class Factory {
    @Inject Uploads uploads;

    public SocketUploads create(String containerId, Consumer<ServerMessage> send) {
      return new SocketUploads(uploads, containerId, send);
    }
  }

  private final Uploads service;
  private final String containerId;
  private final Consumer<ServerMessage> send;
  private final Map<String, Uploads.Upload> uploads = new ConcurrentHashMap<>();

  private SocketUploads(Uploads service, String containerId, Consumer<ServerMessage> send) {
    this.service = service;
    this.containerId = containerId;
    this.send = send;
  }

  public void start(ClientMessage.Upload u) {
    if (uploads.containsKey(u.upload())) {
      refuse(u.upload(), Rule.BAD_PARAM, "upload '" + u.upload() + "' is already in progress");
      return;
    }
    if (uploads.size() >= MAX_UPLOADS) {
      refuse(
          u.upload(),
          Rule.TOO_MANY_UPLOADS,
          "at most " + MAX_UPLOADS + " uploads at once per socket");
      return;
    }
    Transfer.Open request;
    try {
      request =
          "zip".equals(u.kind())
              ? service.archiveExtract(u.path())
              : service.fileWrite(u.path(), u.mode());
    } catch (ParamException e) {
      send.accept(
          new ServerMessage.UploadResult(u.upload(), false, 0, 0, e.rule().wire(), e.getMessage()));
      return;
    }
    String id = u.upload();
    Uploads.Upload up =
        service.start(
            containerId,
            request,
            bytes -> send.accept(new ServerMessage.UploadProgress(id, bytes)),
            ", over WebSocket");
    uploads.put(id, up);
    up.verdict()
        .thenAccept(
            v -> {
              uploads.remove(id, up);
              send.accept(result(id, v));
            });
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
    Uploads.Upload up = uploads.get(chunk.terminal());
    if (up == null) {
      send.accept(
          new ServerMessage.Error(
              null,
              "bad-message",
              "no upload '" + chunk.terminal() + "' in progress; send an upload first"));
      return;
    }
    if (chunk.offset() != up.received()) {
      up.fail(
          Rule.BAD_PARAM,
          "upload chunk at offset " + chunk.offset() + ", expected " + up.received());
      return;
    }
    up.write(chunk.data(), 0, chunk.data().length);
  }

  public void end(String id) {
    Uploads.Upload up = uploads.get(id);
    if (up == null) {
      send.accept(
          new ServerMessage.Error(null, "bad-message", "no upload '" + id + "' in progress"));
      return;
    }
    up.end();
  }

  public void abort(String id) {
    Uploads.Upload up = uploads.get(id);
    if (up != null) {
      up.fail(Rule.ABORTED, "aborted by the client");
    }
  }

  public void abortAll() {
    uploads.values().forEach(up -> up.fail(Rule.ABORTED, "the client went away"));
  }

  private void refuse(String id, Rule rule, String message) {
    service.refused(rule);
    send.accept(new ServerMessage.UploadResult(id, false, 0, 0, rule.wire(), message));
  }

  private static ServerMessage.UploadResult result(String id, Transfer.Verdict v) {
    if (v instanceof Transfer.Done d) {
      return new ServerMessage.UploadResult(id, true, d.bytes(), d.entries(), null, null);
    }
    Transfer.Refused r = (Transfer.Refused) v;
    return new ServerMessage.UploadResult(id, false, 0, 0, r.rule().wire(), r.message());
  }
}
