package dev.cms.gateway.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Every setting of the gateway, read through MicroProfile Config. Each property {@code cms.x.y} is
 * also read from the environment variable {@code CMS_X_Y}; defaults live in {@code
 * META-INF/microprofile-config.properties}.
 */
@ApplicationScoped
public class Settings {

  @Inject
  @ConfigProperty(name = "cms.api.keys")
  Optional<String> apiKeys;

  @Inject
  @ConfigProperty(name = "cms.data.dir", defaultValue = "cms-data")
  String dataDir;

  @Inject
  @ConfigProperty(name = "cms.gateway.id")
  Optional<String> gatewayId;

  @Inject
  @ConfigProperty(name = "cms.base.image", defaultValue = "node:22-bookworm-slim")
  String baseImage;

  @Inject
  @ConfigProperty(name = "cms.templates")
  Optional<String> templates;

  @Inject
  @ConfigProperty(name = "cms.template.build.timeout.seconds", defaultValue = "900")
  long templateBuildTimeoutSeconds;

  @Inject Config config;

  @Inject
  @ConfigProperty(name = "cms.docker.host", defaultValue = "unix:///var/run/docker.sock")
  String dockerHost;

  @Inject
  @ConfigProperty(name = "cms.network", defaultValue = "cms-net")
  String network;

  @Inject
  @ConfigProperty(name = "cms.agent.gateway.url")
  Optional<String> agentGatewayUrl;

  @Inject
  @ConfigProperty(name = "cms.agent.port", defaultValue = "8081")
  int agentPort;

  @Inject
  @ConfigProperty(name = "cms.agent.address", defaultValue = "0.0.0.0")
  String agentAddress;

  @Inject
  @ConfigProperty(name = "cms.agent.max.connections", defaultValue = "2048")
  int agentMaxConnections;

  @Inject
  @ConfigProperty(name = "cms.http.port", defaultValue = "8080")
  int httpPort;

  @Inject
  @ConfigProperty(name = "cms.containment", defaultValue = "on")
  String containment;

  @Inject
  @ConfigProperty(name = "cms.container.host.allow")
  Optional<String> containerHostAllow;

  @Inject
  @ConfigProperty(name = "cms.public.url")
  Optional<String> publicUrl;

  @Inject
  @ConfigProperty(name = "cms.extra.ca.bundle")
  Optional<String> extraCaBundle;

  @Inject
  @ConfigProperty(name = "cms.default.memory.mb", defaultValue = "1024")
  int defaultMemoryMb;

  @Inject
  @ConfigProperty(name = "cms.max.memory.mb", defaultValue = "8192")
  int maxMemoryMb;

  @Inject
  @ConfigProperty(name = "cms.default.cpus", defaultValue = "1.0")
  double defaultCpus;

  @Inject
  @ConfigProperty(name = "cms.max.cpus", defaultValue = "4.0")
  double maxCpus;

  @Inject
  @ConfigProperty(name = "cms.pids.limit", defaultValue = "512")
  long pidsLimit;

  @Inject
  @ConfigProperty(name = "cms.default.idle.timeout.seconds", defaultValue = "1800")
  long defaultIdleTimeoutSeconds;

  @Inject
  @ConfigProperty(name = "cms.max.idle.timeout.seconds", defaultValue = "86400")
  long maxIdleTimeoutSeconds;

  @Inject
  @ConfigProperty(name = "cms.default.ttl.seconds", defaultValue = "28800")
  long defaultTtlSeconds;

  @Inject
  @ConfigProperty(name = "cms.max.ttl.seconds", defaultValue = "604800")
  long maxTtlSeconds;

  @Inject
  @ConfigProperty(name = "cms.max.containers.per.key", defaultValue = "10")
  int maxContainersPerKey;

  @Inject
  @ConfigProperty(name = "cms.max.snapshots.per.key", defaultValue = "10")
  int maxSnapshotsPerKey;

  @Inject
  @ConfigProperty(name = "cms.ready.timeout.seconds", defaultValue = "60")
  long readyTimeoutSeconds;

  @Inject
  @ConfigProperty(name = "cms.warm.pool.size", defaultValue = "0")
  int warmPoolSize;

  @Inject
  @ConfigProperty(name = "cms.warm.pool.max", defaultValue = "32")
  int warmPoolMax;

  @Inject
  @ConfigProperty(name = "cms.heartbeat.millis", defaultValue = "5000")
  int heartbeatMillis;

  @Inject
  @ConfigProperty(name = "cms.stop.grace.seconds", defaultValue = "5")
  int stopGraceSeconds;

  @Inject
  @ConfigProperty(name = "cms.disk.mb", defaultValue = "4096")
  long diskMb;

  @Inject
  @ConfigProperty(name = "cms.max.upload.mb", defaultValue = "256")
  long maxUploadMb;

  @Inject
  @ConfigProperty(name = "cms.max.archive.entries", defaultValue = "50000")
  long maxArchiveEntries;

  @Inject
  @ConfigProperty(name = "cms.max.unpacked.mb", defaultValue = "1024")
  long maxUnpackedMb;

  @Inject
  @ConfigProperty(name = "cms.max.compression.ratio", defaultValue = "200")
  long maxCompressionRatio;

  @Inject
  @ConfigProperty(name = "cms.max.streams.per.container", defaultValue = "1024")
  int maxStreamsPerContainer;

  @Inject
  @ConfigProperty(name = "cms.max.terminals.per.container", defaultValue = "64")
  int maxTerminalsPerContainer;

  @Inject
  @ConfigProperty(name = "cms.max.processes.per.container", defaultValue = "32")
  int maxProcessesPerContainer;

  @Inject
  @ConfigProperty(name = "cms.max.clients.per.container", defaultValue = "256")
  int maxClientsPerContainer;

  @Inject
  @ConfigProperty(name = "cms.agent.open.timeout.seconds", defaultValue = "10")
  long agentOpenTimeoutSeconds;

  @Inject
  @ConfigProperty(name = "cms.agent.connects.per.minute", defaultValue = "60")
  int agentConnectsPerMinute;

  @Inject
  @ConfigProperty(name = "cms.agent.links.per.minute", defaultValue = "30")
  int agentLinksPerMinute;

  @Inject
  @ConfigProperty(name = "cms.link.events.per.minute", defaultValue = "10")
  int linkEventsPerMinute;

  @Inject
  @ConfigProperty(name = "cms.max.preview.threads", defaultValue = "512")
  int maxPreviewThreads;

  @Inject
  @ConfigProperty(name = "cms.preview.port", defaultValue = "8082")
  int previewPort;

  @Inject
  @ConfigProperty(name = "cms.preview.address", defaultValue = "0.0.0.0")
  String previewAddress;

  @Inject
  @ConfigProperty(name = "cms.preview.url")
  Optional<String> previewUrl;

  @Inject
  @ConfigProperty(name = "cms.preview.max.connections", defaultValue = "256")
  int previewMaxConnections;

  @Inject
  @ConfigProperty(name = "cms.preview.parked.per.container", defaultValue = "8")
  int previewParkedPerContainer;

  @Inject
  @ConfigProperty(name = "cms.preview.parked.max", defaultValue = "1024")
  int previewParkedMax;

  @Inject
  @ConfigProperty(name = "cms.allowed.hosts")
  Optional<String> allowedHosts;

  @Inject
  @ConfigProperty(name = "cms.user.session.hours", defaultValue = "12")
  long userSessionHours;

  @Inject
  @ConfigProperty(name = "cms.max.api.keys.per.user", defaultValue = "20")
  int maxApiKeysPerUser;

  @Inject
  @ConfigProperty(name = "cms.max.users", defaultValue = "1000")
  int maxUsers;

  @Inject
  @ConfigProperty(name = "cms.sign.in.failures.per.name", defaultValue = "5")
  int signInFailuresPerName;

  @Inject
  @ConfigProperty(name = "cms.sign.in.window.seconds", defaultValue = "300")
  long signInWindowSeconds;

  /** Streams open or being opened at once on one agent link (the {@code Mux}'s bound). */
  public int maxStreamsPerContainer() {
    return Math.max(8, maxStreamsPerContainer);
  }

  /** Distinct terminals attached through the gateway at once, per container. */
  public int maxTerminalsPerContainer() {
    return Math.max(1, maxTerminalsPerContainer);
  }

  /** Running processes per container started through the gateway. */
  public int maxProcessesPerContainer() {
    return Math.max(1, maxProcessesPerContainer);
  }

  /** Client WebSockets open at once, per container. */
  public int maxClientsPerContainer() {
    return Math.max(1, maxClientsPerContainer);
  }

  /** How long the gateway waits for an agent to answer an OPEN. */
  public Duration agentOpenTimeout() {
    return Duration.ofSeconds(Math.max(1, agentOpenTimeoutSeconds));
  }

  /** Agent WebSocket upgrades accepted per remote address and minute. */
  public int agentConnectsPerMinute() {
    return Math.max(1, agentConnectsPerMinute);
  }

  /** Authenticated agent links accepted per container and minute. */
  public int agentLinksPerMinute() {
    return Math.max(1, agentLinksPerMinute);
  }

  /** Agent link up/down events recorded per container and minute (the rest are counted). */
  public int linkEventsPerMinute() {
    return Math.max(1, linkEventsPerMinute);
  }

  /** The preview listener's port ({@code CMS_PREVIEW_PORT}). */
  public int previewPort() {
    return previewPort;
  }

  /** The address the preview listener binds ({@code CMS_PREVIEW_ADDRESS}). */
  public String previewAddress() {
    return previewAddress;
  }

  /**
   * The preview listener's public base URL ({@code CMS_PREVIEW_URL}, e.g. {@code
   * https://preview.example.com}); empty: {@code http://{the request's host}:{CMS_PREVIEW_PORT}}.
   */
  public Optional<String> previewUrl() {
    return previewUrl.filter(u -> !u.isBlank()).map(String::strip);
  }

  /** Browser connections the preview listener serves at once. */
  public int previewMaxConnections() {
    return Math.max(1, previewMaxConnections);
  }

  /** Idle agent data connections parked per container. */
  public int previewParkedPerContainer() {
    return Math.max(1, previewParkedPerContainer);
  }

  /** Idle agent data connections parked in all. */
  public int previewParkedMax() {
    return Math.max(1, previewParkedMax);
  }

  /** Threads relaying preview traffic, in all. */
  public int maxPreviewThreads() {
    return Math.max(8, maxPreviewThreads);
  }

  /** Size of each container's disk in MiB; 0 switches the disk limit off. */
  public long diskMb() {
    return diskMb;
  }

  public long maxUploadBytes() {
    return maxUploadMb * 1024 * 1024;
  }

  public long maxArchiveEntries() {
    return maxArchiveEntries;
  }

  public long maxUnpackedBytes() {
    return maxUnpackedMb * 1024 * 1024;
  }

  public long maxCompressionRatio() {
    return maxCompressionRatio;
  }

  public Optional<String> apiKeys() {
    return apiKeys.map(String::strip).filter(s -> !s.isEmpty());
  }

  public Path dataDir() {
    return Path.of(dataDir).toAbsolutePath().normalize();
  }

  public Optional<String> gatewayId() {
    return gatewayId.map(String::strip).filter(s -> !s.isEmpty());
  }

  /** The names of the configured templates ({@code CMS_TEMPLATES}, comma separated). */
  public String templates() {
    return templates.orElse("");
  }

  /**
   * One setting of a template: {@code cms.template.<name>.<key>}, from the environment {@code
   * CMS_TEMPLATE_<NAME>_<KEY>} (a dash in the name becomes {@code _}).
   */
  public Optional<String> templateSetting(String name, String key) {
    return config.getOptionalValue("cms.template." + name + "." + key, String.class);
  }

  /** How long one template's image build may take before it is abandoned and FAILED. */
  public Duration templateBuildTimeout() {
    return Duration.ofSeconds(Math.max(1, templateBuildTimeoutSeconds));
  }

  public String baseImage() {
    return baseImage;
  }

  public String dockerHost() {
    return dockerHost;
  }

  public String network() {
    return network;
  }

  public Optional<String> agentGatewayUrl() {
    return agentGatewayUrl.map(String::strip).filter(s -> !s.isEmpty());
  }

  /** The agent listener's port ({@code CMS_AGENT_PORT}): the one port containers may reach. */
  public int agentPort() {
    return agentPort;
  }

  /** The address the agent listener binds ({@code CMS_AGENT_ADDRESS}). */
  public String agentAddress() {
    return agentAddress;
  }

  /** Most agent-listener connections open at once ({@code CMS_AGENT_MAX_CONNECTIONS}). */
  public int agentMaxConnections() {
    return Math.max(1, agentMaxConnections);
  }

  /**
   * The servlet container's HTTP port, to which the agent listener relays on loopback: Payara
   * Micro's {@code --port} when running on it, else {@code CMS_HTTP_PORT} (Payara Server: the port
   * of {@code http-listener-1}).
   */
  public int httpPort() {
    // Payara Server ships the PayaraMicro class too, and its getInstance() logs SEVERE there:
    // ask it only inside a Payara Micro runtime (which sets this property)
    if (System.getProperty("fish.payara.micro.tmpdir") == null) {
      return httpPort;
    }
    try {
      Class<?> micro = Class.forName("fish.payara.micro.PayaraMicro");
      Object instance = micro.getMethod("getInstance").invoke(null);
      Object port = micro.getMethod("getHttpPort").invoke(instance);
      if (port instanceof Integer p && p > 0) {
        return p;
      }
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      // not on Payara Micro
    }
    return httpPort;
  }

  /**
   * Whether the gateway sets up and requires the containers' network containment ({@code
   * CMS_CONTAINMENT}, {@code on} unless {@code off}).
   */
  public boolean containment() {
    return !"off".equalsIgnoreCase(containment.strip());
  }

  /**
   * Host addresses and ports containers may reach besides the agent listener ({@code
   * CMS_CONTAINER_HOST_ALLOW=host:port,…}, e.g. a registry mirror on the host).
   *
   * @throws IllegalArgumentException when an entry is malformed
   */
  public java.util.List<HostPort> containerHostAllow() {
    return HostPort.parseList(containerHostAllow.orElse(""));
  }

  public Optional<String> publicUrl() {
    return publicUrl
        .map(String::strip)
        .filter(s -> !s.isEmpty())
        .map(Settings::withoutTrailingSlash);
  }

  public Optional<Path> extraCaBundle() {
    return extraCaBundle.map(String::strip).filter(s -> !s.isEmpty()).map(Path::of);
  }

  public int defaultMemoryMb() {
    return defaultMemoryMb;
  }

  public int maxMemoryMb() {
    return maxMemoryMb;
  }

  public double defaultCpus() {
    return defaultCpus;
  }

  public double maxCpus() {
    return maxCpus;
  }

  public long pidsLimit() {
    return pidsLimit;
  }

  public long defaultIdleTimeoutSeconds() {
    return defaultIdleTimeoutSeconds;
  }

  public long maxIdleTimeoutSeconds() {
    return maxIdleTimeoutSeconds;
  }

  public long defaultTtlSeconds() {
    return defaultTtlSeconds;
  }

  public long maxTtlSeconds() {
    return maxTtlSeconds;
  }

  public int maxContainersPerKey() {
    return maxContainersPerKey;
  }

  /** How many snapshots one owner may keep ({@code CMS_MAX_SNAPSHOTS_PER_KEY}). */
  public int maxSnapshotsPerKey() {
    return maxSnapshotsPerKey;
  }

  public Duration readyTimeout() {
    return Duration.ofSeconds(readyTimeoutSeconds);
  }

  /** Started containers kept waiting per template ({@code CMS_WARM_POOL_SIZE}; 0 = no pool). */
  public int warmPoolSize() {
    return Math.max(0, warmPoolSize);
  }

  /**
   * Most warm-pool containers (waiting or starting) of all templates together ({@code
   * CMS_WARM_POOL_MAX}): the global bound they count against, instead of a user's quota.
   */
  public int warmPoolMax() {
    return Math.max(0, warmPoolMax);
  }

  public int heartbeatMillis() {
    return heartbeatMillis;
  }

  public int stopGraceSeconds() {
    return stopGraceSeconds;
  }

  /** Host names (optionally {@code host:port}) besides the public one that requests may name. */
  public Optional<String> allowedHosts() {
    return allowedHosts.map(String::strip).filter(s -> !s.isEmpty());
  }

  /** Lifetime of the session token the console holds for a signed-in user. */
  public Duration userSessionLifetime() {
    return Duration.ofHours(Math.max(1, userSessionHours));
  }

  /** Most API keys one user may hold at once. */
  public int maxApiKeysPerUser() {
    return Math.max(1, maxApiKeysPerUser);
  }

  /** Most users the gateway keeps. */
  public int maxUsers() {
    return Math.max(1, maxUsers);
  }

  /** Failed sign-ins of one user name within {@link #signInWindow()} before it is refused. */
  public int signInFailuresPerName() {
    return Math.max(1, signInFailuresPerName);
  }

  /** The window of the sign-in rate limits. */
  public Duration signInWindow() {
    return Duration.ofSeconds(Math.max(1, signInWindowSeconds));
  }

  private static String withoutTrailingSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}
