package dev.cms.console;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.client.Client;
import jakarta.ws.rs.client.ClientBuilder;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.client.Invocation;
import jakarta.ws.rs.client.WebTarget;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The gateway's public REST API ({@code /api/v1}) as the console uses it: a JAX-RS client acting
 * with the signed-in user's gateway session token ({@link UserSession}), and with the console's
 * service key only to check a sign-in. Neither leaves the server; the browser only gets
 * per-container tokens of the user's own containers.
 *
 * <p>Base URL: {@code cms.console.gateway.url} ({@code CMS_CONSOLE_GATEWAY_URL}), by default this
 * server's own loopback address {@code http://127.0.0.1:<HTTP port>} (Payara Micro's port, else
 * {@code CMS_HTTP_PORT}) — never an address taken from a request. Service key: {@code
 * cms.console.api.key} ({@code CMS_CONSOLE_API_KEY}), by default the first of {@code CMS_API_KEYS},
 * else the key the gateway generated in {@code <CMS_DATA_DIR>/api-key}.
 */
@ApplicationScoped
public class GatewayClient {

  private static final Logger LOG = Logger.getLogger(GatewayClient.class.getName());
  private static final String API = "/api/v1/containers";

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

  private Client client;

  @PostConstruct
  void init() {
    client =
        ClientBuilder.newBuilder()
            .connectTimeout(5, TimeUnit.SECONDS)
            .readTimeout(180, TimeUnit.SECONDS)
            .build();
  }

  @PreDestroy
  void close() {
    client.close();
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

  // ---- sign-in (service key) and the user's own session

  /**
   * Checks a user's name and password with the gateway and opens a gateway session: {@code {token,
   * expiresAt, userId, name, role}}.
   */
  public JsonObject openSession(String name, String password) {
    JsonObject body =
        Json.createObjectBuilder().add("name", name).add("password", password).build();
    return call(
            target(base(), "/api/v1/sessions").request(),
            "POST",
            Entity.json(body.toString()),
            serviceKey())
        .asJsonObject();
  }

  /**
   * Opens a gateway session for a user the OpenID Connect provider signed in; the gateway checks
   * the ID token itself: {@code {token, expiresAt, userId, name, role}}.
   */
  public JsonObject openFederatedSession(String idToken) {
    JsonObject body = Json.createObjectBuilder().add("idToken", idToken).build();
    return call(
            target(base(), "/api/v1/sessions/federated").request(),
            "POST",
            Entity.json(body.toString()),
            serviceKey())
        .asJsonObject();
  }

  /** Ends the gateway session of {@code token} (sign-out). */
  public void closeSession(String token) {
    call(target(base(), "/api/v1/sessions/current").request(), "DELETE", null, token);
  }

  // ---- the user's API keys; users (admins)

  public JsonArray keys() {
    return call(target(base(), "/api/v1/keys").request(), "GET", null).asJsonArray();
  }

  public JsonObject createKey(String label) {
    JsonObject body = Json.createObjectBuilder().add("label", label == null ? "" : label).build();
    return call(target(base(), "/api/v1/keys").request(), "POST", Entity.json(body.toString()))
        .asJsonObject();
  }

  public void revokeKey(String id) {
    call(target(base(), "/api/v1/keys/" + id).request(), "DELETE", null);
  }

  public JsonArray users() {
    return call(target(base(), "/api/v1/users").request(), "GET", null).asJsonArray();
  }

  public JsonObject createUser(String name, String password, String role) {
    JsonObject body =
        Json.createObjectBuilder()
            .add("name", name)
            .add("password", password)
            .add("role", role)
            .build();
    return call(target(base(), "/api/v1/users").request(), "POST", Entity.json(body.toString()))
        .asJsonObject();
  }

  public void deleteUser(String id) {
    call(target(base(), "/api/v1/users/" + id).request(), "DELETE", null);
  }

  // ---- containers, as the signed-in user

  public JsonArray list(String base) {
    return call(target(base, API).request(), "GET", null).asJsonArray();
  }

  public JsonObject create(String base, int memoryMb, long idleTimeoutSeconds) {
    JsonObject body =
        Json.createObjectBuilder()
            .add("memoryMb", memoryMb)
            .add("idleTimeoutSeconds", idleTimeoutSeconds)
            .build();
    return call(
            target(base, API).queryParam("wait", "ready").request(),
            "POST",
            Entity.json(body.toString()))
        .asJsonObject();
  }

  public JsonObject get(String base, String id) {
    return call(target(base, API + "/" + id).request(), "GET", null).asJsonObject();
  }

  public JsonObject stop(String base, String id) {
    return call(target(base, API + "/" + id + "/stop").request(), "POST", Entity.json(""))
        .asJsonObject();
  }

  public JsonObject start(String base, String id) {
    return call(target(base, API + "/" + id + "/start").request(), "POST", Entity.json(""))
        .asJsonObject();
  }

  public JsonObject delete(String base, String id) {
    return call(target(base, API + "/" + id).request(), "DELETE", null).asJsonObject();
  }

  /** The client token of an existing container; empty when this gateway has no such endpoint. */
  public Optional<JsonObject> token(String base, String id) {
    return optional(() -> call(target(base, API + "/" + id + "/token").request(), "GET", null))
        .map(JsonValue::asJsonObject);
  }

  /** Starts a process in its own terminal; empty when this gateway has no process API. */
  public Optional<JsonObject> startProcess(
      String base, String id, String command, String cwd, int port) {
    JsonObject body =
        Json.createObjectBuilder()
            .add("command", command)
            .add("cwd", cwd)
            .add("port", port)
            .build();
    return optional(
            () ->
                call(
                    target(base, API + "/" + id + "/processes").request(),
                    "POST",
                    Entity.json(body.toString())))
        .map(JsonValue::asJsonObject);
  }

  /** The container's processes, newest first; empty when this gateway has no process API. */
  public Optional<JsonArray> processes(String base, String id) {
    return optional(() -> call(target(base, API + "/" + id + "/processes").request(), "GET", null))
        .map(JsonValue::asJsonArray);
  }

  /** Stops a process (SIGTERM, then SIGKILL); the answer has its exit code. */
  public JsonObject stopProcess(String base, String id, String pid) {
    return call(
            target(base, API + "/" + id + "/processes/" + pid + "/stop").request(),
            "POST",
            Entity.json(""))
        .asJsonObject();
  }

  /** The container's listening ports; empty when this gateway has no ports API. */
  public Optional<JsonArray> ports(String base, String id) {
    return optional(() -> call(target(base, API + "/" + id + "/ports").request(), "GET", null))
        .map(JsonValue::asJsonArray);
  }

  public JsonObject preview(String base, String id, int port) {
    return call(target(base, API + "/" + id + "/preview/" + port).request(), "GET", null)
        .asJsonObject();
  }

  /**
   * Whether something answers at a path-form preview URL: the gateway says 503 (or 502/504) while
   * nothing listens on the port.
   */
  public boolean answers(String pathUrl) {
    try (Response r =
        client.target(pathUrl).request(MediaType.APPLICATION_JSON).header("Accept", "*/*").get()) {
      int s = r.getStatus();
      return s != 502 && s != 503 && s != 504;
    } catch (ProcessingException e) {
      return false;
    }
  }

  public JsonObject putFile(String base, String id, String path, InputStream body) {
    return call(
            target(base, API + "/" + id + "/files").queryParam("path", path).request(),
            "PUT",
            Entity.entity(body, MediaType.APPLICATION_OCTET_STREAM_TYPE))
        .asJsonObject();
  }

  public JsonObject postArchive(String base, String id, String dest, InputStream zip) {
    return call(
            target(base, API + "/" + id + "/archive").queryParam("dest", dest).request(),
            "POST",
            Entity.entity(zip, "application/zip"))
        .asJsonObject();
  }

  private WebTarget target(String base, String path) {
    return client
        .target(base + path)
        // stream uploads instead of buffering them whole to count their length
        .property("jersey.config.client.request.entityProcessing", "CHUNKED");
  }

  /** A call as the signed-in user; 401 without a signed-in user. */
  private JsonValue call(Invocation.Builder request, String method, Entity<?> entity) {
    String token = user.token().orElseThrow(() -> new GatewayException(401, "not signed in", null));
    return call(request, method, entity, token);
  }

  private JsonValue call(
      Invocation.Builder request, String method, Entity<?> entity, String credential) {
    request
        .header(HttpHeaders.AUTHORIZATION, "Bearer " + credential)
        .accept(MediaType.APPLICATION_JSON, "application/problem+json");
    try (Response r = entity == null ? request.method(method) : request.method(method, entity)) {
      String body = r.hasEntity() ? r.readEntity(String.class) : "";
      if (r.getStatus() >= 400) {
        throw problem(r.getStatus(), body);
      }
      return body.isBlank() ? JsonValue.EMPTY_JSON_OBJECT : parse(body);
    } catch (ProcessingException e) {
      throw new GatewayException(0, "the gateway cannot be reached: " + rootMessage(e), null);
    }
  }

  private static GatewayException problem(int status, String body) {
    String detail = null;
    String rule = null;
    try {
      if (parse(body) instanceof JsonObject o) {
        detail = o.getString("detail", o.getString("title", null));
        rule = o.getString("rule", null);
      }
    } catch (RuntimeException notJson) {
      // an answer that is not a problem document: show its status only
    }
    if (detail == null) {
      detail = "HTTP " + status;
    }
    return new GatewayException(status, detail, rule);
  }

  private static JsonValue parse(String body) {
    try (JsonReader reader = Json.createReader(new StringReader(body))) {
      return reader.readValue();
    }
  }

  private static <T> Optional<T> optional(java.util.function.Supplier<T> call) {
    try {
      return Optional.of(call.get());
    } catch (GatewayException e) {
      // a route this gateway does not have (yet), not a refusal about the container
      boolean noRoute =
          e.detail().startsWith("HTTP ")
              || e.detail().startsWith("no such resource")
              || e.detail().startsWith("method not allowed");
      if ((e.status() == 404 || e.status() == 405) && noRoute) {
        return Optional.empty();
      }
      throw e;
    }
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

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
