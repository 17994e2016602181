package dev.cms.gateway.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cms.domain.ContainerStatus;
import dev.cms.gateway.agents.control.AgentAdmission;
import dev.cms.gateway.containers.control.ContainerStore;
import dev.cms.gateway.containers.entity.ContainerEvent;
import dev.cms.gateway.containers.entity.ContainerRecord;
import dev.cms.gateway.security.Secrets;
import jakarta.persistence.EntityExistsException;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The in-memory store keeps the JPA store's contract, so tests on it mean something. */
class MemoryContainerStoreTest {

  private static final Set<ContainerStatus> LIVE =
      EnumSet.of(ContainerStatus.CREATING, ContainerStatus.RUNNING);
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private final MemoryContainerStore store = new MemoryContainerStore();

  private static ContainerRecord record(String id, String owner, Instant at) {
    return new ContainerRecord(
        id,
        owner,
        new ContainerRecord.Limits(512, 1.0, 100, 60, 600, 0),
        Map.of("a", "1"),
        Secrets.hash("client"),
        Secrets.hash("secret"),
        at);
  }

  private static ContainerEvent created(String id, Instant at) {
    return new ContainerEvent(id, "STATUS", null, ContainerStatus.CREATING, "created", at);
  }

  private void add(String id, String owner, Instant at) {
    store.add(record(id, owner, at), created(id, at));
  }

  @Test
  void whatItReturnsIsACopyAndOnlyUpdateChangesTheRecord() {
    add("c-1", "k1", T0);

    ContainerRecord copy = store.find("c-1");
    copy.transition(ContainerStatus.DELETED, "changed outside", T0);
    copy.touch(T0.plusSeconds(60));

    assertThat(store.find("c-1").status()).isEqualTo(ContainerStatus.CREATING);
    assertThat(store.find("c-1").lastActivityAt()).isEqualTo(T0);
    assertThat(store.find("c-1").labels()).containsExactly(Map.entry("a", "1"));
    assertThat(store.find("c-nope")).isNull();
    assertThatThrownBy(() -> add("c-1", "k1", T0)).isInstanceOf(EntityExistsException.class);
  }

  @Test
  void updateAppliesTheChangeRecordsItsEventAndAChangeThatThrowsChangesNothing() {
    add("c-1", "k1", T0);

    ContainerEvent e =
        store.update("c-1", r -> r.transition(ContainerStatus.RUNNING, "started", T0));

    assertThat(e.toStatus()).isEqualTo(ContainerStatus.RUNNING);
    assertThat(store.find("c-1").status()).isEqualTo(ContainerStatus.RUNNING);
    assertThat(store.history("c-1"))
        .extracting(ContainerEvent::toStatus)
        .containsExactly(ContainerStatus.CREATING, ContainerStatus.RUNNING);
    assertThatThrownBy(
            () ->
                store.update(
                    "c-1",
                    r -> {
                      r.transition(ContainerStatus.DELETED, "half-way", T0);
                      throw new IllegalStateException("rolled back");
                    }))
        .hasMessage("rolled back");
    assertThat(store.find("c-1").status()).isEqualTo(ContainerStatus.RUNNING);
    assertThat(store.history("c-1")).hasSize(2);
    assertThat(store.update("c-nope", r -> r.transition(ContainerStatus.RUNNING, "x", T0)))
        .isNull();
  }

  @Test
  void theQuotaNeedsTheOwnersRowAndCountsTheLiveRecords() {
    assertThatThrownBy(
            () -> store.addWithinQuota("k1", 1, LIVE, record("c-1", "k1", T0), created("c-1", T0)))
        .isInstanceOf(IllegalStateException.class);
    store.ensureOwner("k1");
    store.ensureOwner("k1");
    store.addWithinQuota("k1", 2, LIVE, record("c-1", "k1", T0), created("c-1", T0));
    store.addWithinQuota("k1", 2, LIVE, record("c-2", "k1", T0), created("c-2", T0));

    assertThatThrownBy(
            () -> store.addWithinQuota("k1", 2, LIVE, record("c-3", "k1", T0), created("c-3", T0)))
        .isInstanceOfSatisfying(
            ContainerStore.QuotaExceeded.class, e -> assertThat(e.live()).isEqualTo(2));
    assertThat(store.find("c-3")).isNull();

    // a pool record handed to k1 counts against the same limit
    add("c-p", ContainerRecord.POOL_OWNER, T0);
    assertThatThrownBy(
            () ->
                store.updateWithinQuota(
                    "k1",
                    2,
                    LIVE,
                    "c-p",
                    r -> {
                      r.claim("k1", r.limits(), Map.of(), T0);
                      return r.transition(ContainerStatus.RUNNING, "claimed", T0);
                    }))
        .isInstanceOf(ContainerStore.QuotaExceeded.class);
    assertThat(store.find("c-p").ownerId()).isEqualTo(ContainerRecord.POOL_OWNER);
    store.update("c-2", r -> r.transition(ContainerStatus.DELETED, "deleted", T0));
    assertThat(
            store.updateWithinQuota(
                "k1",
                2,
                LIVE,
                "c-p",
                r -> {
                  r.claim("k1", r.limits(), Map.of(), T0);
                  return r.transition(ContainerStatus.RUNNING, "claimed", T0);
                }))
        .isNotNull();
    assertThat(store.find("c-p").ownerId()).isEqualTo("k1");
  }

  @Test
  void touchWritesOnlyPastTheIntervalAndNeverForAnotherOwner() {
    add("c-1", "k1", T0);
    Duration interval = Duration.ofSeconds(5);

    assertThat(store.touch("c-1", "k1", true, T0.plusSeconds(3), interval).lastActivityAt())
        .isEqualTo(T0);
    assertThat(store.touch("c-1", "k2", true, T0.plusSeconds(60), interval)).isNull();
    assertThat(store.find("c-1").lastActivityAt()).isEqualTo(T0);
    assertThat(store.touch("c-1", "k1", false, T0.plusSeconds(60), interval).lastActivityAt())
        .isEqualTo(T0);
    assertThat(store.touch("c-1", null, true, T0.plusSeconds(60), interval).lastActivityAt())
        .isEqualTo(T0.plusSeconds(60));
    assertThat(store.touch("c-nope", null, true, T0, interval)).isNull();
  }

  @Test
  void queriesFilterByOwnerAndStatusNewestFirst() {
    add("c-old", "k1", T0);
    add("c-new", "k1", T0.plusSeconds(10));
    add("c-other", "k2", T0.plusSeconds(5));
    store.update("c-old", r -> r.transition(ContainerStatus.RUNNING, "started", T0));

    assertThat(store.byOwner("k1"))
        .extracting(ContainerRecord::id)
        .containsExactly("c-new", "c-old");
    assertThat(store.byOwner("k1", ContainerStatus.RUNNING))
        .extracting(ContainerRecord::id)
        .containsExactly("c-old");
    assertThat(store.inStatuses(List.of(ContainerStatus.CREATING)))
        .extracting(ContainerRecord::id)
        .containsExactlyInAnyOrder("c-new", "c-other");
    assertThat(store.count("k1", LIVE)).isEqualTo(2);
    assertThat(store.count("k1", List.of(ContainerStatus.RUNNING))).isEqualTo(1);
    assertThat(store.countByStatus())
        .containsExactly(
            Map.entry(ContainerStatus.CREATING, 2L), Map.entry(ContainerStatus.RUNNING, 1L));
  }

  @Test
  void theAgentSecretIsExchangedOnceForALinkCredentialAndArmedAgain() {
    add("c-1", "k1", T0);

    AgentAdmission first = store.admitAgent("c-1", "secret");
    assertThat(first.accepted()).isTrue();
    assertThat(store.admitAgent("c-1", "secret")).isEqualTo(AgentAdmission.REFUSED);
    assertThat(store.admitAgent("c-1", first.credential())).isEqualTo(AgentAdmission.LINK);

    store.undoAgentExchange("c-1", "not the credential");
    assertThat(store.find("c-1").agentSecretArmed()).isFalse();
    store.undoAgentExchange("c-1", first.credential());
    assertThat(store.find("c-1").agentSecretArmed()).isTrue();
    assertThat(store.find("c-1").agentLinkHash()).isNull();

    AgentAdmission second = store.admitAgent("c-1", "secret");
    assertThat(second.accepted()).isTrue();
    store.armAgentSecret("c-1");
    // armed again (a start): the secret once more, and the link still valid until then
    assertThat(store.admitAgent("c-1", second.credential())).isEqualTo(AgentAdmission.LINK);
    assertThat(store.admitAgent("c-1", "secret").accepted()).isTrue();

    store.update("c-1", r -> r.transition(ContainerStatus.DELETED, "deleted", T0));
    store.armAgentSecret("c-1");
    assertThat(store.admitAgent("c-1", "secret")).isEqualTo(AgentAdmission.REFUSED);
    assertThat(store.admitAgent("c-nope", "secret")).isEqualTo(AgentAdmission.REFUSED);
  }

  @Test
  void notesOfAGoneRecordAreDroppedButASingleNoteIsAlwaysKept() {
    add("c-1", "k1", T0);

    store.note("c-1", List.of(ContainerEvent.note("c-1", "FILE", "written", T0)));
    store.note("c-gone", List.of(ContainerEvent.note("c-gone", "FILE", "written", T0)));
    store.note(ContainerEvent.note("c-gone", "AGENT", "refused", T0));

    assertThat(store.history("c-1"))
        .extracting(ContainerEvent::kind)
        .containsExactly("STATUS", "FILE");
    assertThat(store.history("c-gone")).extracting(ContainerEvent::kind).containsExactly("AGENT");
  }
}
