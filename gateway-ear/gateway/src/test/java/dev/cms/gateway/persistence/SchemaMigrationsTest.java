package dev.cms.gateway.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

class SchemaMigrationsTest {

  private static JdbcDataSource h2(String name) {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1");
    ds.setUser("sa");
    return ds;
  }

  @Test
  void anEmptyDatabaseGetsEveryMigrationAndASecondRunChangesNothing() throws Exception {
    JdbcDataSource ds = h2("fresh");
    assertThat(SchemaMigrations.migrate(ds)).isEqualTo("10");
    assertThat(SchemaMigrations.migrate(ds)).isEqualTo("10");
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("SELECT container_id, label_name, label_value FROM container_label");
      s.execute("SELECT owner_id FROM owner_quota");
      s.execute("SELECT name, password_hash FROM app_user");
    }
  }

  @Test
  void aDatabaseOfTheFormerRunnerKeepsItsRecordsAndItsLabelsMove() throws Exception {
    // given: the schema and history the hand-made runner left, and a record with encoded labels
    JdbcDataSource ds = h2("former");
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      for (int v = 1; v <= 7; v++) {
        for (String sql : script(v).replaceAll("(?m)^--.*$", "").split(";")) {
          if (!sql.isBlank()) {
            s.execute(sql);
          }
        }
      }
      s.execute(
          "CREATE TABLE schema_version (version INTEGER PRIMARY KEY,"
              + " script VARCHAR(255) NOT NULL, applied_at TIMESTAMP NOT NULL)");
      for (int v = 1; v <= 7; v++) {
        s.execute("INSERT INTO schema_version VALUES (" + v + ", 'V" + v + "', CURRENT_TIMESTAMP)");
      }
      s.execute(
          "INSERT INTO container_record (id, owner_id, status, memory_mb, cpus, pids_limit,"
              + " idle_timeout_seconds, ttl_seconds, labels, client_token_hash,"
              + " agent_secret_hash, created_at, updated_at, last_activity_at, version) VALUES"
              + " ('c-old', 'key-1', 'DELETED', 512, 1.0, 256, 600, 3600,"
              + " STRINGDECODE('team=blue\\nnote=a\\\\eb\\\\nc\\\\\\\\d\\n'), 'h', 'h',"
              + " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)");
    }

    // when
    assertThat(SchemaMigrations.migrate(ds)).isEqualTo("10");

    // then
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM container_record")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(1);
      }
      Map<String, String> labels = new LinkedHashMap<>();
      try (ResultSet rs =
          s.executeQuery(
              "SELECT label_name, label_value FROM container_label WHERE container_id = 'c-old'"
                  + " ORDER BY label_name")) {
        while (rs.next()) {
          labels.put(rs.getString(1), rs.getString(2));
        }
      }
      assertThat(labels).containsExactly(Map.entry("note", "a=b\nc\\d"), Map.entry("team", "blue"));
    }
  }

  private static String script(int v) throws IOException {
    String name =
        switch (v) {
          case 1 -> "V1__containers.sql";
          case 2 -> "V2__agent_link.sql";
          case 3 -> "V3__disk_limit.sql";
          case 4 -> "V4__users.sql";
          case 5 -> "V5__federated_users.sql";
          case 6 -> "V6__snapshots.sql";
          default -> "V7__templates.sql";
        };
    try (InputStream in =
        SchemaMigrationsTest.class.getClassLoader().getResourceAsStream("db/migration/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
