package dev.cms.gateway.persistence;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.annotation.sql.DataSourceDefinition;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Declares the gateway's JTA data source and brings its schema up to date with Flyway when the
 * application starts ({@code db/migration/V<n>__<name>.sql}), before any store is used: every store
 * calls {@link #version()} when it is created, which waits for this singleton's start.
 *
 * <p>A database made by the gateway's former hand-made runner has a {@code schema_version} table
 * and no Flyway history. Flyway runs every script on it: V1..V7 are written to be no-ops where
 * their tables, columns and indexes exist (IF NOT EXISTS, on H2 and PostgreSQL alike), V8 moves the
 * labels, so no record is lost and a database the old runner left half-way is completed too.
 * (Flyway's own baseline was tried first: with Flyway 13.12.1 on H2 its baseline row was not kept,
 * and V1 then ran on the existing tables.) The old {@code schema_version} table stays, unused.
 */
@DataSourceDefinition(
    name = SchemaMigrations.DATA_SOURCE,
    className = "dev.cms.gateway.persistence.CmsDataSource",
    transactional = true,
    initialPoolSize = 1,
    minPoolSize = 1,
    maxPoolSize = 32,
    maxIdleTime = 300)
@Singleton
@Startup
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class SchemaMigrations {

  /** The JNDI name of the data source (persistence.xml names it too). */
  public static final String DATA_SOURCE = "java:app/jdbc/cms";

  private static final Logger LOG = Logger.getLogger(SchemaMigrations.class.getName());

  @Resource(lookup = DATA_SOURCE)
  DataSource dataSource;

  private String version;

  // not named migrate: the EJB container finds lifecycle callbacks by name, overloads confuse it
  @PostConstruct
  void start() {
    version = migrate(dataSource);
  }

  /** Brings the schema behind {@code dataSource} up to date; returns its version. */
  static String migrate(DataSource dataSource) {
    MigrateResult result =
        Flyway.configure(SchemaMigrations.class.getClassLoader())
            .dataSource(dataSource)
            // the scripts are resources of this WAR, read through its class loader; the one Java
            // migration is given as an object, so no class path scanning for classes is involved
            .locations("classpath:db/migration")
            .javaMigrations(new V8__container_labels())
            // a schema without Flyway history (the former runner's) starts below V1
            .baselineOnMigrate(true)
            .baselineVersion("0")
            .load()
            .migrate();
    String version =
        result.targetSchemaVersion != null
            ? result.targetSchemaVersion
            : result.initialSchemaVersion;
    LOG.info(
        () ->
            "database schema at version "
                + version
                + " ("
                + result.migrationsExecuted
                + " migrations applied now)");
    return version;
  }

  /** The schema version (the stores call it first, so that they never see an old schema). */
  public String version() {
    return version;
  }
}
