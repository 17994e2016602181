package dev.cms.gateway.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MigrationsTest {

  @Test
  void aScriptsVersionIsTheNumberInItsName() {
    assertThat(Migrations.version("V4__users.sql")).isEqualTo(4);
    assertThat(Migrations.version("V12__x.sql")).isEqualTo(12);
    assertThatThrownBy(() -> Migrations.version("users.sql"))
        .hasMessageContaining("V<n>__<name>.sql");
  }

  @Test
  void everyScriptRunsOnceAndIsRecordedUnderItsOwnVersion() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:h2:mem:migrations-test", "sa", "")) {
      assertThat(Migrations.migrate(c)).isEqualTo(Migrations.SCRIPTS.size());
      assertThat(Migrations.migrate(c)).isZero();
      List<Integer> versions = new ArrayList<>();
      try (ResultSet rs =
          c.createStatement().executeQuery("SELECT version FROM schema_version ORDER BY 1")) {
        while (rs.next()) {
          versions.add(rs.getInt(1));
        }
      }
      assertThat(versions)
          .containsExactlyElementsOf(Migrations.SCRIPTS.stream().map(Migrations::version).toList());
      c.createStatement().execute("SELECT name, password_hash FROM app_user");
    }
  }
}
