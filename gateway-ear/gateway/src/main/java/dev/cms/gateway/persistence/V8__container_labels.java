package dev.cms.gateway.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Labels leave the hand-encoded {@code container_record.labels} column (a {@code VARCHAR(8000)}
 * that 32 labels of 1 KiB overflowed) for a {@code container_label} table, one row per label. In
 * Java, not SQL, because the old column's escapes ({@code \\}, {@code \n}, {@code \e} for '=') are
 * decoded the same way on H2 and PostgreSQL only here. Given to Flyway explicitly (see {@link
 * SchemaMigrations}), so no class scanning is involved.
 */
public class V8__container_labels extends BaseJavaMigration {

  @Override
  public void migrate(Context context) throws SQLException {
    Connection c = context.getConnection();
    try (Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE container_label ("
              + " container_id VARCHAR(40) NOT NULL,"
              + " label_name VARCHAR(128) NOT NULL,"
              + " label_value VARCHAR(1024) NOT NULL,"
              + " PRIMARY KEY (container_id, label_name))");
      try (ResultSet rs =
              s.executeQuery("SELECT id, labels FROM container_record WHERE labels IS NOT NULL");
          PreparedStatement insert =
              c.prepareStatement(
                  "INSERT INTO container_label (container_id, label_name, label_value)"
                      + " VALUES (?, ?, ?)")) {
        while (rs.next()) {
          for (Map.Entry<String, String> e : decode(rs.getString(2)).entrySet()) {
            insert.setString(1, rs.getString(1));
            insert.setString(2, e.getKey());
            insert.setString(3, e.getValue());
            insert.addBatch();
          }
        }
        insert.executeBatch();
      }
    }
    try (Statement s = c.createStatement()) {
      s.execute("ALTER TABLE container_record DROP COLUMN labels");
    }
  }

  /** The former encoding: one {@code name=value} line per label, escaped. */
  static Map<String, String> decode(String text) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      if (line.isEmpty()) {
        continue;
      }
      int eq = indexOfUnescaped(line, '=');
      m.put(
          unescape(line.substring(0, eq)),
          unescape(line.substring(Math.min(eq + 1, line.length()))));
    }
    return m;
  }

  private static String unescape(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        char n = s.charAt(++i);
        sb.append(n == 'n' ? '\n' : n == 'e' ? '=' : n);
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  private static int indexOfUnescaped(String s, char target) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == '\\') {
        i++;
      } else if (s.charAt(i) == target) {
        return i;
      }
    }
    return s.length();
  }
}
