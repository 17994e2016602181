package dev.cms.gateway.terminals.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cms.domain.ContainerStatus;
import dev.cms.gateway.agents.control.Agents;
import dev.cms.gateway.config.Settings;
import dev.cms.gateway.containers.control.Containers;
import dev.cms.gateway.processes.control.Processes;
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

/** The per-container caps of the client WebSocket, without a container around the control. */
class TerminalsLimitsTest {

  private final List<String> sent = new CopyOnWriteArrayList<>();

  private Terminals terminals(int maxClients, int maxTerminals) throws Exception {
    Settings settings = new Settings();
    set(settings, "maxClientsPerContainer", maxClients);
    set(settings, "maxTerminalsPerContainer", maxTerminals);
    Terminals t = new Terminals();
    t.settings = settings;
    t.agents = new Agents(); // no agent connected: attachments wait for it
    t.containers =
        new Containers() {
          @Override
          public ContainerStatus statusOf(String id) {
            return ContainerStatus.RUNNING;
          }
        };
    t.processes = new Processes();
    t.uploadFactory = new SocketUploads.Factory();
    return t;
  }

  private static void set(Object target, String field, Object value) throws Exception {
    var f = target.getClass().getDeclaredField(field);
    f.setAccessible(true);
    f.set(target, value);
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
    Terminals t = terminals(2, 64);
    t.connect("c-1", session(), null, null, null, null);
    t.connect("c-1", session(), null, null, null, null);

    assertThatThrownBy(() -> t.connect("c-1", session(), null, null, null, null))
        .isInstanceOf(Terminals.LimitReached.class)
        .hasMessage("too-many-clients: at most 2 per container");
    // another container is not affected
    t.connect("c-2", session(), null, null, null, null);
  }

  @Test
  void aLeavingClientMakesRoom() throws Exception {
    Terminals t = terminals(1, 64);
    Terminals.Client first = t.connect("c-1", session(), null, null, null, null);
    t.disconnect(first);

    t.connect("c-1", session(), null, null, null, null);
  }

  @Test
  void terminalsBeyondTheCapAreRefusedButKnownOnesCanBeShared() throws Exception {
    Terminals t = terminals(10, 2);
    Terminals.Client a = t.connect("c-1", session(), "main", null, null, null);
    t.onText(a, "{\"type\":\"open\",\"terminal\":\"second\"}");
    sent.clear();

    t.onText(a, "{\"type\":\"open\",\"terminal\":\"third\"}");
    assertThat(String.join("\n", sent))
        .contains("too-many-terminals: at most 2 terminals attached per container");

    sent.clear();
    Terminals.Client b = t.connect("c-1", session(), "main", null, null, null);
    t.onText(b, "{\"type\":\"open\",\"terminal\":\"second\"}");
    assertThat(String.join("\n", sent)).doesNotContain("too-many-terminals");
  }
}
