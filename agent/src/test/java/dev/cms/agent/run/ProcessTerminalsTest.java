// In package dev.cms.agent (though under run/): it drives the package-private Terminals and
// StreamKinds, as the terminal stream of the agent does.
package dev.cms.agent;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.Stream;
import dev.cms.domain.protocol.StreamHandler;
import dev.cms.domain.protocol.StreamRefusedException;
import dev.cms.domain.terminal.TerminalWire;
import java.io.ByteArrayOutputStream;
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
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Terminals that run a command instead of an interactive shell (processes). */
@Timeout(30)
class ProcessTerminalsTest {
  private static final long WAIT_MS = 10_000;

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
  static final class Client implements StreamHandler {
    final TerminalWire.Decoder decoder = new TerminalWire.Decoder();
    final List<TerminalWire.Message> messages = new ArrayList<>();
    final ByteArrayOutputStream output = new ByteArrayOutputStream();
    final CompletableFuture<Void> closed = new CompletableFuture<>();
    volatile Stream stream;

    @Override
    public void onOpen(Stream s) {
      stream = s;
    }

    @Override
    public synchronized void onData(Stream s, byte[] data) {
      for (TerminalWire.Message m : decoder.feed(data)) {
        messages.add(m);
        if (m instanceof TerminalWire.Output o) {
          output.writeBytes(o.data());
        }
      }
      notifyAll();
    }

    @Override
    public void onClose(Stream s) {
      closed.complete(null);
      s.close();
    }

    synchronized String text() {
      return output.toString(UTF_8);
    }

    synchronized Integer exitCode() {
      for (TerminalWire.Message m : messages) {
        if (m instanceof TerminalWire.Exited e) {
          return e.code();
        }
      }
      return null;
    }

    synchronized void await(String what, BooleanSupplier condition) throws InterruptedException {
      long deadline = System.currentTimeMillis() + WAIT_MS;
      while (!condition.getAsBoolean()) {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          throw new AssertionError("timed out waiting for " + what + "; output:\n" + text());
        }
        wait(Math.min(left, 100));
      }
    }

    int awaitExit() throws InterruptedException {
      await("Exited", () -> exitCode() != null);
      return exitCode();
    }
  }

  private static Client open(MemoryLink link, Map<String, String> params) throws Exception {
    Client c = new Client();
    link.gateway.open(TerminalStreams.KIND, params, c).get(10, TimeUnit.SECONDS);
    c.await("Attached", () -> !c.messages.isEmpty());
    assertThat(c.messages.get(0)).isInstanceOf(TerminalWire.Attached.class);
    return c;
  }

  private static String refusal(MemoryLink link, Map<String, String> params) {
    CompletableFuture<Stream> f = link.gateway.open(TerminalStreams.KIND, params, new Client());
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
    Client c = open(link, Map.of("terminal", "p1", "command", "echo hi; exit 7"));
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
    Client c = open(link, params);
    assertThat(c.awaitExit()).isZero();
    assertThat(c.text()).contains("foo=a b=c bar=ü").contains(dir.toString());
  }

  @Test
  void killEndsACommandWithSigterm() throws Exception {
    MemoryLink link = link();
    Client c = open(link, Map.of("terminal", "p3", "command", "echo started; sleep 30; echo no"));
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
    Client c =
        open(link, Map.of("terminal", "p4", "command", "trap '' TERM; echo ready; sleep 30"));
    c.await("ready", () -> c.text().contains("ready"));
    Thread.sleep(100); // the trap is set before echo runs; give sleep time to start
    c.stream.write(TerminalWire.encode(new TerminalWire.Kill()));
    assertThat(c.awaitExit()).isEqualTo(128 + 9);
  }

  @Test
  void reopeningAnExitedCommandRunsItAgain() throws Exception {
    MemoryLink link = link();
    Client first = open(link, Map.of("terminal", "p5", "command", "echo run-$((40+2))"));
    assertThat(first.awaitExit()).isZero();
    // no command: the terminal runs what it ran before
    Client second = open(link, Map.of("terminal", "p5"));
    assertThat(second.awaitExit()).isZero();
    assertThat(second.text().split("run-42", -1)).hasSize(3); // the replay and the new run
    // a new command replaces it
    Client third = open(link, Map.of("terminal", "p5", "command", "echo other; exit 3"));
    assertThat(third.awaitExit()).isEqualTo(3);
    assertThat(third.text()).contains("other");
  }

  @Test
  void attachingToARunningCommandDoesNotStartAnother() throws Exception {
    MemoryLink link = link();
    Client a = open(link, Map.of("terminal", "p6", "command", "echo up; sleep 30"));
    a.await("up", () -> a.text().contains("up"));
    Client b = open(link, Map.of("terminal", "p6", "command", "echo second"));
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
