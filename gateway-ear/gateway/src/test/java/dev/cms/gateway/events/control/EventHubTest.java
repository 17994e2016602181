package dev.cms.gateway.events.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cms.domain.ContainerStatus;
import dev.cms.gateway.containers.control.ContainerStatusChanged;
import dev.cms.gateway.containers.control.Containers;
import dev.cms.gateway.processes.control.PortChanged;
import dev.cms.gateway.testing.ManagedExecutors;
import dev.cms.gateway.testing.RecordingSse;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The owners' event streams without a server: events reach the streams of the container's owner
 * only, in order, on the executor; a reconnect replays what was missed; the bounds hold.
 */
class EventHubTest {

  private final Map<String, String> owners = new ConcurrentHashMap<>();
  private ExecutorService pool;
  private EventHub hub;

  @BeforeEach
  void hub() {
    pool = Executors.newCachedThreadPool();
    hub = new EventHub();
    hub.executor = ManagedExecutors.managed(pool);
    hub.containers =
        new Containers() {
          @Override
          public Optional<String> ownerOf(String id) {
            return Optional.ofNullable(owners.get(id));
          }
        };
    owners.put("c-alice1", "alice");
    owners.put("c-alice2", "alice");
    owners.put("c-bob1", "bob");
  }

  @AfterEach
  void stop() {
    hub.closeAll();
    pool.shutdownNow();
  }

  private RecordingSse.Sink subscribe(String owner, Long lastEventId) {
    RecordingSse.Sink sink = new RecordingSse.Sink();
    hub.subscribe(owner, sink, RecordingSse.sse(), Optional.ofNullable(lastEventId));
    return sink;
  }

  private static JsonObject data(RecordingSse.Sent e) {
    return Json.createReader(new StringReader(e.data())).readObject();
  }

  @Test
  void aStreamStartsWithHelloAndGetsItsOwnersEventsInOrderAndNoOneElses() {
    RecordingSse.Sink alice = subscribe("alice", null);
    RecordingSse.Sink bob = subscribe("bob", null);

    hub.onStatus(new ContainerStatusChanged("c-alice1", ContainerStatus.RUNNING, null));
    hub.onPort(new PortChanged("c-bob1", 3000, true));
    hub.onStatus(new ContainerStatusChanged("c-alice2", ContainerStatus.STOPPED, "by the user"));
    hub.onPort(new PortChanged("c-nobody", 8080, true)); // no owner: dropped

    awaitTrue(() -> alice.events().size() == 3 && bob.events().size() == 2);
    List<RecordingSse.Sent> a = alice.events();
    assertThat(a.get(0).name()).isEqualTo("hello");
    assertThat(data(a.get(0)).getBoolean("replay")).isFalse();
    assertThat(a.get(0).reconnectDelay()).isEqualTo(3000);
    assertThat(a.subList(1, 3)).extracting(RecordingSse.Sent::name).containsOnly("container");
    assertThat(data(a.get(1)).getString("container")).isEqualTo("c-alice1");
    assertThat(data(a.get(1)).getString("status")).isEqualTo("RUNNING");
    assertThat(data(a.get(2)).getString("reason")).isEqualTo("by the user");
    assertThat(Long.parseLong(a.get(2).id())).isGreaterThan(Long.parseLong(a.get(1).id()));

    List<RecordingSse.Sent> b = bob.events();
    assertThat(b.get(1).name()).isEqualTo("port");
    assertThat(data(b.get(1)).getInt("port")).isEqualTo(3000);
    assertThat(data(b.get(1)).getBoolean("open")).isTrue();
  }

  @Test
  void aReconnectWithLastEventIdReplaysWhatItMissedOnly() {
    RecordingSse.Sink first = subscribe("alice", null);
    for (int port = 3000; port < 3005; port++) {
      hub.onPort(new PortChanged("c-alice1", port, true));
    }
    awaitTrue(() -> first.events().size() == 6);
    String seen = first.events().get(2).id(); // the client saw two port events, then dropped
    first.goAway();

    RecordingSse.Sink again = subscribe("alice", Long.parseLong(seen));
    awaitTrue(() -> again.events().size() == 4);
    assertThat(data(again.events().get(0)).getBoolean("replay")).isTrue();
    assertThat(again.events().subList(1, 4))
        .extracting(e -> data(e).getInt("port"))
        .containsExactly(3002, 3003, 3004);
  }

  @Test
  void anOwnerHasAtMostSixteenStreamsAndAClosedOneFreesItsPlace() {
    List<RecordingSse.Sink> sinks = new java.util.ArrayList<>();
    for (int i = 0; i < EventHub.MAX_PER_OWNER; i++) {
      sinks.add(subscribe("alice", null));
    }
    assertThatThrownBy(() -> subscribe("alice", null))
        .isInstanceOf(EventHub.TooManyStreams.class)
        .hasMessageContaining("16");
    // another owner is not affected
    subscribe("bob", null);
    assertThat(hub.streams()).isEqualTo(EventHub.MAX_PER_OWNER + 1);

    // a client that went away is found at the next write and its stream closed
    sinks.get(0).goAway();
    hub.onPort(new PortChanged("c-alice1", 3000, true));
    awaitTrue(() -> hub.streams() == EventHub.MAX_PER_OWNER);
    subscribe("alice", null);
  }

  @Test
  void aClientThatDoesNotReadIsClosedOnceItsQueueIsFullAndTheOthersGoOn() {
    RecordingSse.Sink slow = new RecordingSse.Sink().hold();
    hub.subscribe("alice", slow, RecordingSse.sse(), Optional.empty());
    RecordingSse.Sink fast = subscribe("alice", null);

    for (int i = 0; i < EventHub.MAX_QUEUED + 10; i++) {
      hub.onPort(new PortChanged("c-alice1", 1000 + i, i % 2 == 0));
      if (i % 32 == 31) {
        // the reading client keeps up (on a loaded machine its queue must not fill up too)
        int sent = i + 2;
        awaitTrue(() -> fast.events().size() == sent);
      }
    }

    awaitTrue(slow::isClosed);
    awaitTrue(() -> fast.events().size() == EventHub.MAX_QUEUED + 11);
    slow.release();
    assertThat(hub.streams()).isEqualTo(1);
  }

  @Test
  void aHeartbeatIsAComment() {
    RecordingSse.Sink s = subscribe("bob", null);
    hub.heartbeat();
    awaitTrue(() -> s.sent.size() == 2);
    assertThat(s.sent.get(1).name()).isNull();
    assertThat(s.sent.get(1).comment()).isEqualTo("keep-alive");
  }

  @Test
  void aDeletedContainersOwnerIsLookedUpAgainNextTime() {
    RecordingSse.Sink alice = subscribe("alice", null);
    hub.onStatus(new ContainerStatusChanged("c-alice1", ContainerStatus.DELETED, null));
    // the id now belongs to bob (ids are random; this checks the cache was dropped)
    owners.put("c-alice1", "bob");
    RecordingSse.Sink bob = subscribe("bob", null);
    hub.onPort(new PortChanged("c-alice1", 3000, true));

    awaitTrue(() -> bob.events().size() == 2);
    assertThat(alice.events()).hasSize(2);
    assertThat(data(alice.events().get(1)).getString("status")).isEqualTo("DELETED");
  }

  private static void awaitTrue(BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 10 s");
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
