package dev.cms.gateway.containers.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cms.domain.ContainerStatus;
import dev.cms.gateway.containers.entity.ContainerRecord;
import dev.cms.gateway.problems.ApiException;
import dev.cms.gateway.testing.FakeRuntime;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lifecycle's side of the warm pool: containers waiting for a user, handed over, removed. */
class PooledContainersTest {

  private static final String BASE = Lifecycle.ENDPOINTS.publicBase();

  @TempDir Path dataDir;

  private Lifecycle lifecycle(int maxPerKey) {
    return new Lifecycle(dataDir, maxPerKey).watching();
  }

  private static WarmSupply.Claim claim(Lifecycle l, String owner) {
    return new WarmSupply.Claim(
        owner,
        new ContainerRecord.Limits(2048, 2.0, 512, 120, 3600, 0),
        Map.of("project", "demo"),
        Map.of(),
        BASE);
  }

  @Test
  void createStartsAContainerOwnedByThePoolLabelledWithItsTemplateAndInvisibleToTheApi() {
    Lifecycle l = lifecycle(10);

    PooledContainers.Pooled p = l.pooled.create("default", FakeRuntime.APP_IMAGE);

    ContainerRecord rec = l.record(p.id());
    assertThat(rec.ownerId()).isEqualTo(ContainerRecord.POOL_OWNER);
    assertThat(rec.pooled()).isTrue();
    assertThat(rec.status()).isEqualTo(ContainerStatus.RUNNING);
    assertThat(rec.template()).isEqualTo("default");
    assertThat(rec.engineId()).isEqualTo(p.engineId());
    assertThat(l.runtime.spec(p.engineId()).labels())
        .containsEntry(ContainerLabels.POOL, "default")
        .containsEntry(ContainerLabels.OWNER, ContainerRecord.POOL_OWNER)
        .containsEntry(ContainerLabels.GATEWAY, Lifecycle.GATEWAY)
        .containsEntry(ContainerLabels.RECORD, p.id());
    assertThat(l.runtime.spec(p.engineId()).env()).containsKey("CMS_AGENT_SECRET");
    assertThat(l.pooled.waitingAndRunning(p.id())).isTrue();
    assertThat(l.pooled.records()).containsExactly(p.id());

    // no list or lookup shows it, an admin's neither (no key or user has the pool's owner id)
    assertThat(l.containers.list(null, Optional.empty(), BASE)).isEmpty();
    for (String owner : new String[] {null, "k1", ContainerRecord.POOL_OWNER}) {
      assertThatThrownBy(() -> l.containers.get(owner, p.id(), BASE))
          .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
    }
    assertThat(l.containers.ownerOf(p.id())).isEmpty();
    // nor does it take a place in anyone's quota
    assertThat(l.store.count("k1", ContainerLedger.LIVE)).isZero();
  }

  @Test
  void handOverGivesItToTheOwnerWithTheClaimsLimitsAndLabels() {
    Lifecycle l = lifecycle(10);
    PooledContainers.Pooled p = l.pooled.create("default", FakeRuntime.APP_IMAGE);

    ContainerView view = l.pooled.handOver(p.id(), claim(l, "k1"));

    assertThat(view.id()).isEqualTo(p.id());
    assertThat(view.status()).isEqualTo(ContainerStatus.RUNNING);
    assertThat(view.token()).isEqualTo(l.clientTokens.tokenFor(p.id()));
    assertThat(view.labels()).containsExactly(Map.entry("project", "demo"));
    assertThat(view.limits().memoryMb()).isEqualTo(2048);
    ContainerRecord rec = l.record(p.id());
    assertThat(rec.ownerId()).isEqualTo("k1");
    assertThat(rec.reason()).isEqualTo("claimed from the warm pool");
    assertThat(l.pooled.waitingAndRunning(p.id())).isFalse();
    assertThat(l.pooled.records()).isEmpty();
    assertThat(l.containers.get("k1", p.id(), BASE).id()).isEqualTo(p.id());
    assertThat(l.containers.list("k1", Optional.empty(), BASE))
        .extracting(ContainerView::id)
        .containsExactly(p.id());
    // the owner's event stream hears of it
    assertThat(l.announced(p.id())).endsWith(ContainerStatus.RUNNING, ContainerStatus.RUNNING);

    // a second claim of the same container fails: it no longer waits
    assertThatThrownBy(() -> l.pooled.handOver(p.id(), claim(l, "k2")))
        .isInstanceOf(IllegalStateException.class);
    assertThat(l.record(p.id()).ownerId()).isEqualTo("k1");
  }

  @Test
  void handOverBeyondTheOwnersQuotaIsA429AndTheRecordStaysInThePool() {
    Lifecycle l = lifecycle(1);
    l.create("k1");
    PooledContainers.Pooled p = l.pooled.create("default", FakeRuntime.APP_IMAGE);
    ContainerRecord before = l.record(p.id());

    assertThatThrownBy(() -> l.pooled.handOver(p.id(), claim(l, "k1")))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(429);
              assertThat(e.getMessage()).contains("limit 1");
            });

    ContainerRecord after = l.record(p.id());
    assertThat(after.ownerId()).isEqualTo(ContainerRecord.POOL_OWNER);
    assertThat(after.status()).isEqualTo(ContainerStatus.RUNNING);
    assertThat(after.limits()).isEqualTo(before.limits());
    assertThat(after.labels()).isEmpty();
    assertThat(l.store.history(p.id())).hasSize(2);
    assertThat(l.pooled.waitingAndRunning(p.id())).isTrue();
    // another owner with room gets it
    assertThat(l.pooled.handOver(p.id(), claim(l, "k2")).status())
        .isEqualTo(ContainerStatus.RUNNING);
  }

  @Test
  void aPoolContainerThatDiedIsNotHandedOver() {
    Lifecycle l = lifecycle(10);
    PooledContainers.Pooled p = l.pooled.create("default", FakeRuntime.APP_IMAGE);
    l.runtime.exit(p.engineId(), 1);

    assertThatThrownBy(() -> l.pooled.handOver(p.id(), claim(l, "k1")))
        .isInstanceOf(IllegalStateException.class);

    assertThat(l.record(p.id()).ownerId()).isEqualTo(ContainerRecord.POOL_OWNER);
    assertThat(l.record(p.id()).status()).isEqualTo(ContainerStatus.TERMINATED);
  }

  @Test
  void removeRemovesOnlyAContainerThatStillWaits() {
    Lifecycle l = lifecycle(10);
    PooledContainers.Pooled waiting = l.pooled.create("default", FakeRuntime.APP_IMAGE);
    PooledContainers.Pooled claimed = l.pooled.create("default", FakeRuntime.APP_IMAGE);
    l.pooled.handOver(claimed.id(), claim(l, "k1"));

    l.pooled.remove(waiting.id(), "the warm pool shrank");
    l.pooled.remove(claimed.id(), "the warm pool shrank");
    l.pooled.remove("c-unknown", "the warm pool shrank");

    assertThat(l.record(waiting.id()).status()).isEqualTo(ContainerStatus.DELETED);
    assertThat(l.record(waiting.id()).reason()).isEqualTo("the warm pool shrank");
    assertThat(l.record(claimed.id()).status()).isEqualTo(ContainerStatus.RUNNING);
    assertThat(l.runtime.containerIds()).containsExactly(claimed.engineId());
  }

  @Test
  void anUnreachableEngineFailsThePoolsCreateWithAFailedRecord() {
    Lifecycle l = lifecycle(10);
    l.runtime.unreachable("connection refused");

    assertThatThrownBy(() -> l.pooled.create("default", FakeRuntime.APP_IMAGE))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(503));

    assertThat(l.store.byOwner(ContainerRecord.POOL_OWNER))
        .extracting(ContainerRecord::status)
        .containsExactly(ContainerStatus.FAILED);
    assertThat(l.pooled.records()).isEmpty();
  }
}
