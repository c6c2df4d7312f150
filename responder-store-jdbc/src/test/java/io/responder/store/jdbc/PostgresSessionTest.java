package io.responder.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import io.responder.core.StoreUpdate;
import io.responder.core.TrackerStatus;
import io.responder.core.TransactionTracker;
import io.responder.testkit.Appointment;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * On PostgreSQL the owner lock lives in the store's writer session: when the server ends that
 * session (a restart, an administrator, a dead network), the store reconnects and goes on unless
 * another store took the database over meanwhile, which it then never writes over. Skipped without
 * a server.
 */
class PostgresSessionTest {
  private final Random rng = new Random(515);
  private TestDatabase.Postgres db;

  @BeforeEach
  void createSchema() {
    db = (TestDatabase.Postgres) TestDatabase.postgres();
  }

  @AfterEach
  void dropSchema() throws Exception {
    if (db != null) {
      db.close();
    }
  }

  @Test
  void aStoreWhoseSessionWasCutReconnectsAndGoesOn() throws Exception {
    JdbcTrackerStore store = db.open();
    TransactionTracker before = tracker();
    store.commit(add(before));

    assertTrue(terminateOwnerSession());
    TransactionTracker during = tracker();
    assertThrows(JdbcStoreException.class, () -> store.commit(add(during)), "the commit in flight fails");
    assertEquals(Optional.empty(), store.find(during.uuid()));

    store.commit(add(during)); // the next one reconnects, takes the lock again and applies
    assertEquals(Optional.of(during), store.find(during.uuid()));
    assertEquals(Optional.of(before), store.find(before.uuid()));
    assertThrows(StoreLockedException.class, db::open, "the reconnected store owns the schema again");
  }

  @Test
  void aStoreThatLostTheDatabaseToAnotherNeverWritesAgain() throws Exception {
    JdbcTrackerStore first = db.open();
    first.commit(add(tracker()));
    assertTrue(terminateOwnerSession());

    JdbcTrackerStore second = db.open(); // the lock is free: a successor takes over
    TransactionTracker ours = tracker();
    second.commit(add(ours));

    TransactionTracker stale = tracker();
    assertThrows(JdbcStoreException.class, () -> first.commit(add(stale)), "its session is gone");
    StoreLockedException held = assertThrows(StoreLockedException.class, () -> first.commit(add(stale)));
    assertTrue(held.getMessage().contains("responder-store-jdbc-tests"), held.getMessage()); // names the holder

    second.close();
    StoreLockedException lost = assertThrows(StoreLockedException.class, () -> first.commit(add(stale)));
    assertTrue(lost.getMessage().contains("another store owned the database"), lost.getMessage());
    assertThrows(StoreLockedException.class, () -> first.commit(add(stale)), "for good");

    JdbcTrackerStore third = db.open();
    assertEquals(Optional.of(ours), third.find(ours.uuid()));
    assertEquals(Optional.empty(), third.find(stale.uuid()));
  }

  @Test
  void closingReleasesTheLockOfAPooledSession() throws Exception {
    JdbcTrackerStore store = db.open();
    store.close(); // its writer goes back to the pool, alive: the lock must not stay with it
    assertFalse(terminateOwnerSession(), "no session holds the lock after close");
    db.open();
  }

  /** Ends the session holding the schema's owner lock, waiting until it is gone; false if none holds it. */
  private boolean terminateOwnerSession() throws SQLException {
    long key = PostgresDialect.lockKey(db.queryString("SELECT current_database()"), db.schema());
    String terminated = db.queryString("SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid, 10000) FROM pg_locks"
        + " WHERE locktype = 'advisory' AND granted AND objsubid = 1"
        + " AND classid::bigint = " + (key >>> 32) + " AND objid::bigint = " + (key & 0xFFFF_FFFFL) + ") t");
    return Integer.parseInt(terminated) > 0;
  }

  private TransactionTracker tracker() {
    byte[] b = new byte[32];
    rng.nextBytes(b);
    BlockRef seen = new BlockRef(BlockHash.fromDisplayBytes(b), 100);
    return TransactionTracker.of(Appointment.random(rng).breach(seen), OptionalInt.of(100), new TrackerStatus.InMempool(100));
  }

  private static StoreUpdate add(TransactionTracker t) {
    return new StoreUpdate(List.of(t), Map.of(), Set.of(), Optional.empty());
  }
}
