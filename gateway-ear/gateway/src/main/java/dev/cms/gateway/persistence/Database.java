package dev.cms.gateway.persistence;

import dev.cms.gateway.config.Settings;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;
import jakarta.persistence.Persistence;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The gateway's own embedded H2 file database under the data directory, migrated on start.
 *
 * <p>Why not a container-managed JTA data source: the database location comes from runtime
 * configuration ({@code CMS_DATA_DIR}) and the same WAR must run unchanged on Payara Micro and
 * inside the EAR on Payara Server without any server-side resource set-up. So the persistence unit
 * is RESOURCE_LOCAL, created here from its own descriptor ({@code META-INF/cms-persistence.xml},
 * kept out of the container's way), and {@link #tx} is the transaction boundary.
 */
@ApplicationScoped
public class Database {

  private static final Logger LOG = Logger.getLogger(Database.class.getName());

  @Inject Settings settings;

  private EntityManagerFactory emf;
  private String url;

  @PostConstruct
  void init() {
    Path dir = settings.dataDir().resolve("db");
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the database directory " + dir, e);
    }
    // MAX_COMPACT_TIME=0: no file compaction when the database closes. Twice a gateway killed while
    // it stopped on a loaded machine left a database that had lost minutes of committed changes
    // (the compaction at close rewrites the file); without it a kill loses at most the last
    // second of commits (H2's store delay).
    url = "jdbc:h2:file:" + dir.resolve("cms") + ";DB_CLOSE_ON_EXIT=FALSE;MAX_COMPACT_TIME=0";
    try {
      org.h2.Driver.load();
      try (Connection c = DriverManager.getConnection(url, "cms", "")) {
        Migrations.migrate(c);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot open or migrate the database at " + url, e);
    }
    emf =
        Persistence.createEntityManagerFactory(
            "cms",
            Map.of(
                "eclipselink.persistencexml", "META-INF/cms-persistence.xml",
                "jakarta.persistence.jdbc.url", url,
                "jakarta.persistence.jdbc.driver", "org.h2.Driver",
                "jakarta.persistence.jdbc.user", "cms",
                "jakarta.persistence.jdbc.password", ""));
    LOG.info(() -> "database ready at " + dir);
  }

  @PreDestroy
  void close() {
    if (emf != null && emf.isOpen()) {
      emf.close();
    }
  }

  /** Runs work in one transaction and returns its result; rolls back on any failure. */
  public <T> T tx(Function<EntityManager, T> work) {
    EntityManager em = emf.createEntityManager();
    EntityTransaction t = em.getTransaction();
    try {
      t.begin();
      T result = work.apply(em);
      t.commit();
      return result;
    } catch (RuntimeException e) {
      if (t.isActive()) {
        t.rollback();
      }
      throw e;
    } finally {
      em.close();
    }
  }

  /** Runs work in one transaction. */
  public void run(Consumer<EntityManager> work) {
    tx(
        em -> {
          work.accept(em);
          return null;
        });
  }

  /** Checks the database answers a trivial query. */
  public void ping() throws SQLException {
    try (Connection c = DriverManager.getConnection(url, "cms", "")) {
      c.createStatement().execute("SELECT 1");
    }
  }
}
