package dev.cms.gateway.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
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
  @ConfigProperty(name = "cms.docker.host", defaultValue = "unix:///var/run/docker.sock")
  String dockerHost;

  @Inject
  @ConfigProperty(name = "cms.network", defaultValue = "cms-net")
  String network;

  @Inject
  @ConfigProperty(name = "cms.agent.gateway.url")
  Optional<String> agentGatewayUrl;

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
  @ConfigProperty(name = "cms.ready.timeout.seconds", defaultValue = "60")
  long readyTimeoutSeconds;

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

  public Duration readyTimeout() {
    return Duration.ofSeconds(readyTimeoutSeconds);
  }

  public int heartbeatMillis() {
    return heartbeatMillis;
  }

  public int stopGraceSeconds() {
    return stopGraceSeconds;
  }

  private static String withoutTrailingSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}
