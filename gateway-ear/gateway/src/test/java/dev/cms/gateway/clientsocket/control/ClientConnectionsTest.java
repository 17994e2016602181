package dev.cms.gateway.clientsocket.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cms.domain.ContainerStatus;
import dev.cms.gateway.agents.control.Agents;
import dev.cms.gateway.config.Settings;
import dev.cms.gateway.containers.control.Containers;
import dev.cms.gateway.processes.control.Processes;
import dev.cms.gateway.terminals.control.SocketUploads;
import dev.cms.gateway.terminals.control.Terminals;
import dev.cms.gateway.testing.Beans;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The per-container caps of the client WebSocket, without a container around the controls. */
class ClientConnectionsTest {

  private final List<String> sent = new CopyOnWriteArrayList<>();

  private final ClientRouter router = new ClientRouter();

  private ClientConnections connections(int maxClients, int maxTerminals) throws Exception {
    Settings settings = new Settings();
    Beans.set(settings, "maxClientsPerContainer", maxClients);
    Beans.set(settings, "maxTerminalsPerContainer", maxTerminals);
    Agents agents = new Agents(); // no agent connected: attachments wait for it
    Containers containers =
        new Containers() {
          @Override
          public ContainerStatus statusOf(String id) {
            return ContainerStatus.RUNNING;
          }
        };
    Processes processes = new Processes();
    Terminals terminals = new Terminals();
    Beans.set(terminals, "settings", settings);
    Beans.set(terminals, "agents", agents);
    Beans.set(terminals, "containers", containers);
    Beans.set(terminals, "processes", processes);
    ClientConnections c = new ClientConnections();
    c.settings = settings;
    c.agents = agents;
    c.containers = containers;
    c.processes = processes;
    c.terminals = terminals;
    c.uploadFactory = new SocketUploads.Factory();
    router.processes = processes;
    return c;
  }

  private Session session() {
    RemoteEndpoint.Async async =
        (RemoteEndpoint.Async)
            Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {RemoteEndpoint.Async.class},
                (p, m, args) -> {
                  if (m.getName().equals("sendText")) {
                    sent.add((String) args[0]);
                    ((SendHandler) args[1]).onResult(new SendResult());
                  }
                  return null;
                });
    Map<String, Object> props = new HashMap<>();
    return (Session)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {Session.class},
            (p, m, args) ->
                switch (m.getName()) {
                  case "isOpen" -> true;
                  case "getAsyncRemote" -> async;
                  case "getUserProperties" -> props;
                  default -> null;
                });
  }

  @Test
  void clientSocketsBeyondTheCapAreRefusedWithAClearReason() throws Exception {
    ClientConnections t = connections(2, 64);
    t.connect("c-1", session(), null, null, null, null);
    t.connect("c-1", session(), null, null, null, null);

    assertThatThrownBy(() -> t.connect("c-1", session(), null, null, null, null))
        .isInstanceOf(ClientConnections.LimitReached.class)
        .hasMessage("too-many-clients: at most 2 per container");
    // another container is not affected
    t.connect("c-2", session(), null, null, null, null);
  }

  @Test
  void aLeavingClientMakesRoom() throws Exception {
    ClientConnections t = connections(1, 64);
    ClientConnection first = t.connect("c-1", session(), null, null, null, null);
    t.disconnect(first);

    t.connect("c-1", session(), null, null, null, null);
  }

  @Test
  void terminalsBeyondTheCapAreRefusedButKnownOnesCanBeShared() throws Exception {
    ClientConnections t = connections(10, 2);
    ClientConnection a = t.connect("c-1", session(), "main", null, null, null);
    router.onText(a, "{\"type\":\"open\",\"terminal\":\"second\"}");
    sent.clear();

    router.onText(a, "{\"type\":\"open\",\"terminal\":\"third\"}");
    assertThat(String.join("\n", sent))
        .contains("too-many-terminals: at most 2 terminals attached per container");

    sent.clear();
    ClientConnection b = t.connect("c-1", session(), "main", null, null, null);
    router.onText(b, "{\"type\":\"open\",\"terminal\":\"second\"}");
    assertThat(String.join("\n", sent)).doesNotContain("too-many-terminals");
  }

  @Test
  void aMalformedFrameIsAnsweredBadMessageAndTheNextOneIsRouted() throws Exception {
    ClientConnections t = connections(10, 64);
    ClientConnection c = t.connect("c-1", session(), null, null, null, null);
    sent.clear();

    router.onText(c, "{\"type\":\"kill\",\"terminal\":\"main\",\"terminal\":\"x\"}");
    router.onText(c, "{\"type\":\"input\",\"terminal\":\"main\",\"data\":\"ls\\r\"}");

    assertThat(sent)
        .containsExactly(
            "{\"type\":\"error\",\"code\":\"bad-message\",\"message\":\"duplicate field terminal\"}",
            "{\"type\":\"error\",\"terminal\":\"main\",\"code\":\"unknown-terminal\","
                + "\"message\":\"terminal 'main' is not attached; send an open first\"}");
  }

  @Test
  void aNewClientIsToldTheStatusAndItsInitialTerminalWaitsForTheAgent() throws Exception {
    ClientConnections t = connections(10, 64);

    t.connect("c-1", session(), "main", null, null, null);

    assertThat(sent)
        .containsExactly(
            "{\"type\":\"status\",\"container\":\"c-1\",\"status\":\"RUNNING\","
                + "\"agentConnected\":false}",
            "{\"type\":\"error\",\"terminal\":\"main\",\"code\":\"agent-unavailable\","
                + "\"message\":\"the container's agent is not connected yet; will attach when it is\"}");
  }
}
