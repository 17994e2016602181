package dev.cms.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cms.domain.process.ProcessReport;
import dev.cms.domain.process.ProcessState;
import dev.cms.domain.process.ProcessWire;
import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.Stream;
import dev.cms.domain.protocol.StreamHandler;
import dev.cms.domain.protocol.StreamKind;
import dev.cms.domain.protocol.StreamRefusedException;
import dev.cms.domain.testing.MemoryLink;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code processes} stream: what a gateway that (re)connects learns about the agent's command
 * terminals, and the changes after it.
 */
@Timeout(30)
class ProcessStreamsTest {
  @TempDir Path home;

  private final ExecutorService workers = Agent.workers();
  private Terminals terminals;
  private MemoryLink link;

  @AfterEach
  void stop() {
    if (link != null) {
      link.close();
    }
    if (terminals != null) {
      terminals.destroyAll();
    }
    workers.shutdownNow();
  }

  private MemoryLink link() {
    String shell = "/bin/bash";
    TerminalConfig config =
        new TerminalConfig(
            1024 * 1024,
            List.of(shell),
            TerminalConfig.shellEnv(System.getenv(), shell, home),
            home,
            home);
    if (terminals == null) {
      terminals = new Terminals(config, workers, Duration.ofSeconds(5));
    }
    link =
        new MemoryLink(
            64 * 1024,
            open -> {
              throw new StreamRefusedException(ErrorCode.UNKNOWN_KIND, "gateway accepts nothing");
            },
            StreamKinds.standard(workers, terminals));
    return link;
  }

  /** The gateway's side of a processes stream: the follower's view of the agent's processes. */
  static final class Watcher implements StreamHandler {
    private final ProcessWire.Follower follower = new ProcessWire.Follower();
    final Map<String, ProcessReport> processes = new LinkedHashMap<>();
    final List<ProcessWire.Follower.Event> events = new ArrayList<>();
    volatile boolean synced;

    @Override
    public synchronized void onData(Stream s, byte[] data) {
      for (ProcessWire.Follower.Event e : follower.feed(data)) {
        events.add(e);
        if (e instanceof ProcessWire.Follower.Synced snap) {
          snap.processes().forEach(p -> processes.put(p.terminal(), p));
          synced = true;
        } else if (e instanceof ProcessWire.Follower.Changed c) {
          processes.put(c.process().terminal(), c.process());
        } else if (e instanceof ProcessWire.Follower.Dropped d) {
          processes.remove(d.terminal());
        }
      }
      notifyAll();
    }

    @Override
    public void onClose(Stream s) {
      s.close();
    }

    synchronized void await(String what, Predicate<Map<String, ProcessReport>> condition)
        throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (!synced || !condition.test(processes)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("timed out waiting for " + what + "; have " + events);
        }
        wait(TimeUnit.NANOSECONDS.toMillis(left) + 1);
      }
    }
  }

  private Watcher watch(MemoryLink link) throws Exception {
    Watcher w = new Watcher();
    link.gateway.open(StreamKind.PROCESSES.wire(), Map.of(), w).get(10, TimeUnit.SECONDS);
    return w;
  }

  @Test
  void aNewLinkLearnsRunningAndExitedProcessesWithTheirExitCodesAndPorts() throws Exception {
    // given a process that exits, one that runs, and an interactive shell
    MemoryLink first = link();
    Instant before = Instant.now().minusMillis(1);
    TerminalStreamsTest.Client a =
        TerminalStreamsTest.open(
            first, Map.of("terminal", "p-exit", "command", "exit 3", "cwd", home.toString()));
    assertThat(a.awaitExit()).isEqualTo(3);
    TerminalStreamsTest.open(
        first, Map.of("terminal", "p-run", "command", "exec sleep 600", "port", "3000"));
    TerminalStreamsTest.open(first, Map.of("terminal", "shell"));
    Watcher live = watch(first);
    live.await("both processes", m -> m.containsKey("p-run") && m.containsKey("p-exit"));
    first.close(); // the gateway goes away

    // when a gateway connects again
    Watcher w = watch(link());

    // then it learns both processes, and not the shell
    w.await("the snapshot", m -> m.size() == 2);
    ProcessReport exited = w.processes.get("p-exit");
    assertThat(exited.state()).isEqualTo(ProcessState.EXITED);
    assertThat(exited.exitCode()).isEqualTo(3);
    assertThat(exited.command()).isEqualTo("exit 3");
    assertThat(exited.cwd()).isEqualTo(home.toString());
    assertThat(exited.port()).isNull();
    assertThat(exited.startedAt()).isAfter(before);
    assertThat(exited.endedAt()).isAfterOrEqualTo(exited.startedAt());
    ProcessReport running = w.processes.get("p-run");
    assertThat(running.state()).isEqualTo(ProcessState.RUNNING);
    assertThat(running.port()).isEqualTo(3000);
    assertThat(running.cwd()).isEqualTo(home.toString());
    assertThat(running.exitCode()).isNull();
    assertThat(w.events.get(0)).isInstanceOf(ProcessWire.Follower.Synced.class);
  }

  @Test
  void changesFollowTheSnapshotInOrder() throws Exception {
    MemoryLink link = link();
    Watcher w = watch(link);
    w.await("an empty snapshot", Map::isEmpty);
    TerminalStreamsTest.Client c =
        TerminalStreamsTest.open(link, Map.of("terminal", "p-quick", "command", "exit 5"));
    assertThat(c.awaitExit()).isEqualTo(5);
    w.await(
        "the exit",
        m ->
            m.containsKey("p-quick")
                && m.get("p-quick").state() == ProcessState.EXITED
                && m.get("p-quick").exitCode() == 5);
    // an exit is never followed by a stale RUNNING of the same run
    Thread.sleep(200);
    assertThat(w.processes.get("p-quick").state()).isEqualTo(ProcessState.EXITED);
  }

  @Test
  void aTerminalThatStopsBeingAProcessIsForgotten() throws Exception {
    MemoryLink link = link();
    Watcher w = watch(link);
    TerminalStreamsTest.Client c =
        TerminalStreamsTest.open(link, Map.of("terminal", "t1", "command", "exit 0"));
    assertThat(c.awaitExit()).isZero();
    w.await("the process", m -> m.containsKey("t1"));
    // re-opened as an interactive shell in another directory: no longer a process
    TerminalStreamsTest.open(link, Map.of("terminal", "t1", "cwd", home.toString()));
    w.await("forgotten", m -> !m.containsKey("t1"));
    assertThat(w.events).anyMatch(e -> e instanceof ProcessWire.Follower.Dropped);
  }
}
