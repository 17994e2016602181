package dev.cms.gateway.preview.control;

import dev.cms.gateway.agents.control.DataConnections;
import dev.cms.gateway.config.Settings;
import dev.cms.gateway.metrics.Meters;
import dev.cms.gateway.processes.control.Processes;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The preview listener ({@code CMS_PREVIEW_PORT}): previews and nothing else, on an origin that is
 * neither the console's nor the API's. A plain server, not the servlet container: a request that is
 * not an admitted preview (e.g. {@code /console/}, {@code /api/v1/…}) is answered 404. Each browser
 * connection is served by a {@link PreviewConnection} on two relay threads (at most {@code
 * CMS_MAX_PREVIEW_THREADS} in all, {@code CMS_PREVIEW_MAX_CONNECTIONS} connections; more are closed
 * at accept) and paired with one of the container agent's dial-back data connections.
 */
@Singleton
@Startup
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class PreviewListener {

  /** How long a browser connection waits for a data connection and the agent's answer. */
  static final long OPEN_TIMEOUT_MILLIS = 10_000;

  private static final Logger LOG = Logger.getLogger(PreviewListener.class.getName());

  @Inject Settings settings;
  @Inject PreviewProxy proxy;
  @Inject DataConnections data;
  @Inject Processes processes;
  @Inject Meters meters;

  @Resource ManagedThreadFactory threads;

  private final Set<PreviewConnection> live = ConcurrentHashMap.newKeySet();
  private volatile ServerSocketChannel server;
  private volatile String problem;
  private volatile boolean stopped;
  private long lastRefusalLog;

  @PostConstruct
  void start() {
    Wire.countWrites(n -> meters.relayed(Meters.Channel.PREVIEW, n));
    InetSocketAddress at = new InetSocketAddress(settings.previewAddress(), settings.previewPort());
    try {
      server = ServerSocketChannel.open();
      server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      server.bind(at, 512);
      Thread accept = threads.newThread(this::acceptLoop);
      accept.setName("cms-preview-listener");
      accept.setDaemon(true);
      accept.start();
      Thread watch = threads.newThread(this::watchdog);
      watch.setName("cms-preview-watchdog");
      watch.setDaemon(true);
      watch.start();
      LOG.info(
          "preview listener on "
              + at
              + ": previews only (at most "
              + settings.previewMaxConnections()
              + " connections)");
    } catch (IOException | RuntimeException e) {
      problem = "cannot listen on " + at + ": " + e.getMessage();
      LOG.severe("preview listener: " + problem + "; previews are unavailable (CMS_PREVIEW_PORT)");
    }
  }

  @PreDestroy
  void stop() {
    stopped = true;
    try {
      if (server != null) {
        server.close();
      }
    } catch (IOException e) {
      LOG.log(Level.FINE, "closing the preview listener", e);
    }
    for (PreviewConnection c : live) {
      c.close();
    }
  }

  /** Why the listener is not serving; empty while it is. */
  public Optional<String> problem() {
    return Optional.ofNullable(problem);
  }

  /** Browser connections open now. */
  public int openConnections() {
    return live.size();
  }

  private void acceptLoop() {
    while (!stopped && server.isOpen()) {
      SocketChannel c;
      try {
        c = server.accept();
      } catch (IOException e) {
        if (!stopped) {
          LOG.log(Level.WARNING, "preview listener: accept failed", e);
          sleep(100);
        }
        continue;
      }
      try {
        if (live.size() >= settings.previewMaxConnections()) {
          refusedLog();
          c.close();
          continue;
        }
        c.setOption(StandardSocketOptions.TCP_NODELAY, true);
        PreviewConnection pc = new PreviewConnection(this, c);
        live.add(pc);
        try {
          executor().execute(pc);
        } catch (RejectedExecutionException e) {
          live.remove(pc);
          refusedLog();
          c.close();
        }
      } catch (IOException | RuntimeException e) {
        LOG.log(Level.FINE, "preview listener: accepting", e);
      }
    }
  }

  private void refusedLog() {
    long now = System.currentTimeMillis();
    if (now - lastRefusalLog > 60_000) {
      lastRefusalLog = now;
      LOG.warning(
          "preview listener: "
              + live.size()
              + " connections open or no relay thread free (CMS_PREVIEW_MAX_CONNECTIONS,"
              + " CMS_MAX_PREVIEW_THREADS): refusing more (logged once a minute)");
    }
  }

  private void watchdog() {
    while (!stopped) {
      sleep(500);
      long now = System.currentTimeMillis();
      for (PreviewConnection c : live) {
        c.checkDeadline(now);
      }
    }
  }

  void ended(PreviewConnection c) {
    live.remove(c);
  }

  PreviewProxy proxy() {
    return proxy;
  }

  DataConnections data() {
    return data;
  }

  Executor executor() {
    return proxy.executor();
  }

  /** The browser's answer when no app connection could be had. */
  byte[] refusal(DataConnections.Refused r, PreviewAddress a, boolean html) {
    switch (r.kind()) {
      case NOT_LISTENING:
        return notListening(a, html);
      case AGENT_DOWN:
        return html
            ? PreviewPages.page(
                503,
                "Service Unavailable",
                "Waiting for the container",
                "The container's agent is not connected yet. This page retries by itself.",
                true)
            : PreviewPages.problem(
                503,
                "Service Unavailable",
                "the container's agent is not connected (container " + a.containerId() + ")",
                "Retry-After: 1\r\n");
      case TIMEOUT:
        return PreviewPages.problem(
            504, "Gateway Timeout", "the container's agent did not answer in time", "");
      default:
        LOG.fine(() -> "agent refused a preview connection: " + r.getMessage());
        return String.valueOf(r.getMessage()).startsWith("too-many")
            ? PreviewPages.problem(
                503, "Service Unavailable", "too many connections to this container", "")
            : PreviewPages.problem(
                502, "Bad Gateway", "the agent refused the connection to the app", "");
    }
  }

  private byte[] notListening(PreviewAddress a, boolean html) {
    var crashed =
        processes.forPort(a.containerId(), a.port()).filter(p -> "EXITED".equals(p.status()));
    if (crashed.isPresent()) {
      var p = crashed.get();
      String what =
          "The app started for port "
              + a.port()
              + " ("
              + p.command()
              + ") exited with code "
              + p.exitCode()
              + ". Start it again; this page retries by itself.";
      return html
          ? PreviewPages.page(
              503, "Service Unavailable", "The app on port " + a.port() + " exited", what, true)
          : PreviewPages.problem(503, "Service Unavailable", what, "Retry-After: 1\r\n");
    }
    return html
        ? PreviewPages.waiting(a.port())
        : PreviewPages.problem(
            503,
            "Service Unavailable",
            "nothing is listening on port " + a.port() + " in container " + a.containerId(),
            "Retry-After: 1\r\n");
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
