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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What the JDBC store promises beyond the TrackerStore contract, on both dialects: its schema and
 * versions, one owner at a time, batched commits, refusals that name the tracker, and corrupt rows
 * that are reported, never skipped.
 */
class JdbcTrackerStoreTest {
  @TempDir
  Path dir;
  private TestDatabase db;
  private final Random rng = new Random(808);

  @AfterEach
  void closeDatabase() throws Exception {
    if (db != null) {
      db.close();
    }
  }

  private TestDatabase database(Kind kind) {
    db = kind.create(dir);
    return db;
  }

  // ---------------------------------------------------------------------------------------------
  // Schema

  @ParameterizedTest
  @EnumSource(Kind.class)
  void anEmptyDatabaseGetsTheLatestSchemaOnceAndKeepsIt(Kind kind) throws Exception {
    TestDatabase db = database(kind);
    JdbcTrackerStore store = db.open();
    assertEquals(String.valueOf(SchemaMigrator.LATEST_VERSION), db.queryString("SELECT MAX(version) FROM responder_schema_version"));
    assertTrue(db.queryString("SELECT description FROM responder_schema_version WHERE version = 1").startsWith("Trackers"));

    db.reopen(store);
    assertEquals(String.valueOf(SchemaMigrator.LATEST_VERSION), db.queryString("SELECT COUNT(*) FROM responder_schema_version"));
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void aDatabaseWrittenByANewerVersionIsRefusedUntouched(Kind kind) throws Exception {
    TestDatabase db = database(kind);
    JdbcTrackerStore store = db.open();
    TransactionTracker t = tracker(new TrackerStatus.InMempool(100));
    store.commit(add(t));
    store.close();
    int newer = SchemaMigrator.LATEST_VERSION + 1;
    db.execute("INSERT INTO responder_schema_version (version, description) VALUES (" + newer + ", 'from the future')");

    JdbcStoreException e = assertThrows(JdbcStoreException.class, db::open);
    assertTrue(e.getMessage().contains("schema version " + newer) && e.getMessage().contains("newer"), e.getMessage());
    assertEquals(String.valueOf(newer), db.queryString("SELECT MAX(version) FROM responder_schema_version"));

    // The refusal released the database: once the version is one this build knows, it opens.
    db.execute("DELETE FROM responder_schema_version WHERE version = " + newer);
    assertEquals(Optional.of(t), db.open().find(t.uuid()));
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void everyDialectShipsEverySchemaVersion(Kind kind) {
    Dialect dialect = kind == Kind.SQLITE ? new SqliteDialect() : new PostgresDialect();
    for (int v = 1; v <= SchemaMigrator.LATEST_VERSION; v++) {
      SchemaMigrator.Script script = SchemaMigrator.Script.load(dialect, v);
      assertTrue(!script.statements().isEmpty() && !script.description().isEmpty(), "V" + v + " of " + kind);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // One owner at a time

  @ParameterizedTest
  @EnumSource(Kind.class)
  void aSecondStoreIsRefusedUntilTheFirstIsClosed(Kind kind) throws Exception {
    TestDatabase db = database(kind);
    JdbcTrackerStore first = db.open();
    TransactionTracker t = tracker(new TrackerStatus.Pending(100));
    first.commit(add(t));

    StoreLockedException e = assertThrows(StoreLockedException.class, db::open);
    assertTrue(e.getMessage().contains("already used by another store"), e.getMessage());
    first.commit(add(tracker(new TrackerStatus.Pending(100)))); // the refusal did not disturb the owner

    first.close();
    JdbcTrackerStore second = db.open();
    assertEquals(Optional.of(t), second.find(t.uuid()));
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void aClosedStoreRefusesToBeUsed(Kind kind) {
    JdbcTrackerStore store = database(kind).open();
    store.close();
    store.close(); // idempotent
    assertThrows(IllegalStateException.class, store::loadTip);
    assertThrows(IllegalStateException.class, () -> store.find(UUID.randomUUID()));
    assertThrows(IllegalStateException.class, () -> store.commit(add(tracker(new TrackerStatus.Pending(1)))));
  }

  // ---------------------------------------------------------------------------------------------
  // Commits

  @ParameterizedTest
  @EnumSource(Kind.class)
  void aCommitChangingAThousandTrackersIsOneRoundOfBatches(Kind kind) throws Exception {
    TestDatabase db = database(kind);
    TestPool counting = TestPool.counting(db.dataSource());
    JdbcTrackerStore store = JdbcTrackerStore.open(counting);
    try {
      List<TransactionTracker> added = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        added.add(tracker(new TrackerStatus.InMempool(100)));
      }
      int before = counting.executions();
      store.commit(new StoreUpdate(added, Map.of(), Set.of(), Optional.of(block(101))));
      int intake = counting.executions() - before;

      BlockRef b = block(102);
      Map<UUID, TrackerStatus> confirmed = new HashMap<>();
      Set<UUID> removed = new HashSet<>();
      for (int i = 0; i < 1000; i++) {
        if (i % 2 == 0) {
          removed.add(added.get(i).uuid());
        } else {
          confirmed.put(added.get(i).uuid(), new TrackerStatus.Confirmed(b));
        }
      }
      before = counting.executions();
      store.commit(new StoreUpdate(List.of(), confirmed, removed, Optional.of(b)));
      int block = counting.executions() - before;

      // The ownership check and tip, then one batch per kind of change.
      assertEquals(2, intake, "statements executed to add 1,000 trackers");
      assertEquals(3, block, "statements executed to confirm 500 trackers and remove 500");
      int[] count = {0};
      store.loadTrackers(t -> {
        count[0]++;
        assertEquals(new TrackerStatus.Confirmed(b), t.status());
      });
      assertEquals(500, count[0]);
    } finally {
      store.close();
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void aRefusedCommitNamesTheTrackerAlreadyStoredAndChangesNothing(Kind kind) {
    JdbcTrackerStore store = database(kind).open();
    TransactionTracker existing = tracker(new TrackerStatus.InMempool(100));
    BlockRef tip = block(100);
    store.commit(new StoreUpdate(List.of(existing), Map.of(), Set.of(), Optional.of(tip)));

    TransactionTracker fresh = tracker(new TrackerStatus.Pending(101));
    JdbcStoreException e = assertThrows(JdbcStoreException.class, () -> store.commit(new StoreUpdate(
        List.of(fresh, existing), Map.of(), Set.of(), Optional.of(block(101)))));
    assertTrue(e.getMessage().contains("tracker " + existing.uuid() + " is already stored"), e.getMessage());
    assertEquals(Optional.empty(), store.find(fresh.uuid()));
    assertEquals(Optional.of(tip), store.loadTip());

    // The store goes on after a refusal.
    store.commit(add(fresh));
    assertEquals(Optional.of(fresh), store.find(fresh.uuid()));
  }

  // ---------------------------------------------------------------------------------------------
  // Corrupt rows

  @ParameterizedTest
  @EnumSource(Kind.class)
  void garbageInTheBodyIsReportedNamingTheTracker(Kind kind) throws Exception {
    assertCorruptionNamed(kind, t -> "UPDATE responder_tracker SET body = 'garbage' WHERE uuid = '" + t.uuid() + "'",
        "body");
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void aTruncatedRowIsReportedNamingTheTracker(Kind kind) throws Exception {
    assertCorruptionNamed(kind, t -> "UPDATE responder_tracker SET body = substr(body, 1, length(body) / 2)"
        + " WHERE uuid = '" + t.uuid() + "'", "body");
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void garbageInAStatusColumnIsReportedNamingTheTracker(Kind kind) throws Exception {
    assertCorruptionNamed(kind, t -> "UPDATE responder_tracker SET confirmed_block = 'not a block hash'"
        + " WHERE uuid = '" + t.uuid() + "'", "confirmed_block");
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void aBodyOfAnUnknownFormatVersionIsReportedNamingTheTracker(Kind kind) throws Exception {
    assertCorruptionNamed(kind, t -> "UPDATE responder_tracker SET body = replace(body, '\"v\":1,', '\"v\":9,')"
        + " WHERE uuid = '" + t.uuid() + "'", "format version 9");
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void theBodyOfAnotherTrackerIsReportedNamingTheTracker(Kind kind) throws Exception {
    assertCorruptionNamed(kind, t -> "UPDATE responder_tracker SET body = (SELECT body FROM responder_tracker"
        + " WHERE uuid <> '" + t.uuid() + "' LIMIT 1) WHERE uuid = '" + t.uuid() + "'", "another uuid");
  }

  private interface Corruption {
    String sql(TransactionTracker victim);
  }

  /** Corrupts one confirmed tracker's row among intact ones; every read path must name it. */
  private void assertCorruptionNamed(Kind kind, Corruption corruption, String expectedDetail) throws Exception {
    TestDatabase db = database(kind);
    JdbcTrackerStore store = db.open();
    TransactionTracker intact = tracker(new TrackerStatus.InMempool(100));
    TransactionTracker victim = tracker(new TrackerStatus.Confirmed(block(101)));
    store.commit(add(intact, victim, tracker(new TrackerStatus.Pending(100))));
    db.execute(corruption.sql(victim));
    store = db.reopen(store);

    JdbcTrackerStore s = store;
    InvalidInputException load = assertThrows(InvalidInputException.class, () -> s.loadTrackers(t -> {}));
    InvalidInputException find = assertThrows(InvalidInputException.class, () -> s.find(victim.uuid()));
    for (InvalidInputException e : List.of(load, find)) {
      assertTrue(e.getMessage().contains("stored tracker " + victim.uuid() + " is corrupt"), e.getMessage());
      assertTrue(e.getMessage().contains(expectedDetail), e.getMessage());
    }
    assertEquals(Optional.of(intact), store.find(intact.uuid()));
  }

  // ---------------------------------------------------------------------------------------------

  private BlockRef block(int height) {
    byte[] b = new byte[32];
    rng.nextBytes(b);
    return new BlockRef(BlockHash.fromDisplayBytes(b), height);
  }

  private TransactionTracker tracker(TrackerStatus status) {
    return TransactionTracker.of(Appointment.random(rng).breach(block(100)), OptionalInt.of(100), status);
  }

  private static StoreUpdate add(TransactionTracker... trackers) {
    return new StoreUpdate(List.of(trackers), Map.of(), Set.of(), Optional.empty());
  }
}
