package dev.cms.gateway.clientsocket.control;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.Session;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ClientSenderTest {

  /** A client socket that never finishes a send (it reads nothing) and records its close. */
  private static final class StuckClient {
    final AtomicInteger sends = new AtomicInteger();
    final List<CloseReason> closes = new CopyOnWriteArrayList<>();
    final Session session;

    StuckClient() {
      RemoteEndpoint.Async async =
          (RemoteEndpoint.Async)
              Proxy.newProxyInstance(
                  getClass().getClassLoader(),
                  new Class<?>[] {RemoteEndpoint.Async.class},
                  (p, m, args) -> {
                    if (m.getName().startsWith("send")) {
                      sends.incrementAndGet(); // the SendHandler is never called
                    }
                    return null;
                  });
      session =
          (Session)
              Proxy.newProxyInstance(
                  getClass().getClassLoader(),
                  new Class<?>[] {Session.class},
                  (p, m, args) ->
                      switch (m.getName()) {
                        case "isOpen" -> closes.isEmpty();
                        case "getAsyncRemote" -> async;
                        case "close" -> {
                          closes.add((CloseReason) args[0]);
                          yield null;
                        }
                        default -> null;
                      });
    }
  }

  @Test
  void aClientThatReadsNothingIsClosedOnceItsTextQueueExceedsTheBound() {
    StuckClient client = new StuckClient();
    ClientSender out = new ClientSender(client.session);
    String message = "{\"type\":\"status\"," + "x".repeat(1000) + "}";

    int sent = 0;
    while (client.closes.isEmpty() && sent < 100_000) {
      out.text(message);
      sent++;
    }

    assertThat(client.closes).hasSize(1);
    assertThat(client.closes.get(0).getCloseCode())
        .isEqualTo(CloseReason.CloseCodes.TRY_AGAIN_LATER);
    assertThat((long) sent * message.length())
        .isBetween((long) ClientSender.MAX_QUEUED_TEXT, ClientSender.MAX_QUEUED_TEXT + 2_000L);
    // what comes later is dropped, not queued
    for (int i = 0; i < 1000; i++) {
      out.text(message);
    }
    assertThat(client.closes).hasSize(1);
    assertThat(client.sends.get()).isEqualTo(1);
  }
}
