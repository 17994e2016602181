package dev.cms.gateway.persistence;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.logging.Logger;

/**
 * Versioned schema migrations: each script {@code db/migration/V<n>__<name>.sql} runs once, in
 * order of {@code n}, inside one transaction, and is recorded in {@code schema_version} under its
 * {@code n}. New scripts are appended to {@link #SCRIPTS}. A script runs when its version is not
 * recorded yet, also when a higher one is (versions are taken by parallel branches, so one may land
 * after a higher one has run).
 */
public final class Migrations {

  private static final Logger LOG = Logger.getLogger(Migrations.class.getName());

  /** Every migration, oldest first. Never edit one that has shipped: add the next. */
  static final List<String> SCRIPTS =
      List.of(
          "V1__containers.sql",
          "V2__agent_link.sql",
          "V3__disk_limit.sql",
          "V4__users.sql",
          "V5__federated_users.sql",
          "V6__snapshots.sql",
          "V7__templates.sql");

  private Migrations() {}

  /** Brings the schema up to date; returns how many scripts ran. */
  public static int migrate(Connection c) throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY,"
              + " script VARCHAR(255) NOT NULL, applied_at TIMESTAMP NOT NULL)");
      c.commit();
      java.util.Set<Integer> done = new java.util.HashSet<>();
      try (ResultSet rs = s.executeQuery("SELECT version FROM schema_version")) {
        while (rs.next()) {
          done.add(rs.getInt(1));
        }
      }
      int applied = 0;
      for (String script :
          SCRIPTS.stream()
              .sorted(java.util.Comparator.comparingInt(Migrations::version))
              .toList()) {
        int v = version(script);
        if (done.contains(v)) {
          continue;
        }
        for (String sql : statements(read(script))) {
          s.execute(sql);
        }
        try (PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO schema_version (version, script, applied_at)"
                    + " VALUES (?, ?, CURRENT_TIMESTAMP)")) {
          ps.setInt(1, v);
          ps.setString(2, script);
          ps.executeUpdate();
        }
        c.commit();
        applied++;
        LOG.info(() -> "schema migration applied: " + script);
      }
      return applied;
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(autoCommit);
    }
  }

  /** The {@code n} of {@code V<n>__name.sql}. */
  static int version(String script) {
    int sep = script.indexOf("__");
    if (!script.startsWith("V") || sep < 2) {
      throw new IllegalStateException("migration script not named V<n>__<name>.sql: " + script);
    }
    return Integer.parseInt(script.substring(1, sep));
  }

  private static String read(String script) {
    try (InputStream in =
        Migrations.class.getClassLoader().getResourceAsStream("db/migration/" + script)) {
      if (in == null) {
        throw new IllegalStateException("migration script missing: " + script);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<String> statements(String sql) {
    StringBuilder clean = new StringBuilder();
    for (String line : sql.split("\n")) {
      if (!line.strip().startsWith("--")) {
        clean.append(line).append('\n');
      }
    }
    return java.util.Arrays.stream(clean.toString().split(";"))
        .map(String::strip)
        .filter(s -> !s.isEmpty())
        .toList();
  }
}
