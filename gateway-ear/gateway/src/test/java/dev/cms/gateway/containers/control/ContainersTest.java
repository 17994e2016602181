package dev.cms.gateway.containers.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cms.domain.ContainerStatus;
import dev.cms.gateway.containers.entity.ContainerRecord;
import dev.cms.gateway.problems.ApiException;
import dev.cms.gateway.runtime.ContainerSpec;
import dev.cms.gateway.security.Secrets;
import dev.cms.gateway.testing.FakeRuntime;
import jakarta.validation.ConstraintViolationException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API-facing lifecycle on the fake runtime, the engine's events flowing as in the gateway. */
class ContainersTest {

  private static final String BASE = Lifecycle.ENDPOINTS.publicBase();

  @TempDir Path dataDir;

  private Lifecycle lifecycle(int maxPerKey) {
    return new Lifecycle(dataDir, maxPerKey).watching();
  }

  private static void assertStatus(ThrowingCallable call, int status, String detailPart) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(status);
              assertThat(e.getMessage()).contains(detailPart);
            });
  }

  @Test
  void createRecordsItRunningWithTheGatewaysLabelsTheUsersLabelsAndTheAgentsEnvironment() {
    Lifecycle l = lifecycle(10);
    CreateRequest request =
        new CreateRequest(
            512, 0.5, 60L, 600L, Map.of("NODE_ENV", "test"), Map.of("project", "demo"), null, null);

    ContainerView view = l.containers.create("k1", request, Lifecycle.ENDPOINTS);

    assertThat(view.status()).isEqualTo(ContainerStatus.RUNNING);
    assertThat(view.token()).isEqualTo(l.clientTokens.tokenFor(view.id()));
    assertThat(view.labels()).containsExactly(Map.entry("project", "demo"));
    assertThat(view.limits().memoryMb()).isEqualTo(512);
    assertThat(view.limits().ttlSeconds()).isEqualTo(600);
    ContainerRecord rec = l.record(view.id());
    assertThat(rec.ownerId()).isEqualTo("k1");
    assertThat(rec.status()).isEqualTo(ContainerStatus.RUNNING);
    assertThat(rec.reason()).isEqualTo("container started");
    assertThat(rec.image()).isEqualTo(FakeRuntime.APP_IMAGE);
    assertThat(rec.madeBy(Lifecycle.GATEWAY, false)).isTrue();
    assertThat(Secrets.matches(view.token(), rec.clientTokenHash())).isTrue();

    ContainerSpec spec = l.spec(view.id());
    assertThat(spec.name()).isEqualTo("cms-" + view.id());
    assertThat(spec.memoryMb()).isEqualTo(512);
    assertThat(spec.cpus()).isEqualTo(0.5);
    assertThat(spec.labels())
        .containsOnly(
            Map.entry(ContainerLabels.GATEWAY, Lifecycle.GATEWAY),
            Map.entry(ContainerLabels.RECORD, view.id()),
            Map.entry(ContainerLabels.OWNER, "k1"),
            Map.entry("user.project", "demo"));
    assertThat(spec.env())
        .containsEntry("NODE_ENV", "test")
        .containsEntry("CMS_AGENT_URL", Lifecycle.ENDPOINTS.agentUrl())
        .containsEntry("CMS_CONTAINER_ID", view.id());
    String secret = spec.env().get("CMS_AGENT_SECRET");
    assertThat(Secrets.matches(secret, rec.agentSecretHash())).isTrue();
    assertThat(rec.agentSecretArmed()).isTrue();
    // the engine's STARTED event came during the launch: the launch set the record, announced once
    assertThat(l.announced(view.id())).containsExactly(ContainerStatus.RUNNING);
    assertThat(l.store.history(view.id()))
        .extracting(e -> e.toStatus())
        .containsExactly(ContainerStatus.CREATING, ContainerStatus.RUNNING);
  }

  @Test
  void aCreateWithoutABodyTakesTheSettingsDefaults() {
    Lifecycle l = lifecycle(10);

    ContainerView view = l.containers.create("k1", null, Lifecycle.ENDPOINTS);

    assertThat(view.limits().memoryMb()).isEqualTo(l.settings.defaultMemoryMb());
    assertThat(view.limits().idleTimeoutSeconds())
        .isEqualTo(l.settings.defaultIdleTimeoutSeconds());
    assertThat(view.template()).isEqualTo("default");
    assertThat(l.spec(view.id()).labels()).doesNotContainKey(ContainerLabels.POOL);
  }

  @Test
  void anInvalidRequestIsRefusedBeforeAnythingIsRecordedOrStarted() {
    Lifecycle l = lifecycle(10);

    // below the constraint's minimum, above the operator's maximum (WithinSettings), reserved
    Map<CreateRequest, String> bad =
        Map.of(
            new CreateRequest(10, null, null, null, null, null, null, null),
            "memoryMb must be at least 64",
            new CreateRequest(100_000, null, null, null, null, null, null, null),
            "memoryMb must be at most 8192",
            new CreateRequest(null, null, null, null, Map.of("CMS_X", "1"), null, null, null),
            "env<K>[CMS_X].<map key> is reserved (CMS_ prefix)");
    bad.forEach(
        (request, violation) ->
            assertThatThrownBy(() -> l.containers.create("k1", request, Lifecycle.ENDPOINTS))
                .isInstanceOfSatisfying(
                    ConstraintViolationException.class,
                    e ->
                        assertThat(e.getConstraintViolations())
                            .extracting(v -> v.getPropertyPath() + " " + v.getMessage())
                            .containsExactly(violation)));

    assertThat(l.store.byOwner("k1")).isEmpty();
    assertThat(l.runtime.containerIds()).isEmpty();
  }

  @Test
  void aFullQuotaIsA429AndNothingReachesTheEngine() {
    Lifecycle l = lifecycle(2);
    l.create("k1");
    l.create("k1");
    l.runtime.calls.clear();

    assertStatus(() -> l.create("k1"), 429, "already has 2 live containers (limit 2)");

    assertThat(l.runtime.calls).noneMatch(c -> c.startsWith("createAndStart"));
    assertThat(l.runtime.containerIds()).hasSize(2);
    assertThat(l.store.byOwner("k1")).hasSize(2);
    // another key has its own quota; a deleted container frees a place
    l.create("k2");
    l.containers.delete("k1", l.store.byOwner("k1").get(0).id(), BASE);
    l.create("k1");
    assertThat(l.store.count("k1", ContainerLedger.LIVE)).isEqualTo(2);
  }

  @Test
  void theDatabasesCountIsTheBindingOneEvenWhenTheEarlyCheckPassed() {
    Lifecycle l = lifecycle(1);
    // the early check counted before another create (maybe on another gateway) took the place
    l.quota.check("k1");
    l.create("k1");

    assertStatus(
        () ->
            l.quota.within(
                "k1",
                () ->
                    l.store.addWithinQuota(
                        "k1", l.quota.limit(), ContainerLedger.LIVE, null, null)),
        429,
        "limit 1");
  }

  @Test
  void anUnreachableEngineIsA503AndAFailedRecord() {
    Lifecycle l = lifecycle(10);
    l.runtime.unreachable("connection refused");

    assertStatus(() -> l.create("k1"), 503, "unreachable");

    ContainerRecord rec = l.store.byOwner("k1").get(0);
    assertThat(rec.status()).isEqualTo(ContainerStatus.FAILED);
    assertThat(rec.reason()).contains("connection refused");
    assertThat(l.announced(rec.id())).containsExactly(ContainerStatus.FAILED);
    // a FAILED record is not live: it takes no place in the quota
    assertThat(l.store.count("k1", ContainerLedger.LIVE)).isZero();
    l.runtime.unreachable(null);
    assertThat(l.runtime.containerIds()).isEmpty();
  }

  @Test
  void stopPauseResumeAndStartMoveTheContainerOnTheEngineAndInTheRecord() {
    Lifecycle l = lifecycle(10);
    String id = l.create("k1");
    String engineId = l.engineId(id);

    assertThat(l.containers.pause("k1", id, BASE).status()).isEqualTo(ContainerStatus.PAUSED);
    assertThat(l.runtime.inspect(engineId).orElseThrow().paused()).isTrue();
    assertThat(l.containers.resume("k1", id, BASE).status()).isEqualTo(ContainerStatus.RUNNING);
    assertThat(l.containers.stop("k1", id, BASE).status()).isEqualTo(ContainerStatus.STOPPED);
    assertThat(l.runtime.inspect(engineId).orElseThrow().running()).isFalse();
    assertThat(l.containers.start("k1", id, BASE).status()).isEqualTo(ContainerStatus.RUNNING);
    assertThat(l.runtime.inspect(engineId).orElseThrow().running()).isTrue();
    // a paused one can be stopped too
    l.containers.pause("k1", id, BASE);
    assertThat(l.containers.stop("k1", id, BASE).status()).isEqualTo(ContainerStatus.STOPPED);

    assertThat(l.runtime.calls)
        .filteredOn(c -> c.endsWith(" " + engineId) && !c.startsWith("inspect "))
        .containsExactly(
            "pause " + engineId,
            "resume " + engineId,
            "stop " + engineId,
            "start " + engineId,
            "pause " + engineId,
            "stop " + engineId);
    // the engine's events for each change came while it was in flight: the change set the record
    assertThat(l.announced(id))
        .containsExactly(
            ContainerStatus.RUNNING,
            ContainerStatus.PAUSED,
            ContainerStatus.RUNNING,
            ContainerStatus.STOPPED,
            ContainerStatus.RUNNING,
            ContainerStatus.PAUSED,
            ContainerStatus.STOPPED);
    assertThat(l.record(id).reason()).isEqualTo("stopped by API");
    assertThat(l.ledger.isInFlight(id)).isFalse();
  }

  @Test
  void aChangeTheStatusDoesNotAllowIsA409AndTheEngineIsNotAsked() {
    Lifecycle l = lifecycle(10);
    String id = l.create("k1");
    l.containers.stop("k1", id, BASE);
    l.runtime.calls.clear();

    assertStatus(() -> l.containers.pause("k1", id, BASE), 409, "is STOPPED; only a RUNNING");
    assertStatus(() -> l.containers.resume("k1", id, BASE), 409, "only a PAUSED one");
    assertThat(l.runtime.calls).isEmpty();
    assertThat(l.record(id).status()).isEqualTo(ContainerStatus.STOPPED);

    l.containers.delete("k1", id, BASE);
    l.runtime.calls.clear();
    assertStatus(() -> l.containers.start("k1", id, BASE), 409, "is DELETED");
    assertStatus(() -> l.containers.stop("k1", id, BASE), 409, "is DELETED");
    assertThat(l.runtime.calls).isEmpty();
  }

  @Test
  void aRepeatedStopOrPauseIsANoOpAnswer() {
    Lifecycle l = lifecycle(10);
    String id = l.create("k1");
    String engineId = l.engineId(id);

    l.containers.pause("k1", id, BASE);
    ContainerView again = l.containers.pause("k1", id, BASE);
    assertThat(again.status()).isEqualTo(ContainerStatus.PAUSED);
    l.containers.stop("k1", id, BASE);
    assertThat(l.containers.stop("k1", id, BASE).status()).isEqualTo(ContainerStatus.STOPPED);
    l.containers.start("k1", id, BASE);
    // resuming or starting a RUNNING one asks nothing either
    assertThat(l.containers.resume("k1", id, BASE).status()).isEqualTo(ContainerStatus.RUNNING);
    assertThat(l.containers.start("k1", id, BASE).status()).isEqualTo(ContainerStatus.RUNNING);

    assertThat(l.runtime.calls)
        .filteredOn(c -> c.endsWith(" " + engineId))
        .containsExactly("pause " + engineId, "stop " + engineId, "start " + engineId);
  }

  @Test
  void startArmsTheCreateTimeSecretAgainAndForgetsTheExitCode() {
    Lifecycle l = lifecycle(10);
    String id = l.create("k1");
    String secret = l.spec(id).env().get("CMS_AGENT_SECRET");
    assertThat(l.store.admitAgent(id, secret).accepted()).isTrue();
    assertThat(l.record(id).agentSecretArmed()).isFalse();
    l.containers.stop("k1", id, BASE);

    ContainerView started = l.containers.start("k1", id, BASE);

    assertThat(started.exitCode()).isNull();
    assertThat(l.record(id).agentSecretArmed()).isTrue();
    assertThat(l.record(id).reason()).isEqualTo("started by API");
  }

  @Test
  void deletingRemovesTheContainerAndARepeatedDeleteIsHarmless() {
    Lifecycle l = lifecycle(10);
    String id = l.create("k1");
    String engineId = l.engineId(id);

    ContainerView deleted = l.containers.delete("k1", id, BASE);
    ContainerView again = l.containers.delete("k1", id, BASE);

    assertThat(deleted.status()).isEqualTo(ContainerStatus.DELETED);
    assertThat(deleted.reason()).isEqualTo("deleted by API");
    assertThat(again.status()).isEqualTo(ContainerStatus.DELETED);
    assertThat(l.runtime.containerIds()).isEmpty();
    assertThat(l.runtime.calls)
        .filteredOn(c -> c.startsWith("remove "))
        .containsExactly("remove " + engineId);
    // the REMOVED event came while the delete was in flight: one DELETED, announced once
    assertThat(l.announced(id)).containsExactly(ContainerStatus.RUNNING, ContainerStatus.DELETED);
    // the record stays, with its history
    assertThat(l.containers.get("k1", id, BASE).status()).isEqualTo(ContainerStatus.DELETED);
    assertThat(l.containers.history("k1", id))
        .extracting(EventView::to)
        .containsExactly(
            ContainerStatus.CREATING, ContainerStatus.RUNNING, ContainerStatus.DELETED);
  }

  @Test
  void anotherOwnersContainerIsA404ForEveryOperationAndAnAdminSeesIt() {
    Lifecycle l = lifecycle(10);
    String id = l.create("k1");
    String other = "k2";

    for (Supplier<?> call :
        java.util.List.<Supplier<?>>of(
            () -> l.containers.get(other, id, BASE),
            () -> l.containers.stop(other, id, BASE),
            () -> l.containers.pause(other, id, BASE),
            () -> l.containers.resume(other, id, BASE),
            () -> l.containers.start(other, id, BASE),
            () -> l.containers.delete(other, id, BASE),
            () -> l.containers.history(other, id),
            () -> l.containers.whileHeld(other, id, h -> h))) {
      assertStatus(call::get, 404, "no container '" + id + "' for this API key");
    }
    assertStatus(() -> l.containers.get("k1", "c-nope", BASE), 404, "c-nope");

    assertThat(l.record(id).status()).isEqualTo(ContainerStatus.RUNNING);
    assertThat(l.containers.list(other, Optional.empty(), BASE)).isEmpty();
    assertThat(l.containers.list("k1", Optional.empty(), BASE))
        .extracting(ContainerView::id)
        .containsExactly(id);
    // an admin (no owner) reaches every owner's
    assertThat(l.containers.get(null, id, BASE).id()).isEqualTo(id);
    assertThat(l.containers.list(null, Optional.of(ContainerStatus.RUNNING), BASE))
        .extracting(ContainerView::id)
        .containsExactly(id);
  }

  @Test
  void listIsNewestFirstAndFiltersByStatus() {
    Lifecycle l = lifecycle(10);
    String older =
        l.made(
            Lifecycle.Made.fresh("k1")
                .aged(java.time.Duration.ofMinutes(2), java.time.Duration.ZERO));
    String newer = l.create("k1");
    l.containers.stop("k1", older, BASE);

    assertThat(l.containers.list("k1", Optional.empty(), BASE))
        .extracting(ContainerView::id)
        .containsExactly(newer, older);
    assertThat(l.containers.list("k1", Optional.of(ContainerStatus.STOPPED), BASE))
        .extracting(ContainerView::id)
        .containsExactly(older);
  }

  @Test
  void whileHeldRunsTheWorkInFlightAndRefusesADeletedOneWithA409() {
    Lifecycle l = lifecycle(10);
    String id = l.create("k1");

    Containers.Held held =
        l.containers.whileHeld(
            "k1",
            id,
            h -> {
              assertThat(l.ledger.isInFlight(id)).isTrue();
              return h;
            });

    assertThat(held)
        .isEqualTo(new Containers.Held(id, "k1", l.engineId(id), ContainerStatus.RUNNING));
    assertThat(l.ledger.isInFlight(id)).isFalse();

    l.containers.delete("k1", id, BASE);
    assertStatus(() -> l.containers.whileHeld("k1", id, h -> h), 409, "is DELETED; only a RUNNING");
  }

  @Test
  void requireRunningTellsAPausedOneFromAStoppedOne() {
    Lifecycle l = lifecycle(10);
    String id = l.create("k1");
    l.containers.requireRunning("k1", id);

    l.containers.pause("k1", id, BASE);
    assertThatThrownBy(() -> l.containers.requireRunning("k1", id))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(409);
              assertThat(e.rule()).isEqualTo("paused");
            });
    l.containers.stop("k1", id, BASE);
    assertStatus(() -> l.containers.requireRunning("k1", id), 409, "it must be RUNNING");
    assertThat(l.containers.statusOf(id)).isEqualTo(ContainerStatus.STOPPED);
    assertThat(l.containers.ownerOf(id)).hasValue("k1");
  }
}
