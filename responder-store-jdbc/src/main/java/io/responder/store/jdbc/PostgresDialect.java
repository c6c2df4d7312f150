package io.responder.store.jdbc;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL: the store's tables live in the connection's current schema (the first existing schema
 * of its {@code search_path}), and ownership is a session-level advisory lock on the writer
 * connection, keyed by database and schema. The server drops the lock when that session ends, so a
 * store whose process died is taken over as soon as the server notices the dead connection.
 * Stateless; instances are thread-safe.
 */
final class PostgresDialect extends Dialect {
  private static final Logger log = LoggerFactory.getLogger(PostgresDialect.class);
  /** Mixed into the advisory lock key so it does not collide with the host's own advisory locks. */
  private static final String LOCK_NAMESPACE = "io.responder.store.jdbc/owner";

  @Override
  String schemaDirectory() {
    return "postgresql";
  }

  @Override
  void configureSession(Connection c, boolean writer) throws SQLException {
    if (!writer) {
      return;
    }
    try (Statement s = c.createStatement()) {
      String level;
      try (ResultSet rs = s.executeQuery("SHOW synchronous_commit")) {
        rs.next();
        level = rs.getString(1);
      }
      if ("off".equalsIgnoreCase(level)) {
        // A commit must be durable when it returns; any other level (local, on, remote_*) is.
        s.execute("SET synchronous_commit TO on");
        log.atInfo().log("synchronous_commit was off for the store's session: set to on so commits are durable");
      }
    }
  }

  @Override
  String describe(Connection c) throws SQLException {
    String[] where = databaseAndSchema(c);
    return "PostgreSQL schema \"" + where[1] + "\" of database \"" + where[0] + "\"";
  }

  @Override
  OwnerLock lock(Connection writer, String database) throws SQLException {
    String[] where = databaseAndSchema(writer);
    long key = lockKey(where[0], where[1]);
    AdvisoryLock lock = new AdvisoryLock(key, database);
    lock.reacquire(writer);
    return lock;
  }

  @Override
  boolean hasTable(Connection c, String table) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  @Override
  void bindUuid(PreparedStatement ps, int index, UUID uuid) throws SQLException {
    ps.setObject(index, uuid);
  }

  private static String[] databaseAndSchema(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT current_database(), current_schema()")) {
      rs.next();
      String db = rs.getString(1);
      String schema = rs.getString(2);
      if (schema == null) {
        throw new JdbcStoreException("PostgreSQL database \"" + db
            + "\": no schema of the connection's search_path exists; create one or set currentSchema");
      }
      return new String[] {db, schema};
    }
  }

  /** A stable 64-bit key for the pair: the first 8 bytes of a SHA-256 of it. */
  static long lockKey(String database, String schema) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] digest = sha.digest((LOCK_NAMESPACE + '\0' + database + '\0' + schema).getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.wrap(digest).getLong();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }

  /** The advisory lock of one schema, held by the store's writer session. */
  private static final class AdvisoryLock implements OwnerLock {
    private final long key;
    private final String database;

    AdvisoryLock(long key, String database) {
      this.key = key;
      this.database = database;
    }

    @Override
    public void reacquire(Connection writer) throws SQLException {
      boolean locked;
      try (PreparedStatement ps = writer.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
        ps.setLong(1, key);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          locked = rs.getBoolean(1);
        }
      }
      if (!locked) {
        throw new StoreLockedException(database + " is already used by another store (" + holder(writer)
            + " holds advisory lock " + key + "); only one Responder may use a database at a time."
            + " Opening succeeds once it is closed or its session has ended");
      }
    }

    /** Names the session that holds the lock; best effort. */
    private String holder(Connection c) {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT l.pid, a.application_name, host(a.client_addr) FROM pg_locks l"
              + " LEFT JOIN pg_stat_activity a ON a.pid = l.pid"
              + " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
              + " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
              + " AND l.classid::bigint = ? AND l.objid::bigint = ?")) {
        ps.setLong(1, key >>> 32);
        ps.setLong(2, key & 0xFFFF_FFFFL);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            String app = rs.getString(2);
            String addr = rs.getString(3);
            return "backend pid " + rs.getInt(1) + (app == null || app.isEmpty() ? "" : " (" + app + ")")
                + (addr == null ? "" : " from " + addr);
          }
        }
      } catch (SQLException e) {
        // fall through: the lock is held all the same
      }
      return "another session";
    }

    @Override
    public void release(@Nullable Connection writer) {
      if (writer == null) {
        return;
      }
      try {
        try (PreparedStatement ps = writer.prepareStatement("SELECT pg_advisory_unlock(?)")) {
          ps.setLong(1, key);
          ps.executeQuery().close();
        }
        if (!writer.getAutoCommit()) {
          writer.commit();
        }
      } catch (SQLException e) {
        // A broken session has lost the lock already; a pooled one must not keep it.
        log.atWarn().addKeyValue("key", key).addKeyValue("reason", SqlErrors.reason(e))
            .log("could not release the advisory lock; it ends with the session");
      }
    }
  }
}
