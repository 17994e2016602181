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
 * order, inside one transaction, and is recorded in {@code schema_version}. New scripts are
 * appended to {@link #SCRIPTS}.
 */
public final class Migrations {

  private static final Logger LOG = Logger.getLogger(Migrations.class.getName());

  /** Every migration, oldest first. Never edit one that has shipped: add the next. */
  static final List<String> SCRIPTS =
      List.of("V1__containers.sql", "V2__agent_link.sql", "V3__disk_limit.sql");

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
      int current = 0;
      try (ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(version), 0) FROM schema_version")) {
        if (rs.next()) {
          current = rs.getInt(1);
        }
      }
      int applied = 0;
      for (int v = current + 1; v <= SCRIPTS.size(); v++) {
        String script = SCRIPTS.get(v - 1);
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
        String applied1 = script;
        LOG.info(() -> "schema migration applied: " + applied1);
      }
      return applied;
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(autoCommit);
    }
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
