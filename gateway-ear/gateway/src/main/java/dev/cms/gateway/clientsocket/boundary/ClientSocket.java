package dev.cms.gateway.clientsocket.boundary;

import dev.cms.gateway.clientsocket.control.ClientCodec;
import dev.cms.gateway.clientsocket.control.ClientConnection;
import dev.cms.gateway.clientsocket.control.ClientConnections;
import dev.cms.gateway.clientsocket.control.ClientRouter;
import dev.cms.gateway.containers.control.Containers;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.PathParam;
import jakarta.websocket.server.ServerEndpoint;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The client WebSocket of a container: {@code /ws/v1/containers/{id}?token=…}. A missing or wrong
 * token closes it with 1008 before any data; then it carries terminals as described in {@code
 * docs/PROTOCOL.md}.
 */
@ServerEndpoint(value = "/ws/v1/containers/{id}", configurator = ClientSocket.KeepHost.class)
public class ClientSocket {

  private static final Logger LOG = Logger.getLogger(ClientSocket.class.getName());
  private static final String CLIENT = "cms.client";
  private static final int MAX_FRAME = ClientCodec.MAX_FRAME;

  @Inject Containers containers;
  @Inject ClientConnections connections;
  @Inject ClientRouter router;

  @OnOpen
  public void open(Session session, @PathParam("id") String id) throws IOException {
    session.setMaxTextMessageBufferSize(MAX_FRAME);
    session.setMaxBinaryMessageBufferSize(MAX_FRAME);
    Map<String, List<String>> q = session.getRequestParameterMap();
    String token = first(q, "token");
    if (token == null || !containers.acceptsClient(id, token)) {
      session.close(
          new CloseReason(
              CloseReason.CloseCodes.VIOLATED_POLICY,
              token == null ? "missing token" : "unknown container or wrong token"));
      return;
    }
    String terminal = q.containsKey("terminal") ? first(q, "terminal") : "main";
    ClientConnection client;
    try {
      client =
          connections.connect(
              id,
              session,
              terminal,
              longParam(q, "offset"),
              intParam(q, "cols"),
              intParam(q, "rows"));
    } catch (NumberFormatException e) {
      session.close(
          new CloseReason(
              CloseReason.CloseCodes.CANNOT_ACCEPT, "offset, cols and rows must be numbers"));
      return;
    } catch (ClientConnections.LimitReached e) {
      LOG.info(() -> "client socket of " + id + " refused: " + e.getMessage());
      session.close(new CloseReason(CloseReason.CloseCodes.TRY_AGAIN_LATER, e.getMessage()));
      return;
    }
    session.getUserProperties().put(CLIENT, client);
  }

  /**
   * A frame over 64 KiB closes the socket with 1009 (RFC 6455: message too big), as documented. The
   * container enforces {@code maxMessageSize} before the frame reaches us, so an oversized frame is
   * never buffered whole or parsed (the session's buffer size alone did not do it: the frame
   * reached the codec, which answered bad-message). The limit is in UTF-8 bytes; a frame the
   * container let through (it may count characters) that is over it in bytes is closed the same way
   * here, so the rule does not depend on how the container counts. Only this socket goes: the
   * terminals keep running and a client re-attaches at its offset (the console does, and never
   * sends such a frame: it splits a large paste).
   */
  @OnMessage(maxMessageSize = MAX_FRAME)
  public void text(Session session, String message) throws IOException {
    long bytes = ClientCodec.utf8Length(message);
    if (bytes > MAX_FRAME) {
      session.close(
          new CloseReason(
              CloseReason.CloseCodes.TOO_BIG,
              "message of " + bytes + " bytes exceeds " + MAX_FRAME));
      return;
    }
    ClientConnection client = (ClientConnection) session.getUserProperties().get(CLIENT);
    if (client != null) {
      router.onText(client, message);
    }
  }

  @OnMessage(maxMessageSize = MAX_FRAME)
  public void binary(Session session, ByteBuffer message) {
    ClientConnection client = (ClientConnection) session.getUserProperties().get(CLIENT);
    if (client != null) {
      client.binary(message); // a chunk of an upload
    }
  }

  @OnClose
  public void close(Session session, CloseReason reason) {
    ClientConnection client = (ClientConnection) session.getUserProperties().remove(CLIENT);
    if (client != null) {
      connections.disconnect(client);
    }
  }

  @OnError
  public void error(Session session, Throwable e) {
    // a client going away mid-frame is normal life for a browser tab
    LOG.log(Level.FINE, "client socket error", e);
  }

  /** Keeps the handshake's Host header: preview URLs pushed to this client are built on it. */
  public static class KeepHost extends ServerEndpointConfig.Configurator {
    @Override
    public void modifyHandshake(
        ServerEndpointConfig config, HandshakeRequest request, HandshakeResponse response) {
      List<String> host = request.getHeaders().get("Host");
      if (host == null) {
        host = request.getHeaders().get("host");
      }
      if (host != null && !host.isEmpty()) {
        config.getUserProperties().put(ClientConnections.HOST_PROPERTY, host.get(0));
      }
    }
  }

  private static String first(Map<String, List<String>> q, String name) {
    List<String> v = q.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  private static Long longParam(Map<String, List<String>> q, String name) {
    String v = first(q, name);
    return v == null || v.isEmpty() ? null : Long.valueOf(v);
  }

  private static Integer intParam(Map<String, List<String>> q, String name) {
    String v = first(q, name);
    return v == null || v.isEmpty() ? null : Integer.valueOf(v);
  }
}
