package io.responder.store.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates and upgrades the store's schema from the versioned SQL files under
 * {@code schema/<dialect>/V<n>.sql} (resources of this package), recording each applied version in
 * {@code responder_schema_version}.
 *
 * <p>File rules: {@code V<n>.sql} takes a database from version n-1 to n and is never edited once
 * released (add a new file and raise {@link #LATEST_VERSION}); its first line is a {@code --} comment
 * that becomes the version's description; statements end with {@code ;} at the end of a line, with
 * no {@code ;} inside one; other lines starting with {@code --} are comments. Every version exists
 * for every dialect.
 *
 * <p>Runs only under the single-owner lock, so two stores never migrate at once. Stateless.
 */
final class SchemaMigrator {
  private static final Logger log = LoggerFactory.getLogger(SchemaMigrator.class);

  /** The schema version this build writes; databases above it are refused. */
  static final int LATEST_VERSION = 1;
  static final String VERSION_TABLE = "responder_schema_version";

  private SchemaMigrator() {}

  /**
   * Brings the schema to {@link #LATEST_VERSION}, each version in its own transaction.
   *
   * @param c the writer connection, auto-commit off
   * @return the version the database had before
   * @throws JdbcStoreException if the database is newer than this build, or a migration fails
   */
  static int migrate(Connection c, Dialect dialect, String database) throws SQLException {
    int found = currentVersion(c, dialect);
    c.rollback(); // end the read; each migration below is its own transaction
    if (found > LATEST_VERSION) {
      throw new JdbcStoreException(database + " has schema version " + found
          + ", written by a newer responder-store-jdbc; this one knows versions up to " + LATEST_VERSION
          + ". Refusing to open it rather than downgrade it: use a responder-store-jdbc that supports version "
          + found + " or newer");
    }
    for (int v = found + 1; v <= LATEST_VERSION; v++) {
      Script script = Script.load(dialect, v);
      try {
        try (Statement s = c.createStatement()) {
          for (String sql : script.statements()) {
            s.execute(sql);
          }
        }
        try (PreparedStatement ps = c.prepareStatement(
            "INSERT INTO " + VERSION_TABLE + " (version, description) VALUES (?, ?)")) {
          ps.setInt(1, v);
          ps.setString(2, script.description());
          ps.executeUpdate();
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(c, e);
        throw SqlErrors.failure(database + ": could not upgrade the schema to version " + v
            + " (" + script.description() + ")", e);
      }
      log.atInfo().addKeyValue("database", database).addKeyValue("version", v)
          .addKeyValue("description", script.description()).log("store schema upgraded");
    }
    return found;
  }

  /** The highest applied version, or 0 for a database without the store's tables. */
  static int currentVersion(Connection c, Dialect dialect) throws SQLException {
    if (!dialect.hasTable(c, VERSION_TABLE)) {
      return 0;
    }
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT MAX(version) FROM " + VERSION_TABLE)) {
      rs.next();
      return rs.getInt(1); // NULL (an empty table) reads as 0
    }
  }

  private static void rollbackQuietly(Connection c, Exception failure) {
    try {
      c.rollback();
    } catch (SQLException e) {
      failure.addSuppressed(SqlErrors.scrubbed(e));
    }
  }

  /** One migration file, split into statements. */
  record Script(String description, List<String> statements) {
    static Script load(Dialect dialect, int version) {
      String name = "schema/" + dialect.schemaDirectory() + "/V" + version + ".sql";
      String text;
      try (InputStream in = SchemaMigrator.class.getResourceAsStream(name)) {
        if (in == null) {
          throw new IllegalStateException("schema file " + name + " is missing from responder-store-jdbc");
        }
        text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new IllegalStateException("cannot read schema file " + name, e);
      }
      return parse(name, text);
    }

    static Script parse(String name, String text) {
      String description = null;
      List<String> statements = new ArrayList<>();
      StringBuilder current = new StringBuilder();
      for (String line : text.split("\n", -1)) {
        String trimmed = line.strip();
        if (trimmed.startsWith("--")) {
          if (description == null) {
            description = trimmed.substring(2).strip();
          }
          continue;
        }
        if (trimmed.isEmpty()) {
          continue;
        }
        if (current.length() > 0) {
          current.append('\n');
        }
        current.append(line.stripTrailing());
        if (trimmed.endsWith(";")) {
          current.setLength(current.length() - 1);
          statements.add(current.toString());
          current.setLength(0);
        }
      }
      if (current.length() > 0) {
        throw new IllegalStateException("schema file " + name + " ends inside a statement (missing ';')");
      }
      if (description == null || description.isEmpty()) {
        throw new IllegalStateException("schema file " + name + " has no description comment");
      }
      return new Script(description, List.copyOf(statements));
    }
  }
}
