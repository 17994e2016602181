package dev.cms.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real uber-jar ({@code target/cms.jar}) as a child process: started once per test JVM (booting
 * Payara is the slow part), restartable on the same port and data directory for the reconciliation
 * tests.
 */
public final class Gateway {

  public static final String KEY1 = "it-key-one";
  public static final String KEY2 = "it-key-two";
  static final ObjectMapper JSON = new ObjectMapper();

  private static Gateway shared;

  private final Path jar;
  private final Path dataDir;
  private final Path logDir;
  private final int port;
  private final String gatewayId;
  private final Map<String, String> extraEnv;
  private final Map<String, String> database;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final int agentPort;
  private final int previewPort;
  private Process process;
  private int boots;
  private Duration lastBoot;
  private Path lastLog;

  private Gateway(String name, Map<String, String> extraEnv) throws IOException {
    this.jar = Path.of(System.getProperty("cms.jar", "target/cms.jar")).toAbsolutePath();
    Path target = jar.getParent();
    this.dataDir = Files.createTempDirectory(target, "it-data-" + name + "-");
    this.logDir = Files.createDirectories(target.resolve("it-logs"));
    this.port = freePort();
    this.agentPort = freePort();
    this.previewPort = freePort();
    this.gatewayId = "it-" + name + "-" + Long.toString(System.nanoTime(), 36);
    this.extraEnv = extraEnv;
    // a gateway given its own CMS_DB_URL (two gateways on one database) keeps it; else each
    // gateway of the PostgreSQL run gets a fresh database, kept across its restarts
    this.database =
        onPostgresql() && !extraEnv.containsKey("CMS_DB_URL")
            ? freshPostgresqlDatabase(name)
            : Map.of();
  }

  /** Whether this run of the system tests keeps records in PostgreSQL (the second execution). */
  public static boolean onPostgresql() {
    return "postgresql".equals(System.getProperty("cms.it.db", "h2"));
  }

  /**
   * Creates an empty PostgreSQL database (on the server named by {@code cms.it.pg.url}, as {@code
   * cms.it.pg.user}) and returns the gateway settings that point at it. Fails when the server is
   * unreachable: the PostgreSQL run never falls back to H2.
   */
  public static Map<String, String> freshPostgresqlDatabase(String name) {
    String admin = System.getProperty("cms.it.pg.url", "jdbc:postgresql://localhost:5432/postgres");
    String user = System.getProperty("cms.it.pg.user", "cms");
    String password = System.getProperty("cms.it.pg.password", "cms");
    String db =
        ("cms_it_" + name + "_" + Long.toString(System.nanoTime(), 36))
            .toLowerCase(java.util.Locale.ROOT)
            .replaceAll("[^a-z0-9_]", "_");
    try (Connection c = DriverManager.getConnection(admin, user, password);
        Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + db);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "the PostgreSQL run of the system tests needs PostgreSQL at "
              + admin
              + " (user "
              + user
              + ", allowed to create databases): "
              + e.getMessage(),
          e);
    }
    return Map.of(
        "CMS_DB_URL",
        admin.substring(0, admin.lastIndexOf('/') + 1) + db,
        "CMS_DB_USER",
        user,
        "CMS_DB_PASSWORD",
        password);
  }

  /**
   * The gateway shared by the system tests, started on first use and stopped when the JVM exits.
   */
  public static synchronized Gateway shared() throws Exception {
    if (shared == null) {
      shared = new Gateway("shared", sharedEnv());
      shared.start();
      Gateway g = shared;
      Runtime.getRuntime().addShutdownHook(new Thread(g::stopAndClean));
    }
    return shared;
  }

  /** The machine's CA bundle: containers reach the npm registry here only with it. */
  static final Path SYSTEM_CA_BUNDLE = Path.of("/etc/ssl/certs/ca-certificates.crt");

  /** A proxy that does not exist: containers must get the variable, nothing may use it. */
  static final String TEST_PROXY = "http://proxy.invalid:3128";

  /** Hosts that bypass {@link #TEST_PROXY}; the npm registry among them, so npm still works. */
  static final String TEST_NO_PROXY = "registry.npmjs.org,localhost,127.0.0.1";

  /**
   * The shared gateway passes the machine's CA bundle into containers, as an operator on this
   * network would, and proxy variables (to a proxy that does not exist, bypassed for the registry)
   * so tests see that shells and processes get them.
   */
  private static Map<String, String> sharedEnv() {
    Map<String, String> env = new HashMap<>();
    if (Files.isReadable(SYSTEM_CA_BUNDLE)) {
      env.put("CMS_EXTRA_CA_BUNDLE", SYSTEM_CA_BUNDLE.toString());
    }
    env.put("HTTP_PROXY", TEST_PROXY);
    env.put("NO_PROXY", TEST_NO_PROXY);
    env.put("no_proxy", TEST_NO_PROXY);
    return env;
  }

  /** A separate gateway with its own settings; the caller stops it. */
  public static Gateway dedicated(String name, Map<String, String> env) throws IOException {
    return new Gateway(name, env);
  }

  /**
   * Starts the jar and waits until it is booted. A start whose HTTP listener never comes up (Payara
   * logging "GrizzlyProxy is NULL") fails at once: such starts were caused by reconfiguring the
   * listener after boot and must not come back, so they are not retried around.
   */
  public synchronized void start() throws Exception {
    startOnce();
  }

  private void startOnce() throws Exception {
    boots++;
    Map<String, String> env = new HashMap<>();
    env.put("CMS_API_KEYS", KEY1 + "," + KEY2);
    env.put("CMS_DATA_DIR", dataDir.toString());
    env.put("CMS_AGENT_PORT", Integer.toString(agentPort));
    env.put("CMS_PREVIEW_PORT", Integer.toString(previewPort));
    env.put("CMS_GATEWAY_ID", gatewayId);
    env.put("CMS_BASE_IMAGE", System.getenv().getOrDefault("CMS_BASE_IMAGE", "cms-base:bookworm"));
    // a machine shared with other gateways (and their host firewall rules) may want its own bridge
    String network = System.getenv("CMS_NETWORK");
    if (network != null && !network.isBlank()) {
      env.put("CMS_NETWORK", network);
    }
    // small limits keep the refusal tests light (each rule is still the real one)
    env.put("CMS_MAX_UPLOAD_MB", "128");
    env.put("CMS_MAX_ARCHIVE_ENTRIES", "20000");
    env.put("CMS_MAX_UNPACKED_MB", "20");
    env.putAll(database);
    env.putAll(extraEnv);
    Path log = logDir.resolve(gatewayId + "-boot" + boots + ".log");
    ProcessBuilder pb =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-jar",
                jar.toString(),
                "--port",
                Integer.toString(port))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment().putAll(env);
    Instant started = Instant.now();
    lastLog = log;
    process = pb.start();
    Instant deadline = Instant.now().plus(Duration.ofSeconds(240));
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("gateway exited during boot; see " + log);
      }
      if (Files.exists(log) && Files.readString(log).contains("GrizzlyProxy is NULL")) {
        throw new IllegalStateException("the gateway's HTTP listener did not start; see " + log);
      }
      try {
        HttpResponse<String> r = get("/health/ready", null);
        if (booted(r)) {
          lastBoot = Duration.between(started, Instant.now());
          return;
        }
      } catch (IOException notYet) {
        // still booting
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException("gateway not ready within 240 s; see " + log);
  }

  /**
   * Booted means both WARs answer and readiness is what this gateway expects: UP, or, for a gateway
   * pointed at a missing engine, DOWN naming the engine check.
   */
  private boolean booted(HttpResponse<String> ready) throws IOException, InterruptedException {
    boolean expectEngineDown = extraEnv.containsKey("CMS_DOCKER_HOST");
    boolean health =
        expectEngineDown
            ? ready.statusCode() == 503 && ready.body().contains("container-engine")
            : ready.statusCode() == 200;
    return health
        && get("/console/signin.xhtml", null).statusCode() == 200
        && get("/api/v1/containers", null).statusCode() == 401;
  }

  /** Stops the process the way an operator would (SIGTERM), waiting for it to end. */
  public synchronized void stop() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /** Kills the process the hard way (SIGKILL), as a crash or the OOM killer would. */
  public synchronized void kill() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** Whether the gateway's process runs. */
  public synchronized boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** The gateway's process id, while it runs. */
  public synchronized long pid() {
    return process.pid();
  }

  /** Stops the gateway and removes every container it left on the engine. */
  public void stopAndClean() {
    try {
      stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Engine.removeAllLabelled("cms.gateway", gatewayId);
    Engine.releaseDisks(dataDir);
    if (!database.isEmpty()) {
      dropPostgresqlDatabase(database.get("CMS_DB_URL"));
    }
  }

  /**
   * Drops a database {@link #freshPostgresqlDatabase} made (best effort: a leftover is harmless).
   */
  public static void dropPostgresqlDatabase(String url) {
    String admin = System.getProperty("cms.it.pg.url", "jdbc:postgresql://localhost:5432/postgres");
    String db = url.substring(url.lastIndexOf('/') + 1);
    try (Connection c =
            DriverManager.getConnection(
                admin,
                System.getProperty("cms.it.pg.user", "cms"),
                System.getProperty("cms.it.pg.password", "cms"));
        Statement st = c.createStatement()) {
      st.execute("DROP DATABASE IF EXISTS " + db);
    } catch (SQLException e) {
      System.err.println("could not drop test database " + db + ": " + e.getMessage());
    }
  }

  /** How long the last start took from launching the JVM to booted (readiness as expected). */
  public Duration lastBoot() {
    return lastBoot;
  }

  /** The log file of the last start. */
  public Path lastLog() {
    return lastLog;
  }

  public String id() {
    return gatewayId;
  }

  public Path dataDir() {
    return dataDir;
  }

  public String base() {
    return "http://localhost:" + port;
  }

  /** The agent listener's port (the only one containers may reach). */
  public int agentPort() {
    return agentPort;
  }

  /** The preview listener's port (previews only). */
  public int previewPort() {
    return previewPort;
  }

  /** The main listener's port (API, console, health). */
  public int port() {
    return port;
  }

  public HttpResponse<String> get(String path, String key)
      throws IOException, InterruptedException {
    return send(request(path, key).GET().build());
  }

  public HttpResponse<String> post(String path, String key, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = request(path, key);
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    return send(
        b.POST(
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  public HttpResponse<String> put(String path, String key, byte[] body)
      throws IOException, InterruptedException {
    return send(request(path, key).PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build());
  }

  public HttpResponse<String> delete(String path, String key)
      throws IOException, InterruptedException {
    return send(request(path, key).DELETE().build());
  }

  /** Creates a container for the key, waiting for its agent; fails the test unless 201. */
  public JsonNode create(String key) throws Exception {
    HttpResponse<String> r = post("/api/v1/containers?wait=ready", key, null);
    if (r.statusCode() != 201) {
      throw new AssertionError("create failed: " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body());
  }

  /**
   * A plain HTTP/1.1 GET over a socket to this gateway with the given {@code Host} header (the JDK
   * client can neither set {@code Host} nor resolve {@code *.localhost}); the whole answer, head
   * and body, as ISO-8859-1 text.
   */
  public String rawGet(String target, String host, String accept) throws IOException {
    return rawGet(port, target, host, accept);
  }

  /** {@link #rawGet} on the preview listener. */
  public String rawPreviewGet(String target, String host, String accept) throws IOException {
    return rawGet(previewPort, target, host, accept);
  }

  private String rawGet(int toPort, String target, String host, String accept) throws IOException {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", toPort)) {
      s.setSoTimeout(60_000);
      String head =
          "GET "
              + target
              + " HTTP/1.1\r\nHost: "
              + host
              + "\r\nAccept: "
              + accept
              + "\r\nConnection: close\r\n\r\n";
      s.getOutputStream().write(head.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      return new String(
          s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
    }
  }

  /** The generated password of the console's first user, {@code admin}, from the data dir. */
  public String adminPassword() throws IOException {
    return Files.readString(dataDir.resolve("admin-password")).strip();
  }

  /**
   * A gateway session token of a user (what the console holds after a sign-in), opened with the
   * service key {@link #KEY1}: for tests that act as a user over the REST API.
   */
  public String sessionToken(String name, String password) throws Exception {
    HttpResponse<String> r =
        post(
            "/api/v1/sessions",
            KEY1,
            JSON.createObjectNode().put("name", name).put("password", password).toString());
    if (r.statusCode() != 201) {
      throw new AssertionError(
          "sign-in of " + name + " failed: " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body()).get("token").asText();
  }

  /** A session token of {@code admin}, who sees and controls every user's containers. */
  public String adminToken() throws Exception {
    return sessionToken("admin", adminPassword());
  }

  /** Unpacks a zip into {@code dest} of a container ({@code POST …/archive}). */
  public HttpResponse<String> postArchive(String id, String key, String dest, byte[] zip)
      throws IOException, InterruptedException {
    return send(
        request(
                "/api/v1/containers/"
                    + id
                    + "/archive?dest="
                    + java.net.URLEncoder.encode(dest, java.nio.charset.StandardCharsets.UTF_8),
                key)
            .header("Content-Type", "application/zip")
            .POST(HttpRequest.BodyPublishers.ofByteArray(zip))
            .build());
  }

  /** GET of one container as JSON; fails the test unless 200. */
  public JsonNode container(String id, String key) throws Exception {
    HttpResponse<String> r = get("/api/v1/containers/" + id, key);
    if (r.statusCode() != 200) {
      throw new AssertionError("GET " + id + " failed: " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body());
  }

  private HttpRequest.Builder request(String path, String key) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(120));
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    return b;
  }

  private HttpResponse<String> send(HttpRequest r) throws IOException, InterruptedException {
    return http.send(r, HttpResponse.BodyHandlers.ofString());
  }

  /**
   * A free port below Linux's ephemeral range (32768+), so that no outgoing connection can take it
   * while the gateway restarts on it.
   */
  private static int freePort() throws IOException {
    java.util.Random random = new java.util.Random();
    for (int i = 0; i < 200; i++) {
      int port = 10_000 + random.nextInt(10_000);
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(false);
        s.bind(new java.net.InetSocketAddress(port));
        return port;
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IOException("no free port between 10000 and 20000");
  }
}
