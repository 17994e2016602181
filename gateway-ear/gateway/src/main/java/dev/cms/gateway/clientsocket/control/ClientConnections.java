package dev.cms.gateway.clientsocket.control;

import dev.cms.domain.client.ClientMessage;
import dev.cms.domain.client.ServerMessage;
import dev.cms.gateway.agents.control.Agents;
import dev.cms.gateway.config.Settings;
import dev.cms.gateway.containers.control.ContainerStatusChanged;
import dev.cms.gateway.containers.control.Containers;
import dev.cms.gateway.files.control.FileChanged;
import dev.cms.gateway.metrics.Meters;
import dev.cms.gateway.preview.control.PreviewUrls;
import dev.cms.gateway.processes.control.PortChanged;
import dev.cms.gateway.processes.control.ProcessChanged;
import dev.cms.gateway.processes.control.Processes;
import dev.cms.gateway.terminals.control.SocketUploads;
import dev.cms.gateway.terminals.control.Terminals;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import jakarta.websocket.Session;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The client WebSockets open on this gateway, by container: admits one (within {@code
 * CMS_MAX_CLIENTS_PER_CONTAINER}), greets it with the container's status and processes, attaches
 * its initial terminal, forgets it when it closes, and pushes every change of its container to it
 * (status, agent link, processes, ports, file watches).
 */
@ApplicationScoped
public class ClientConnections {

  /** Session property holding the Host header of the client's handshake. */
  public static final String HOST_PROPERTY = "cms.host";

  @Inject Agents agents;
  @Inject Containers containers;
  @Inject Processes processes;
  @Inject Terminals terminals;
  @Inject PreviewUrls previewUrls;
  @Inject SocketUploads.Factory uploadFactory;
  @Inject Settings settings;
  @Inject Meters meters;

  /** A per-container bound was reached; the boundary refuses with a clear reason. */
  public static final class LimitReached extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LimitReached(String message) {
      super(message);
    }
  }

  private final Map<String, Set<ClientConnection>> byContainer = new ConcurrentHashMap<>();

  void atStart(@Observes @Initialized(ApplicationScoped.class) Object started) {
    // observing the start makes the bean (and its gauge) exist before the first scrape
  }

  @PostConstruct
  void registerGauge() {
    meters.gauge(
        "cms_client_sockets",
        "Client WebSockets (terminals, uploads) open on this gateway",
        () -> byContainer.values().stream().mapToInt(Set::size).sum());
  }

  /**
   * Registers a freshly authenticated client and attaches its initial terminal, if it named one.
   *
   * @throws LimitReached when the container has its maximum of client sockets
   */
  public ClientConnection connect(
      String containerId,
      Session session,
      String terminal,
      Long offset,
      Integer cols,
      Integer rows) {
    Set<ClientConnection> set =
        byContainer.computeIfAbsent(containerId, k -> ConcurrentHashMap.newKeySet());
    ClientConnection c;
    synchronized (set) {
      if (set.size() >= settings.maxClientsPerContainer()) {
        throw new LimitReached(
            "too-many-clients: at most " + settings.maxClientsPerContainer() + " per container");
      }
      c = new ClientConnection(containerId, session, terminals, uploadFactory);
      set.add(c);
    }
    c.send(
        new ServerMessage.Status(
            containerId, containers.statusOf(containerId).name(), agents.isConnected(containerId)));
    for (var p : processes.of(containerId)) {
      c.send(new ServerMessage.Process(p.id(), p.status(), p.exitCode()));
    }
    if (terminal != null && !terminal.isEmpty()) {
      c.terminals().open(new ClientMessage.Open(terminal, offset, cols, rows));
    }
    return c;
  }

  /** Forgets a client whose socket closed; its terminals keep running in the container. */
  public void disconnect(ClientConnection c) {
    Set<ClientConnection> set = byContainer.get(c.containerId());
    if (set != null) {
      set.remove(c);
    }
    c.terminals().leave();
    c.uploads().abortAll();
  }

  private Set<ClientConnection> of(String containerId) {
    return byContainer.getOrDefault(containerId, Set.of());
  }

  /**
   * The agent link came or went: told before the terminals re-attach (a lower priority runs first).
   */
  void onLink(
      @Observes @Priority(Interceptor.Priority.APPLICATION + 500) Agents.LinkChanged change) {
    for (ClientConnection c : of(change.containerId())) {
      c.send(
          new ServerMessage.Status(
              change.containerId(),
              containers.statusOf(change.containerId()).name(),
              change.connected()));
    }
  }

  void onProcess(@Observes ProcessChanged change) {
    var p = change.process();
    for (ClientConnection c : of(change.containerId())) {
      c.send(new ServerMessage.Process(p.id(), p.status(), p.exitCode()));
    }
  }

  void onPort(@Observes PortChanged change) {
    for (ClientConnection c : of(change.containerId())) {
      String url = null;
      String pathUrl = null;
      if (change.open()) {
        String hostHeader = c.host();
        String host = PreviewUrls.hostOf(hostHeader == null ? "localhost" : hostHeader);
        url = previewUrls.hostUrl(change.containerId(), change.port(), host);
        pathUrl = previewUrls.pathUrl(change.containerId(), change.port(), host);
      }
      c.send(new ServerMessage.Port(change.port(), change.open(), url, pathUrl));
    }
  }

  void onFile(@Observes FileChanged change) {
    for (ClientConnection c : of(change.containerId())) {
      c.send(
          new ServerMessage.File(
              change.watch(),
              change.change(),
              change.type(),
              change.path(),
              "overflow".equals(change.change()) ? change.dropped() : null));
    }
  }

  void onStatus(@Observes ContainerStatusChanged change) {
    for (ClientConnection c : of(change.containerId())) {
      c.send(
          new ServerMessage.Status(
              change.containerId(),
              change.status().name(),
              agents.isConnected(change.containerId())));
    }
  }
}
