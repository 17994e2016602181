package dev.cms.gateway.agents.boundary;

import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.Frame;
import dev.cms.domain.protocol.FrameCodec;
import dev.cms.domain.protocol.Mux;
import dev.cms.domain.protocol.ProtocolException;
import dev.cms.domain.protocol.StreamRefusedException;
import dev.cms.gateway.agents.control.AgentAdmission;
import dev.cms.gateway.agents.control.AgentAdmissions;
import dev.cms.gateway.agents.control.Agents;
import dev.cms.gateway.agents.control.Untrusted;
import dev.cms.gateway.config.Settings;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
  private static final String REFUSED = "cms.refused";
  private static final int WINDOW = 256 * 1024;

  /** OPENs an agent may send (the gateway refuses every one) before its link is dropped. */
  static final int MAX_REFUSED_OPENS = 64;

  /** How long a frame to the agent may wait for an agent that reads nothing. */
  static final long SEND_TIMEOUT_S = 30;

  @Inject Agents agents;
  @Inject AgentAdmissions admissions;
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
      if (link == null) {
        refuse(session, e.code(), "protocol violation: " + e.getMessage(), null);
      } else {
        dropLink(session, link, e);
      }
    }
  }

  @OnMessage
  public void text(Session session, String message) {
    Agents.Link link = (Agents.Link) session.getUserProperties().get(LINK);
    String why = "the agent channel carries binary frames only";
    if (link == null) {
      refuse(session, ErrorCode.PROTOCOL, why, null);
    } else if (session.getUserProperties().putIfAbsent(REFUSED, Boolean.TRUE) == null) {
      dropLink(session, link, new ProtocolException(why));
    }
  }

  private void hello(Session session, Frame frame) {
    if (!(frame instanceof Frame.Hello hello)) {
      refuse(
          session,
          ErrorCode.UNAUTHORIZED,
          "the first frame must be HELLO, got " + frame.type(),
          null);
      return;
    }
    if (hello.protocolVersion() < FrameCodec.VERSION) {
      refuse(
          session,
          ErrorCode.VERSION,
          "protocol version " + hello.protocolVersion() + " unsupported",
          hello);
      return;
    }
    AgentAdmission admission = admissions.admitAgent(hello.containerId(), hello.secret());
    if (!admission.accepted()) {
      refuse(session, ErrorCode.UNAUTHORIZED, "unknown container or wrong agent credential", hello);
      return;
    }
    Mux mux = linkMux(session);
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
        admissions.undoAgentExchange(hello.containerId(), admission.credential());
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
      String why = reason.getReasonPhrase() == null ? "" : reason.getReasonPhrase();
      why = why.isEmpty() ? "" : Untrusted.quote(why);
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
      agents.disconnected(
          link.containerId(), session, "agent link failed: " + e.getClass().getSimpleName());
    }
  }

  /**
   * The multiplexer of an authenticated link, bounded as for any untrusted peer: streams per link,
   * refused OPENs, the wait for OPEN answers, and a send that waits at most {@link #SEND_TIMEOUT_S}
   * for an agent that stopped reading (then the link is dropped).
   */
  private Mux linkMux(Session session) {
    return new Mux(
            frame -> sendTimed(session, frame),
            true,
            WINDOW,
            open -> {
              throw new StreamRefusedException(
                  ErrorCode.UNKNOWN_KIND,
                  "the gateway accepts no " + Untrusted.quote(open.kind()) + " streams");
            })
        .limits(
            new Mux.Limits(
                settings.maxStreamsPerContainer(), MAX_REFUSED_OPENS, settings.agentOpenTimeout()));
  }

  private static void sendTimed(Session session, ByteBuffer frame) throws IOException {
    try {
      session.getAsyncRemote().sendBinary(frame).get(SEND_TIMEOUT_S, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      closeQuietly(session, "the agent read nothing for " + SEND_TIMEOUT_S + " s");
      throw new IOException("the agent read nothing for " + SEND_TIMEOUT_S + " s");
    } catch (ExecutionException e) {
      throw new IOException("send to the agent failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while sending to the agent");
    }
  }

  /** A link that broke the protocol (or a bound) is dropped with one log line. */
  private static void dropLink(Session session, Agents.Link link, ProtocolException e) {
    LOG.warning(
        () ->
            "dropping the agent link of "
                + link.containerId()
                + " from "
                + remote(session)
                + ": protocol violation: "
                + Untrusted.quote(e.getMessage(), 200));
    link.mux().goAway(e.code(), "protocol violation: " + e.getMessage());
    closeQuietly(session, "protocol violation");
  }

  /**
   * Refuses a connection that is not (yet) a link, logging it once per connection with the HELLO's
   * fields shortened and escaped.
   */
  private static void refuse(Session session, int code, String reason, Frame.Hello hello) {
    if (session.getUserProperties().putIfAbsent(REFUSED, Boolean.TRUE) != null) {
      return; // refused already: one log line and one GOAWAY per connection
    }
    LOG.warning(
        () ->
            "agent connection from "
                + remote(session)
                + " refused: "
                + Untrusted.quote(reason, 200)
                + (hello == null
                    ? ""
                    : " (HELLO container="
                        + Untrusted.quote(hello.containerId())
                        + " agent="
                        + Untrusted.quote(hello.agentVersion())
                        + " version="
                        + hello.protocolVersion()
                        + ")"));
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

  /** The peer's address, where the WebSocket implementation tells it (Tyrus does). */
  private static String remote(Session session) {
    try {
      Object addr = session.getClass().getMethod("getRemoteAddr").invoke(session);
      return addr == null ? "?" : Untrusted.quote(String.valueOf(addr), 64);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return "?";
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
