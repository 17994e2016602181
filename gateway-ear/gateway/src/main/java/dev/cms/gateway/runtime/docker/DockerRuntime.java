package dev.cms.gateway.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.RestartPolicy;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import dev.cms.gateway.config.Settings;
import dev.cms.gateway.runtime.ContainerRuntime;
import dev.cms.gateway.runtime.ContainerSpec;
import dev.cms.gateway.runtime.ImageRecipe;
import dev.cms.gateway.runtime.RuntimeContainer;
import dev.cms.gateway.runtime.RuntimeEvent;
import dev.cms.gateway.runtime.RuntimeFailureException;
import dev.cms.gateway.runtime.RuntimeSnapshot;
import dev.cms.gateway.runtime.RuntimeUnavailableException;
import dev.cms.gateway.runtime.SnapshotSpec;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/** {@link ContainerRuntime} on a Docker engine, through docker-java. */
@ApplicationScoped
public class DockerRuntime implements ContainerRuntime {

  private static final Logger LOG = Logger.getLogger(DockerRuntime.class.getName());
  private static final String CA_IN_CONTAINER = "/etc/cms/extra-ca.crt";
  private static final List<String> PASSED_PROXY_VARS =
      List.of("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy");

  @Inject Settings settings;

  private DockerClient client;
  private AppContainerImage image;
  private ContainerDisks disks;
  private DockerSnapshots snapshots;
  private final Object networkLock = new Object();
  private volatile boolean networkReady;

  /**
   * How containers name the host: the network's own gateway address (the host's side of the
   * bridge), else the engine's {@code host-gateway}. Not {@code host-gateway} first: an engine
   * restarted with live-restore while containers run resolves it to nothing ({@code <nil>} in
   * /etc/hosts) and new containers could not reach the gateway.
   */
  private volatile String hostAddress = "host-gateway";

  private static final String BRIDGE_NAME_OPTION = "com.docker.network.bridge.name";
  private static final long CONTAINMENT_RECHECK_NANOS = 5_000_000_000L;

  @PostConstruct
  void init() {
    var config =
        DefaultDockerClientConfig.createDefaultConfigBuilder()
            .withDockerHost(settings.dockerHost())
            .build();
    var http =
        new ApacheDockerHttpClient.Builder()
            .dockerHost(config.getDockerHost())
            .sslConfig(config.getSSLConfig())
            .maxConnections(64)
            .connectionTimeout(Duration.ofSeconds(5))
            .build();
    client = DockerClientImpl.getInstance(config, http);
    image = new AppContainerImage(client, settings.baseImage());
    disks =
        new ContainerDisks(client, settings.dataDir(), settings.diskMb(), settings.dockerHost());
    disks.logSetting();
    snapshots = new DockerSnapshots(client, settings.dataDir());
  }

  @PreDestroy
  void close() {
    HostFirewall f = firewall;
    if (f != null) {
      f.removeOwn();
    }
    try {
      client.close();
    } catch (IOException e) {
      LOG.log(Level.FINE, "closing the Docker client", e);
    }
  }

  private final Object containmentLock = new Object();
  private volatile HostFirewall firewall;
  private volatile String containmentProblem;
  private volatile long containmentCheckedAt;
  private volatile boolean containmentOffLogged;

  @Override
  public Optional<String> containmentProblem() {
    if (!settings.containment()) {
      if (!containmentOffLogged) {
        containmentOffLogged = true;
        LOG.warning(
            "CMS_CONTAINMENT=off: containers are NOT contained; code in them can reach every port"
                + " of this host, link-local addresses (cloud metadata) and the gateway's API");
      }
      return Optional.empty();
    }
    synchronized (containmentLock) {
      long now = System.nanoTime();
      if (firewall != null && now - containmentCheckedAt < CONTAINMENT_RECHECK_NANOS) {
        return Optional.ofNullable(containmentProblem);
      }
      containmentCheckedAt = now;
      if (firewall == null) {
        try {
          ensureNetwork();
          HostFirewall f =
              new HostFirewall(bridgeName(), settings.agentPort(), settings.containerHostAllow());
          containmentProblem = f.install().orElse(null);
          firewall = f;
          if (containmentProblem == null) {
            LOG.info(
                "containment in place: containers on "
                    + settings.network()
                    + " reach only the agent port "
                    + settings.agentPort()
                    + " of this host"
                    + (settings.containerHostAllow().isEmpty()
                        ? ""
                        : " and " + settings.containerHostAllow())
                    + ", no link-local address, no other container");
          } else {
            LOG.severe(
                "containment NOT in place: "
                    + containmentProblem
                    + "; no container is created until it is (CMS_CONTAINMENT=off runs without)");
          }
        } catch (RuntimeException e) {
          // the engine is not there yet: try again on the next call
          return Optional.of("containment not set up yet: " + e.getMessage());
        }
      } else {
        String before = containmentProblem;
        containmentProblem = firewall.verify().orElse(null);
        if (containmentProblem != null && !containmentProblem.equals(before)) {
          LOG.severe("containment lost: " + containmentProblem + " (restart the gateway)");
        }
      }
      return Optional.ofNullable(containmentProblem);
    }
  }

  /** The host interface of the containers' network (Docker names it br-<first 12 of the id>). */
  private String bridgeName() {
    var net = client.inspectNetworkCmd().withNetworkId(settings.network()).exec();
    String named = net.getOptions() == null ? null : net.getOptions().get(BRIDGE_NAME_OPTION);
    return named != null && !named.isBlank() ? named : "br-" + net.getId().substring(0, 12);
  }

  @Override
  public void ping() {
    call("ping the engine", () -> client.pingCmd().exec());
  }

  @Override
  public String ensureImage() {
    return call("build the AppContainer image", image::ensure);
  }

  /** The AppContainer images of templates' own bases, by base. */
  private final Map<String, AppContainerImage> templateBases = new ConcurrentHashMap<>();

  @Override
  public String ensureTemplateImage(ImageRecipe recipe, Duration timeout) {
    return call(
        "build the image of template " + recipe.name(),
        () -> {
          ensureNetwork();
          // the setup runs on the containers' network: contained as they are, or not at all yet
          Optional<String> uncontained = containmentProblem();
          if (uncontained.isPresent()) {
            throw new RuntimeUnavailableException(
                "template images are not built while the network containment is not in place: "
                    + uncontained.get(),
                null);
          }
          AppContainerImage agent =
              recipe.base() == null || recipe.base().equals(settings.baseImage())
                  ? image
                  : templateBases.computeIfAbsent(
                      recipe.base(), base -> new AppContainerImage(client, base));
          Map<String, String> proxies = new LinkedHashMap<>();
          for (String proxyVar : PASSED_PROXY_VARS) {
            String value = System.getenv(proxyVar);
            if (value != null) {
              proxies.put(proxyVar, value);
            }
          }
          return TemplateImage.ensure(
              client,
              recipe,
              agent,
              settings.extraCaBundle(),
              proxies,
              settings.network(),
              timeout);
        });
  }

  @Override
  public String createAndStart(ContainerSpec spec) {
    return createAndStart(spec, id -> {});
  }

  @Override
  public String createAndStart(ContainerSpec spec, RuntimeSnapshot from) {
    ContainerSpec fromImage =
        new ContainerSpec(
            spec.name(),
            from.image(),
            spec.labels(),
            spec.env(),
            spec.memoryMb(),
            spec.cpus(),
            spec.pidsLimit(),
            spec.diskMb());
    return createAndStart(fromImage, id -> snapshots.restore(id, from));
  }

  private String createAndStart(ContainerSpec spec, Consumer<String> beforeStart) {
    if (spec.diskMb() <= 0) {
      return createAndStartContainer(spec, beforeStart);
    }
    try {
      String id = createAndStartContainer(spec, beforeStart);
      disks.created(spec.name());
      return id;
    } catch (RuntimeException e) {
      releaseDiskQuietly(spec.name());
      throw e;
    }
  }

  private String createAndStartContainer(ContainerSpec spec, Consumer<String> beforeStart) {
    ensureNetwork();
    Optional<String> uncontained = containmentProblem();
    if (uncontained.isPresent()) {
      throw new RuntimeUnavailableException(
          "containers are not created while their network containment is not in place: "
              + uncontained.get(),
          null);
    }
    String hostName = hostAddress;
    // One value per name, in the documented precedence: the proxy and CA variables the gateway
    // sets,
    // then the create request's env over them (the image's own environment is under all of these).
    Map<String, String> vars = new LinkedHashMap<>();
    for (String proxyVar : PASSED_PROXY_VARS) {
      String value = System.getenv(proxyVar);
      if (value != null) {
        vars.put(proxyVar, value);
      }
    }
    long memoryBytes = spec.memoryMb() * 1024L * 1024L;
    HostConfig host =
        HostConfig.newHostConfig()
            .withMemory(memoryBytes)
            .withMemorySwap(memoryBytes)
            .withNanoCPUs(Math.round(spec.cpus() * 1_000_000_000d))
            .withPidsLimit(spec.pidsLimit())
            .withInit(true)
            .withSecurityOpts(List.of("no-new-privileges"))
            .withCapDrop(Capability.ALL)
            // the agent runs as root with these only: switching to the user (setpriv) and
            // signalling the user's processes; the user's code runs without any
            .withCapAdd(Capability.SETUID, Capability.SETGID, Capability.SETPCAP, Capability.KILL)
            .withNetworkMode(settings.network())
            .withExtraHosts("host.docker.internal:" + hostName)
            // IPv6 on the loopback interface only (the engine switches it off on a network without
            // IPv6): an app bound to ::1 (Node's "localhost") listens and is previewable
            .withSysctls(Map.of("net.ipv6.conf.lo.disable_ipv6", "0"))
            .withRestartPolicy(RestartPolicy.noRestart());
    Optional<java.nio.file.Path> ca = settings.extraCaBundle();
    if (ca.isPresent()) {
      if (!Files.isReadable(ca.get())) {
        throw new RuntimeFailureException(
            "CMS_EXTRA_CA_BUNDLE " + ca.get() + " is not readable", null);
      }
      host.withBinds(Bind.parse(ca.get().toAbsolutePath() + ":" + CA_IN_CONTAINER + ":ro"));
      vars.put("NODE_EXTRA_CA_CERTS", CA_IN_CONTAINER);
      vars.put("NPM_CONFIG_CAFILE", CA_IN_CONTAINER);
    }
    if (spec.diskMb() > 0) {
      // everything the container may write is on its own disk, or a small tmpfs
      host.withMounts(call("prepare the disk of " + spec.name(), () -> disks.prepare(spec.name())))
          .withReadonlyRootfs(true)
          .withTmpFs(Map.of("/run", "rw,nosuid,nodev,size=16m,mode=0755"));
    }
    vars.putAll(spec.env());
    List<String> env = new ArrayList<>();
    vars.forEach((k, v) -> env.add(k + "=" + v));
    return call(
        "create container " + spec.name(),
        () -> {
          String id =
              client
                  .createContainerCmd(spec.image())
                  .withName(spec.name())
                  .withLabels(spec.labels())
                  .withEnv(env)
                  .withUser("0:0")
                  .withHostConfig(host)
                  .exec()
                  .getId();
          try {
            beforeStart.accept(id);
            client.startContainerCmd(id).exec();
          } catch (RuntimeException e) {
            quietlyRemove(id);
            throw e;
          }
          return id;
        });
  }

  @Override
  public void updateLimits(String engineId, int memoryMb, double cpus) {
    long memoryBytes = memoryMb * 1024L * 1024L;
    call(
        "update the limits of container",
        () ->
            client
                .updateContainerCmd(engineId)
                .withMemory(memoryBytes)
                .withMemorySwap(memoryBytes)
                .withNanoCPUs(Math.round(cpus * 1_000_000_000d))
                .exec());
  }

  @Override
  public RuntimeSnapshot snapshot(String engineId, SnapshotSpec spec) {
    return call(
        "snapshot container",
        () -> {
          // a stopped container's disk may be unmounted after a reboot of the host
          nameOf(engineId).ifPresent(disks::ensureMounted);
          var state = client.inspectContainerCmd(engineId).exec().getState();
          boolean freeze =
              Boolean.TRUE.equals(state.getRunning()) && !Boolean.TRUE.equals(state.getPaused());
          if (freeze) {
            freeze(engineId);
          }
          try {
            return snapshots.capture(engineId, spec);
          } finally {
            if (freeze) {
              try {
                client.unpauseContainerCmd(engineId).exec();
              } catch (NotModifiedException | NotFoundException | ConflictException e) {
                LOG.log(Level.FINE, "unpause after the snapshot", e);
              }
            }
          }
        });
  }

  private static final int FREEZE_ATTEMPTS = 5;

  /**
   * Pauses for a snapshot. The kernel's freezer gives up ("unable to freeze") while a process is in
   * the middle of something it cannot be stopped in (seen right after a container's start): a few
   * tries, a moment apart, then the engine's refusal stands.
   */
  private void freeze(String engineId) {
    for (int attempt = 1; ; attempt++) {
      try {
        client.pauseContainerCmd(engineId).exec();
        return;
      } catch (com.github.dockerjava.api.exception.InternalServerErrorException e) {
        if (attempt >= FREEZE_ATTEMPTS
            || e.getMessage() == null
            || !e.getMessage().contains("freeze")) {
          throw e;
        }
        LOG.fine(() -> "the engine could not freeze " + engineId + " yet: " + e.getMessage());
        try {
          Thread.sleep(200L * attempt);
        } catch (InterruptedException stop) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  @Override
  public void removeSnapshot(String snapshotId) {
    call(
        "remove snapshot " + snapshotId,
        () -> {
          snapshots.remove(snapshotId);
          return null;
        });
  }

  @Override
  public Set<String> snapshots(Map<String, String> labels) {
    return call("list snapshots", () -> snapshots.ids(labels));
  }

  @Override
  public void start(String engineId) {
    call(
        "start container",
        () -> {
          // after a reboot of the host the container's disk must be mounted again
          nameOf(engineId).ifPresent(disks::ensureMounted);
          try {
            client.startContainerCmd(engineId).exec();
          } catch (NotModifiedException alreadyRunning) {
            // the wanted state holds
          }
          return null;
        });
  }

  @Override
  public void pause(String engineId) {
    call(
        "pause container",
        () -> {
          if (!isPaused(engineId)) {
            client.pauseContainerCmd(engineId).exec();
          }
          return null;
        });
  }

  @Override
  public void resume(String engineId) {
    call(
        "resume container",
        () -> {
          unpauseIfPaused(engineId);
          return null;
        });
  }

  private boolean isPaused(String engineId) {
    try {
      var state = client.inspectContainerCmd(engineId).exec().getState();
      return Boolean.TRUE.equals(state.getPaused());
    } catch (NotFoundException gone) {
      return false;
    }
  }

  /** The engine refuses to signal a paused container: it runs again first. */
  private void unpauseIfPaused(String engineId) {
    if (isPaused(engineId)) {
      try {
        client.unpauseContainerCmd(engineId).exec();
      } catch (NotModifiedException | NotFoundException | ConflictException alreadyRunning) {
        // the wanted state holds, or the container is gone
      }
    }
  }

  @Override
  public void stop(String engineId, Duration grace) {
    call(
        "stop container",
        () -> {
          unpauseIfPaused(engineId);
          try {
            client.stopContainerCmd(engineId).withTimeout((int) grace.toSeconds()).exec();
          } catch (NotModifiedException alreadyStopped) {
            // the wanted state holds
          }
          return null;
        });
  }

  @Override
  public void remove(String engineId) {
    call(
        "remove container",
        () -> {
          Optional<String> name = nameOf(engineId);
          unpauseIfPaused(engineId);
          try {
            client.removeContainerCmd(engineId).withForce(true).withRemoveVolumes(true).exec();
          } catch (NotFoundException gone) {
            // the wanted state holds
          }
          name.ifPresent(this::releaseDiskQuietly); // what fails now, releaseLeftovers retries
          return null;
        });
  }

  @Override
  public void releaseLeftovers() {
    call(
        "release the disks of removed containers",
        () -> {
          Set<String> existing = new HashSet<>();
          List<String> names = disks.names();
          if (names.isEmpty()) {
            return null;
          }
          // taken before the engine is asked: a disk prepared then may have its container by now
          Set<String> preparing = disks.preparing();
          for (var c : client.listContainersCmd().withShowAll(true).exec()) {
            if (c.getNames() != null) {
              for (String n : c.getNames()) {
                existing.add(n.startsWith("/") ? n.substring(1) : n);
              }
            }
          }
          for (String name : names) {
            if (!existing.contains(name) && !preparing.contains(name) && !disks.isPreparing(name)) {
              LOG.info(() -> "releasing the disk of " + name + ": its container is gone");
              releaseDiskQuietly(name);
            }
          }
          return null;
        });
  }

  /** The container's name without the engine's leading slash, unless it is gone. */
  private Optional<String> nameOf(String engineId) {
    try {
      String name = client.inspectContainerCmd(engineId).exec().getName();
      return Optional.ofNullable(name).map(n -> n.startsWith("/") ? n.substring(1) : n);
    } catch (NotFoundException gone) {
      return Optional.empty();
    }
  }

  private void releaseDiskQuietly(String name) {
    try {
      disks.release(name);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "could not release the disk of " + name + " (will retry)", e);
    }
  }

  @Override
  public Optional<RuntimeContainer> inspect(String engineId) {
    return call(
        "inspect container",
        () -> {
          try {
            var c = client.inspectContainerCmd(engineId).exec();
            var state = c.getState();
            Long exit = state.getExitCodeLong();
            return Optional.of(
                new RuntimeContainer(
                    c.getId(),
                    c.getConfig().getLabels() == null ? Map.of() : c.getConfig().getLabels(),
                    Boolean.TRUE.equals(state.getRunning()),
                    Boolean.TRUE.equals(state.getPaused()),
                    exit == null ? null : exit.intValue(),
                    Boolean.TRUE.equals(state.getOOMKilled()),
                    state.getError()));
          } catch (NotFoundException gone) {
            return Optional.empty();
          }
        });
  }

  @Override
  public List<RuntimeContainer> list(Map<String, String> labels) {
    return call(
        "list containers",
        () -> {
          List<RuntimeContainer> out = new ArrayList<>();
          for (var c :
              client.listContainersCmd().withShowAll(true).withLabelFilter(labels).exec()) {
            inspect(c.getId()).ifPresent(out::add);
          }
          return out;
        });
  }

  @Override
  public AutoCloseable watch(Map<String, String> labels, Consumer<RuntimeEvent> listener) {
    return EngineEvents.follow(client, labels, listener);
  }

  private void ensureNetwork() {
    if (networkReady) {
      return;
    }
    synchronized (networkLock) {
      if (networkReady) {
        return;
      }
      String name = settings.network();
      call(
          "create network " + name,
          () -> {
            boolean exists =
                client.listNetworksCmd().withNameFilter(name).exec().stream()
                    .anyMatch(n -> name.equals(n.getName()));
            if (!exists) {
              client
                  .createNetworkCmd()
                  .withName(name)
                  .withDriver("bridge")
                  .withOptions(Map.of("com.docker.network.bridge.enable_icc", "false"))
                  .withLabels(Map.of("cms.network", "true"))
                  .exec();
              LOG.info(
                  () -> "created network " + name + " (bridge, inter-container traffic disabled)");
            }
            var ipam = client.inspectNetworkCmd().withNetworkId(name).exec().getIpam();
            if (ipam != null && ipam.getConfig() != null) {
              for (var config : ipam.getConfig()) {
                String gateway = config.getGateway();
                if (gateway != null && gateway.matches("[0-9.]+")) {
                  hostAddress = gateway;
                  LOG.info(() -> "containers reach the host at " + gateway + " on " + name);
                  break;
                }
              }
            }
            return null;
          });
      networkReady = true;
    }
  }

  private void quietlyRemove(String id) {
    try {
      client.removeContainerCmd(id).withForce(true).exec();
    } catch (RuntimeException e) {
      LOG.log(Level.FINE, "cleanup of " + id, e);
    }
  }

  /** Runs an engine call, sorting failures into unreachable engine versus refused operation. */
  private static <T> T call(String what, Supplier<T> action) {
    try {
      return action.get();
    } catch (DockerException e) {
      throw new RuntimeFailureException(
          "the Docker engine could not " + what + ": " + firstLine(e.getMessage()), e);
    } catch (RuntimeFailureException | RuntimeUnavailableException e) {
      throw e;
    } catch (RuntimeException e) {
      if (isConnectionFailure(e)) {
        throw new RuntimeUnavailableException(
            "the Docker engine is unreachable ("
                + firstLine(String.valueOf(rootCause(e).getMessage()))
                + ")",
            e);
      }
      throw new RuntimeFailureException("could not " + what + ": " + firstLine(e.toString()), e);
    }
  }

  private static boolean isConnectionFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IOException) {
        return true;
      }
    }
    return false;
  }

  private static Throwable rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    String t = s.strip();
    int nl = t.indexOf('\n');
    return nl < 0 ? t : t.substring(0, nl);
  }
}
