package dev.cms.gateway.containers.control;

import dev.cms.domain.ContainerStatus;
import dev.cms.gateway.agents.control.AgentAdmission;
import dev.cms.gateway.agents.control.Agents;
import dev.cms.gateway.agents.control.RateWindow;
import dev.cms.gateway.config.Settings;
import dev.cms.gateway.containers.entity.ContainerEvent;
import dev.cms.gateway.containers.entity.ContainerRecord;
import dev.cms.gateway.metrics.Meters;
import dev.cms.gateway.problems.ApiException;
import dev.cms.gateway.runtime.ContainerRuntime;
import dev.cms.gateway.runtime.ContainerSpec;
import dev.cms.gateway.runtime.DiskLimitUnavailableException;
import dev.cms.gateway.runtime.RuntimeContainer;
import dev.cms.gateway.runtime.RuntimeEvent;
import dev.cms.gateway.runtime.RuntimeFailureException;
import dev.cms.gateway.runtime.RuntimeSnapshot;
import dev.cms.gateway.runtime.RuntimeUnavailableException;
import dev.cms.gateway.security.ClientTokens;
import dev.cms.gateway.security.Secrets;
import dev.cms.gateway.templates.control.Templates;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Validator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The container lifecycle: creating, starting, stopping and removing AppContainers on the runtime,
 * and keeping their records true to what the engine reports. Operations on one container are
 * serialised; the engine's own events for a container with an operation in flight are left to that
 * operation.
 */
@ApplicationScoped
public class Containers {

  private static final Logger LOG = Logger.getLogger(Containers.class.getName());

  /** Label naming the gateway that owns a container. */
  public static final String LABEL_GATEWAY = "cms.gateway";

  /** Label naming the record of a container. */
  public static final String LABEL_RECORD = "cms.record";

  /** Label naming the key id that owns a container (at its creation: see {@link #POOL_OWNER}). */
  public static final String LABEL_OWNER = "cms.owner";

  /** Label naming the warm-pool template a container was started for, waiting for a user. */
  public static final String LABEL_POOL = "cms.pool";

  /**
   * The owner of warm-pool containers' records while they wait: no key or user id has this form, so
   * no quota counts them and no list, lookup or event stream shows them. A claim gives the record
   * its user; the engine's labels stay as they were at creation (Docker cannot change them).
   */
  public static final String POOL_OWNER = "cms:pool";

  private static final Set<ContainerStatus> LIVE =
      EnumSet.of(
          ContainerStatus.CREATING,
          ContainerStatus.RUNNING,
          ContainerStatus.PAUSED,
          ContainerStatus.STOPPED);
  private static final Set<ContainerStatus> ON_ENGINE =
      EnumSet.of(
          ContainerStatus.CREATING,
          ContainerStatus.RUNNING,
          ContainerStatus.PAUSED,
          ContainerStatus.STOPPED,
          ContainerStatus.TERMINATED);
  private static final Set<ContainerStatus> HOLDABLE =
      EnumSet.of(ContainerStatus.RUNNING, ContainerStatus.PAUSED, ContainerStatus.STOPPED);
  private static final Duration ACTIVITY_WRITE_INTERVAL = Duration.ofSeconds(5);

  @Inject ContainerStore store;
  @Inject ContainerRuntime runtime;
  @Inject Agents agents;
  @Inject Settings settings;
  @Inject Validator validator;
  @Inject GatewayIdentity identity;
  @Inject ClientTokens clientTokens;
  @Inject Event<ContainerStatusChanged> statusChanges;
  @Inject ContainerMeters readiness;
  @Inject Meters meters;
  @Inject Templates templates;
  @Inject WarmSupply warm;
  @Inject SnapshotSource snapshots;

  private final Map<String, Object> locks = new ConcurrentHashMap<>();
  private final Set<String> busy = ConcurrentHashMap.newKeySet();

  /** The reason of a container the kernel killed for memory; the engine's own word for it first. */
  static final String OOM_KILLED = "OOMKilled: out of memory";

  private final Set<String> oomKilled = ConcurrentHashMap.newKeySet();

  /** Where the answer to a create sends the client and the agent. */
  public record Endpoints(String publicBase, String agentUrl) {}

  /** Creates and starts a container for the caller ({@link #whenReady} waits for its agent). */
  public ContainerView create(String owner, CreateRequest request, Endpoints endpoints) {
    CreateRequest r = request == null ? CreateRequest.defaults() : request;
    // the REST boundary validated it (@Valid); the same constraints again for any other caller
    var violations = validator.validate(r);
    if (!violations.isEmpty()) {
      throw new ConstraintViolationException(violations);
    }
    ContainerRecord.Limits limits = limits(r);
    Map<String, String> labels = r.labels() == null ? Map.of() : new LinkedHashMap<>(r.labels());
    Map<String, String> env = r.env() == null ? Map.of() : r.env();
    // the template: refused before any record when unknown, still building or failed
    Templates.Choice template = templates.choose(r.template());
    // an early refusal before any work; the binding count is the one under the owner's row lock
    checkQuota(owner);
    long began = System.nanoTime();
    // a fork: the caller's own snapshot (else 404), looked up before anything is recorded
    RuntimeSnapshot fork = r.snapshot() == null ? null : snapshots.forkable(owner, r.snapshot());
    if (fork == null) {
      // the warm pool first: a started container waiting for a user (empty: create one cold)
      Optional<ContainerView> claimed =
          warm.claim(
              template.name(),
              new WarmSupply.Claim(owner, limits, labels, env, endpoints.publicBase()));
      if (claimed.isPresent()) {
        readiness.readySince(began);
        return claimed.get();
      }
    }
    String id = "c-" + Secrets.id(12);
    String token = clientTokens.tokenFor(id);
    String agentSecret = Secrets.token(40);
    Instant now = Instant.now();
    ContainerRecord record =
        new ContainerRecord(
            id, owner, limits, labels, Secrets.hash(token), Secrets.hash(agentSecret), now);
    record.fromTemplate(template.name());
    record.madeBy(identity.id());
    if (fork != null) {
      record.forkedFrom(fork.snapshotId());
    }
    withinQuota(
        owner,
        () ->
            store.addWithinQuota(
                owner,
                settings.maxContainersPerKey(),
                LIVE,
                record,
                new ContainerEvent(
                    id, "STATUS", null, ContainerStatus.CREATING, "created by API", now)));
    Map<String, String> engineLabels = new LinkedHashMap<>();
    labels.forEach((k, v) -> engineLabels.put("user." + k, v));
    readiness.created(id, began);
    launch(
        id,
        owner,
        // resolved inside the launch: an unreachable engine there is a FAILED record and a 503
        () -> fork != null ? fork.image() : template.image().orElseGet(runtime::ensureImage),
        limits,
        env,
        agentSecret,
        endpoints.agentUrl(),
        engineLabels,
        fork);
    ContainerView view = view(find(id), endpoints.publicBase());
    return withToken(view, token);
  }

  private void checkQuota(String owner) {
    long live = store.count(owner, LIVE);
    if (live >= settings.maxContainersPerKey()) {
      throw quotaReached(live);
    }
  }

  private ApiException quotaReached(long live) {
    return ApiException.tooManyRequests(
        "this API key already has "
            + live
            + " live containers (limit "
            + settings.maxContainersPerKey()
            + "); delete one first");
  }

  /**
   * Runs a write that the database checks against the owner's quota (under the owner's row lock, so
   * that it holds across gateways); a 429 when the quota is used up.
   */
  private void withinQuota(String owner, Runnable write) {
    try {
      store.ensureOwner(owner);
    } catch (RuntimeException e) {
      // another create (maybe on another gateway) inserted the owner's row at the same moment
      LOG.fine(() -> "quota row of " + owner + " inserted concurrently: " + e);
    }
    try {
      write.run();
    } catch (ContainerStore.QuotaExceeded e) {
      throw quotaReached(e.live());
    }
  }

  /** The agent URL containers get: {@code CMS_AGENT_GATEWAY_URL}, else the agent listener's. */
  public String agentUrl() {
    return settings
        .agentGatewayUrl()
        .orElseGet(() -> "ws://host.docker.internal:" + settings.agentPort() + "/ws/v1/agent");
  }

  /** A warm-pool container: its record and the engine's id. */
  public record Pooled(String id, String engineId) {}

  /**
   * Creates and starts a container for the warm pool, with the default limits and no environment of
   * a user, owned by {@link #POOL_OWNER} and labelled {@link #LABEL_POOL} = {@code template} (the
   * caller waits for its agent).
   */
  public Pooled createPooled(String template, String image) {
    ContainerRecord.Limits limits = limits(CreateRequest.defaults());
    String id = "c-" + Secrets.id(12);
    String agentSecret = Secrets.token(40);
    Instant now = Instant.now();
    ContainerRecord record =
        new ContainerRecord(
            id,
            POOL_OWNER,
            limits,
            Map.of(),
            Secrets.hash(clientTokens.tokenFor(id)),
            Secrets.hash(agentSecret),
            now);
    record.fromTemplate(template);
    record.madeBy(identity.id());
    store.add(
        record,
        new ContainerEvent(
            id,
            "STATUS",
            null,
            ContainerStatus.CREATING,
            "created for the warm pool (template " + template + ")",
            now));
    launch(
        id,
        POOL_OWNER,
        () -> image,
        limits,
        Map.of(),
        agentSecret,
        agentUrl(),
        Map.of(LABEL_POOL, template),
        null);
    return new Pooled(id, find(id).engineId());
  }

  /**
   * Gives a waiting warm-pool container to its user (within their quota): owner, limits and labels
   * on the record, its clocks start now, and the owner's event stream hears of it. The engine's
   * limits and the agent's environment are the pool's part, done before.
   *
   * @throws IllegalStateException when the container no longer waits in the pool
   * @throws ApiException when the owner's quota is used up
   */
  public ContainerView handOver(String id, WarmSupply.Claim claim) {
    Instant now = Instant.now();
    withinQuota(
        claim.owner(),
        () ->
            announce(
                id,
                store.updateWithinQuota(
                    claim.owner(),
                    settings.maxContainersPerKey(),
                    LIVE,
                    id,
                    rec -> {
                      if (!POOL_OWNER.equals(rec.ownerId())
                          || rec.status() != ContainerStatus.RUNNING) {
                        throw new IllegalStateException(id + " no longer waits in the warm pool");
                      }
                      rec.claim(claim.owner(), claim.limits(), claim.labels(), now);
                      return rec.transition(
                          ContainerStatus.RUNNING, "claimed from the warm pool", now);
                    })));
    ContainerRecord rec = find(id);
    if (!rec.ownerId().equals(claim.owner())) {
      throw new IllegalStateException(id + " no longer waits in the warm pool");
    }
    return withToken(view(rec, claim.publicBase()), clientTokens.tokenFor(id));
  }

  /** Whether the record is a warm-pool container that still waits, RUNNING. */
  public boolean pooledAndRunning(String id) {
    ContainerRecord rec = store.find(id);
    return rec != null && isPooled(rec) && rec.status() == ContainerStatus.RUNNING;
  }

  /** Removes a waiting warm-pool container (engine and record); not one a user claimed. */
  public void removePooled(String id, String reason) {
    ContainerRecord rec;
    try {
      rec = store.find(id);
    } catch (RuntimeException e) {
      // at the gateway's stop the server closes the application's data source before the warm
      // pool drains; the caller knows this one waits (a claim takes it off the pool's list first),
      // so it goes from the engine (the next start's reconciliation marks its record)
      LOG.fine(() -> "no database for removing pooled " + id + ": " + e);
      for (RuntimeContainer c : pooledOnEngine()) {
        if (id.equals(c.labels().get(LABEL_RECORD))) {
          runtime.remove(c.engineId());
        }
      }
      return;
    }
    if (rec != null && isPooled(rec)) {
      remove(id, reason);
    }
  }

  /**
   * The warm-pool containers with a live record (e.g. left by an earlier run of the gateway); none
   * at the gateway's stop without the database (the engine's pool label stays on a claimed
   * container, so only the record tells a waiting one; the next start's clean-up removes them).
   */
  public List<String> pooledRecords() {
    try {
      return store.byOwner(POOL_OWNER).stream()
          .filter(r -> ON_ENGINE.contains(r.status()) && ours(r))
          .map(ContainerRecord::id)
          .toList();
    } catch (RuntimeException e) {
      LOG.fine(() -> "no database for listing the pooled records: " + e);
      return List.of();
    }
  }

  private List<RuntimeContainer> pooledOnEngine() {
    return runtime.list(Map.of(LABEL_GATEWAY, identity.id())).stream()
        .filter(c -> c.labels().containsKey(LABEL_POOL) && c.labels().containsKey(LABEL_RECORD))
        .toList();
  }

  /** Whether this gateway made the container (its engine holds it): it reconciles and reaps it. */
  private boolean ours(ContainerRecord rec) {
    return rec.madeBy(identity.id(), true);
  }

  private static boolean isPooled(ContainerRecord rec) {
    return POOL_OWNER.equals(rec.ownerId());
  }

  /**
   * Creates and starts the engine's container of a record in CREATING, then records it RUNNING; a
   * failure records it FAILED and answers the matching problem.
   */
  private void launch(
      String id,
      String owner,
      java.util.function.Supplier<String> imageOf,
      ContainerRecord.Limits limits,
      Map<String, String> env,
      String agentSecret,
      String agentUrl,
      Map<String, String> extraLabels,
      RuntimeSnapshot fork) {
    busy.add(id);
    try {
      String image = imageOf.get();
      Map<String, String> containerEnv = new LinkedHashMap<>(env);
      containerEnv.put("CMS_AGENT_URL", agentUrl);
      containerEnv.put("CMS_AGENT_SECRET", agentSecret);
      containerEnv.put("CMS_CONTAINER_ID", id);
      Map<String, String> engineLabels = new LinkedHashMap<>(extraLabels);
      engineLabels.put(LABEL_GATEWAY, identity.id());
      engineLabels.put(LABEL_RECORD, id);
      engineLabels.put(LABEL_OWNER, owner);
      ContainerSpec spec =
          new ContainerSpec(
              "cms-" + id,
              image,
              engineLabels,
              containerEnv,
              limits.memoryMb(),
              limits.cpus(),
              limits.pidsLimit(),
              limits.diskMb());
      String engineId =
          fork == null ? runtime.createAndStart(spec) : runtime.createAndStart(spec, fork);
      update(
          id,
          rec -> {
            rec.assignEngine(engineId, image);
            return rec.transition(ContainerStatus.RUNNING, "container started", Instant.now());
          });
    } catch (DiskLimitUnavailableException e) {
      fail(id, e.getMessage());
      throw ApiException.unavailable(e.getMessage(), e).withRule("disk-limit-unavailable");
    } catch (RuntimeUnavailableException e) {
      fail(id, e.getMessage());
      throw ApiException.unavailable("the container engine is unreachable", e);
    } catch (RuntimeFailureException | IllegalStateException e) {
      fail(id, e.getMessage());
      throw new ApiException(500, "Internal Server Error", "container creation failed", e);
    } finally {
      busy.remove(id);
    }
  }

  /**
   * Completes with the freshly created container's view once its agent is connected or the ready
   * timeout passed ({@code ?wait=ready} without holding a request thread).
   */
  public CompletableFuture<ContainerView> whenReady(
      ContainerView created, String publicBase, java.util.concurrent.Executor executor) {
    return agents
        .whenConnected(created.id(), settings.readyTimeout())
        .thenApplyAsync(
            connected -> withToken(view(find(created.id()), publicBase), created.token()),
            executor);
  }

  /** A caller's container; 404 when it does not exist or belongs to another key. */
  public ContainerView get(String owner, String id, String publicBase) {
    return view(touch(owner, id), publicBase);
  }

  /**
   * The caller's containers, newest first, optionally only those in one status; with a {@code null}
   * owner (an admin), every owner's.
   */
  public List<ContainerView> list(
      String owner, Optional<ContainerStatus> status, String publicBase) {
    if (owner == null) {
      List<ContainerStatus> in = status.map(List::of).orElse(List.of(ContainerStatus.values()));
      return store.inStatuses(in).stream()
          .filter(r -> !isPooled(r))
          .sorted(java.util.Comparator.comparing(ContainerRecord::createdAt).reversed())
          .map(r -> view(r, publicBase))
          .toList();
    }
    List<ContainerRecord> records =
        status.map(s -> store.byOwner(owner, s)).orElseGet(() -> store.byOwner(owner));
    return records.stream().map(r -> view(r, publicBase)).toList();
  }

  /** A container's history, oldest first. */
  public List<EventView> history(String owner, String id) {
    owned(owner, id);
    return store.history(id).stream()
        .map(e -> new EventView(e.at(), e.kind(), e.fromStatus(), e.toStatus(), e.reason()))
        .toList();
  }

  /** The client token and WebSocket URL of a caller's live container (to attach another client). */
  public Map<String, String> clientAccess(String owner, String id, String publicBase) {
    ContainerRecord rec = owned(owner, id);
    if (!rec.status().isLive()) {
      throw ApiException.conflict(
          "container " + id + " is " + rec.status() + "; no terminal to attach");
    }
    touch(owner, id);
    return Map.of("token", clientTokens.tokenFor(id), "websocketUrl", websocketUrl(publicBase, id));
  }

  /** Stops and removes the container; its record stays, DELETED. Repeating it is harmless. */
  public ContainerView delete(String owner, String id, String publicBase) {
    owned(owner, id);
    remove(id, "deleted by API");
    return view(find(id), publicBase);
  }

  /** Stops a running container (RUNNING → STOPPED). */
  public ContainerView stop(String owner, String id, String publicBase) {
    ContainerRecord rec = owned(owner, id);
    synchronized (lock(id)) {
      rec = find(id);
      if (rec.status() == ContainerStatus.STOPPED) {
        return view(rec, publicBase);
      }
      if (rec.status() != ContainerStatus.RUNNING && rec.status() != ContainerStatus.PAUSED) {
        throw ApiException.conflict(
            "container "
                + id
                + " is "
                + rec.status()
                + "; only a RUNNING or PAUSED one can be stopped");
      }
      String engineId = rec.engineId();
      busy.add(id);
      try {
        engine(
            () -> {
              runtime.stop(engineId, Duration.ofSeconds(settings.stopGraceSeconds()));
              return null;
            });
        agents.drop(id, "container stopped");
        update(id, r -> r.transition(ContainerStatus.STOPPED, "stopped by API", Instant.now()));
      } finally {
        busy.remove(id);
      }
    }
    return view(touch(owner, id), publicBase);
  }

  /**
   * Pauses a running container (RUNNING → PAUSED): the engine freezes its processes, memory kept.
   * The agent's link is dropped (a frozen agent answers nothing; streams on the link end at once
   * instead of hanging); the agent dials again after the resume.
   */
  public ContainerView pause(String owner, String id, String publicBase) {
    owned(owner, id);
    synchronized (lock(id)) {
      ContainerRecord rec = find(id);
      if (rec.status() == ContainerStatus.PAUSED) {
        return view(rec, publicBase);
      }
      if (rec.status() != ContainerStatus.RUNNING) {
        throw ApiException.conflict(
            "container " + id + " is " + rec.status() + "; only a RUNNING one can be paused");
      }
      String engineId = rec.engineId();
      busy.add(id);
      try {
        engine(
            () -> {
              runtime.pause(engineId);
              return null;
            });
        agents.drop(id, "container paused");
        update(id, r -> r.transition(ContainerStatus.PAUSED, "paused by API", Instant.now()));
      } finally {
        busy.remove(id);
      }
    }
    return view(touch(owner, id), publicBase);
  }

  /**
   * Resumes a paused container (PAUSED → RUNNING); its agent dials back on its own ({@link
   * #whenAgentBack} waits for it). The idle clock starts again.
   */
  public ContainerView resume(String owner, String id, String publicBase) {
    owned(owner, id);
    synchronized (lock(id)) {
      ContainerRecord rec = find(id);
      if (rec.status() == ContainerStatus.RUNNING) {
        return view(rec, publicBase);
      }
      if (rec.status() != ContainerStatus.PAUSED) {
        throw ApiException.conflict(
            "container " + id + " is " + rec.status() + "; only a PAUSED one can be resumed");
      }
      String engineId = rec.engineId();
      busy.add(id);
      try {
        engine(
            () -> {
              runtime.resume(engineId);
              return null;
            });
        Instant now = Instant.now();
        update(
            id,
            r -> {
              r.touch(now);
              return r.transition(ContainerStatus.RUNNING, "resumed by API", now);
            });
      } finally {
        busy.remove(id);
      }
    }
    return view(touch(owner, id), publicBase);
  }

  /**
   * Completes with the container's view once its agent is connected, or at the ready timeout with
   * it as it is then; holds no thread while waiting.
   */
  public CompletableFuture<ContainerView> whenAgentBack(String id, String publicBase) {
    return agents
        .whenConnected(id, settings.readyTimeout())
        .thenApply(connected -> view(find(id), publicBase));
  }

  /** What a snapshot is taken of: a container held for it (see {@link #whileHeld}). */
  public record Held(String id, String ownerId, String engineId, ContainerStatus status) {}

  /**
   * Runs {@code work} on the caller's container with no other operation on it meanwhile and its
   * engine events left alone (a snapshot freezes it for the capture); 409 unless it is RUNNING,
   * PAUSED or STOPPED.
   */
  public <T> T whileHeld(String owner, String id, java.util.function.Function<Held, T> work) {
    owned(owner, id);
    synchronized (lock(id)) {
      ContainerRecord rec = find(id);
      if (!HOLDABLE.contains(rec.status()) || rec.engineId() == null) {
        throw ApiException.conflict(
            "container " + id + " is " + rec.status() + "; only a RUNNING, PAUSED or STOPPED one");
      }
      busy.add(id);
      try {
        return work.apply(new Held(id, rec.ownerId(), rec.engineId(), rec.status()));
      } finally {
        busy.remove(id);
      }
    }
  }

  private boolean stillPaused(String engineId) {
    try {
      return engineId != null
          && runtime.inspect(engineId).map(RuntimeContainer::paused).orElse(false);
    } catch (RuntimeException e) {
      return true; // the engine said so a moment ago
    }
  }

  /** The caller's container, whatever its state; else a 404. */
  public void requireOwned(String owner, String id) {
    owned(owner, id);
  }

  /** Starts a stopped (or terminated) container again (→ RUNNING). */
  public ContainerView start(String owner, String id, String publicBase) {
    ContainerRecord rec = owned(owner, id);
    synchronized (lock(id)) {
      rec = find(id);
      if (rec.status() == ContainerStatus.RUNNING) {
        return view(rec, publicBase);
      }
      if (rec.status() != ContainerStatus.STOPPED && rec.status() != ContainerStatus.TERMINATED) {
        throw ApiException.conflict(
            "container " + id + " is " + rec.status() + "; only a STOPPED one can be started");
      }
      String engineId = rec.engineId();
      busy.add(id);
      try {
        // the agent process that starts knows only the create-time secret
        store.armAgentSecret(id);
        engine(
            () -> {
              runtime.start(engineId);
              return null;
            });
        update(
            id,
            r -> {
              r.exited(null);
              return r.transition(ContainerStatus.RUNNING, "started by API", Instant.now());
            });
      } finally {
        busy.remove(id);
      }
    }
    return view(touch(owner, id), publicBase);
  }

  /**
   * Whether an agent presenting {@code presented} may speak for the container: the create-time
   * secret is accepted once after each (re)start and exchanged for a link credential, which is
   * accepted from then on. Never for a container that is gone.
   *
   * @return the admission; {@link AgentAdmission#credential} is the new link credential when the
   *     secret was exchanged
   */
  public AgentAdmission admitAgent(String id, String presented) {
    try {
      return store.admitAgent(id, presented);
    } catch (RuntimeException e) {
      if (!optimisticLock(e)) {
        throw e;
      }
      // two HELLOs raced for the one exchange: the other won
      LOG.fine(() -> "agent admission for " + id + " lost a race: " + e);
      return AgentAdmission.REFUSED;
    }
  }

  /**
   * The WELCOME that carried {@code credential} never reached the agent: it still holds only the
   * create-time secret, which is accepted once more (unless another link took over meanwhile).
   */
  public void undoAgentExchange(String id, String credential) {
    try {
      store.undoAgentExchange(id, credential);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "could not re-arm the agent secret of " + id, e);
    }
  }

  /**
   * Whether an agent data connection presenting {@code credential} may carry the container's
   * preview traffic: the container RUNNING and the credential its current link credential.
   */
  public boolean acceptsDataConnection(String id, String credential) {
    ContainerRecord rec = store.find(id);
    return rec != null
        && rec.status() == ContainerStatus.RUNNING
        && rec.agentLinkHash() != null
        && Secrets.matches(credential, rec.agentLinkHash());
  }

  /** Whether the client token opens the container's client WebSocket. */
  public boolean acceptsClient(String id, String token) {
    ContainerRecord rec = store.find(id);
    return rec != null && rec.status().isLive() && Secrets.matches(token, rec.clientTokenHash());
  }

  /** Records activity on a container (API calls, terminal and preview traffic). */
  public void activity(String id) {
    touchRecord(id, null);
  }

  /** Adds a note (not a status change) to a container's history, e.g. a file written. */
  public void note(String id, String kind, String text) {
    try {
      store.note(ContainerEvent.note(id, kind, text, Instant.now()));
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "could not record " + kind + " for " + id, e);
    }
  }

  /** The caller's container if it is RUNNING with its agent connected; else a clear 404/409/503. */
  public void requireRunning(String owner, String id) {
    ContainerRecord rec = owned(owner, id);
    if (rec.status() == ContainerStatus.PAUSED) {
      throw ApiException.conflict("container " + id + " is paused; resume it first")
          .withRule("paused");
    }
    if (rec.status() != ContainerStatus.RUNNING) {
      throw ApiException.conflict(
          "container " + id + " is " + rec.status() + "; it must be RUNNING");
    }
    activity(id);
  }

  private volatile RateWindow linkEvents;

  /**
   * Records agent link changes in the container's history, at most {@link
   * Settings#linkEventsPerMinute()} a minute per container: a reconnect storm adds a bounded number
   * of rows, the rest are counted in one {@code AGENT_LINK_CHURN} row when the next minute starts.
   */
  void onAgentLink(@Observes Agents.LinkChanged change) {
    RateWindow window = linkEvents;
    if (window == null) {
      synchronized (this) {
        if (linkEvents == null) {
          linkEvents = new RateWindow(settings.linkEventsPerMinute(), 100_000);
        }
        window = linkEvents;
      }
    }
    RateWindow.Decision d = window.admit(change.containerId());
    if (!d.allowed() && d.suppressedBefore() == 0) {
      return;
    }
    try {
      List<ContainerEvent> notes = new ArrayList<>(2);
      if (d.suppressedBefore() > 0) {
        notes.add(
            ContainerEvent.note(
                change.containerId(),
                "AGENT_LINK_CHURN",
                d.suppressedBefore()
                    + " more agent link changes not recorded (more than "
                    + settings.linkEventsPerMinute()
                    + " a minute)",
                Instant.now()));
      }
      if (d.allowed()) {
        notes.add(
            ContainerEvent.note(
                change.containerId(),
                change.connected() ? "AGENT_CONNECTED" : "AGENT_DISCONNECTED",
                change.detail(),
                Instant.now()));
      }
      store.note(change.containerId(), notes);
      if (d.suppressedBefore() > 0) {
        LOG.warning(
            () ->
                "agent of "
                    + change.containerId()
                    + ": "
                    + d.suppressedBefore()
                    + " link changes in a minute were not recorded (reconnect storm)");
      }
    } catch (RuntimeException e) {
      LOG.log(
          Level.WARNING, "could not record the agent link change of " + change.containerId(), e);
    }
  }

  /** Applies an engine event to the record it names. */
  public void onRuntimeEvent(RuntimeEvent event) {
    if (event.kind() == RuntimeEvent.Kind.RESYNC) {
      try {
        reconcile("found after a gap in the engine's events");
      } catch (RuntimeException e) {
        LOG.warning(() -> "cannot reconcile after the engine's event gap: " + e.getMessage());
      }
      return;
    }
    String id = event.labels().get(LABEL_RECORD);
    if (id == null || busy.contains(id)) {
      if (id != null && event.kind() == RuntimeEvent.Kind.OOM) {
        oomKilled.add(id);
      }
      return;
    }
    synchronized (lock(id)) {
      if (busy.contains(id)) {
        return;
      }
      ContainerRecord rec = store.find(id);
      if (rec == null || rec.status().isFinal()) {
        return;
      }
      Instant now = Instant.now();
      switch (event.kind()) {
        case OOM -> oomKilled.add(id);
        case PAUSED -> {
          // a late event of a freeze that is over (a snapshot) is not a pause
          if (rec.status() == ContainerStatus.RUNNING && stillPaused(rec.engineId())) {
            agents.drop(id, "container paused");
            update(
                id, r -> r.transition(ContainerStatus.PAUSED, "paused outside the gateway", now));
          }
        }
        case RESUMED -> {
          if (rec.status() == ContainerStatus.PAUSED) {
            update(
                id,
                r -> {
                  r.touch(now);
                  return r.transition(ContainerStatus.RUNNING, "resumed outside the gateway", now);
                });
          }
        }
        case DIED -> {
          if (rec.status() == ContainerStatus.RUNNING
              || rec.status() == ContainerStatus.CREATING
              || rec.status() == ContainerStatus.PAUSED) {
            String why = oomKilled.remove(id) ? OOM_KILLED : "exited with code " + event.exitCode();
            update(
                id,
                r -> {
                  r.exited(event.exitCode());
                  return r.transition(
                      ContainerStatus.TERMINATED, why + " (outside the gateway)", now);
                });
            agents.drop(id, "container exited");
            LOG.info(() -> "container " + id + " terminated: " + why);
          }
        }
        case STARTED -> {
          // started (or restarted) by the engine's side: a new agent process, which knows only
          // the create-time secret, and nothing else runs in the container before it
          store.armAgentSecret(id);
          if (rec.status() == ContainerStatus.STOPPED
              || rec.status() == ContainerStatus.TERMINATED) {
            update(
                id,
                r -> {
                  r.exited(null);
                  return r.transition(ContainerStatus.RUNNING, "started outside the gateway", now);
                });
          }
        }
        case REMOVED -> {
          update(
              id, r -> r.transition(ContainerStatus.DELETED, "removed outside the gateway", now));
          agents.drop(id, "container removed");
          LOG.info(() -> "container " + id + " was removed outside the gateway");
        }
      }
    }
  }

  /**
   * Makes the records agree with the engine after a (re)start: records of containers that vanished
   * become DELETED, exited ones TERMINATED, running ones RUNNING; containers of this gateway
   * without a live record are removed.
   */
  public void reconcile() {
    reconcile("found at gateway start");
    reconciled = true;
  }

  private volatile boolean reconciled;

  /** Whether the records were reconciled with the engine since the gateway started. */
  public boolean reconciled() {
    return reconciled;
  }

  private void reconcile(String found) {
    List<RuntimeContainer> onEngine = runtime.list(Map.of(LABEL_GATEWAY, identity.id()));
    Map<String, RuntimeContainer> byRecord = new HashMap<>();
    for (RuntimeContainer c : onEngine) {
      String rid = c.labels().get(LABEL_RECORD);
      if (rid != null) {
        byRecord.put(rid, c);
      }
    }
    // the records of this gateway's containers only: another gateway sharing the database keeps
    // its own (its containers carry its id, and may be on another engine)
    List<ContainerRecord> records =
        store.inStatuses(ON_ENGINE).stream().filter(this::ours).toList();
    int changed = 0;
    Instant now = Instant.now();
    for (ContainerRecord rec : records) {
      RuntimeContainer c = byRecord.remove(rec.id());
      if (busy.contains(rec.id())) {
        // being created, started or stopped right now: that operation sets the record
        continue;
      }
      ContainerStatus before = rec.status();
      if (c == null) {
        update(
            rec.id(),
            r ->
                r.transition(ContainerStatus.DELETED, "gone from the engine (" + found + ")", now));
      } else if (c.running() && c.paused() && before != ContainerStatus.PAUSED) {
        agents.drop(rec.id(), "container paused");
        update(
            rec.id(),
            r -> {
              r.exited(null);
              return r.transition(ContainerStatus.PAUSED, "paused (" + found + ")", now);
            });
      } else if (c.running() && !c.paused() && before != ContainerStatus.RUNNING) {
        update(
            rec.id(),
            r -> {
              r.exited(null);
              return r.transition(ContainerStatus.RUNNING, "running (" + found + ")", now);
            });
      } else if (!c.running()
          && (before == ContainerStatus.RUNNING
              || before == ContainerStatus.CREATING
              || before == ContainerStatus.PAUSED)) {
        String why = c.oomKilled() ? OOM_KILLED : "exited with code " + c.exitCode();
        update(
            rec.id(),
            r -> {
              r.exited(c.exitCode());
              return r.transition(ContainerStatus.TERMINATED, why + " (" + found + ")", now);
            });
      } else {
        continue;
      }
      changed++;
    }
    for (RuntimeContainer orphan : byRecord.values()) {
      if (busy.contains(orphan.labels().get(LABEL_RECORD))) {
        continue;
      }
      LOG.info(() -> "removing orphan container " + orphan.engineId() + " (no live record)");
      runtime.remove(orphan.engineId());
      changed++;
    }
    try {
      runtime.releaseLeftovers();
    } catch (RuntimeException e) {
      LOG.warning(() -> "cannot release leftover disks yet: " + e.getMessage());
    }
    int total = records.size();
    int changes = changed;
    LOG.info(() -> "reconciled " + total + " records with the engine; " + changes + " corrected");
  }

  /**
   * Removes containers past their idle timeout or time to live. A PAUSED container is never idle
   * (pausing is a request to keep it; its idle clock starts again at the resume), but its time to
   * live runs on.
   */
  public void reap() {
    Instant now = Instant.now();
    List<ContainerRecord> live = store.inStatuses(ON_ENGINE);
    for (ContainerRecord rec : live) {
      if (isPooled(rec) || !ours(rec)) {
        continue; // waits for a user: its clocks start at the claim; the pool checks its health
      }
      var limits = rec.limits();
      String why = null;
      Meters.Reaped kind = null;
      if (Duration.between(rec.createdAt(), now).toSeconds() >= limits.ttlSeconds()) {
        why = "time to live of " + limits.ttlSeconds() + " s expired";
        kind = Meters.Reaped.TTL;
      } else if (rec.status() != ContainerStatus.PAUSED
          && Duration.between(rec.lastActivityAt(), now).toSeconds()
              >= limits.idleTimeoutSeconds()) {
        why = "idle for more than " + limits.idleTimeoutSeconds() + " s";
        kind = Meters.Reaped.IDLE;
      }
      if (why != null) {
        String reason = why;
        LOG.info(() -> "reaping container " + rec.id() + ": " + reason);
        try {
          remove(rec.id(), reason);
          meters.reaped(kind);
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "could not reap " + rec.id(), e);
        }
      }
    }
  }

  private void remove(String id, String reason) {
    synchronized (lock(id)) {
      ContainerRecord rec = find(id);
      if (rec.status() == ContainerStatus.DELETED || rec.status() == ContainerStatus.FAILED) {
        // a repeated delete (or a reap of a gone record) must not leave its lock behind
        locks.remove(id);
        return;
      }
      busy.add(id);
      try {
        agents.drop(id, "container deleted");
        if (rec.engineId() != null) {
          String engineId = rec.engineId();
          engine(
              () -> {
                runtime.remove(engineId);
                return null;
              });
        }
        update(id, r -> r.transition(ContainerStatus.DELETED, reason, Instant.now()));
      } finally {
        busy.remove(id);
      }
    }
  }

  private void fail(String id, String reason) {
    try {
      update(id, r -> r.transition(ContainerStatus.FAILED, reason, Instant.now()));
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "could not record the failure of " + id, e);
    }
  }

  /** The owner of a container record; empty when there is no such record. */
  public java.util.Optional<String> ownerOf(String id) {
    ContainerRecord rec = store.find(id);
    return rec == null || isPooled(rec)
        ? java.util.Optional.empty()
        : java.util.Optional.of(rec.ownerId());
  }

  private ContainerRecord owned(String owner, String id) {
    ContainerRecord rec = store.find(id);
    if (rec == null || isPooled(rec) || (owner != null && !rec.ownerId().equals(owner))) {
      throw notOwned(id);
    }
    return rec;
  }

  private static ApiException notOwned(String id) {
    return ApiException.notFound("no container '" + id + "' for this API key");
  }

  private ContainerRecord find(String id) {
    ContainerRecord rec = store.find(id);
    if (rec == null) {
      throw ApiException.notFound("no container '" + id + "'");
    }
    return rec;
  }

  /** The caller's container, with the call recorded as activity: one transaction. */
  private ContainerRecord touch(String owner, String id) {
    ContainerRecord rec = touchRecord(id, owner);
    if (rec == null || isPooled(rec)) {
      throw notOwned(id);
    }
    return rec;
  }

  /**
   * Records activity (written at most every {@link #ACTIVITY_WRITE_INTERVAL}) and returns the
   * record; with an owner, a container of another key is a 404 and nothing is written.
   */
  private ContainerRecord touchRecord(String id, String owner) {
    try {
      return touchRecord(id, owner, true);
    } catch (RuntimeException e) {
      if (!optimisticLock(e)) {
        throw e;
      }
      // a concurrent call on the same container recorded its activity a moment ago: read only
      return touchRecord(id, owner, false);
    }
  }

  private static boolean optimisticLock(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof jakarta.persistence.OptimisticLockException) {
        return true;
      }
    }
    return false;
  }

  private ContainerRecord touchRecord(String id, String owner, boolean write) {
    ContainerRecord rec = store.touch(id, owner, write, Instant.now(), ACTIVITY_WRITE_INTERVAL);
    if (owner != null && rec == null) {
      throw notOwned(id);
    }
    return rec;
  }

  private void update(
      String id, java.util.function.Function<ContainerRecord, ContainerEvent> change) {
    announce(id, store.update(id, change));
  }

  /** Tells the observers of a status change the store recorded (nothing for a note or null). */
  private void announce(String id, ContainerEvent event) {
    if (event != null && event.toStatus() != null) {
      try {
        statusChanges.fire(new ContainerStatusChanged(id, event.toStatus(), event.reason()));
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "a status observer failed for " + id, e);
      }
      if (event.toStatus().isFinal()) {
        // nothing more happens to a final record: its lock and flags would only pile up
        locks.remove(id);
        oomKilled.remove(id);
      }
    }
  }

  /** The current status of a container (for the client socket). */
  public ContainerStatus statusOf(String id) {
    return find(id).status();
  }

  private Object lock(String id) {
    return locks.computeIfAbsent(id, k -> new Object());
  }

  private static <T> T engine(Supplier<T> call) {
    try {
      return call.get();
    } catch (RuntimeUnavailableException e) {
      throw ApiException.unavailable("the container engine is unreachable", e);
    } catch (RuntimeFailureException e) {
      throw new ApiException(502, "Bad Gateway", "the container engine refused the operation", e);
    }
  }

  private ContainerView view(ContainerRecord r, String publicBase) {
    var l = r.limits();
    boolean exited = r.status() == ContainerStatus.TERMINATED || r.exitCode() != null;
    return new ContainerView(
        r.id(),
        r.status(),
        agents.isConnected(r.id()),
        r.createdAt(),
        r.updatedAt(),
        r.lastActivityAt(),
        new ContainerView.Limits(
            l.memoryMb(),
            l.cpus(),
            l.pidsLimit(),
            l.idleTimeoutSeconds(),
            l.ttlSeconds(),
            l.diskMb()),
        r.labels(),
        exited ? r.exitCode() : null,
        r.reason(),
        websocketUrl(publicBase, r.id()),
        null,
        r.template(),
        r.snapshotId());
  }

  private static ContainerView withToken(ContainerView v, String token) {
    return new ContainerView(
        v.id(),
        v.status(),
        v.agentConnected(),
        v.createdAt(),
        v.updatedAt(),
        v.lastActivityAt(),
        v.limits(),
        v.labels(),
        v.exitCode(),
        v.reason(),
        v.websocketUrl(),
        token,
        v.template(),
        v.snapshot());
  }

  static String websocketUrl(String publicBase, String id) {
    String ws =
        publicBase.startsWith("https://")
            ? "wss://" + publicBase.substring(8)
            : publicBase.startsWith("http://") ? "ws://" + publicBase.substring(7) : publicBase;
    return ws + "/ws/v1/containers/" + id;
  }

  /** The request's limits, the settings' defaults where it names none (both validated). */
  private ContainerRecord.Limits limits(CreateRequest r) {
    int memory = r.memoryMb() == null ? settings.defaultMemoryMb() : r.memoryMb();
    double cpus = r.cpus() == null ? settings.defaultCpus() : r.cpus();
    long idle =
        r.idleTimeoutSeconds() == null
            ? settings.defaultIdleTimeoutSeconds()
            : r.idleTimeoutSeconds();
    long ttl = r.ttlSeconds() == null ? settings.defaultTtlSeconds() : r.ttlSeconds();
    return new ContainerRecord.Limits(
        memory, cpus, settings.pidsLimit(), idle, ttl, Math.max(0, settings.diskMb()));
  }
}
