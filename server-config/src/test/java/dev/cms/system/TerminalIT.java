package dev.cms.system;

import static dev.cms.system.Gateway.KEY1;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cms.domain.client.ClientMessage;
import dev.cms.domain.client.ServerMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The container's shell over the client WebSocket, against a real container. */
class TerminalIT {

  static Gateway gw;
  static String id;
  static String url;
  static String token;

  @BeforeAll
  static void container() throws Exception {
    gw = Gateway.shared();
    JsonNode c = gw.create(KEY1);
    id = c.get("id").asText();
    url = c.get("websocketUrl").asText();
    token = c.get("token").asText();
  }

  @AfterAll
  static void remove() throws Exception {
    gw.delete("/api/v1/containers/" + id, KEY1);
  }

  private static TerminalClient open(String terminal) {
    return TerminalClient.connect(url, "token=" + token + "&terminal=" + terminal);
  }

  @Test
  void aCommandTypedInTheTerminalRunsInTheContainerAsNode() throws Exception {
    try (TerminalClient t = open("arith")) {
      t.type("echo $((6*7)); id -un; pwd\r");
      String out =
          t.awaitText(s -> s.contains("42\r\n") && s.contains("node\r\n"), Duration.ofSeconds(20));
      assertThat(out).contains("/app");
      ServerMessage.Attached attached =
          t.awaitMessage(ServerMessage.Attached.class, Duration.ofSeconds(5));
      assertThat(attached.terminal()).isEqualTo("arith");
      assertThat(attached.running()).isTrue();
    }
  }

  @Test
  void utf8RoundTripsIntact() throws Exception {
    try (TerminalClient t = open("utf8")) {
      t.type("printf 'h\\303\\251llo \\342\\234\\223 <%s>\\n' \"héllo ✓\"\r");
      String out = t.awaitText(s -> s.contains("héllo ✓ <héllo ✓>"), Duration.ofSeconds(20));
      assertThat(out.getBytes(StandardCharsets.UTF_8)).isEqualTo(t.bytes());
    }
  }

  @Test
  void resizeReachesThePty() throws Exception {
    try (TerminalClient t = open("size")) {
      t.send(new ClientMessage.Resize("size", 120, 40));
      t.type("stty size\r");
      t.awaitText(s -> s.contains("40 120\r\n"), Duration.ofSeconds(20));
    }
  }

  @Test
  void twoClientsOnOneTerminalBothSeeWhatEitherTypes() throws Exception {
    try (TerminalClient a = open("shared");
        TerminalClient b = open("shared")) {
      a.awaitMessage(ServerMessage.Attached.class, Duration.ofSeconds(10));
      b.awaitMessage(ServerMessage.Attached.class, Duration.ofSeconds(10));
      a.type("echo from-a-$((1+1))\r");
      b.type("echo from-b-$((2+2))\r");
      for (TerminalClient t : new TerminalClient[] {a, b}) {
        t.awaitText(
            s -> s.contains("from-a-2\r\n") && s.contains("from-b-4\r\n"), Duration.ofSeconds(20));
      }
    }
  }

  @Test
  void aClientThatReconnectsWithItsOffsetGetsExactlyTheMissedBytes() throws Exception {
    StringBuilder expected = new StringBuilder("BEGIN\r\n");
    for (int i = 1; i <= 200_000; i++) {
      expected.append(i).append("\r\n");
    }
    expected.append("DONE\r\n");
    TerminalClient first = open("seq");
    first.type("stty -echo; echo BEG''IN; seq 1 200000; echo DO''NE\r");
    first.awaitText(s -> s.contains("BEGIN") && s.length() > 50_000, Duration.ofSeconds(30));
    first.abort();
    long resumeAt = first.end();
    String part1 = first.text();
    assertThat(part1).doesNotContain("DONE");

    try (TerminalClient second =
        TerminalClient.connect(url, "token=" + token + "&terminal=seq&offset=" + resumeAt)) {
      ServerMessage.Attached attached =
          second.awaitMessage(ServerMessage.Attached.class, Duration.ofSeconds(10));
      assertThat(attached.offset()).isEqualTo(resumeAt);
      assertThat(attached.truncated()).isFalse();
      String part2 = second.awaitText(s -> s.contains("DONE\r\n"), Duration.ofSeconds(60));
      assertThat(second.start()).isEqualTo(resumeAt);
      String all = part1 + part2;
      String run = all.substring(all.indexOf("BEGIN\r\n"), all.indexOf("DONE\r\n") + 6);
      assertThat(run).isEqualTo(expected.toString());
    }
  }

  @Test
  void shellExitIsReportedToEveryClientAndANewShellCanBeOpened() throws Exception {
    try (TerminalClient a = open("quits");
        TerminalClient b = open("quits")) {
      a.awaitMessage(ServerMessage.Attached.class, Duration.ofSeconds(10));
      b.awaitMessage(ServerMessage.Attached.class, Duration.ofSeconds(10));
      a.type("exit 3\r");
      assertThat(a.awaitMessage(ServerMessage.Exit.class, Duration.ofSeconds(20)).code())
          .isEqualTo(3);
      assertThat(b.awaitMessage(ServerMessage.Exit.class, Duration.ofSeconds(20)).code())
          .isEqualTo(3);
    }
    try (TerminalClient again = open("quits")) {
      again.type("echo back-$((5*5))\r");
      again.awaitText(s -> s.contains("back-25\r\n"), Duration.ofSeconds(20));
    }
  }

  @Test
  void aMissingOrWrongTokenIsClosedWith1008() throws Exception {
    try (TerminalClient wrong = TerminalClient.connect(url, "token=nope")) {
      assertThat(wrong.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1008);
      assertThat(wrong.bytes()).isEmpty();
    }
    try (TerminalClient none = TerminalClient.connect(url, "terminal=main")) {
      assertThat(none.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1008);
    }
    String other = url.replace(id, "c-unknown00000");
    try (TerminalClient unknown = TerminalClient.connect(other, "token=" + token)) {
      assertThat(unknown.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1008);
    }
  }

  @Test
  void malformedMessagesGetAnErrorAndTheSocketStays() throws Exception {
    try (TerminalClient t = open("robust")) {
      t.awaitMessage(ServerMessage.Attached.class, Duration.ofSeconds(10));
      t.send(new ClientMessage.Input("not-attached", "x"));
      assertThat(t.awaitMessage(ServerMessage.Error.class, Duration.ofSeconds(5)).code())
          .isEqualTo("unknown-terminal");
      t.type("echo still-$((3*3))\r");
      t.awaitText(s -> s.contains("still-9\r\n"), Duration.ofSeconds(20));
    }
  }

  @Test
  void aFrameOverSixtyFourKibIsClosedWith1009AsDocumented() throws Exception {
    try (TerminalClient t = open("huge")) {
      t.awaitMessage(ServerMessage.Attached.class, Duration.ofSeconds(10));
      // exactly 64 KiB is still a frame: read (the unknown field is ignored), the socket stays
      String head = "{\"type\":\"kill\",\"terminal\":\"nope\",\"pad\":\"";
      String exact = head + "x".repeat(64 * 1024 - head.length() - 2) + "\"}";
      assertThat(exact.getBytes(StandardCharsets.UTF_8)).hasSize(64 * 1024);
      t.sendText(exact);
      assertThat(t.awaitMessage(ServerMessage.Error.class, Duration.ofSeconds(5)).code())
          .isEqualTo("unknown-terminal");

      String big =
          "{\"type\":\"input\",\"terminal\":\"huge\",\"data\":\"" + "x".repeat(70_000) + "\"}";
      t.sendText(big);
      assertThat(t.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1009);
    }
    // counted in UTF-8 bytes: 33 000 characters of two bytes each are over the limit too
    try (TerminalClient t = open("huge")) {
      t.awaitMessage(ServerMessage.Attached.class, Duration.ofSeconds(10));
      t.sendText(
          "{\"type\":\"input\",\"terminal\":\"huge\",\"data\":\"" + "é".repeat(33_000) + "\"}");
      assertThat(t.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1009);
    }
    // the terminal itself lives on
    try (TerminalClient again = open("huge")) {
      again.type("echo after-$((5*5))\r");
      again.awaitText(s -> s.contains("after-25\r\n"), Duration.ofSeconds(20));
    }
  }

  @Test
  void aStalledClientBlocksNeitherTheTerminalNorTheOtherClients() throws Exception {
    try (TerminalClient stalled = open("busy");
        TerminalClient live = open("busy")) {
      stalled.awaitMessage(ServerMessage.Attached.class, Duration.ofSeconds(10));
      live.awaitMessage(ServerMessage.Attached.class, Duration.ofSeconds(10));
      stalled.pause();
      live.type("stty -echo; seq 1 300000; echo FIN''ISHED\r");
      String out = live.awaitText(s -> s.contains("FINISHED\r\n"), Duration.ofSeconds(60));
      assertThat(out).contains("\r\n300000\r\n");
      // another terminal of the same container stays interactive
      try (TerminalClient other = open("other")) {
        other.type("echo quick-$((8*8))\r");
        other.awaitText(s -> s.contains("quick-64\r\n"), Duration.ofSeconds(10));
      }
      assertThat(stalled.end()).isLessThan(live.end());
    }
  }

  @Test
  void aProcessRunOverTheWebSocketIsAttachableAndStoppedByKillWithItsExitCode() throws Exception {
    try (TerminalClient control = open("control")) {
      control.awaitMessage(ServerMessage.Attached.class, Duration.ofSeconds(10));
      control.send(new ClientMessage.Run("echo run-$((4*4)); exec sleep 600", "/app", null));
      ServerMessage.Process started =
          control.awaitMessage(ServerMessage.Process.class, Duration.ofSeconds(20));
      assertThat(started.status()).isEqualTo("RUNNING");
      String pid = started.process();
      assertThat(pid).startsWith("p-");
      try (TerminalClient watcher =
          TerminalClient.connect(url, "token=" + token + "&terminal=" + pid + "&offset=0")) {
        watcher.awaitText(s -> s.contains("run-16"), Duration.ofSeconds(20));
        // attaching did not run it again
        Thread.sleep(300);
        assertThat(watcher.text().split("run-16", -1)).hasSize(2);
        control.send(new ClientMessage.Kill(pid));
        watcher.awaitMessage(ServerMessage.Exit.class, Duration.ofSeconds(20));
      }
      java.time.Instant deadline = java.time.Instant.now().plusSeconds(20);
      ServerMessage.Process ended = null;
      while (ended == null && java.time.Instant.now().isBefore(deadline)) {
        for (ServerMessage m : control.messages()) {
          if (m instanceof ServerMessage.Process p
              && p.process().equals(pid)
              && "EXITED".equals(p.status())) {
            ended = p;
          }
        }
        Thread.sleep(50);
      }
      assertThat(ended).as(control.messages().toString()).isNotNull();
      assertThat(ended.exitCode()).isEqualTo(143);
      JsonNode listed =
          Gateway.JSON.readTree(
              gw.get("/api/v1/containers/" + id + "/processes/" + pid, KEY1).body());
      assertThat(listed.get("exitCode").asInt()).isEqualTo(143);
    }
  }
}
