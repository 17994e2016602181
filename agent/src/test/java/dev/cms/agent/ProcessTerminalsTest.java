package dev.cms.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.Stream;
import dev.cms.domain.protocol.StreamKind;
import dev.cms.domain.protocol.StreamRefusedException;
import dev.cms.domain.terminal.TerminalWire;
import dev.cms.domain.testing.MemoryLink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Terminals that run a command instead of an interactive shell (processes), driven through {@link
 * TerminalStreamsTest.Client} like any terminal.
 */
@Timeout(30)
class ProcessTerminalsTest {
  @TempDir Path home;

  private final ExecutorService workers = Agent.workers();
  private final List<MemoryLink> links = new ArrayList<>();
  private final List<Terminals> registries = new ArrayList<>();

  @AfterEach
  void stop() {
    links.forEach(MemoryLink::close);
    registries.forEach(Terminals::destroyAll);
    workers.shutdownNow();
  }

  private MemoryLink link(Duration killGrace) {
    String shell = "/bin/bash";
    TerminalConfig config =
        new TerminalConfig(
            1024 * 1024,
            List.of(shell),
            TerminalConfig.shellEnv(System.getenv(), shell, home),
            home,
            home);
    Terminals terminals = new Terminals(config, workers, killGrace);
    registries.add(terminals);
    MemoryLink link =
        new MemoryLink(
            64 * 1024,
            open -> {
              throw new StreamRefusedException(ErrorCode.UNKNOWN_KIND, "gateway accepts nothing");
            },
            StreamKinds.standard(workers, terminals));
    links.add(link);
    return link;
  }

  private MemoryLink link() {
    return link(Duration.ofSeconds(5));
  }

  /** The gateway's side of a terminal stream. */
  private static String refusal(MemoryLink link, Map<String, String> params) {
    CompletableFuture<Stream> f =
        link.gateway.open(StreamKind.TERMINAL.wire(), params, new TerminalStreamsTest.Client());
    try {
      f.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(StreamRefusedException.class);
      assertThat(((StreamRefusedException) e.getCause()).code()).isEqualTo(ErrorCode.REFUSED);
      return e.getCause().getMessage();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("not refused");
  }

  @Test
  void aCommandRunsToItsExitCode() throws Exception {
    MemoryLink link = link();
    TerminalStreamsTest.Client c =
        TerminalStreamsTest.open(link, Map.of("terminal", "p1", "command", "echo hi; exit 7"));
    assertThat(c.awaitExit()).isEqualTo(7);
    assertThat(c.text()).contains("hi");
    c.closed.get(5, TimeUnit.SECONDS);
  }

  @Test
  void environmentAndWorkingDirectoryAreHonoured() throws Exception {
    Path dir = Files.createDirectory(home.resolve("work dir")).toRealPath();
    MemoryLink link = link();
    Map<String, String> params = new HashMap<>();
    params.put("terminal", "p2");
    params.put("command", "echo \"foo=$FOO bar=$BAR_2\"; pwd; test -z \"$CMS_AGENT_SECRET\"");
    params.put("cwd", dir.toString());
    params.put("env.FOO", "a b=c");
    params.put("env.BAR_2", "ü");
    TerminalStreamsTest.Client c = TerminalStreamsTest.open(link, params);
    assertThat(c.awaitExit()).isZero();
    assertThat(c.text()).contains("foo=a b=c bar=ü").contains(dir.toString());
  }

  @Test
  void killEndsACommandWithSigterm() throws Exception {
    MemoryLink link = link();
    TerminalStreamsTest.Client c =
        TerminalStreamsTest.open(
            link, Map.of("terminal", "p3", "command", "echo started; sleep 30; echo no"));
    c.await("started", () -> c.text().contains("started"));
    long t0 = System.nanoTime();
    c.stream.write(TerminalWire.encode(new TerminalWire.Kill()));
    assertThat(c.awaitExit()).isEqualTo(128 + 15);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
    assertThat(c.text()).doesNotContain("no");
  }

  @Test
  void aCommandIgnoringSigtermIsKilledAfterTheGrace() throws Exception {
    MemoryLink link = link(Duration.ofMillis(300));
    TerminalStreamsTest.Client c =
        TerminalStreamsTest.open(
            link, Map.of("terminal", "p4", "command", "trap '' TERM; echo ready; sleep 30"));
    c.await("ready", () -> c.text().contains("ready"));
    Thread.sleep(100); // the trap is set before echo runs; give sleep time to start
    c.stream.write(TerminalWire.encode(new TerminalWire.Kill()));
    assertThat(c.awaitExit()).isEqualTo(128 + 9);
  }

  @Test
  void reopeningAnExitedCommandRunsItAgain() throws Exception {
    MemoryLink link = link();
    TerminalStreamsTest.Client first =
        TerminalStreamsTest.open(link, Map.of("terminal", "p5", "command", "echo run-$((40+2))"));
    assertThat(first.awaitExit()).isZero();
    // no command: the terminal runs what it ran before
    TerminalStreamsTest.Client second = TerminalStreamsTest.open(link, Map.of("terminal", "p5"));
    assertThat(second.awaitExit()).isZero();
    assertThat(second.text().split("run-42", -1)).hasSize(3); // the replay and the new run
    // a new command replaces it
    TerminalStreamsTest.Client third =
        TerminalStreamsTest.open(link, Map.of("terminal", "p5", "command", "echo other; exit 3"));
    assertThat(third.awaitExit()).isEqualTo(3);
    assertThat(third.text()).contains("other");
  }

  @Test
  void attachingToARunningCommandDoesNotStartAnother() throws Exception {
    MemoryLink link = link();
    TerminalStreamsTest.Client a =
        TerminalStreamsTest.open(link, Map.of("terminal", "p6", "command", "echo up; sleep 30"));
    a.await("up", () -> a.text().contains("up"));
    TerminalStreamsTest.Client b =
        TerminalStreamsTest.open(link, Map.of("terminal", "p6", "command", "echo second"));
    b.await("replay", () -> b.text().contains("up"));
    assertThat(((TerminalWire.Attached) b.messages.get(0)).running()).isTrue();
    a.stream.write(TerminalWire.encode(new TerminalWire.Kill()));
    assertThat(a.awaitExit()).isEqualTo(143);
    assertThat(b.awaitExit()).isEqualTo(143);
    assertThat(b.text()).doesNotContain("second");
  }

  @Test
  void badProcessParamsAreRefused() {
    MemoryLink link = link();
    assertThat(refusal(link, Map.of("terminal", "x", "command", "true", "cwd", "relative")))
        .contains("absolute");
    assertThat(
            refusal(
                link,
                Map.of("terminal", "x", "command", "true", "cwd", home.resolve("nope").toString())))
        .contains("not a directory");
    assertThat(refusal(link, Map.of("terminal", "x", "command", "true", "env.1X", "v")))
        .contains("env.1X");
    assertThat(refusal(link, Map.of("terminal", "x", "command", " "))).contains("command");
  }
}
