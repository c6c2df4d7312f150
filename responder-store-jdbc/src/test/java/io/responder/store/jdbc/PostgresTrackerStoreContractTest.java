package io.responder.store.jdbc;

import io.responder.core.TrackerStore;
import io.responder.testkit.TrackerStoreContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The store honours the TrackerStore contract on a real PostgreSQL server, each test in a schema of
 * its own. Skipped (not passed) when no server is configured: see {@link TestDatabase#postgres()}.
 */
class PostgresTrackerStoreContractTest extends TrackerStoreContract {
  private TestDatabase db;

  @BeforeEach
  void createSchema() {
    db = TestDatabase.postgres();
  }

  @Override
  protected TrackerStore createStore() {
    return db.open();
  }

  @Override
  protected TrackerStore reopen(TrackerStore store) {
    return db.reopen((JdbcTrackerStore) store); // closes it: one store per database
  }

  @AfterEach
  void dropSchema() throws Exception {
    if (db != null) {
      db.close();
    }
  }
}
