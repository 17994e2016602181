package dev.cms.gateway.containers.control;

import dev.cms.domain.ContainerStatus;
import dev.cms.gateway.agents.control.Agents;
import dev.cms.gateway.config.Settings;
import dev.cms.gateway.containers.entity.ContainerEvent;
import dev.cms.gateway.containers.entity.ContainerRecord;
import dev.cms.gateway.problems.ApiException;
import dev.cms.gateway.runtime.ContainerRuntime;
import dev.cms.gateway.runtime.RuntimeSnapshot;
import dev.cms.gateway.security.ClientTokens;
import dev.cms.gateway.security.Secrets;
import dev.cms.gateway.templates.control.Templates;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Validator;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The container lifecycle as callers ask for it: create (from the warm pool, a template or a
 * snapshot), read, list, stop, pause, resume, start and delete a caller's containers, each on the
 * runtime and in its record. Operations on one container are serialised ({@link ContainerLedger});
 * the engine's side is {@link ContainerEngine}, the engine's own events {@link EngineSync}.
 */
@ApplicationScoped
public class Containers {

  private static final Logger LOG = Logger.getLogger(Containers.class.getName());

  private static final Set<ContainerStatus> HOLDABLE =
      EnumSet.of(ContainerStatus.RUNNING, ContainerStatus.PAUSED, ContainerStatus.STOPPED);

  @Inject ContainerLedger ledger;
  @Inject ContainerEngine engine;
  @Inject ContainerQuota quota;
  @Inject ContainerStore store;
  @Inject ContainerRuntime runtime;
  @Inject Agents agents;
  @Inject Settings settings;
  @Inject Validator validator;
  @Inject GatewayIdentity identity;
  @Inject ClientTokens clientTokens;
  @Inject ContainerMeters readiness;
  @Inject Templates templates;
  @Inject WarmSupply warm;
  @Inject SnapshotSource snapshots;

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
    ContainerRecord.Limits limits = engine.limits(r);
    Map<String, String> labels = r.labels() == null ? Map.of() : new LinkedHashMap<>(r.labels());
    Map<String, String> env = r.env() == null ? Map.of() : r.env();
    // the template: refused before any record when unknown, still building or failed
    Templates.Choice template = templates.choose(r.template());
    quota.check(owner);
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
    quota.within(
        owner,
        () ->
            store.addWithinQuota(
                owner,
                quota.limit(),
                ContainerLedger.LIVE,
                record,
                new ContainerEvent(
                    id, "STATUS", null, ContainerStatus.CREATING, "created by API", now)));
    Map<String, String> engineLabels = new LinkedHashMap<>();
    labels.forEach((k, v) -> engineLabels.put("user." + k, v));
    readiness.created(id, began);
    engine.launch(
        new ContainerEngine.Launch(
            id,
            owner,
            () -> fork != null ? fork.image() : template.image().orElseGet(runtime::ensureImage),
            limits,
            env,
            agentSecret,
            endpoints.agentUrl(),
            engineLabels,
            fork));
    return ledger.view(ledger.find(id), endpoints.publicBase()).withToken(token);
  }

  /** The agent URL containers get: {@code CMS_AGENT_GATEWAY_URL}, else the agent listener's. */
  public String agentUrl() {
    return engine.agentUrl();
  }

  /**
   * Completes with the freshly created container's view once its agent is connected or the ready
   * timeout passed ({@code ?wait=ready} without holding a request thread).
   */
  public CompletableFuture<ContainerView> whenReady(
      ContainerView created, String publicBase, Executor executor) {
    return agents
        .whenConnected(created.id(), settings.readyTimeout())
        .thenApplyAsync(
            connected ->
                ledger.view(ledger.find(created.id()), publicBase).withToken(created.token()),
            executor);
  }

  /** A caller's container; 404 when it does not exist or belongs to another key. */
  public ContainerView get(String owner, String id, String publicBase) {
    return ledger.view(ledger.touch(owner, id), publicBase);
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
          .filter(r -> !r.pooled())
          .sorted(Comparator.comparing(ContainerRecord::createdAt).reversed())
          .map(r -> ledger.view(r, publicBase))
          .toList();
    }
    List<ContainerRecord> records =
        status.map(s -> store.byOwner(owner, s)).orElseGet(() -> store.byOwner(owner));
    return records.stream().map(r -> ledger.view(r, publicBase)).toList();
  }

  /** A container's history, oldest first. */
  public List<EventView> history(String owner, String id) {
    ledger.owned(owner, id);
    return store.history(id).stream()
        .map(e -> new EventView(e.at(), e.kind(), e.fromStatus(), e.toStatus(), e.reason()))
        .toList();
  }

  /** The client token and WebSocket URL of a caller's live container (to attach another client). */
  public Map<String, String> clientAccess(String owner, String id, String publicBase) {
    ContainerRecord rec = ledger.owned(owner, id);
    if (!rec.status().isLive()) {
      throw ApiException.conflict(
          "container " + id + " is " + rec.status() + "; no terminal to attach");
    }
    ledger.touch(owner, id);
    return Map.of(
        "token",
        clientTokens.tokenFor(id),
        "websocketUrl",
        ContainerView.websocketUrl(publicBase, id));
  }

  /** Stops and removes the container; its record stays, DELETED. Repeating it is harmless. */
  public ContainerView delete(String owner, String id, String publicBase) {
    ledger.owned(owner, id);
    engine.remove(id, "deleted by API");
    return ledger.view(ledger.find(id), publicBase);
  }

  /** Stops a running or paused container (→ STOPPED). */
  public ContainerView stop(String owner, String id, String publicBase) {
    return change(
        owner,
        id,
        publicBase,
        ContainerStatus.STOPPED,
        EnumSet.of(ContainerStatus.RUNNING, ContainerStatus.PAUSED),
        "only a RUNNING or PAUSED one can be stopped",
        engineId -> {
          ContainerEngine.call(
              () -> runtime.stop(engineId, Duration.ofSeconds(settings.stopGraceSeconds())));
          agents.drop(id, "container stopped");
          ledger.update(
              id, r -> r.transition(ContainerStatus.STOPPED, "stopped by API", Instant.now()));
        });
  }

  /**
   * Pauses a running container (RUNNING → PAUSED): the engine freezes its processes, memory kept.
   * The agent's link is dropped (a frozen agent answers nothing; streams on the link end at once
   * instead of hanging); the agent dials again after the resume.
   */
  public ContainerView pause(String owner, String id, String publicBase) {
    return change(
        owner,
        id,
        publicBase,
        ContainerStatus.PAUSED,
        EnumSet.of(ContainerStatus.RUNNING),
        "only a RUNNING one can be paused",
        engineId -> {
          ContainerEngine.call(() -> runtime.pause(engineId));
          agents.drop(id, "container paused");
          ledger.update(
              id, r -> r.transition(ContainerStatus.PAUSED, "paused by API", Instant.now()));
        });
  }

  /**
   * Resumes a paused container (PAUSED → RUNNING); its agent dials back on its own ({@link
   * #whenAgentBack} waits for it). The idle clock starts again.
   */
  public ContainerView resume(String owner, String id, String publicBase) {
    return change(
        owner,
        id,
        publicBase,
        ContainerStatus.RUNNING,
        EnumSet.of(ContainerStatus.PAUSED),
        "only a PAUSED one can be resumed",
        engineId -> {
          ContainerEngine.call(() -> runtime.resume(engineId));
          Instant now = Instant.now();
          ledger.update(
              id,
              r -> {
                r.touch(now);
                return r.transition(ContainerStatus.RUNNING, "resumed by API", now);
              });
        });
  }

  /** Starts a stopped (or terminated) container again (→ RUNNING). */
  public ContainerView start(String owner, String id, String publicBase) {
    return change(
        owner,
        id,
        publicBase,
        ContainerStatus.RUNNING,
        EnumSet.of(ContainerStatus.STOPPED, ContainerStatus.TERMINATED),
        "only a STOPPED one can be started",
        engineId -> {
          // the agent process that starts knows only the create-time secret
          store.armAgentSecret(id);
          ContainerEngine.call(() -> runtime.start(engineId));
          ledger.update(
              id,
              r -> {
                r.exited(null);
                return r.transition(ContainerStatus.RUNNING, "started by API", Instant.now());
              });
        });
  }

  /**
   * One change of a caller's container on the engine, under its lock and in flight: nothing when it
   * is in {@code target} already, a 409 saying {@code only} unless it is in one of {@code from}.
   * {@code work} gets the engine's id and records the new status.
   */
  private ContainerView change(
      String owner,
      String id,
      String publicBase,
      ContainerStatus target,
      Set<ContainerStatus> from,
      String only,
      Consumer<String> work) {
    ledger.owned(owner, id);
    synchronized (ledger.lock(id)) {
      ContainerRecord rec = ledger.find(id);
      if (rec.status() == target) {
        return ledger.view(rec, publicBase);
      }
      if (!from.contains(rec.status())) {
        throw refused(rec, only);
      }
      ledger.inFlight(id, () -> work.accept(rec.engineId()));
    }
    return ledger.view(ledger.touch(owner, id), publicBase);
  }

  /** A 409 for an operation the record's status does not allow; a final record's lock goes. */
  private ApiException refused(ContainerRecord rec, String only) {
    if (rec.status().isFinal()) {
      // nothing will happen to it: its lock would only pile up
      ledger.forget(rec.id());
    }
    return ApiException.conflict("container " + rec.id() + " is " + rec.status() + "; " + only);
  }

  /**
   * Completes with the container's view once its agent is connected, or at the ready timeout with
   * it as it is then; holds no thread while waiting.
   */
  public CompletableFuture<ContainerView> whenAgentBack(String id, String publicBase) {
    return agents
        .whenConnected(id, settings.readyTimeout())
        .thenApply(connected -> ledger.view(ledger.find(id), publicBase));
  }

  /** What a snapshot is taken of: a container held for it (see {@link #whileHeld}). */
  public record Held(String id, String ownerId, String engineId, ContainerStatus status) {}

  /**
   * Runs {@code work} on the caller's container with no other operation on it meanwhile and its
   * engine events left alone (a snapshot freezes it for the capture); 409 unless it is RUNNING,
   * PAUSED or STOPPED.
   */
  public <T> T whileHeld(String owner, String id, Function<Held, T> work) {
    ledger.owned(owner, id);
    synchronized (ledger.lock(id)) {
      ContainerRecord rec = ledger.find(id);
      if (!HOLDABLE.contains(rec.status()) || rec.engineId() == null) {
        throw refused(rec, "only a RUNNING, PAUSED or STOPPED one");
      }
      Held held = new Held(id, rec.ownerId(), rec.engineId(), rec.status());
      return ledger.inFlight(id, () -> work.apply(held));
    }
  }

  /** The caller's container, whatever its state; else a 404. */
  public void requireOwned(String owner, String id) {
    ledger.owned(owner, id);
  }

  /** The caller's container if it is RUNNING; else a clear 404 or 409. */
  public void requireRunning(String owner, String id) {
    ContainerRecord rec = ledger.owned(owner, id);
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

  /** Whether the client token opens the container's client WebSocket. */
  public boolean acceptsClient(String id, String token) {
    ContainerRecord rec = store.find(id);
    return rec != null && rec.status().isLive() && Secrets.matches(token, rec.clientTokenHash());
  }

  /** Records activity on a container (API calls, terminal and preview traffic). */
  public void activity(String id) {
    ledger.touchRecord(id, null);
  }

  /** Adds a note (not a status change) to a container's history, e.g. a file written. */
  public void note(String id, String kind, String text) {
    try {
      store.note(ContainerEvent.note(id, kind, text, Instant.now()));
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "could not record " + kind + " for " + id, e);
    }
  }

  /** The owner of a container record; empty when there is no such record. */
  public Optional<String> ownerOf(String id) {
    ContainerRecord rec = store.find(id);
    return rec == null || rec.pooled() ? Optional.empty() : Optional.of(rec.ownerId());
  }

  /** The current status of a container (for the client socket). */
  public ContainerStatus statusOf(String id) {
    return ledger.find(id).status();
  }
}
