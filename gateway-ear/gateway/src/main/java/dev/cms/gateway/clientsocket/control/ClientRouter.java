package dev.cms.gateway.clientsocket.control;

import dev.cms.domain.client.ClientMessage;
import dev.cms.domain.protocol.ProtocolException;
import dev.cms.gateway.problems.ApiException;
import dev.cms.gateway.processes.control.ProcessView;
import dev.cms.gateway.processes.control.Processes;
import dev.cms.gateway.processes.control.StartRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Routes the text frames of a client WebSocket: decodes each with {@link ClientCodec} (a frame that
 * is not a valid message is answered {@code error}/{@code bad-message} and otherwise ignored) and
 * dispatches it by type: terminal messages to the client's attached terminals, uploads to its
 * upload table, {@code run} to the processes (and then attaches the new process's terminal).
 */
@ApplicationScoped
public class ClientRouter {

  @Inject Processes processes;

  /** Handles one text frame of a client. */
  public void onText(ClientConnection c, String text) {
    ClientMessage m;
    try {
      m = ClientCodec.parseClient(text);
    } catch (ProtocolException e) {
      c.error(null, "bad-message", e.getMessage());
      return;
    }
    if (m instanceof ClientMessage.Open o) {
      c.terminals().open(o);
    } else if (m instanceof ClientMessage.Input i) {
      c.terminals().input(i);
    } else if (m instanceof ClientMessage.Resize r) {
      c.terminals().resize(r);
    } else if (m instanceof ClientMessage.Kill k) {
      c.terminals().kill(k);
    } else if (m instanceof ClientMessage.Detach d) {
      c.terminals().detach(d);
    } else if (m instanceof ClientMessage.Upload u) {
      c.uploads().start(u);
    } else if (m instanceof ClientMessage.UploadEnd u) {
      c.uploads().end(u.upload());
    } else if (m instanceof ClientMessage.UploadAbort u) {
      c.uploads().abort(u.upload());
    } else if (m instanceof ClientMessage.Run r) {
      run(c, r);
    } else {
      throw new IllegalStateException("no route for " + m);
    }
  }

  private void run(ClientConnection c, ClientMessage.Run r) {
    ProcessView p;
    try {
      p =
          processes.startForClient(
              c.containerId(), new StartRequest(r.command(), r.cwd(), null, r.port()));
    } catch (ApiException e) {
      c.error(null, "refused", e.getMessage());
      return;
    }
    // the process message (RUNNING) was pushed to every client by the start; this one also watches
    // it
    c.terminals().open(new ClientMessage.Open(p.terminal(), 0L, null, null));
  }
}
