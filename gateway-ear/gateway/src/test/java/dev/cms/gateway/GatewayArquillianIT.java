package dev.cms.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.File;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The gateway's REST resources, JPA records, problem mapping and API-key filter in one deployment:
 * the WAR this build made ({@code target/gateway.war}, with whatever data source and persistence
 * set-up it declares), deployed by Arquillian into a managed Payara Micro (the version the runnable
 * jar is built on). The tests talk HTTP to it as a client would.
 *
 * <p>The pom gives the Micro process its settings (it inherits the test JVM's environment): a
 * service key {@value #SERVICE_KEY}, a fresh data directory, loopback ephemeral ports for the agent
 * and preview listeners, and a Docker socket that does not exist, so nothing here touches the
 * machine's engine.
 *
 * <p>One deployment on purpose: each {@code @Deployment} boots a Payara Micro of its own.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GatewayArquillianIT {

  static final String SERVICE_KEY = "arquillian-service-key";
  static final String PROBLEM = "application/problem+json";

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** The admin's session token and the user made by the admin, shared by the ordered tests. */
  private static String adminToken;

  private static String userName;
  private static String userKey;

  @ArquillianResource URL deployed;

  @Deployment(testable = false)
  static WebArchive gateway() {
    File war = new File(System.getProperty("cms.war", "target/gateway.war"));
    if (!war.isFile()) {
      throw new IllegalStateException(war + " is missing: run the package phase first");
    }
    return ShrinkWrap.create(ZipImporter.class, "ROOT.war").importFrom(war).as(WebArchive.class);
  }

  @Test
  @Order(1)
  void withoutAKeyTheApiAnswers401AsAProblemWithABearerChallenge() throws Exception {
    HttpResponse<String> r = send(request("/api/v1/containers", null).GET());
    assertProblem(r, 401);
    assertThat(r.headers().firstValue("WWW-Authenticate"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
  }

  @Test
  @Order(2)
  void aWrongKeyIs401AndTheServiceKeyIsLetIn() throws Exception {
    assertProblem(send(request("/api/v1/containers", "cmsk_not-a-key").GET()), 401);
    assertProblem(send(request("/api/v1/containers", SERVICE_KEY + "x").GET()), 401);

    HttpResponse<String> ok = send(request("/api/v1/containers", SERVICE_KEY).GET());
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    assertThat(json(ok.body())).isInstanceOf(JsonArray.class);
  }

  @Test
  @Order(3)
  void theBootstrapAdminSignsInWithTheServiceKey() throws Exception {
    String password = adminPassword();
    HttpResponse<String> wrong =
        send(
            request("/api/v1/sessions", SERVICE_KEY)
                .POST(body(Json.createObjectBuilder().add("name", "admin").add("password", "x"))));
    assertProblem(wrong, 401);

    HttpResponse<String> r =
        send(
            request("/api/v1/sessions", SERVICE_KEY)
                .POST(
                    body(
                        Json.createObjectBuilder()
                            .add("name", "admin")
                            .add("password", password))));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    JsonObject session = json(r.body()).asJsonObject();
    assertThat(session.getString("role")).isEqualTo("admin");
    adminToken = session.getString("token");
    assertThat(adminToken).isNotBlank();
  }

  @Test
  @Order(4)
  void anAdminCreatesAUserWhoMakesAKeyAndBothAreReadBack() throws Exception {
    userName = "arq-" + Long.toString(System.nanoTime(), 36);
    String password = "a-long-password-" + userName;
    HttpResponse<String> created =
        send(
            request("/api/v1/users", adminToken)
                .POST(
                    body(
                        Json.createObjectBuilder()
                            .add("name", userName)
                            .add("password", password)
                            .add("role", "user"))));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String userId = json(created.body()).asJsonObject().getString("id");

    // the admin reads the user back from the database
    HttpResponse<String> users = send(request("/api/v1/users", adminToken).GET());
    assertThat(users.statusCode()).as(users.body()).isEqualTo(200);
    assertThat(json(users.body()).asJsonArray())
        .map(v -> v.asJsonObject().getString("name"))
        .contains("admin", userName);

    // the user signs in and makes an API key of their own
    HttpResponse<String> signIn =
        send(
            request("/api/v1/sessions", SERVICE_KEY)
                .POST(
                    body(
                        Json.createObjectBuilder()
                            .add("name", userName)
                            .add("password", password))));
    assertThat(signIn.statusCode()).as(signIn.body()).isEqualTo(201);
    String userToken = json(signIn.body()).asJsonObject().getString("token");
    HttpResponse<String> key =
        send(
            request("/api/v1/keys", userToken)
                .POST(body(Json.createObjectBuilder().add("label", "arquillian"))));
    assertThat(key.statusCode()).as(key.body()).isEqualTo(201);
    userKey = json(key.body()).asJsonObject().getString("key");
    assertThat(userKey).isNotBlank();

    // the key acts as the user, and lists itself by its label
    HttpResponse<String> me = send(request("/api/v1/sessions/current", userKey).GET());
    assertThat(me.statusCode()).as(me.body()).isEqualTo(200);
    JsonObject current = json(me.body()).asJsonObject();
    assertThat(current.getString("userId")).isEqualTo(userId);
    assertThat(current.getString("name")).isEqualTo(userName);
    assertThat(current.getString("role")).isEqualTo("user");

    HttpResponse<String> keys = send(request("/api/v1/keys", userKey).GET());
    assertThat(keys.statusCode()).as(keys.body()).isEqualTo(200);
    assertThat(json(keys.body()).asJsonArray())
        .singleElement()
        .satisfies(k -> assertThat(k.asJsonObject().getString("label")).isEqualTo("arquillian"));

    // a user is no admin
    assertProblem(send(request("/api/v1/users", userKey).GET()), 403);
  }

  @Test
  @Order(5)
  void anUnknownContainerIsA404Problem() throws Exception {
    HttpResponse<String> r = send(request("/api/v1/containers/c-doesnotexist", userKey).GET());
    assertProblem(r, 404);
    HttpResponse<String> stop =
        send(
            request("/api/v1/containers/c-doesnotexist/stop", userKey)
                .POST(HttpRequest.BodyPublishers.noBody()));
    assertProblem(stop, 404);
  }

  @Test
  @Order(6)
  void aMalformedBodyIsA400Problem() throws Exception {
    HttpResponse<String> r =
        send(
            request("/api/v1/containers", userKey)
                .POST(HttpRequest.BodyPublishers.ofString("{\"memoryMb\": ")));
    assertProblem(r, 400);

    HttpResponse<String> user =
        send(
            request("/api/v1/users", adminToken)
                .POST(HttpRequest.BodyPublishers.ofString("[not json")));
    assertProblem(user, 400);

    // a user body breaking its constraints: a 400 listing each field (admins only: 403 first)
    HttpResponse<String> bad =
        send(
            request("/api/v1/users", adminToken)
                .POST(
                    body(
                        Json.createObjectBuilder()
                            .add("name", "Not A Name")
                            .add("password", "short")
                            .add("role", "root"))));
    assertProblem(bad, 400);
    assertThat(json(bad.body()).asJsonObject().getJsonArray("violations"))
        .map(v -> v.asJsonObject().getString("field"))
        .containsExactly("name", "password", "role");
    assertProblem(
        send(
            request("/api/v1/users", userKey)
                .POST(body(Json.createObjectBuilder().add("name", "Not A Name")))),
        403);
    HttpResponse<String> badKey =
        send(
            request("/api/v1/keys", userKey)
                .POST(body(Json.createObjectBuilder().add("label", "x".repeat(101)))));
    assertProblem(badKey, 400);
    assertThat(json(badKey.body()).asJsonObject().getJsonArray("violations"))
        .map(v -> v.asJsonObject().getString("field"))
        .containsExactly("label");

    // no body at all: the same 400, its one field the body (a user by an admin, a session)
    for (var empty :
        java.util.List.of(
            request("/api/v1/users", adminToken).POST(HttpRequest.BodyPublishers.noBody()),
            request("/api/v1/sessions", SERVICE_KEY).POST(HttpRequest.BodyPublishers.noBody()))) {
      HttpResponse<String> none = send(empty);
      assertProblem(none, 400);
      assertThat(json(none.body()).asJsonObject().getJsonArray("violations"))
          .map(v -> v.asJsonObject().getString("field"))
          .containsExactly("body");
    }

    // nothing was created by the refused body
    HttpResponse<String> list = send(request("/api/v1/containers", userKey).GET());
    assertThat(list.statusCode()).as(list.body()).isEqualTo(200);
    assertThat(json(list.body()).asJsonArray()).isEmpty();
  }

  @Test
  @Order(7)
  void aRevokedKeyIsRefused() throws Exception {
    HttpResponse<String> keys = send(request("/api/v1/keys", userKey).GET());
    String id = json(keys.body()).asJsonArray().getJsonObject(0).getString("id");
    HttpResponse<String> revoke = send(request("/api/v1/keys/" + id, userKey).DELETE());
    assertThat(revoke.statusCode()).as(revoke.body()).isEqualTo(204);
    assertProblem(send(request("/api/v1/containers", userKey).GET()), 401);
  }

  // ---- helpers -------------------------------------------------------------------------------

  /**
   * A request to the deployed gateway on the loopback address: the gateway answers only its public
   * host or loopback (421 otherwise), and Arquillian reports the machine's name.
   */
  private HttpRequest.Builder request(String path, String key) {
    URI uri = URI.create("http://127.0.0.1:" + deployed.getPort() + path);
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(30))
            .header("Accept", "application/json")
            .header("Content-Type", "application/json");
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    return b;
  }

  private static HttpResponse<String> send(HttpRequest.Builder b)
      throws IOException, InterruptedException {
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest.BodyPublisher body(jakarta.json.JsonObjectBuilder json) {
    return HttpRequest.BodyPublishers.ofString(json.build().toString());
  }

  private static JsonValue json(String s) {
    try (JsonReader r = Json.createReader(new StringReader(s))) {
      return r.readValue();
    }
  }

  /** An RFC 9457 problem with this status: its media type, and status and title in the body. */
  private static void assertProblem(HttpResponse<String> r, int status) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type"))
        .as("content type of " + r.body())
        .hasValueSatisfying(t -> assertThat(t).startsWith(PROBLEM));
    JsonObject p = json(r.body()).asJsonObject();
    assertThat(p.getInt("status")).isEqualTo(status);
    assertThat(p.getString("title")).isNotBlank();
    assertThat(Optional.ofNullable(p.getString("detail", null))).isPresent();
  }

  /** The bootstrap admin's generated password, which the gateway wrote to its data directory. */
  private static String adminPassword() throws IOException {
    Path file = Path.of(System.getProperty("cms.arquillian.data"), "admin-password");
    assertThat(file).as("the gateway writes the admin's password at first start").isRegularFile();
    return Files.readString(file).strip();
  }
}
