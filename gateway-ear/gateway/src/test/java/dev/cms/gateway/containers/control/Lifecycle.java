package dev.cms.gateway.containers.control;

import dev.cms.domain.ContainerStatus;
import dev.cms.gateway.agents.control.Agents;
import dev.cms.gateway.config.Settings;
import dev.cms.gateway.containers.entity.ContainerEvent;
import dev.cms.gateway.containers.entity.ContainerRecord;
import dev.cms.gateway.metrics.Meters;
import dev.cms.gateway.problems.ApiException;
import dev.cms.gateway.runtime.ContainerSpec;
import dev.cms.gateway.security.ClientTokens;
import dev.cms.gateway.security.Secrets;
import dev.cms.gateway.templates.control.Templates;
import dev.cms.gateway.testing.Beans;
import dev.cms.gateway.testing.CountingRegistry;
import dev.cms.gateway.testing.FakeRuntime;
import dev.cms.gateway.testing.MemoryContainerStore;
import dev.cms.gateway.testing.RecordingEvent;
import dev.cms.gateway.testing.TestCdi;
import dev.cms.gateway.testing.TestSettings;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The container controls wired as CDI would wire them, on a {@link FakeRuntime} and a {@link
 * MemoryContainerStore}, with the real beans around them (agents, templates, client tokens, meters
 * on a counting registry, Hibernate Validator) and no warm pool and no snapshots.
 */
final class Lifecycle {

  static final String GATEWAY = "gw-test";
  static final String OTHER_GATEWAY = "gw-other";
  static final Containers.Endpoints ENDPOINTS =
      new Containers.Endpoints("http://gw.test", "ws://gw.test:8081/ws/v1/agent");

  private static final Validator VALIDATOR =
      Validation.buildDefaultValidatorFactory().getValidator();

  final FakeRuntime runtime = new FakeRuntime();
  final MemoryContainerStore store = new MemoryContainerStore();
  final RecordingEvent<ContainerStatusChanged> statusChanges = new RecordingEvent<>();
  final CountingRegistry metrics = new CountingRegistry();
  final Settings settings;
  final Agents agents = new Agents();
  final GatewayIdentity identity = new GatewayIdentity();
  final ClientTokens clientTokens = new ClientTokens();
  final Meters meters = new Meters();
  final Templates templates = new Templates();
  final ContainerLedger ledger = new ContainerLedger();
  final ContainerEngine engine = new ContainerEngine();
  final ContainerQuota quota = new ContainerQuota();
  final ContainerMeters containerMeters = new ContainerMeters();
  final PooledContainers pooled = new PooledContainers();
  final EngineSync sync = new EngineSync();
  final Reaper reaper = new Reaper();
  final Containers containers = new Containers();

  /** With the default settings but a quota of {@code maxPerKey}. */
  Lifecycle(Path dataDir, int maxPerKey) {
    this(dataDir, Map.of("cms.max.containers.per.key", Integer.toString(maxPerKey)));
  }

  Lifecycle(Path dataDir, Map<String, String> properties) {
    Map<String, String> p = new HashMap<>(properties);
    p.put("cms.data.dir", dataDir.toString());
    p.put("cms.gateway.id", GATEWAY);
    settings = TestSettings.of(p);
    // the create's own validation: WithinSettingsValidator looks the settings up in CDI
    TestCdi.serve(settings);

    Beans.set(agents, "settings", settings);
    Beans.set(agents, "changes", new RecordingEvent<Agents.LinkChanged>());
    identity.settings = settings;
    identity.init();
    Beans.postConstruct(Beans.set(clientTokens, "settings", settings));
    Beans.postConstruct(Beans.set(meters, "registry", metrics.registry()));
    Beans.set(templates, "settings", settings);
    Beans.postConstruct(Beans.set(templates, "runtime", runtime));

    ledger.store = store;
    ledger.identity = identity;
    ledger.agents = agents;
    ledger.statusChanges = statusChanges;

    engine.ledger = ledger;
    engine.runtime = runtime;
    engine.agents = agents;
    engine.settings = settings;
    engine.identity = identity;

    quota.store = store;
    quota.settings = settings;

    containerMeters.meters = meters;
    containerMeters.store = store;
    containerMeters.agents = agents;
    containerMeters.register();

    pooled.ledger = ledger;
    pooled.engine = engine;
    pooled.quota = quota;
    pooled.store = store;
    pooled.runtime = runtime;
    pooled.clientTokens = clientTokens;
    pooled.identity = identity;

    sync.ledger = ledger;
    sync.store = store;
    sync.runtime = runtime;
    sync.agents = agents;
    sync.identity = identity;

    reaper.ledger = ledger;
    reaper.engine = engine;
    reaper.store = store;
    reaper.meters = meters;

    containers.ledger = ledger;
    containers.engine = engine;
    containers.quota = quota;
    containers.store = store;
    containers.runtime = runtime;
    containers.agents = agents;
    containers.settings = settings;
    containers.validator = VALIDATOR;
    containers.identity = identity;
    containers.clientTokens = clientTokens;
    containers.readiness = containerMeters;
    containers.templates = templates;
    containers.warm = (template, claim) -> Optional.empty();
    containers.snapshots =
        (owner, snapshotId) -> {
          throw ApiException.notFound("no snapshot '" + snapshotId + "'");
        };
  }

  /** The engine's events reach {@link EngineSync} from now on, as the gateway's watch does. */
  Lifecycle watching() {
    runtime.watch(sync.watchedLabels(), sync::onRuntimeEvent);
    return this;
  }

  /** Creates a container of {@code owner} through the API's lifecycle; its id. */
  String create(String owner) {
    return containers.create(owner, null, ENDPOINTS).id();
  }

  /** The stored record (a copy). */
  ContainerRecord record(String id) {
    return store.find(id);
  }

  String engineId(String id) {
    return record(id).engineId();
  }

  ContainerSpec spec(String id) {
    return runtime.spec(engineId(id));
  }

  /** What to make with {@link #made}: a record's owner, gateway, age and clocks. */
  record Made(
      String owner,
      String gateway,
      Duration age,
      Duration idleFor,
      long ttlSeconds,
      long idleTimeoutSeconds) {
    static Made fresh(String owner) {
      return new Made(owner, GATEWAY, Duration.ZERO, Duration.ZERO, 3600, 600);
    }

    Made by(String gatewayId) {
      return new Made(owner, gatewayId, age, idleFor, ttlSeconds, idleTimeoutSeconds);
    }

    Made aged(Duration a, Duration idle) {
      return new Made(owner, gateway, a, idle, ttlSeconds, idleTimeoutSeconds);
    }

    Made clocks(long ttl, long idleTimeout) {
      return new Made(owner, gateway, age, idleFor, ttl, idleTimeout);
    }
  }

  /**
   * A RUNNING record made as by the gateway {@code m.gateway()} (null: a record and container from
   * before gateways were named) {@code m.age()} ago, last active {@code m.idleFor()} ago, with its
   * container on the engine, labelled as a launch labels it; no status change is announced. Its id.
   */
  String made(Made m) {
    Instant now = Instant.now();
    Instant created = now.minus(m.age());
    String id = "c-" + Secrets.id(12);
    ContainerRecord rec =
        new ContainerRecord(
            id,
            m.owner(),
            new ContainerRecord.Limits(512, 1.0, 100, m.idleTimeoutSeconds(), m.ttlSeconds(), 0),
            Map.of(),
            Secrets.hash("client"),
            Secrets.hash("agent"),
            created);
    rec.madeBy(m.gateway());
    store.add(rec, new ContainerEvent(id, "STATUS", null, ContainerStatus.CREATING, "test", now));
    Map<String, String> labels = new HashMap<>();
    if (m.gateway() != null) {
      labels.put(ContainerLabels.GATEWAY, m.gateway());
    }
    labels.put(ContainerLabels.RECORD, id);
    labels.put(ContainerLabels.OWNER, m.owner());
    if (rec.pooled()) {
      labels.put(ContainerLabels.POOL, "default");
    }
    String engineId =
        runtime.createAndStart(
            new ContainerSpec(
                "cms-" + id, FakeRuntime.APP_IMAGE, labels, Map.of(), 512, 1.0, 100, 0));
    store.update(
        id,
        r -> {
          r.assignEngine(engineId, FakeRuntime.APP_IMAGE);
          r.touch(now.minus(m.idleFor()));
          return r.transition(ContainerStatus.RUNNING, "container started", now);
        });
    return id;
  }

  /** Sets the record's status behind everyone's back (no engine call, no announcement). */
  void recordAs(String id, ContainerStatus status) {
    store.update(id, r -> r.transition(status, "set by the test", Instant.now()));
  }

  /** The status changes announced for {@code id}, in order. */
  List<ContainerStatus> announced(String id) {
    return statusChanges.fired.stream()
        .filter(c -> c.containerId().equals(id))
        .map(ContainerStatusChanged::status)
        .toList();
  }
}
