package dev.cms.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cms.domain.env.EnvWire;
import dev.cms.domain.exec.ExecWire;
import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.LengthPrefixed;
import dev.cms.domain.protocol.Stream;
import dev.cms.domain.protocol.StreamHandler;
import dev.cms.domain.protocol.StreamKind;
import dev.cms.domain.protocol.StreamRefusedException;
import dev.cms.domain.testing.MemoryLink;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code env} stream: a claimed warm-pool container's environment, applied by the agent to the
 * commands, processes and shells it starts afterwards; refused (and nothing applied) when a
 * variable breaks a rule.
 */
@Timeout(30)
class EnvStreamsTest {
  @TempDir Path home;

  private final ExecutorService workers = Agent.workers();
  private Terminals terminals;
  private MemoryLink link;

  @BeforeEach
  void link() {
    String shell = "/bin/bash";
    Map<String, String> base =
        new LinkedHashMap<>(TerminalConfig.shellEnv(System.getenv(), shell, home));
    base.put("FROM_IMAGE", "image");
    base.put("FOO", "from-image");
    TerminalConfig config = new TerminalConfig(1024 * 1024, List.of(shell), base, home, home);
    terminals = new Terminals(config, workers, Duration.ofSeconds(5));
    link =
        new MemoryLink(
            64 * 1024,
            open -> {
              throw new StreamRefusedException(ErrorCode.UNKNOWN_KIND, "gateway accepts nothing");
            },
            StreamKinds.standard(workers, terminals));
  }

  @AfterEach
  void stop() {
    link.close();
    terminals.destroyAll();
    workers.shutdownNow();
  }

  /** What the gateway side of a stream receives. */
  static final class Received implements StreamHandler {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final CompletableFuture<String> end = new CompletableFuture<>();

    @Override
    public synchronized void onData(Stream s, byte[] data) {
      bytes.writeBytes(data);
    }

    @Override
    public void onClose(Stream s) {
      s.close();
      end.complete("closed");
    }

    @Override
    public void onReset(Stream s, int code, String reason) {
      end.complete("reset " + code + " " + reason);
    }
  }

  private Received sendEnv(Map<String, String> env, boolean checked) throws Exception {
    Received r = new Received();
    Stream s = link.gateway.open(StreamKind.ENV.wire(), Map.of(), r).get(10, TimeUnit.SECONDS);
    List<EnvWire.Message> messages =
        checked
            ? EnvWire.messages(env)
            : env.entrySet().stream()
                .<EnvWire.Message>map(e -> new EnvWire.Set(e.getKey(), e.getValue()))
                .toList();
    for (EnvWire.Message m : messages) {
      s.write(EnvWire.encode(m));
    }
    if (!checked) {
      s.write(EnvWire.encode(new EnvWire.Commit(env.size())));
    }
    r.end.get(10, TimeUnit.SECONDS);
    return r;
  }

  private String exec(String command) throws Exception {
    Received r = new Received();
    Stream s =
        link.gateway
            .open(StreamKind.EXEC.wire(), Map.of("command", command), r)
            .get(10, TimeUnit.SECONDS);
    s.close();
    r.end.get(20, TimeUnit.SECONDS);
    LengthPrefixed<ExecWire.Message> d = ExecWire.decoder();
    StringBuilder out = new StringBuilder();
    for (ExecWire.Message m : d.feed(r.bytes.toByteArray())) {
      if (m instanceof ExecWire.Output o && !o.stderr()) {
        out.append(new String(o.bytes(), StandardCharsets.UTF_8));
      }
    }
    return out.toString();
  }

  @Test
  void appliedVariablesReachCommandsStartedAfterwardsOverTheContainersOwn() throws Exception {
    assertThat(exec("echo \"[$FOO|$GREETING|$FROM_IMAGE]\"")).contains("[from-image||image]");

    Map<String, String> env = new LinkedHashMap<>();
    env.put("FOO", "bar");
    env.put("GREETING", "hello world");
    env.put("HOME", "/elsewhere");
    Received r = sendEnv(env, false);

    assertThat(r.end).isCompletedWithValue("closed");
    assertThat(EnvWire.decoder().feed(r.bytes.toByteArray()))
        .containsExactly(new EnvWire.Applied(3));
    assertThat(exec("echo \"[$FOO|$GREETING|$FROM_IMAGE|$HOME]\""))
        .contains("[bar|hello world|image|" + home + "]");
    assertThat(terminals.config().env()).containsEntry("FOO", "bar");
  }

  @Test
  void aReservedVariableResetsTheStreamAndNothingIsApplied() throws Exception {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("FOO", "bar");
    env.put("CMS_AGENT_URL", "ws://evil/");
    Received r = sendEnv(env, false);

    assertThat(r.end.get()).startsWith("reset " + ErrorCode.REFUSED).contains("reserved");
    assertThat(exec("echo \"[$FOO|$CMS_AGENT_URL]\"")).contains("[from-image|]");
  }

  @Test
  void aStreamClosedBeforeTheCommitAppliesNothing() throws Exception {
    Received r = new Received();
    Stream s = link.gateway.open(StreamKind.ENV.wire(), Map.of(), r).get(10, TimeUnit.SECONDS);
    s.write(EnvWire.encode(new EnvWire.Set("FOO", "bar")));
    s.close();
    assertThat(r.end.get(10, TimeUnit.SECONDS)).startsWith("reset " + ErrorCode.REFUSED);
    assertThat(exec("echo \"[$FOO]\"")).contains("[from-image]");
  }
}
