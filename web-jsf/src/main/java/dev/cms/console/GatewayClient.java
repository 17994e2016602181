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
 * The gateway's public REST API ({@code /api/v1}) as the console uses it: a JAX-RS client with the
 * console's API key. The key never leaves the server; the browser only gets per-container tokens.
 *
 * <p>Base URL: {@code cms.console.gateway.url} ({@code CMS_CONSOLE_GATEWAY_URL}), by default the
 * base of the page's own request (the gateway and the console share one server). Key: {@code
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

  /** The gateway's base URL: the configured one, else {@code requestBase}. */
  public String base(String requestBase) {
    String b = gatewayUrl == null || gatewayUrl.isBlank() ? requestBase : gatewayUrl.strip();
    return b.endsWith("/") ? b.substring(0, b.length() - 1) : b;
  }

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

  private JsonValue call(Invocation.Builder request, String method, Entity<?> entity) {
    request
        .header(HttpHeaders.AUTHORIZATION, "Bearer " + key())
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

  private String key() {
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
      LOG.warning("no API key for the console: set CMS_CONSOLE_API_KEY (no " + file + ")");
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
