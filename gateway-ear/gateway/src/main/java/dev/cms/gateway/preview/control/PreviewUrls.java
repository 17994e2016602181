package dev.cms.gateway.preview.control;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The preview addresses of a container's ports and their secrets. The secret is derived from the
 * container id with a key kept in {@code <CMS_DATA_DIR>/preview-key} (see {@link PreviewKeys}), so
 * it survives restarts and nothing new is stored per container.
 */
@ApplicationScoped
public class PreviewUrls {

  @Inject
  @ConfigProperty(name = "cms.preview.domain", defaultValue = "localhost")
  String domain;

  @Inject
  @ConfigProperty(name = "cms.data.dir", defaultValue = "cms-data")
  String dataDir;

  private volatile byte[] key;

  /** The preview domain, lower case ({@code CMS_PREVIEW_DOMAIN}, default {@code localhost}). */
  public String domain() {
    return domain.toLowerCase(Locale.ROOT);
  }

  /** The preview secret of a container. */
  public String secretOf(String containerId) {
    return PreviewKeys.secret(key(), containerId);
  }

  /** Whether {@code secret} is the container's preview secret. */
  public boolean matches(String containerId, String secret) {
    return PreviewKeys.matches(key(), containerId, secret);
  }

  /**
   * The host-form URL of a port: {@code scheme://{port}-{id}-{secret}.{domain}[:httpPort]/}.
   *
   * @param scheme {@code http} or {@code https}
   * @param httpPort the gateway's public port; left out when it is the scheme's default or not
   *     positive
   */
  public String hostUrl(String containerId, int port, String scheme, int httpPort) {
    return hostUrl(domain(), secretOf(containerId), containerId, port, scheme, httpPort);
  }

  /**
   * The path-form URL of a port: {@code {baseUrl}/preview/{id}-{secret}/{port}/}.
   *
   * @param baseUrl the gateway's public base URL, e.g. {@code http://localhost:8080}
   */
  public String pathUrl(String baseUrl, String containerId, int port) {
    return pathUrl(baseUrl, secretOf(containerId), containerId, port);
  }

  static String hostUrl(
      String domain, String secret, String containerId, int port, String scheme, int httpPort) {
    checkPort(port);
    boolean defaultPort =
        httpPort <= 0
            || ("http".equalsIgnoreCase(scheme) && httpPort == 80)
            || ("https".equalsIgnoreCase(scheme) && httpPort == 443);
    return scheme
        + "://"
        + port
        + "-"
        + containerId
        + "-"
        + secret
        + "."
        + domain
        + (defaultPort ? "" : ":" + httpPort)
        + "/";
  }

  static String pathUrl(String baseUrl, String secret, String containerId, int port) {
    checkPort(port);
    String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    return base + PreviewAddress.PATH_PREFIX + containerId + "-" + secret + "/" + port + "/";
  }

  private static void checkPort(int port) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be 1 to 65535: " + port);
    }
  }

  private byte[] key() {
    byte[] k = key;
    if (k == null) {
      synchronized (this) {
        k = key;
        if (k == null) {
          try {
            k = PreviewKeys.loadOrCreate(Path.of(dataDir).resolve("preview-key"));
          } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the preview key", e);
          }
          key = k;
        }
      }
    }
    return k;
  }
}
