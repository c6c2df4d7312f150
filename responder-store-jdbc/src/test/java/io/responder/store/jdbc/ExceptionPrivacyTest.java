package io.responder.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import io.responder.core.InvalidInputException;
import io.responder.core.StoreUpdate;
import io.responder.core.TrackerStatus;
import io.responder.core.TransactionTracker;
import io.responder.store.jdbc.TestDatabase.Kind;
import io.responder.testkit.Appointment;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * No exception of the store carries a raw transaction, a user id or a tracker's body, in its message
 * or anywhere in what it links to, whatever the database said; each still tells an operator what
 * failed: the operation, the tracker, the SQLState and the vendor code. The failures are real: a
 * PostgreSQL batch that times out on a lock, a row PostgreSQL's constraint refuses (its detail
 * lists the row), a duplicate uuid, a full SQLite disk, damaged rows.
 */
class ExceptionPrivacyTest {
  @TempDir
  Path dir;
  private final Random rng = new Random(1010);
  private TestDatabase db;

  @AfterEach
  void closeDatabase() throws Exception {
    if (db != null) {
      db.close();
    }
  }

  @Test
  void aPostgresBatchFailingOnALockTimeoutCarriesNoTransactionInItsMessageOrCauses() throws Exception {
    db = TestDatabase.postgres();
    JdbcTrackerStore store = JdbcTrackerStore.open(
        SessionSetting.of(db.dataSource(), CommitFailureRecoveryTest.SHORT_LOCK_TIMEOUT));
    try {
      List<TransactionTracker> added = trackers(3);
      JdbcStoreException e;
      try (Connection locker = db.dataSource().getConnection(); Statement s = locker.createStatement()) {
        locker.setAutoCommit(false);
        s.execute("LOCK TABLE responder_tracker IN ACCESS EXCLUSIVE MODE");
        e = assertThrows(JdbcStoreException.class, () -> store.commit(add(added)));
        locker.rollback();
      }

      List<Throwable> all = Secrets.of(added).assertNotIn(e);
      String m = e.getMessage();
      assertTrue(m.contains("commit refused") && m.contains("adding trackers") && m.contains("SQLState 55P03")
          && m.contains("vendor code") && m.contains("lock timeout"), m);
      for (TransactionTracker t : added) {
        assertTrue(m.contains(t.uuid().toString()), m);
      }
      // The driver's failure is still there for an operator, SQLState and all, in standard types.
      assertTrue(all.stream().anyMatch(t -> t instanceof java.sql.BatchUpdateException), all::toString);
      assertTrue(all.stream().anyMatch(t -> t instanceof SQLException s && "55P03".equals(s.getSQLState())),
          all::toString);
      assertTrue(all.stream().allMatch(t -> t == e || t.getClass().getName().startsWith("java.sql.")), all::toString);
      assertEquals(Optional.empty(), store.find(added.get(0).uuid()));
    } finally {
      store.close();
    }
  }

  @Test
  void aRowPostgresRefusesIsNotEchoedFromTheServersDetail() throws Exception {
    db = TestDatabase.postgres();
    JdbcTrackerStore store = db.open();
    // A constraint added behind the store's back: PostgreSQL's refusal lists the failing row, body and all.
    db.execute("ALTER TABLE responder_tracker ADD CONSTRAINT short_bodies CHECK (length(body) < 10) NOT VALID");
    List<TransactionTracker> added = trackers(1);

    JdbcStoreException e = assertThrows(JdbcStoreException.class, () -> store.commit(add(added)));
    Secrets.of(added).assertNotIn(e);
    String m = e.getMessage();
    assertTrue(m.contains("adding tracker " + added.get(0).uuid()) && m.contains("SQLState 23514")
        && m.contains("short_bodies"), m);

    db.execute("ALTER TABLE responder_tracker DROP CONSTRAINT short_bodies");
    store.commit(add(added));
    assertEquals(Optional.of(added.get(0)), store.find(added.get(0).uuid()));
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void aDuplicateTrackerIsNamedWithoutItsBody(Kind kind) {
    db = kind.create(dir);
    JdbcTrackerStore store = db.open();
    List<TransactionTracker> existing = trackers(1);
    store.commit(add(existing));
    List<TransactionTracker> added = new ArrayList<>(trackers(2));
    added.add(existing.get(0));

    JdbcStoreException e = assertThrows(JdbcStoreException.class, () -> store.commit(add(added)));
    Secrets.of(added).assertNotIn(e);
    assertTrue(e.getMessage().contains("tracker " + existing.get(0).uuid() + " is already stored"), e.getMessage());
    assertTrue(e.getMessage().contains("SQLState"), e.getMessage());
  }

  @Test
  void aFullSqliteDiskIsReportedWithoutTheTrackers() throws Exception {
    LimitedDisk disk = new LimitedDisk("jdbc:sqlite:" + dir.resolve("responder.db"));
    JdbcTrackerStore store = JdbcTrackerStore.open(disk);
    try {
      disk.fill();
      List<TransactionTracker> added = trackers(40);
      JdbcStoreException e = assertThrows(JdbcStoreException.class, () -> store.commit(add(added)));
      List<Throwable> all = Secrets.of(added).assertNotIn(e);
      String m = e.getMessage();
      assertTrue(m.contains("adding trackers " + added.get(0).uuid()) && m.contains("(40 in all)")
          && m.contains("vendor code 13") && m.contains("SQLITE_FULL"), m); // 13 is SQLITE_FULL
      assertTrue(all.stream().anyMatch(t -> t instanceof SQLException s && s.getErrorCode() == 13), all::toString);
    } finally {
      store.close();
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void aDamagedRowIsNamedWithoutRepeatingWhatItHolds(Kind kind) throws Exception {
    db = kind.create(dir);
    JdbcTrackerStore store = db.open();
    List<TransactionTracker> added = trackers(1);
    TransactionTracker victim = added.get(0);
    store.commit(add(added));
    // Something else wrote the body into the txid column.
    db.execute("UPDATE responder_tracker SET penalty_txid = body WHERE uuid = '" + victim.uuid() + "'");
    store = db.reopen(store);

    JdbcTrackerStore s = store;
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> s.find(victim.uuid()));
    Secrets.of(added).assertNotIn(e);
    assertTrue(e.getMessage().contains("stored tracker " + victim.uuid() + " is corrupt")
        && e.getMessage().contains("penalty_txid column (a value of "), e.getMessage());
  }

  @Test
  void aSqliteRowWithoutAUuidIsNamedWithoutRepeatingWhatItHolds() throws Exception {
    db = TestDatabase.sqlite(dir.resolve("responder.db"));
    JdbcTrackerStore store = db.open();
    List<TransactionTracker> added = trackers(1);
    TransactionTracker victim = added.get(0);
    store.commit(add(added));
    db.execute("UPDATE responder_tracker SET uuid = body WHERE uuid = '" + victim.uuid() + "'");
    store = db.reopen(store);

    JdbcTrackerStore s = store;
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> s.loadTrackers(t -> {}));
    Secrets.of(added).assertNotIn(e);
    assertTrue(e.getMessage().contains("does not hold a uuid")
        && e.getMessage().contains("penalty_txid \"" + victim.penaltyTxid().toHex() + "\""), e.getMessage());
  }

  private List<TransactionTracker> trackers(int count) {
    List<TransactionTracker> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      byte[] b = new byte[32];
      rng.nextBytes(b);
      BlockRef seen = new BlockRef(BlockHash.fromDisplayBytes(b), 100);
      out.add(TransactionTracker.of(Appointment.random(rng).breach(seen), OptionalInt.of(100),
          new TrackerStatus.Pending(100)));
    }
    return out;
  }

  private static StoreUpdate add(List<TransactionTracker> trackers) {
    return new StoreUpdate(trackers, Map.of(), Set.of(), Optional.empty());
  }
}
