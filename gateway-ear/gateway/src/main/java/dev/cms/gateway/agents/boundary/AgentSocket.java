package dev.cms.gateway.agents.boundary;

import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.Frame;
import dev.cms.domain.protocol.FrameCodec;
import dev.cms.domain.protocol.Mux;
import dev.cms.domain.protocol.ProtocolException;
import dev.cms.domain.protocol.StreamRefusedException;
import dev.cms.gateway.agents.control.Agents;
import dev.cms.gateway.config.Settings;
import dev.cms.gateway.containers.control.Containers;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Where agents dial back: {@code /ws/v1/agent}. The first frame must be a HELLO carrying the
 * container id and its credential: the create-time secret once after each start (WELCOME then
 * carries the link credential that replaces it), the link credential after that; anything else gets
 * GOAWAY and close code 1008. After WELCOME the connection carries the multiplexed streams of
 * {@code docs/PROTOCOL.md}.
 */
@ServerEndpoint("/ws/v1/agent")
public class AgentSocket {

  private static final Logger LOG = Logger.getLogger(AgentSocket.class.getName());
  private static final String LINK = "cms.link";
  private static final int WINDOW = 256 * 1024;

  @Inject Agents agents;
  @Inject Containers containers;
  @Inject Settings settings;

  @OnOpen
  public void open(Session session) {
    session.setMaxBinaryMessageBufferSize(FrameCodec.MAX_FRAME);
    session.setMaxTextMessageBufferSize(1024);
    // the agent pings every heartbeat; three silent intervals mean the link is dead
    session.setMaxIdleTimeout(3L * settings.heartbeatMillis());
  }

  @OnMessage
  public void binary(Session session, ByteBuffer message) {
    Agents.Link link = (Agents.Link) session.getUserProperties().get(LINK);
    try {
      if (link == null) {
        hello(session, FrameCodec.decode(message));
      } else {
        link.mux().receive(message);
      }
    } catch (ProtocolException e) {
      LOG.warning(() -> "closing agent link: protocol violation: " + e.getMessage());
      if (link == null) {
        refuse(session, e.code(), "protocol violation: " + e.getMessage());
      } else {
        link.mux().goAway(e.code(), "protocol violation: " + e.getMessage());
        closeQuietly(session, "protocol violation");
      }
    }
  }

  @OnMessage
  public void text(Session session, String message) {
    refuse(session, ErrorCode.PROTOCOL, "the agent channel carries binary frames only");
  }

  private void hello(Session session, Frame frame) {
    if (!(frame instanceof Frame.Hello hello)) {
      refuse(session, ErrorCode.UNAUTHORIZED, "the first frame must be HELLO, got " + frame.type());
      return;
    }
    if (hello.protocolVersion() < FrameCodec.VERSION) {
      refuse(
          session,
          ErrorCode.VERSION,
          "protocol version " + hello.protocolVersion() + " unsupported");
      return;
    }
    Containers.AgentAdmission admission =
        containers.admitAgent(hello.containerId(), hello.secret());
    if (!admission.accepted()) {
      LOG.warning(
          () ->
              "agent for '"
                  + hello.containerId()
                  + "' refused: unknown container or wrong credential");
      refuse(session, ErrorCode.UNAUTHORIZED, "unknown container or wrong agent credential");
      return;
    }
    Mux mux =
        new Mux(
            frame1 -> {
              synchronized (session) {
                session.getBasicRemote().sendBinary(frame1);
              }
            },
            true,
            WINDOW,
            open -> {
              throw new StreamRefusedException(
                  ErrorCode.UNKNOWN_KIND, "the gateway accepts no '" + open.kind() + "' streams");
            });
    Agents.Link link =
        new Agents.Link(hello.containerId(), session, mux, hello.agentVersion(), Instant.now());
    try {
      send(
          session,
          new Frame.Welcome(
              FrameCodec.VERSION, settings.heartbeatMillis(), WINDOW, admission.credential()));
    } catch (IOException e) {
      LOG.log(Level.FINE, "agent went away during the handshake", e);
      if (!admission.credential().isEmpty()) {
        containers.undoAgentExchange(hello.containerId(), admission.credential());
      }
      return;
    }
    session.getUserProperties().put(LINK, link);
    agents.connected(link);
  }

  @OnClose
  public void close(Session session, CloseReason reason) {
    Agents.Link link = (Agents.Link) session.getUserProperties().get(LINK);
    if (link != null) {
      String why = reason.getReasonPhrase();
      agents.disconnected(
          link.containerId(),
          session,
          "agent link closed ("
              + reason.getCloseCode().getCode()
              + (why.isEmpty() ? "" : ": " + why)
              + ")");
    }
  }

  @OnError
  public void error(Session session, Throwable e) {
    Agents.Link link = (Agents.Link) session.getUserProperties().get(LINK);
    LOG.log(Level.FINE, "agent link error", e);
    if (link != null) {
      agents.disconnected(link.containerId(), session, "agent link failed: " + e);
    }
  }

  private static void refuse(Session session, int code, String reason) {
    try {
      send(session, new Frame.GoAway(code, reason));
      session.close(
          new CloseReason(
              CloseReason.CloseCodes.VIOLATED_POLICY,
              reason.length() > 120 ? reason.substring(0, 120) : reason));
    } catch (IOException e) {
      LOG.log(Level.FINE, "agent went away while being refused", e);
    }
  }

  private static void closeQuietly(Session session, String reason) {
    try {
      session.close(new CloseReason(CloseReason.CloseCodes.PROTOCOL_ERROR, reason));
    } catch (IOException e) {
      LOG.log(Level.FINE, "closing an agent session", e);
    }
  }

  private static void send(Session session, Frame frame) throws IOException {
    synchronized (session) {
      session.getBasicRemote().sendBinary(FrameCodec.encode(frame));
    }
  }
}
