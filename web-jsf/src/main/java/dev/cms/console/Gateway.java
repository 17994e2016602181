package dev.cms.console;

import dev.cms.client.CmsClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Where and as whom the console reaches the gateway's public REST API ({@code /api/v1}): the typed
 * {@link CmsClient} acting with the signed-in user's gateway session token ({@link #asUser()}), and
 * with the console's service key only to check a sign-in ({@link #asService()}). Neither credential
 * leaves the server; the browser only gets per-container tokens of the user's own containers.
 *
 * <p>Base URL: {@code cms.console.gateway.url} ({@code CMS_CONSOLE_GATEWAY_URL}), by default this
 * server's own loopback address {@code http://127.0.0.1:<HTTP port>} (Payara Micro's port, else
 * {@code CMS_HTTP_PORT}) — never an address taken from a request. Service key: {@code
 * cms.console.api.key} ({@code CMS_CONSOLE_API_KEY}), by default the first of {@code CMS_API_KEYS},
 * else the key the gateway generated in {@code <CMS_DATA_DIR>/api-key}.
 */
@ApplicationScoped
public class Gateway {

  private static final Logger LOG = Logger.getLogger(Gateway.class.getName());

  @Inject
  @ConfigProperty(name = "cms.console.gateway.url", defaultValue = " ")
  String gatewayUrl;

  @Inject
  @ConfigProperty(name = "cms.console.api.key", defaultValue = " ")
  String apiKey;

  @Inject
  @ConfigProperty(name = "cms.api.keys", defaultValue = " ")
  String apiKeys;

  @Inject
  @ConfigProperty(name = "cms.data.dir", defaultValue = "cms-data")
  String dataDir;

  @Inject
  @ConfigProperty(name = "cms.http.port", defaultValue = "8080")
  int httpPort;

  @Inject UserSession user;

  private volatile int ownPort;
  private volatile CmsClient asUser;
  private volatile CmsClient asService;

  @PreDestroy
  void close() {
    CmsClient u = asUser;
    CmsClient s = asService;
    if (u != null) {
      u.close();
    }
    if (s != null) {
      s.close();
    }
  }

  /**
   * The API as the signed-in user of the calling request's session; a call without one is refused
   * with 401. Built once: the token is asked of the session at every call.
   */
  public CmsClient asUser() {
    CmsClient c = asUser;
    if (c == null) {
      synchronized (this) {
        if (asUser == null) {
          asUser = CmsClient.connect(URI.create(base()), () -> user.token().orElse(null));
        }
        c = asUser;
      }
    }
    return c;
  }

  /** The API with the console's service key: only to open users' sessions. */
  public CmsClient asService() {
    CmsClient c = asService;
    if (c == null) {
      synchronized (this) {
        if (asService == null) {
          asService = CmsClient.connect(URI.create(base()), this::serviceKey);
        }
        c = asService;
      }
    }
    return c;
  }

  /** Ends the gateway session of {@code token} (sign-out, or the console session's end). */
  public void closeSession(String token) {
    try (CmsClient c = CmsClient.connect(URI.create(base()), token)) {
      c.sessions().end();
    }
  }

  /** The gateway's base URL: the configured one, else this server's loopback address. */
  public String base() {
    String b =
        gatewayUrl == null || gatewayUrl.isBlank()
            ? "http://127.0.0.1:" + ownHttpPort()
            : gatewayUrl.strip();
    return b.endsWith("/") ? b.substring(0, b.length() - 1) : b;
  }

  /** Whether the gateway is this server itself, reached on loopback (no gateway URL set). */
  public boolean sameServer() {
    return gatewayUrl == null || gatewayUrl.isBlank();
  }

  /**
   * A URL the gateway handed out (a container's WebSocket or path-form preview URL) as the browser
   * must use it: on the same server the gateway names its loopback address, which the browser
   * reaches under the page's own origin (already checked by the Host guard).
   */
  public String forBrowser(String url, String pageOrigin) {
    if (url == null || !sameServer()) {
      return url;
    }
    String loopback = base().substring("http://".length());
    boolean secure = pageOrigin.startsWith("https://");
    String page = pageOrigin.substring(pageOrigin.indexOf("://") + 3);
    for (String scheme : new String[] {"ws://", "http://"}) {
      if (url.startsWith(scheme + loopback + "/")) {
        String s =
            scheme.equals("ws://")
                ? (secure ? "wss://" : "ws://")
                : (secure ? "https://" : "http://");
        return s + page + url.substring(scheme.length() + loopback.length());
      }
    }
    return url;
  }

  /**
   * This server's HTTP port: Payara Micro's, else {@code CMS_HTTP_PORT}. Asked once: on Payara
   * Server the class {@code PayaraMicro} exists without its runtime, and {@code getInstance()}
   * would log a SEVERE error on every call, so the runtime's presence is checked first.
   */
  private int ownHttpPort() {
    int p = ownPort;
    if (p > 0) {
      return p;
    }
    p = httpPort;
    try {
      Class<?> micro = Class.forName("fish.payara.micro.PayaraMicro");
      // the runtime is beside the application's classes on Micro, absent on Payara Server
      Class.forName("fish.payara.micro.impl.PayaraMicroImpl", false, getClass().getClassLoader());
      Object instance = micro.getMethod("getInstance").invoke(null);
      Object port = micro.getMethod("getHttpPort").invoke(instance);
      if (port instanceof Integer mp && mp > 0) {
        p = mp;
      }
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      // not on Payara Micro
    }
    ownPort = p;
    return p;
  }

  private String serviceKey() {
    if (apiKey != null && !apiKey.isBlank()) {
      return apiKey.strip();
    }
    if (apiKeys != null && !apiKeys.isBlank()) {
      return Arrays.stream(apiKeys.split(","))
          .map(String::strip)
          .filter(k -> !k.isEmpty())
          .findFirst()
          .orElse("");
    }
    // the gateway may generate its key after the console started: read it on every call
    Path file = Path.of(dataDir, "api-key");
    try {
      return Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      LOG.warning("no service key for the console: set CMS_CONSOLE_API_KEY (no " + file + ")");
      return "";
    }
  }
}
