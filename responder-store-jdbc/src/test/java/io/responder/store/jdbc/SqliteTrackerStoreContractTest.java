package io.responder.store.jdbc;

import io.responder.core.TrackerStore;
import io.responder.testkit.TrackerStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** The store honours the TrackerStore contract on SQLite: a temporary file, reopened by restarts. */
class SqliteTrackerStoreContractTest extends TrackerStoreContract {
  @TempDir
  Path dir;
  private TestDatabase db;

  @Override
  protected TrackerStore createStore() {
    db = TestDatabase.sqlite(dir.resolve("responder.db"));
    return db.open();
  }

  @Override
  protected TrackerStore reopen(TrackerStore store) {
    return db.reopen((JdbcTrackerStore) store); // closes it: one store per database
  }

  @AfterEach
  void closeStores() throws Exception {
    if (db != null) {
      db.close();
    }
  }
}
