package io.responder.store.jdbc;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

/**
 * SQLite: one database file, in WAL mode with {@code synchronous=FULL}, owned through an exclusive
 * lock on a file beside it. Stateless; instances are thread-safe.
 */
final class SqliteDialect extends Dialect {
  /** The lock file is the database file's name with this suffix, beside it (as SQLite's -wal). */
  static final String LOCK_SUFFIX = ".responder-lock";
  /**
   * How long a statement waits for a lock held by another connection (a checkpoint, WAL recovery)
   * before failing. Only this store writes, so waits are short; the bound turns a wedged database
   * into an error rather than a hang.
   */
  static final int BUSY_TIMEOUT_MILLIS = 10_000;
  /** STRICT tables, which keep values of the wrong type out of every column, came with 3.37.0. */
  private static final int[] MINIMUM_VERSION = {3, 37, 0};
  /** What {@code PRAGMA synchronous} reads back for FULL. */
  private static final int SYNCHRONOUS_FULL = 2;

  @Override
  String schemaDirectory() {
    return "sqlite";
  }

  @Override
  void configureSession(Connection c, boolean writer) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("PRAGMA busy_timeout = " + BUSY_TIMEOUT_MILLIS);
      if (writer) {
        // In WAL mode FULL syncs the log on every commit, so a commit is durable when it returns,
        // as the TrackerStore contract asks; NORMAL could lose the last commits on power loss.
        s.execute("PRAGMA synchronous = FULL");
        int level = queryInt(s, "PRAGMA synchronous");
        if (level != SYNCHRONOUS_FULL) {
          throw new JdbcStoreException("SQLite kept synchronous=" + level + " when asked for FULL ("
              + SYNCHRONOUS_FULL + "): commits would not be durable");
        }
      }
    }
  }

  @Override
  String describe(Connection c) throws SQLException {
    String file = mainFile(c);
    return file.isEmpty() ? "in-memory SQLite database" : "SQLite database " + file;
  }

  @Override
  OwnerLock lock(Connection writer, String database) throws SQLException {
    String file = mainFile(writer);
    if (file.isEmpty()) {
      throw new JdbcStoreException(database + ": the store needs a database file "
          + "(jdbc:sqlite:/path/to/responder.db), not an in-memory or temporary database");
    }
    return SqliteLockFile.acquire(Path.of(file + LOCK_SUFFIX), database);
  }

  @Override
  void configureDatabase(Connection writer, String database) throws SQLException {
    try (Statement s = writer.createStatement()) {
      String version;
      try (ResultSet rs = s.executeQuery("SELECT sqlite_version()")) {
        rs.next();
        version = rs.getString(1);
      }
      if (!atLeast(version, MINIMUM_VERSION)) {
        throw new JdbcStoreException(database + ": SQLite " + version + " is too old; the store needs "
            + MINIMUM_VERSION[0] + "." + MINIMUM_VERSION[1] + "." + MINIMUM_VERSION[2]
            + " or newer (STRICT tables): upgrade the sqlite-jdbc driver");
      }
      // WAL: readers (queries, loadTrackers) never block the writer nor see half a commit.
      String mode;
      try (ResultSet rs = s.executeQuery("PRAGMA journal_mode = WAL")) {
        rs.next();
        mode = rs.getString(1);
      }
      if (!"wal".equalsIgnoreCase(mode)) {
        throw new JdbcStoreException(database + ": SQLite refused WAL journal mode (it is in "
            + mode + " mode); is the file on a file system without shared memory?");
      }
    }
  }

  @Override
  boolean hasTable(Connection c, String table) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  @Override
  void bindUuid(PreparedStatement ps, int index, UUID uuid) throws SQLException {
    ps.setString(index, uuid.toString());
  }

  /** The main database's file, or "" for an in-memory or temporary database. */
  private static String mainFile(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA database_list")) {
      while (rs.next()) {
        if ("main".equals(rs.getString("name"))) {
          String file = rs.getString("file");
          return file == null ? "" : file;
        }
      }
    }
    return "";
  }

  private static int queryInt(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    }
  }

  static boolean atLeast(String version, int[] minimum) {
    String[] parts = version.trim().toLowerCase(Locale.ROOT).split("\\.");
    for (int i = 0; i < minimum.length; i++) {
      int part;
      try {
        part = i < parts.length ? Integer.parseInt(parts[i].replaceAll("[^0-9].*$", "")) : 0;
      } catch (NumberFormatException e) {
        return false;
      }
      if (part != minimum[i]) {
        return part > minimum[i];
      }
    }
    return true;
  }
}
