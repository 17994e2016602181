package dev.cms.gateway.files.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cms.domain.files.FsWire;
import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.Stream;
import dev.cms.gateway.agents.control.Agents;
import dev.cms.gateway.problems.ApiException;
import dev.cms.gateway.testing.MuxPair;
import dev.cms.gateway.testing.RecordingEvent;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The gateway's side of a watch against a scripted (possibly hostile) agent on a real Mux. */
class WatchesTest {

  private MuxPair pair;
  private Watches watches;
  private RecordingEvent<FileChanged> fired;

  @BeforeEach
  void setUp() {
    pair = new MuxPair(64 * 1024);
    fired = new RecordingEvent<>();
    watches = new Watches();
    watches.changes = fired;
    watches.agents =
        new Agents() {
          @Override
          public Optional<Link> link(String containerId) {
            return Optional.of(new Link(containerId, null, pair.gateway, "test", Instant.now()));
          }
        };
  }

  @AfterEach
  void tearDown() {
    pair.close();
  }

  private static void until(java.util.concurrent.Callable<Boolean> condition) throws Exception {
    Instant deadline = Instant.now().plusSeconds(5);
    while (!condition.call()) {
      assertThat(Instant.now()).as("condition within 5 s").isBefore(deadline);
      Thread.sleep(10);
    }
  }

  private Stream startAnswered(FsWire.Message first, CompletableFuture<WatchView> started)
      throws Exception {
    Stream agent = pair.agentStream.get(10, TimeUnit.SECONDS);
    agent.write(FsWire.encode(first));
    return agent;
  }

  @Test
  void changesUnderThePathAreFiredAndOneOutsideItResetsAndEndsTheWatch() throws Exception {
    CompletableFuture<WatchView> started =
        CompletableFuture.supplyAsync(() -> watches.start("c-1", "/app/", true));
    Stream agent = startAnswered(new FsWire.Done(false, 3), started);
    WatchView w = started.get(10, TimeUnit.SECONDS);
    assertThat(w.path()).isEqualTo("/app");
    assertThat(w.directories()).isEqualTo(3);
    assertThat(w.active()).isTrue();

    agent.write(
        FsWire.encode(
            new FsWire.Change(FsWire.ChangeKind.CREATED, FsWire.FileType.FILE, "/app/a.txt")));
    until(() -> fired.fired.stream().anyMatch(f -> f.path().equals("/app/a.txt")));
    FileChanged c = fired.fired.get(0);
    assertThat(c.change()).isEqualTo("created");
    assertThat(c.type()).isEqualTo("file");
    assertThat(c.watch()).isEqualTo(w.id());

    // a hostile agent reports a path it was not asked about
    agent.write(
        FsWire.encode(
            new FsWire.Change(FsWire.ChangeKind.MODIFIED, FsWire.FileType.FILE, "/app2/x")));
    assertThat(pair.agentReset.get(10, TimeUnit.SECONDS)).startsWith(ErrorCode.PROTOCOL + " ");
    until(() -> fired.fired.stream().anyMatch(f -> f.change().equals("ended")));
    assertThat(fired.fired).noneMatch(f -> f.path().equals("/app2/x"));
    assertThat(watches.of("c-1")).isEmpty();
  }

  @Test
  void theAgentsRefusalBecomesAProblemWithItsRuleAndNoWatchStays() throws Exception {
    CompletableFuture<WatchView> started =
        CompletableFuture.supplyAsync(() -> watches.start("c-1", "/nope", false));
    startAnswered(new FsWire.Failed("not-found", "/nope does not exist"), started);
    assertThatThrownBy(() -> started.get(10, TimeUnit.SECONDS))
        .cause()
        .isInstanceOfSatisfying(
            ApiException.class,
            a -> {
              assertThat(a.status()).isEqualTo(404);
              assertThat(a.rule()).isEqualTo("not-found");
            });
    assertThat(watches.of("c-1")).isEmpty();
  }

  @Test
  void moreChangesThanTheRateAreCountedIntoAnOverflow() throws Exception {
    CompletableFuture<WatchView> started =
        CompletableFuture.supplyAsync(() -> watches.start("c-1", "/app", false));
    Stream agent = startAnswered(new FsWire.Done(false, 1), started);
    started.get(10, TimeUnit.SECONDS);
    int n = 3 * Watches.MAX_PER_SECOND;
    for (int i = 0; i < n; i++) {
      agent.write(
          FsWire.encode(
              new FsWire.Change(FsWire.ChangeKind.CREATED, FsWire.FileType.FILE, "/app/f" + i)));
    }
    Thread.sleep(1100); // the next second
    agent.write(
        FsWire.encode(
            new FsWire.Change(FsWire.ChangeKind.CREATED, FsWire.FileType.FILE, "/app/last")));
    until(() -> fired.fired.stream().anyMatch(f -> f.path().equals("/app/last")));
    long passed = fired.fired.stream().filter(f -> f.change().equals("created")).count();
    long dropped =
        fired.fired.stream()
            .filter(f -> f.change().equals("overflow"))
            .mapToLong(FileChanged::dropped)
            .sum();
    assertThat(passed - 1 + dropped).isEqualTo(n);
    assertThat(dropped).isPositive();
    assertThat(passed - 1).isLessThanOrEqualTo(2L * Watches.MAX_PER_SECOND);
  }
}
