package dev.cms.agent;

import dev.cms.domain.protocol.Mux;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The agent channel's connection loop: dial the gateway, run the connection until it is lost, wait,
 * dial again, forever. Failed attempts back off exponentially with jitter; a connection that stayed
 * up for more than {@link #STABLE} starts the backoff over; a gateway that refuses the agent is
 * retried at the slowest pace, never given up on (the gateway may have been restored from a backup
 * that knows the secret again).
 */
final class Channel implements Runnable {
  static final Duration STABLE = Duration.ofSeconds(10);
  private static final Logger LOG = Logger.getLogger(Channel.class.getName());

  private final AgentConfig config;
  private final Mux.Acceptor acceptor;
  private final Backoff backoff;
  private final String agentVersion;
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Connection.CONNECT_TIMEOUT).build();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "agent-heartbeat");
            t.setDaemon(true);
            return t;
          });

  /**
   * What the agent presents in HELLO: the create-time secret until the gateway exchanged it for a
   * link credential (in WELCOME), that credential from then on. Kept in memory only: the process
   * runs as root, out of the user's reach; a new agent process starts with a new container start,
   * for which the gateway accepts the create-time secret once again.
   */
  private volatile String credential;

  private volatile boolean stopped;
  private volatile Connection current;
  private volatile Thread runner;

  private final java.util.function.Consumer<String> keep;

  Channel(AgentConfig config, Mux.Acceptor acceptor, Backoff backoff, String agentVersion) {
    this(config, acceptor, backoff, agentVersion, credential -> {});
  }

  /**
   * As above; {@code keep} is told every link credential the gateway issues (the agent writes it to
   * a file only root can read, for an operator, or a test, looking from the engine's side).
   */
  Channel(
      AgentConfig config,
      Mux.Acceptor acceptor,
      Backoff backoff,
      String agentVersion,
      java.util.function.Consumer<String> keep) {
    this.keep = keep;
    this.config = config;
    this.acceptor = acceptor;
    this.backoff = backoff;
    this.agentVersion = agentVersion;
    this.credential = config.secret();
  }

  @Override
  public void run() {
    runner = Thread.currentThread();
    long attempt = 0;
    try {
      while (!stopped) {
        attempt++;
        LOG.info("connecting to " + config.url() + " (attempt " + attempt + ")");
        Connection c =
            new Connection(
                config, credential, this::exchanged, client, acceptor, timer, agentVersion);
        current = c;
        Connection.Outcome outcome = c.run();
        current = null;
        if (stopped) {
          break;
        }
        if (outcome.welcomed()) {
          attempt = 0;
          if (outcome.upMillis() > STABLE.toMillis()) {
            backoff.reset();
          }
        }
        if (outcome.unauthorized() && !credential.equals(config.secret())) {
          // the gateway may have lost the exchange (a restore from a backup, an undone WELCOME):
          // the create-time secret is what it accepts once the container was started again
          credential = config.secret();
          LOG.warning("the gateway refused the link credential: presenting the create-time secret");
        }
        Duration delay = outcome.unauthorized() ? backoff.slowest() : backoff.next();
        LOG.log(
            outcome.unauthorized() ? Level.WARNING : Level.INFO,
            (outcome.unauthorized()
                    ? "gateway refused the agent: "
                    : outcome.welcomed() ? "link lost: " : "no link: ")
                + outcome.reason()
                + (outcome.welcomed() ? " after " + outcome.upMillis() + " ms" : "")
                + "; retrying in "
                + delay.toMillis()
                + " ms");
        Thread.sleep(delay.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      timer.shutdownNow();
      LOG.info("agent channel stopped");
    }
  }

  /** The link credential the gateway issued, empty while only the create-time secret is known. */
  java.util.Optional<String> linkCredential() {
    String c = credential;
    return c.equals(config.secret()) ? java.util.Optional.empty() : java.util.Optional.of(c);
  }

  private void exchanged(String linkCredential) {
    credential = linkCredential;
    LOG.info("the gateway exchanged the create-time secret for a link credential");
    try {
      keep.accept(linkCredential);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "could not keep the link credential (memory holds it)", e);
    }
  }

  /** Stops the loop: closes the current connection and wakes the loop from its wait. */
  void stop() {
    stopped = true;
    Connection c = current;
    if (c != null) {
      c.stop();
    }
    Thread t = runner;
    if (t != null && t != Thread.currentThread()) {
      t.interrupt();
    }
  }
}
