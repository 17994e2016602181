package dev.cms.agent;

import dev.cms.agent.files.Debris;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * Entry point of the agent inside an AppContainer: reads its settings from the environment and
 * keeps the agent channel to the gateway up until the container stops.
 */
public final class Agent {
  /** Exit status when the environment lacks a required setting. */
  static final int EXIT_CONFIG = 2;

  private static final Logger LOG = Logger.getLogger(Agent.class.getName());

  private Agent() {}

  /** Starts the agent; runs until the JVM is stopped. */
  public static void main(String[] args) {
    // what an earlier agent left is older than this process; this agent's own uploads are newer
    Instant startedAt = ProcessHandle.current().info().startInstant().orElseGet(Instant::now);
    OneLineFormatter.install();
    AgentConfig config;
    TerminalConfig terminalConfig;
    RunAs runAs;
    try {
      config = AgentConfig.fromEnv(System.getenv());
      runAs = RunAs.fromEnv(System.getenv()).orElse(null);
      if (runAs != null) {
        // before any thread of ours starts: they all inherit the user's file-system ids
        runAs.adoptFileSystemIds();
      }
      terminalConfig = TerminalConfig.fromEnv(System.getenv(), runAs);
    } catch (IllegalArgumentException | IllegalStateException | UnsatisfiedLinkError e) {
      LOG.severe("cannot start: " + e.getMessage());
      System.exit(EXIT_CONFIG);
      return;
    }
    String version = version();
    LOG.info("agent " + version + " for container " + config.containerId());
    LOG.info(
        "terminals: "
            + String.join(" ", terminalConfig.shell())
            + " in "
            + terminalConfig.workingDirectory()
            + ", "
            + terminalConfig.logBytes()
            + " bytes of output kept per terminal");
    // in the background: the dial-back must not wait for a walk of the workspace
    Debris.sweepInBackground(
        List.of(
            terminalConfig.workingDirectory(),
            terminalConfig.home(),
            Path.of(System.getProperty("java.io.tmpdir"))),
        startedAt);
    ExecutorService workers = workers();
    Terminals terminals = new Terminals(terminalConfig, workers);
    Channel channel =
        new Channel(
            config,
            StreamKinds.standard(workers, terminals),
            Backoff.forReconnects(),
            version,
            credential -> keepCredential(runAs, credential));
    DataConnections data =
        new DataConnections(
            java.net.InetSocketAddress.createUnresolved(
                config.url().getHost(),
                config.url().getPort() > 0
                    ? config.url().getPort()
                    : "wss".equalsIgnoreCase(config.url().getScheme()) ? 443 : 80),
            config.containerId(),
            channel::linkCredential);
    data.start();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  data.stop();
                  channel.stop();
                  terminals.destroyAll();
                },
                "agent-shutdown"));
    channel.run();
  }

  /** Where a root agent keeps its link credential: root-only, on the container's {@code /run}. */
  static final Path CREDENTIAL_FILE = Path.of("/run/cms/agent-credential");

  private static void keepCredential(RunAs runAs, String credential) {
    if (runAs == null) {
      return; // not root: nothing the user could not read
    }
    runAs.asRoot(
        () -> {
          try {
            var dir = CREDENTIAL_FILE.getParent();
            Files.createDirectories(
                dir,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path tmp = dir.resolve(".agent-credential.tmp");
            Files.deleteIfExists(tmp);
            Files.write(
                Files.createFile(
                    tmp,
                    PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rw-------"))),
                credential.getBytes(StandardCharsets.US_ASCII));
            Files.move(tmp, CREDENTIAL_FILE, StandardCopyOption.REPLACE_EXISTING);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  /** The jar manifest's Implementation-Version, or {@code dev} when run from classes. */
  static String version() {
    String v = Agent.class.getPackage().getImplementationVersion();
    return v == null || v.isBlank() ? "dev" : v;
  }

  /** Threads for stream work that must not run on the receiving thread. */
  static ExecutorService workers() {
    AtomicInteger n = new AtomicInteger();
    return Executors.newCachedThreadPool(
        r -> {
          Thread t = new Thread(r, "agent-stream-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }
}
