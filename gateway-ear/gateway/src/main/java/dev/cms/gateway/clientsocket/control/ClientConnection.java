package dev.cms.gateway.clientsocket.control;

import dev.cms.domain.client.ServerMessage;
import dev.cms.gateway.terminals.control.SocketUploads;
import dev.cms.gateway.terminals.control.Terminals;
import jakarta.websocket.Session;
import java.nio.ByteBuffer;

/**
 * One client WebSocket: its session, the ordered sender in front of it, the terminals it has
 * attached and the uploads it runs. Messages to it are encoded here, with {@link ClientCodec}.
 */
public final class ClientConnection implements Terminals.Viewer {

  private final String containerId;
  private final Session session;
  private final ClientSender out;
  private final Terminals.Attachments terminals;
  private final SocketUploads uploads;

  ClientConnection(
      String containerId,
      Session session,
      Terminals terminals,
      SocketUploads.Factory uploadFactory) {
    this.containerId = containerId;
    this.session = session;
    this.out = new ClientSender(session);
    this.terminals = terminals.join(this);
    this.uploads = uploadFactory.create(containerId, this::send);
  }

  @Override
  public String containerId() {
    return containerId;
  }

  @Override
  public void send(ServerMessage m) {
    out.text(ClientCodec.toJson(m));
  }

  @Override
  public void output(ByteBuffer frame, Runnable onSent) {
    out.binary(frame, onSent);
  }

  /** Tells the client something went wrong; the socket stays open. */
  public void error(String terminal, String code, String message) {
    send(new ServerMessage.Error(terminal, code, message));
  }

  /** Handles a binary frame: a chunk of an upload. */
  public void binary(ByteBuffer frame) {
    uploads.chunk(frame);
  }

  Terminals.Attachments terminals() {
    return terminals;
  }

  SocketUploads uploads() {
    return uploads;
  }

  /** The Host header of the socket's handshake, or null. */
  String host() {
    Object host = session.getUserProperties().get(ClientConnections.HOST_PROPERTY);
    return host == null ? null : host.toString();
  }
}
