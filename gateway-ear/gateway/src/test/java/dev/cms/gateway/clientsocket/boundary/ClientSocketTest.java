package dev.cms.gateway.clientsocket.boundary;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The frame size rule of the endpoint, counted in UTF-8 bytes whatever the container counts. */
class ClientSocketTest {

  private final List<CloseReason> closes = new ArrayList<>();
  private final Map<String, Object> props = new HashMap<>();

  private Session session() {
    return (Session)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {Session.class},
            (p, m, args) -> {
              switch (m.getName()) {
                case "close" -> closes.add((CloseReason) args[0]);
                case "getUserProperties" -> {
                  return props;
                }
                default -> {}
              }
              return null;
            });
  }

  @Test
  void aFrameUnderTheLimitInCharactersButOverItInBytesIsClosedWith1009() throws Exception {
    String frame =
        "{\"type\":\"input\",\"terminal\":\"main\",\"data\":\"" + "é".repeat(33_000) + "\"}";
    assertThat(frame.length()).isLessThan(64 * 1024);

    new ClientSocket().text(session(), frame);

    assertThat(closes).hasSize(1);
    assertThat(closes.get(0).getCloseCode().getCode()).isEqualTo(1009);
    assertThat(closes.get(0).getReasonPhrase()).isEqualTo("message of 66044 bytes exceeds 65536");
  }

  @Test
  void aFrameOfExactlySixtyFourKibIsNotClosed() throws Exception {
    String head = "{\"type\":\"kill\",\"terminal\":\"main\",\"pad\":\"";
    String frame = head + "x".repeat(64 * 1024 - head.length() - 2) + "\"}";

    new ClientSocket().text(session(), frame); // no client registered: nothing to route

    assertThat(closes).isEmpty();
  }
}
