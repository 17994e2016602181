package dev.cms.gateway.commands.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.Stream;
import dev.cms.domain.protocol.StreamHandler;
import dev.cms.gateway.problems.ApiException;
import dev.cms.gateway.testing.MuxPair;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Background commands without a server: the command's stream is a real mux stream over the
 * in-memory link (domain's test-jar), so a kill is a reset the agent's end sees.
 */
class BackgroundExecsTest {

  private final MuxPair link = new MuxPair(64 * 1024);
  private final List<Started> started = new CopyOnWriteArrayList<>();
  private final BackgroundExecs execs = new BackgroundExecs();

  /** One command the fake Commands started: its output, its end and its stream. */
  record Started(
      String owner,
      String container,
      ExecRequest request,
      Commands.Output output,
      CompletableFuture<ExecResult> result,
      CompletableFuture<Stream> stream) {}

  BackgroundExecsTest() {
    execs.commands =
        new Commands() {
          @Override
          public Run start(String owner, String id, ExecRequest r, Output output) {
            CompletableFuture<ExecResult> result = new CompletableFuture<>();
            CompletableFuture<Stream> stream =
                link.gateway.open(
                    "exec",
                    Map.of("command", r.command()),
                    new StreamHandler() {
                      @Override
                      public void onData(Stream s, byte[] data) {}
                    });
            started.add(new Started(owner, id, r, output, result, stream));
            return new Run(result, stream);
          }
        };
  }

  @AfterEach
  void close() {
    link.close();
  }

  private static ExecRequest command(String line) {
    return new ExecRequest(line, null, Map.of(), null, null);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aCommandRunsInTheBackgroundAndALateListenerHearsEverythingFromTheStart() throws Exception {
    BackgroundExecs.JobView v = execs.start("alice", "c-1", command("npm run build"));
    assertThat(v.status()).isEqualTo(BackgroundExecs.State.RUNNING);
    assertThat(v.execId()).startsWith("x-");
    Started s = started.get(0);
    assertThat(s.owner()).isEqualTo("alice");
    assertThat(s.request().command()).isEqualTo("npm run build");

    s.output().accept(false, utf8("building…\n"));
    s.output().accept(true, utf8("warning: x\n"));
    List<BackgroundExecs.Event> heard = new CopyOnWriteArrayList<>();
    Runnable stop = execs.stream("alice", "c-1", v.execId(), heard::add);
    s.output().accept(false, utf8("done\n"));
    assertThat(heard)
        .extracting(BackgroundExecs.Event::text)
        .containsExactly("building…\n", "warning: x\n", "done\n");
    assertThat(heard.get(1).stderr()).isTrue();

    CompletableFuture<BackgroundExecs.JobView> ended =
        execs.whenEnded("alice", "c-1", v.execId(), Duration.ofSeconds(10));
    s.result()
        .complete(new ExecResult(0, "building…\ndone\n", "warning: x\n", 42, false, false, false));
    BackgroundExecs.JobView end = ended.get(5, TimeUnit.SECONDS);
    assertThat(end.status()).isEqualTo(BackgroundExecs.State.EXITED);
    assertThat(end.result().exitCode()).isZero();
    assertThat(heard.get(heard.size() - 1).end()).isEqualTo(end);
    assertThat(execs.get("alice", "c-1", v.execId())).isEqualTo(end);
    stop.run();
  }

  @Test
  void aKillResetsTheCommandsStreamAndReportsWhatItPrintedWithExitCode137() throws Exception {
    BackgroundExecs.JobView v = execs.start("alice", "c-1", command("sleep 1000"));
    Started s = started.get(0);
    s.stream().get(5, TimeUnit.SECONDS); // the agent's end accepted the stream
    s.output().accept(false, utf8("zzz\n"));

    BackgroundExecs.JobView killed = execs.kill("alice", "c-1", v.execId());
    // the reset reaches the agent's end of the link: the agent ends the command
    assertThat(link.agentReset.get(5, TimeUnit.SECONDS)).startsWith(ErrorCode.CANCELLED + " ");
    BackgroundExecs.JobView end =
        execs
            .whenEnded("alice", "c-1", v.execId(), Duration.ofSeconds(5))
            .get(10, TimeUnit.SECONDS);
    assertThat(end.status()).isEqualTo(BackgroundExecs.State.KILLED);
    assertThat(end.result().exitCode()).isEqualTo(BackgroundExecs.KILLED_EXIT_CODE);
    assertThat(end.result().stdout()).isEqualTo("zzz\n");
    assertThat(killed.execId()).isEqualTo(v.execId());

    // the agent's own answer arriving later changes nothing
    s.result().complete(new ExecResult(137, "zzz\n", "", 10, false, false, false));
    assertThat(execs.get("alice", "c-1", v.execId()).status())
        .isEqualTo(BackgroundExecs.State.KILLED);
  }

  @Test
  void aCommandThatCouldNotRunIsFailedWithTheReasonTheApiMayShowOnly() throws Exception {
    BackgroundExecs.JobView a = execs.start("alice", "c-1", command("a"));
    BackgroundExecs.JobView b = execs.start("alice", "c-1", command("b"));
    started.get(0).result().completeExceptionally(ApiException.unavailable("the agent left", null));
    started.get(1).result().completeExceptionally(new IllegalStateException("internal detail"));

    assertThat(execs.get("alice", "c-1", a.execId()).status())
        .isEqualTo(BackgroundExecs.State.FAILED);
    assertThat(execs.get("alice", "c-1", a.execId()).error()).isEqualTo("the agent left");
    assertThat(execs.get("alice", "c-1", b.execId()).error()).isEqualTo("the command failed");
  }

  @Test
  void onlyTheOwnerOrAnAdminSeesACommandAndOnlyUnderItsContainer() {
    BackgroundExecs.JobView v = execs.start("alice", "c-1", command("ls"));

    assertThat(execs.get(null, "c-1", v.execId()).status())
        .isEqualTo(BackgroundExecs.State.RUNNING); // an admin (no owner filter)
    for (Runnable wrong :
        List.<Runnable>of(
            () -> execs.get("bob", "c-1", v.execId()),
            () -> execs.get("alice", "c-2", v.execId()),
            () -> execs.get("alice", "c-1", "x-unknown"),
            () -> execs.kill("bob", "c-1", v.execId()))) {
      assertThatThrownBy(wrong::run)
          .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
    }
  }

  @Test
  void aContainerKeepsAtMost32CommandsThe33rdIs429AndOtherContainersAreNotAffected() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < BackgroundExecs.MAX_PER_CONTAINER; i++) {
      ids.add(execs.start("alice", "c-1", command("sleep " + i)).execId());
    }
    assertThatThrownBy(() -> execs.start("alice", "c-1", command("one more")))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(429));
    assertThat(execs.start("alice", "c-2", command("elsewhere")).status())
        .isEqualTo(BackgroundExecs.State.RUNNING);
    // an ended command is still kept (for its result) until KEEP_ENDED passed
    started.get(0).result().complete(new ExecResult(0, "", "", 1, false, false, false));
    assertThatThrownBy(() -> execs.start("alice", "c-1", command("one more")))
        .isInstanceOf(ApiException.class);
    assertThat(execs.find(ids.get(0))).isPresent();
  }

  @Test
  void whenEndedAnswersTheRunningViewAtItsTimeout() throws Exception {
    BackgroundExecs.JobView v = execs.start("alice", "c-1", command("sleep 5"));
    BackgroundExecs.JobView still =
        execs.whenEnded("alice", "c-1", v.execId(), Duration.ofMillis(50)).get(5, TimeUnit.SECONDS);
    assertThat(still.status()).isEqualTo(BackgroundExecs.State.RUNNING);
    assertThat(still.result()).isNull();
  }
}
