package dev.cms.gateway.preview.boundary;

import dev.cms.gateway.preview.control.Relay;
import dev.cms.gateway.preview.control.TcpPipe;
import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.WebConnection;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ThreadFactory;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The client connection of a previewed WebSocket after the upgrade: raw bytes relayed both ways
 * between it and the app's pipe (frames are not looked at, so any subprotocol and extension such as
 * {@code permessage-deflate} passes through).
 */
public class WebSocketTunnel implements HttpUpgradeHandler {

  private static final Logger LOG = Logger.getLogger(WebSocketTunnel.class.getName());

  private volatile TcpPipe pipe;
  private volatile InputStream fromApp;
  private volatile ThreadFactory threads;

  /** Hands over the app's side; called by the filter before {@link #init} runs. */
  void attach(TcpPipe pipe, InputStream fromApp, ThreadFactory threads) {
    this.pipe = pipe;
    this.fromApp = fromApp;
    this.threads = threads;
  }

  @Override
  public void init(WebConnection wc) {
    TcpPipe p = pipe;
    if (p == null) {
      close(wc);
      return;
    }
    try {
      Relay.tunnel(wc.getInputStream(), wc.getOutputStream(), fromApp, p, threads, () -> close(wc));
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.FINE, "could not start a preview WebSocket tunnel", e);
      p.abort("the client connection failed");
      close(wc);
    }
  }

  @Override
  public void destroy() {
    TcpPipe p = pipe;
    if (p != null) {
      p.finish();
    }
  }

  private static void close(WebConnection wc) {
    try {
      wc.close();
    } catch (Exception e) {
      LOG.log(Level.FINE, "closing a preview WebSocket connection", e);
    }
  }
}
