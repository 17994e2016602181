package dev.cms.gateway.clientsocket.control;

import jakarta.websocket.CloseReason;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sends to one client WebSocket asynchronously, one message at a time, in order. Callers never
 * block on a slow client: what bounds memory is the agent stream's credit, which is returned only
 * once a message is sent.
 */
final class ClientSender {

  private static final Logger LOG = Logger.getLogger(ClientSender.class.getName());

  private record Pending(Object payload, Runnable onSent) {}

  /**
   * Text waiting for one client, at most: binary output is bounded by the agent streams' credit,
   * text (status, errors, process and port changes) is not, so a client that reads nothing while
   * messages pile up is closed instead of growing the queue.
   */
  static final int MAX_QUEUED_TEXT = 4 * 1024 * 1024;

  private final Session session;
  private final Queue<Pending> queue = new ArrayDeque<>();
  private boolean sending;
  private long queuedText;
  private boolean overflowed;

  ClientSender(Session session) {
    this.session = session;
  }

  void text(String json) {
    enqueue(new Pending(json, null));
  }

  /**
   * Sends binary data; {@code onSent} runs after it left (or could not be sent because the client
   * went).
   */
  void binary(ByteBuffer data, Runnable onSent) {
    enqueue(new Pending(data, onSent));
  }

  private void enqueue(Pending p) {
    synchronized (queue) {
      if (p.payload() instanceof String text) {
        if (overflowed) {
          return;
        }
        if (queuedText + text.length() > MAX_QUEUED_TEXT) {
          overflowed = true;
          LOG.warning("closing a client socket that read nothing while 4 MiB of messages piled up");
          closeSlow();
          return;
        }
        queuedText += text.length();
      }
      queue.add(p);
      if (sending) {
        return;
      }
      sending = true;
    }
    next();
  }

  private void next() {
    Pending p;
    synchronized (queue) {
      p = queue.poll();
      if (p == null) {
        sending = false;
        return;
      }
      if (p.payload() instanceof String text) {
        queuedText -= text.length();
      }
    }
    if (!session.isOpen()) {
      done(p);
      next();
      return;
    }
    SendHandler handler =
        (SendResult result) -> {
          if (!result.isOK()) {
            LOG.log(Level.FINE, "send to client failed", result.getException());
          }
          done(p);
          next();
        };
    try {
      if (p.payload() instanceof String s) {
        session.getAsyncRemote().sendText(s, handler);
      } else {
        session.getAsyncRemote().sendBinary((ByteBuffer) p.payload(), handler);
      }
    } catch (RuntimeException e) {
      LOG.log(Level.FINE, "send to client failed", e);
      done(p);
      next();
    }
  }

  private void closeSlow() {
    try {
      session.close(
          new CloseReason(
              CloseReason.CloseCodes.TRY_AGAIN_LATER, "too many messages waiting for this client"));
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.FINE, "closing a slow client", e);
    }
  }

  private static void done(Pending p) {
    if (p.onSent() != null) {
      p.onSent().run();
    }
  }
}
