package io.responder.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Locale;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * What differs between the supported databases: session settings, the single-owner lock, catalog
 * look-ups, uuid binding and where the schema files live. Stateless; instances are
 * thread-safe.
 */
abstract class Dialect {
  /**
   * Picks the dialect of a connection from the driver's product name.
   *
   * @throws JdbcStoreException for a database this store does not support
   */
  static Dialect of(Connection c) throws SQLException {
    String product = c.getMetaData().getDatabaseProductName();
    String p = product == null ? "" : product.toLowerCase(Locale.ROOT);
    if (p.equals("sqlite")) {
      return new SqliteDialect();
    }
    if (p.equals("postgresql")) {
      return new PostgresDialect();
    }
    throw new JdbcStoreException("unsupported database \"" + product
        + "\": responder-store-jdbc supports SQLite and PostgreSQL");
  }

  /** The directory of this dialect's schema files under {@code schema/}. */
  abstract String schemaDirectory();

  /**
   * Applies the session settings every connection the store uses needs; the writer's also make
   * commits durable. Called with auto-commit on, outside any transaction.
   */
  abstract void configureSession(Connection c, boolean writer) throws SQLException;

  /** Names the database for messages: a file, or a schema of a database. */
  abstract String describe(Connection c) throws SQLException;

  /**
   * Takes the database's single-owner lock for a new store, on its writer connection.
   *
   * @throws StoreLockedException if another store holds it
   */
  abstract OwnerLock lock(Connection writer, String database) throws SQLException;

  /**
   * Applies database-wide settings once the lock is held (SQLite's journal mode) and checks that the
   * database can hold this schema. Called with auto-commit on.
   */
  void configureDatabase(Connection writer, String database) throws SQLException {}

  /** Whether a table of this store exists where the store's statements will find it. */
  abstract boolean hasTable(Connection c, String table) throws SQLException;

  /** Binds a uuid to a parameter of the column type this dialect's schema uses. */
  abstract void bindUuid(PreparedStatement ps, int index, UUID uuid) throws SQLException;

  /**
   * The single-owner lock of an open store. Used under the store's write lock only.
   */
  interface OwnerLock {
    /**
     * Takes the lock again on a replacement writer connection, after the previous one was lost.
     *
     * @throws StoreLockedException if another store took it in the meantime
     */
    void reacquire(Connection writer) throws SQLException;

    /** Releases the lock. Never throws; {@code writer} may be null or broken. */
    void release(@Nullable Connection writer);
  }
}
