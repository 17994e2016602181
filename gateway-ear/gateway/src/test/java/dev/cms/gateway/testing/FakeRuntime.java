package dev.cms.gateway.testing;

import dev.cms.gateway.runtime.ContainerRuntime;
import dev.cms.gateway.runtime.ContainerSpec;
import dev.cms.gateway.runtime.ImageRecipe;
import dev.cms.gateway.runtime.RuntimeContainer;
import dev.cms.gateway.runtime.RuntimeEvent;
import dev.cms.gateway.runtime.RuntimeFailureException;
import dev.cms.gateway.runtime.RuntimeSnapshot;
import dev.cms.gateway.runtime.RuntimeUnavailableException;
import dev.cms.gateway.runtime.SnapshotSpec;
import dev.cms.gateway.runtime.SnapshotTooLargeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * An in-memory container runtime for unit tests of the gateway's controls: containers with labels
 * and a lifecycle (created running; paused, stopped, started, removed), images made on demand (a
 * template's build may be told to fail or to take a while), snapshots, and the lifecycle events
 * that a {@link #watch} would get from an engine. It keeps the SPI's contracts (an unknown
 * container is a {@link RuntimeFailureException}, removing one that is gone is not an error), and
 * {@link #unreachable} makes every call fail as an engine that cannot be reached does.
 *
 * <p>Nothing here pretends to be Docker: tests that claim Docker behaviour run against the real
 * engine (the system tests).
 */
public final class FakeRuntime implements ContainerRuntime {

  /** The AppContainer image this runtime "builds". */
  public static final String APP_IMAGE = "fake/appcontainer:1";

  private final Map<String, Box> containers = new LinkedHashMap<>();
  private final Map<String, RuntimeSnapshot> snapshots = new LinkedHashMap<>();
  private final Map<String, String> templateImages = new HashMap<>();
  private final Map<String, String> failingTemplates = new HashMap<>();
  private final List<Watch> watches = new CopyOnWriteArrayList<>();
  private final AtomicInteger ids = new AtomicInteger();

  /** Every call, in order, as "method arg…", for tests that check what a control asked for. */
  public final List<String> calls = new CopyOnWriteArrayList<>();

  /** Image builds that ran (not those answered from an existing image). */
  public final AtomicInteger builds = new AtomicInteger();

  private volatile String unreachable;
  private volatile String containmentProblem;
  private volatile Duration buildTime = Duration.ZERO;

  private static final class Box {
    final ContainerSpec spec;
    final String image;
    boolean running = true;
    boolean paused;
    Integer exitCode;
    boolean oomKilled;
    int memoryMb;
    double cpus;

    Box(ContainerSpec spec, String image) {
      this.spec = spec;
      this.image = image;
      this.memoryMb = spec.memoryMb();
      this.cpus = spec.cpus();
    }
  }

  private record Watch(Map<String, String> labels, Consumer<RuntimeEvent> listener) {}

  // ---- what a test sets --------------------------------------------------------------------

  /** From now on every call fails as an engine that cannot be reached (null: reachable again). */
  public FakeRuntime unreachable(String why) {
    this.unreachable = why;
    return this;
  }

  /** What {@link #containmentProblem} reports (null: containment in place). */
  public FakeRuntime containmentProblem(String why) {
    this.containmentProblem = why;
    return this;
  }

  /** The build of this template's image fails with this message (the build's output). */
  public FakeRuntime failTemplate(String name, String message) {
    failingTemplates.put(name, message);
    return this;
  }

  /** Each image build takes this long (the calling thread blocks, as the SPI says). */
  public FakeRuntime buildTime(Duration d) {
    this.buildTime = d;
    return this;
  }

  /** The container's main process ended with this exit code: DIED to the watchers. */
  public void exit(String engineId, int exitCode) {
    Map<String, String> labels;
    synchronized (this) {
      Box b = box(engineId);
      b.running = false;
      b.paused = false;
      b.exitCode = exitCode;
      labels = b.spec.labels();
    }
    emit(new RuntimeEvent(RuntimeEvent.Kind.DIED, engineId, labels, exitCode));
  }

  /**
   * The kernel killed the container for memory: it exited with 137 and inspects as OOM-killed; OOM
   * then DIED to the watchers (in the engine's order).
   */
  public void oomKill(String engineId) {
    Map<String, String> labels;
    synchronized (this) {
      Box b = box(engineId);
      b.running = false;
      b.paused = false;
      b.exitCode = 137;
      b.oomKilled = true;
      labels = b.spec.labels();
    }
    emit(new RuntimeEvent(RuntimeEvent.Kind.OOM, engineId, labels, null));
    emit(new RuntimeEvent(RuntimeEvent.Kind.DIED, engineId, labels, 137));
  }

  /** The event stream broke and was followed again: RESYNC to the watchers. */
  public void resync() {
    emit(RuntimeEvent.resync());
  }

  /** The containers this runtime holds, by engine id. */
  public synchronized Set<String> containerIds() {
    return Set.copyOf(containers.keySet());
  }

  /** The spec a container was created with. */
  public synchronized ContainerSpec spec(String engineId) {
    return box(engineId).spec;
  }

  /** The limits a container runs with now: {memoryMb, cpus}. */
  public synchronized double[] limits(String engineId) {
    Box b = box(engineId);
    return new double[] {b.memoryMb, b.cpus};
  }

  /** How many watches are open. */
  public int watchers() {
    return watches.size();
  }

  // ---- the SPI -----------------------------------------------------------------------------

  @Override
  public Optional<String> containmentProblem() {
    call("containmentProblem");
    return Optional.ofNullable(containmentProblem);
  }

  @Override
  public void ping() {
    call("ping");
  }

  @Override
  public String ensureImage() {
    call("ensureImage");
    synchronized (this) {
      if (templateImages.containsKey("")) {
        return templateImages.get("");
      }
    }
    build();
    synchronized (this) {
      templateImages.put("", APP_IMAGE);
    }
    return APP_IMAGE;
  }

  @Override
  public String ensureTemplateImage(ImageRecipe recipe, Duration timeout) {
    call("ensureTemplateImage " + recipe.name());
    synchronized (this) {
      String have = templateImages.get(recipe.name());
      if (have != null) {
        return have;
      }
    }
    if (buildTime.compareTo(timeout) > 0) {
      throw new RuntimeFailureException(
          "template " + recipe.name() + ": the setup did not finish within " + timeout, null);
    }
    build();
    String failure = failingTemplates.get(recipe.name());
    if (failure != null) {
      throw new RuntimeFailureException(
          "template " + recipe.name() + ": the setup failed; last build output:\n" + failure, null);
    }
    String image = "fake/template-" + recipe.name() + ":" + Integer.toHexString(recipe.hashCode());
    synchronized (this) {
      templateImages.put(recipe.name(), image);
    }
    return image;
  }

  @Override
  public String createAndStart(ContainerSpec spec) {
    call("createAndStart " + spec.name());
    String id = "e" + ids.incrementAndGet();
    synchronized (this) {
      containers.put(id, new Box(spec, spec.image()));
    }
    emit(new RuntimeEvent(RuntimeEvent.Kind.STARTED, id, spec.labels(), null));
    return id;
  }

  @Override
  public void updateLimits(String engineId, int memoryMb, double cpus) {
    call("updateLimits " + engineId + " " + memoryMb + " " + cpus);
    synchronized (this) {
      Box b = box(engineId);
      if (!b.running) {
        throw new RuntimeFailureException("container " + engineId + " is not running", null);
      }
      b.memoryMb = memoryMb;
      b.cpus = cpus;
    }
  }

  @Override
  public String createAndStart(ContainerSpec spec, RuntimeSnapshot from) {
    call("createAndStart " + spec.name() + " from " + from.snapshotId());
    String id = "e" + ids.incrementAndGet();
    synchronized (this) {
      if (!snapshots.containsKey(from.snapshotId())) {
        throw new RuntimeFailureException("no snapshot " + from.snapshotId(), null);
      }
      containers.put(id, new Box(spec, from.image()));
    }
    emit(new RuntimeEvent(RuntimeEvent.Kind.STARTED, id, spec.labels(), null));
    return id;
  }

  @Override
  public RuntimeSnapshot snapshot(String engineId, SnapshotSpec spec) {
    call("snapshot " + engineId + " " + spec.snapshotId());
    synchronized (this) {
      Box b = box(engineId);
      long bytes = 1024L * 1024 * Math.max(1, b.spec.diskMb() / 64);
      if (bytes > spec.maxBytes()) {
        throw new SnapshotTooLargeException(
            "the snapshot would take " + bytes + " bytes, more than " + spec.maxBytes());
      }
      RuntimeSnapshot s =
          new RuntimeSnapshot(
              spec.snapshotId(),
              "fake/snapshot:" + spec.snapshotId(),
              "sha256:" + spec.snapshotId(),
              null,
              bytes,
              0);
      snapshots.put(spec.snapshotId(), s);
      return s;
    }
  }

  @Override
  public void removeSnapshot(String snapshotId) {
    call("removeSnapshot " + snapshotId);
    synchronized (this) {
      snapshots.remove(snapshotId);
    }
  }

  @Override
  public synchronized Set<String> snapshots(Map<String, String> labels) {
    call("snapshots");
    return Set.copyOf(snapshots.keySet());
  }

  @Override
  public void start(String engineId) {
    call("start " + engineId);
    Map<String, String> labels;
    synchronized (this) {
      Box b = box(engineId);
      if (b.running) {
        return;
      }
      b.running = true;
      b.exitCode = null;
      b.oomKilled = false;
      labels = b.spec.labels();
    }
    emit(new RuntimeEvent(RuntimeEvent.Kind.STARTED, engineId, labels, null));
  }

  @Override
  public void pause(String engineId) {
    call("pause " + engineId);
    Map<String, String> labels;
    synchronized (this) {
      Box b = box(engineId);
      if (!b.running) {
        throw new RuntimeFailureException("container " + engineId + " is not running", null);
      }
      if (b.paused) {
        return;
      }
      b.paused = true;
      labels = b.spec.labels();
    }
    emit(new RuntimeEvent(RuntimeEvent.Kind.PAUSED, engineId, labels, null));
  }

  @Override
  public void resume(String engineId) {
    call("resume " + engineId);
    Map<String, String> labels;
    synchronized (this) {
      Box b = box(engineId);
      if (!b.paused) {
        return;
      }
      b.paused = false;
      labels = b.spec.labels();
    }
    emit(new RuntimeEvent(RuntimeEvent.Kind.RESUMED, engineId, labels, null));
  }

  @Override
  public void stop(String engineId, Duration grace) {
    call("stop " + engineId);
    Map<String, String> labels;
    synchronized (this) {
      Box b = box(engineId);
      if (!b.running) {
        return;
      }
      b.running = false;
      b.paused = false;
      b.exitCode = 143;
      labels = b.spec.labels();
    }
    emit(new RuntimeEvent(RuntimeEvent.Kind.DIED, engineId, labels, 143));
  }

  @Override
  public void remove(String engineId) {
    call("remove " + engineId);
    Box b;
    synchronized (this) {
      b = containers.remove(engineId);
    }
    if (b != null) {
      emit(new RuntimeEvent(RuntimeEvent.Kind.REMOVED, engineId, b.spec.labels(), null));
    }
  }

  @Override
  public void releaseLeftovers() {
    call("releaseLeftovers");
  }

  @Override
  public synchronized Optional<RuntimeContainer> inspect(String engineId) {
    call("inspect " + engineId);
    Box b = containers.get(engineId);
    return Optional.ofNullable(b).map(x -> view(engineId, x));
  }

  @Override
  public synchronized List<RuntimeContainer> list(Map<String, String> labels) {
    call("list");
    List<RuntimeContainer> out = new ArrayList<>();
    containers.forEach(
        (id, b) -> {
          if (carries(b.spec.labels(), labels)) {
            out.add(view(id, b));
          }
        });
    return out;
  }

  @Override
  public AutoCloseable watch(Map<String, String> labels, Consumer<RuntimeEvent> listener) {
    call("watch");
    Watch w = new Watch(Map.copyOf(labels), listener);
    watches.add(w);
    return () -> watches.remove(w);
  }

  // ---- inside ------------------------------------------------------------------------------

  private void call(String what) {
    calls.add(what);
    String why = unreachable;
    if (why != null) {
      throw new RuntimeUnavailableException("container engine unreachable: " + why, null);
    }
  }

  private void build() {
    builds.incrementAndGet();
    if (!buildTime.isZero()) {
      try {
        Thread.sleep(buildTime.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RuntimeFailureException("the build was interrupted", e);
      }
    }
  }

  private Box box(String engineId) {
    Box b = containers.get(engineId);
    if (b == null) {
      throw new RuntimeFailureException("no such container: " + engineId, null);
    }
    return b;
  }

  private static RuntimeContainer view(String id, Box b) {
    return new RuntimeContainer(
        id, b.spec.labels(), b.running, b.paused, b.exitCode, b.oomKilled, null);
  }

  private static boolean carries(Map<String, String> have, Map<String, String> wanted) {
    return have.entrySet().containsAll(wanted.entrySet());
  }

  private void emit(RuntimeEvent e) {
    for (Watch w : watches) {
      if (e.kind() == RuntimeEvent.Kind.RESYNC || carries(e.labels(), w.labels())) {
        w.listener().accept(e);
      }
    }
  }

  @Override
  public String toString() {
    return "FakeRuntime" + containers.keySet().stream().collect(Collectors.toList());
  }
}
