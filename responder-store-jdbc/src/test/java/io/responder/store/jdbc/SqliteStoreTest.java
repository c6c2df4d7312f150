package io.responder.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

/** What is particular to SQLite: a file in WAL mode, locked through a file beside it. */
class SqliteStoreTest {
  @TempDir
  Path dir;
  private TestDatabase db;

  @AfterEach
  void close() throws Exception {
    if (db != null) {
      db.close();
    }
  }

  @Test
  void theDatabaseIsInWalModeAndLockedThroughAFileBesideIt() throws Exception {
    db = TestDatabase.sqlite(dir.resolve("watchtower.db"));
    db.open();
    assertEquals("wal", db.queryString("PRAGMA journal_mode"));
    Path lockFile = dir.resolve("watchtower.db" + SqliteDialect.LOCK_SUFFIX);
    assertTrue(Files.exists(lockFile));

    StoreLockedException e = assertThrows(StoreLockedException.class, db::open);
    assertTrue(e.getMessage().contains(lockFile.toRealPath().toString()), e.getMessage());
  }

  @Test
  void anInMemoryDatabaseIsRefused() {
    SQLiteDataSource memory = new SQLiteDataSource();
    memory.setUrl("jdbc:sqlite::memory:");
    JdbcStoreException e = assertThrows(JdbcStoreException.class, () -> JdbcTrackerStore.open(memory));
    assertTrue(e.getMessage().contains("needs a database file"), e.getMessage());
  }

  @Test
  void versionsAreComparedNumerically() {
    int[] minimum = {3, 37, 0};
    assertTrue(SqliteDialect.atLeast("3.37.0", minimum));
    assertTrue(SqliteDialect.atLeast("3.54.1", minimum));
    assertTrue(SqliteDialect.atLeast("4.0.0", minimum));
    assertTrue(!SqliteDialect.atLeast("3.9.2", minimum));
    assertTrue(!SqliteDialect.atLeast("3.36.99", minimum));
    assertTrue(!SqliteDialect.atLeast("garbage", minimum));
  }

  @Test
  void schemaFilesSplitIntoStatements() {
    SchemaMigrator.Script s = SchemaMigrator.Script.parse("V9.sql", String.join("\n",
        "-- What version 9 does.", "", "CREATE TABLE a (", "  x INTEGER", ");", "-- a comment", "DROP TABLE b;", ""));
    assertEquals("What version 9 does.", s.description());
    assertEquals(2, s.statements().size());
    assertEquals("CREATE TABLE a (\n  x INTEGER\n)", s.statements().get(0));
    assertEquals("DROP TABLE b", s.statements().get(1));
    assertThrows(IllegalStateException.class, () -> SchemaMigrator.Script.parse("V9.sql", "-- x\nDROP TABLE b"));
  }
}
