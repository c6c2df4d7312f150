package io.responder.store.jdbc;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.sqlite.SQLiteDataSource;

/**
 * A fresh, empty database of one dialect for one test, with the stores opened over it: a SQLite file
 * in a temporary directory, or a new schema in the PostgreSQL database named by
 * {@code RESPONDER_PG_URL} / {@code RESPONDER_PG_USER} / {@code RESPONDER_PG_PASSWORD} (see
 * {@code .ci/start-postgres.sh}). Without those variables a PostgreSQL database cannot be had and the
 * test asking for one is skipped, never passed. {@link #close()} closes every store it opened and
 * drops the schema.
 */
abstract class TestDatabase implements AutoCloseable {
  static final String PG_URL = "RESPONDER_PG_URL";
  static final String PG_USER = "RESPONDER_PG_USER";
  static final String PG_PASSWORD = "RESPONDER_PG_PASSWORD";

  /** The dialects, for parameterised tests. */
  enum Kind {
    SQLITE, POSTGRESQL;

    TestDatabase create(Path dir) {
      return this == SQLITE ? sqlite(dir.resolve("responder.db")) : postgres();
    }
  }

  private final List<JdbcTrackerStore> opened = new ArrayList<>();

  static TestDatabase sqlite(Path file) {
    return new Sqlite(file);
  }

  /** A new schema in the configured PostgreSQL database; skips the calling test if there is none. */
  static TestDatabase postgres() {
    assumeTrue(postgresConfigured(), "PostgreSQL tests need " + PG_URL + ", " + PG_USER + " and " + PG_PASSWORD
        + " (eval \"$(bash .ci/start-postgres.sh)\" sets them)");
    return new Postgres();
  }

  static boolean postgresConfigured() {
    String url = System.getenv(PG_URL);
    return url != null && !url.isBlank();
  }

  /** The data source a host would hand the store. */
  abstract DataSource dataSource();

  abstract Kind kind();

  /** Opens a store over this database; {@link #close()} closes it if the test did not. */
  JdbcTrackerStore open() {
    JdbcTrackerStore s = JdbcTrackerStore.open(dataSource());
    opened.add(s);
    return s;
  }

  /** Closes {@code store} and opens the same database again: a process restart. */
  JdbcTrackerStore reopen(JdbcTrackerStore store) {
    store.close();
    return open();
  }

  /** Runs SQL behind the store's back: how tests corrupt rows. */
  void execute(String sql) throws SQLException {
    try (Connection c = dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  /** The first column of the first row of a query. */
  String queryString(String sql) throws SQLException {
    try (Connection c = dataSource().getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  @Override
  public void close() throws SQLException {
    for (JdbcTrackerStore s : opened) {
      s.close();
    }
    opened.clear();
  }

  private static final class Sqlite extends TestDatabase {
    private final SQLiteDataSource ds = new SQLiteDataSource();

    Sqlite(Path file) {
      ds.setUrl("jdbc:sqlite:" + file);
    }

    @Override
    DataSource dataSource() {
      return ds;
    }

    @Override
    Kind kind() {
      return Kind.SQLITE;
    }
  }

  static final class Postgres extends TestDatabase {
    private static final Random NAMES = new Random();
    private final String schema;
    private final PGSimpleDataSource direct = new PGSimpleDataSource();
    private final TestPool pool;

    Postgres() {
      direct.setUrl(System.getenv(PG_URL));
      direct.setUser(System.getenv(PG_USER));
      direct.setPassword(System.getenv(PG_PASSWORD));
      direct.setApplicationName("responder-store-jdbc-tests");
      synchronized (NAMES) {
        schema = "responder_test_" + Long.toUnsignedString(NAMES.nextLong(), 36);
      }
      try (Connection c = direct.getConnection(); Statement s = c.createStatement()) {
        s.execute("CREATE SCHEMA " + schema);
      } catch (SQLException e) {
        throw new IllegalStateException("cannot create schema " + schema + " in " + direct.getUrl(), e);
      }
      direct.setCurrentSchema(schema);
      pool = new TestPool(direct);
    }

    String schema() {
      return schema;
    }

    @Override
    DataSource dataSource() {
      return pool;
    }

    @Override
    Kind kind() {
      return Kind.POSTGRESQL;
    }

    @Override
    public void close() throws SQLException {
      try {
        super.close();
      } finally {
        pool.close();
        PGSimpleDataSource admin = new PGSimpleDataSource();
        admin.setUrl(direct.getUrl());
        admin.setUser(direct.getUser());
        admin.setPassword(direct.getPassword());
        try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
          s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
      }
    }
  }
}
