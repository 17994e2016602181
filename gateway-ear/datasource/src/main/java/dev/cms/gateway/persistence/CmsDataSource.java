package dev.cms.gateway.persistence;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Optional;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The JDBC driver behind the gateway's data source ({@link SchemaMigrations} declares it with
 * {@code @DataSourceDefinition}; the server pools its connections and enlists them in JTA).
 *
 * <p>Why a class of ours and not the driver's class in the annotation: the driver depends on the
 * configured URL ({@code CMS_DB_URL}: H2 or PostgreSQL), and the default URL is computed from the
 * data directory ({@code CMS_DATA_DIR}); an annotation holds constants only. The settings are read
 * from MicroProfile Config when the server first asks for a connection, the same way on Payara
 * Micro and on Payara Server.
 */
public class CmsDataSource implements DataSource {

  private static final Logger LOG = Logger.getLogger(CmsDataSource.class.getName());

  /** The H2 options every embedded database gets (see {@link #defaultUrl}). */
  static final String H2_OPTIONS = ";DB_CLOSE_ON_EXIT=FALSE;MAX_COMPACT_TIME=0";

  private volatile DataSource delegate;
  private PrintWriter logWriter;
  private int loginTimeout;

  /** The configured JDBC URL (for messages): {@code CMS_DB_URL} or the embedded H2 file. */
  public static String url(Config config) {
    return config
        .getOptionalValue("cms.db.url", String.class)
        .filter(u -> !u.isBlank())
        .orElseGet(() -> defaultUrl(config));
  }

  /**
   * The embedded H2 file under the data directory. MAX_COMPACT_TIME=0: no file compaction when the
   * database closes. Twice a gateway killed while it stopped on a loaded machine left a database
   * that had lost minutes of committed changes (the compaction at close rewrites the file); without
   * it a kill loses at most the last second of commits (H2's store delay).
   */
  static String defaultUrl(Config config) {
    Path dir =
        Path.of(config.getOptionalValue("cms.data.dir", String.class).orElse("cms-data"))
            .toAbsolutePath()
            .normalize()
            .resolve("db");
    return "jdbc:h2:file:" + dir.resolve("cms") + H2_OPTIONS;
  }

  private DataSource delegate() {
    DataSource d = delegate;
    if (d == null) {
      synchronized (this) {
        d = delegate;
        if (d == null) {
          d = open(ConfigProvider.getConfig(CmsDataSource.class.getClassLoader()));
          delegate = d;
        }
      }
    }
    return d;
  }

  static DataSource open(Config config) {
    String url = url(config);
    boolean configured = config.getOptionalValue("cms.db.url", String.class).isPresent();
    Optional<String> user = config.getOptionalValue("cms.db.user", String.class);
    String password = config.getOptionalValue("cms.db.password", String.class).orElse("");
    if (url.startsWith("jdbc:h2:")) {
      if (!configured) {
        createDirectory(url);
      }
      org.h2.jdbcx.JdbcDataSource h2 = new org.h2.jdbcx.JdbcDataSource();
      h2.setURL(url);
      h2.setUser(user.orElse("cms"));
      h2.setPassword(password);
      LOG.info(() -> "records in H2 at " + url);
      return h2;
    }
    if (url.startsWith("jdbc:postgresql:")) {
      org.postgresql.ds.PGSimpleDataSource pg = new org.postgresql.ds.PGSimpleDataSource();
      pg.setUrl(url);
      user.ifPresent(pg::setUser);
      pg.setPassword(password);
      LOG.info(() -> "records in PostgreSQL at " + url.replaceAll("password=[^&]*", "password=…"));
      return pg;
    }
    throw new IllegalStateException(
        "CMS_DB_URL must be a jdbc:h2: or jdbc:postgresql: URL; was '"
            + url.replaceAll("password=[^&;]*", "password=…")
            + "'");
  }

  private static void createDirectory(String url) {
    Path file = Path.of(url.substring("jdbc:h2:file:".length(), url.indexOf(';')));
    try {
      Files.createDirectories(file.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the database directory " + file.getParent(), e);
    }
  }

  @Override
  public Connection getConnection() throws SQLException {
    return delegate().getConnection();
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    // the credentials are the configured ones (CMS_DB_USER, CMS_DB_PASSWORD), not the pool's
    return delegate().getConnection();
  }

  @Override
  public PrintWriter getLogWriter() {
    return logWriter;
  }

  @Override
  public void setLogWriter(PrintWriter out) {
    this.logWriter = out;
  }

  @Override
  public void setLoginTimeout(int seconds) {
    this.loginTimeout = seconds;
  }

  @Override
  public int getLoginTimeout() {
    return loginTimeout;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    return delegate().unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return iface.isInstance(this) || delegate().isWrapperFor(iface);
  }
}
