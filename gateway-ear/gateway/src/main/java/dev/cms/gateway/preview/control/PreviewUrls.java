package dev.cms.gateway.preview.control;

import dev.cms.gateway.config.Settings;
import dev.cms.gateway.processes.control.PortLinks;
import dev.cms.gateway.security.KeyFiles;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The preview addresses of a container's ports and their secrets, on the preview listener ({@code
 * CMS_PREVIEW_PORT}, or {@code CMS_PREVIEW_URL}). The secret of each port is derived from the
 * container id and the port with a key kept in {@code <CMS_DATA_DIR>/preview-key} (see {@link
 * PreviewKeys}), so it survives restarts and nothing new is stored per container.
 */
@ApplicationScoped
public class PreviewUrls implements PortLinks {

  @Inject
  @ConfigProperty(name = "cms.preview.domain", defaultValue = "localhost")
  String domain;

  @Inject
  @ConfigProperty(name = "cms.data.dir", defaultValue = "cms-data")
  String dataDir;

  @Inject Settings settings;

  private volatile byte[] key;

  /** The preview domain, lower case ({@code CMS_PREVIEW_DOMAIN}, default {@code localhost}). */
  public String domain() {
    return domain.toLowerCase(Locale.ROOT);
  }

  /** The preview secret of a port of a container. */
  public String secretOf(String containerId, int port) {
    return PreviewKeys.secret(key(), containerId, port);
  }

  /** Whether {@code secret} is the preview secret of that port of the container. */
  public boolean matches(String containerId, int port, String secret) {
    return PreviewKeys.matches(key(), containerId, port, secret);
  }

  /**
   * The preview listener's public base URL: {@code CMS_PREVIEW_URL}, else {@code
   * http://{requestHost}:{CMS_PREVIEW_PORT}}.
   *
   * @param requestHost the host name the caller reached the gateway by (a {@code Host} header
   *     without its port, or a URI's host); the preview listener is on the same machine
   */
  public URI base(String requestHost) {
    Optional<String> configured = settings.previewUrl();
    if (configured.isPresent()) {
      return URI.create(configured.get());
    }
    String h = requestHost == null || requestHost.isBlank() ? "localhost" : requestHost;
    if (h.indexOf(':') >= 0 && !h.startsWith("[")) {
      h = "[" + h + "]";
    }
    return URI.create("http://" + h + ":" + settings.previewPort());
  }

  /**
   * The host-form URL of a port: {@code {scheme}://{port}-{id}-{secret}.{domain}[:port]/}, scheme
   * and port those of {@link #base}.
   */
  @Override
  public String hostUrl(String containerId, int port, String requestHost) {
    URI b = base(requestHost);
    return hostUrl(
        domain(), secretOf(containerId, port), containerId, port, b.getScheme(), b.getPort());
  }

  /** The path-form URL of a port: {@code {base}/preview/{id}-{secret}/{port}/}. */
  @Override
  public String pathUrl(String containerId, int port, String requestHost) {
    return pathUrl(base(requestHost).toString(), secretOf(containerId, port), containerId, port);
  }

  /** The host name of an authority ({@code host[:port]}, {@code [v6][:port]}). */
  public static String hostOf(String authority) {
    if (authority == null) {
      return null;
    }
    if (authority.startsWith("[")) {
      int close = authority.indexOf(']');
      return close > 0 ? authority.substring(0, close + 1) : authority;
    }
    int colon = authority.lastIndexOf(':');
    return colon >= 0 ? authority.substring(0, colon) : authority;
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
            k = KeyFiles.loadOrCreate(Path.of(dataDir).resolve("preview-key"));
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
