package io.responder.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.Block;
import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import io.responder.core.Responder;
import io.responder.core.StoreUpdate;
import io.responder.core.TrackerStatus;
import io.responder.core.TransactionTracker;
import io.responder.testkit.Appointment;
import io.responder.testkit.FakeChain;
import io.responder.testkit.TestTransaction;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A commit the database refuses leaves nothing behind, and the store commits again once the cause
 * is gone, without a restart: a full SQLite disk that is freed, a PostgreSQL transaction aborted by
 * a failed statement.
 */
class CommitFailureRecoveryTest {
  /** Enough trackers (about a kilobyte each) that adding them needs new database pages. */
  private static final int TRACKERS_PER_COMMIT = 40;
  /** Long enough for any uncontended lock, short enough that a blocked commit fails at once. */
  static final String SHORT_LOCK_TIMEOUT = "SET lock_timeout = '500ms'";

  @TempDir
  Path dir;
  private final Random rng = new Random(707);

  @Test
  void sqliteCommitsAgainOnceSpaceReturnsAfterAFullDisk() throws Exception {
    LimitedDisk disk = new LimitedDisk("jdbc:sqlite:" + dir.resolve("responder.db"));
    JdbcTrackerStore store = JdbcTrackerStore.open(disk);
    try {
      store.commit(update(trackers(TRACKERS_PER_COMMIT), 100));
      Story.State acknowledged = Story.State.of(store);

      disk.fill();
      StoreUpdate blocked = update(trackers(TRACKERS_PER_COMMIT), 101);
      for (int attempt = 0; attempt < 3; attempt++) {
        JdbcStoreException e = assertThrows(JdbcStoreException.class, () -> store.commit(blocked));
        assertUnchanged(acknowledged, Story.State.of(store), e);
      }
      assertEquals(1, disk.openConnections(), "the store holds its writer only: a replaced one is closed");

      disk.free();
      store.commit(blocked); // no restart: the first commit after space returns succeeds
      StoreUpdate next = update(trackers(TRACKERS_PER_COMMIT), 102);
      store.commit(next);
      Story.State expected = Story.State.of(store);
      assertEquals(Optional.of(next.tip().orElseThrow()), expected.tip());
      assertEquals(3 * TRACKERS_PER_COMMIT, expected.trackers().size());
      assertEquals(acknowledged.trackers().size() + 2 * TRACKERS_PER_COMMIT, expected.trackers().size());
    } finally {
      store.close();
    }
  }

  @Test
  void aResponderOverSqliteTracksBreachesAndFollowsBlocksAgainOnceSpaceReturns() throws Exception {
    LimitedDisk disk = new LimitedDisk("jdbc:sqlite:" + dir.resolve("responder.db"));
    FakeChain chain = FakeChain.atHeight(100);
    JdbcTrackerStore store = JdbcTrackerStore.open(disk);
    Set<UUID> tracked = new HashSet<>();
    try {
      Responder responder = Responder.builder().config(Story.CONFIG).carrier(chain).blockSource(chain).store(store)
          .start();
      responder.onBlock(chain.mine());

      disk.fill();
      List<Appointment> appointments = new ArrayList<>();
      for (int i = 0; i < TRACKERS_PER_COMMIT; i++) {
        appointments.add(Appointment.random(rng));
      }
      Block seen = chain.mineTransactions(appointments.stream().map(Appointment::dispute).toArray(TestTransaction[]::new));
      responder.onBlock(seen); // moves the tip only: fits on a full disk
      List<Appointment> refused = new ArrayList<>();
      for (Appointment a : appointments) {
        try {
          if (responder.handleBreach(a.breach(seen.ref())).tracked()) {
            tracked.add(a.uuid());
          }
        } catch (JdbcStoreException e) {
          refused.add(a); // the disk filled up: the breach is not tracked, and the host hands it over again
        }
      }
      assertTrue(!refused.isEmpty(), "the disk never filled up");

      disk.free();
      for (Appointment a : refused) {
        assertTrue(responder.handleBreach(a.breach(seen.ref())).tracked(), "tracked once space is back");
        tracked.add(a.uuid());
      }
      responder.onBlock(chain.mine());
      responder.checkConsistency();
      assertEquals(TRACKERS_PER_COMMIT, tracked.size());
    } finally {
      store.close();
    }
    // Everything acknowledged is durable: a restart finds every tracker.
    try (TestDatabase db = TestDatabase.sqlite(dir.resolve("responder.db"))) {
      JdbcTrackerStore reopened = db.open();
      for (UUID u : tracked) {
        assertTrue(reopened.find(u).isPresent(), u::toString);
      }
    }
  }

  @Test
  void postgresCommitsAgainAfterALockTimeoutAbortedTheTransaction() throws Exception {
    try (TestDatabase db = TestDatabase.postgres()) {
      JdbcTrackerStore store = JdbcTrackerStore.open(SessionSetting.of(db.dataSource(), SHORT_LOCK_TIMEOUT));
      try {
        store.commit(update(trackers(2), 100));
        Story.State acknowledged = Story.State.of(store);

        StoreUpdate blocked = update(trackers(2), 101);
        JdbcStoreException e;
        try (Connection locker = db.dataSource().getConnection(); Statement s = locker.createStatement()) {
          locker.setAutoCommit(false);
          s.execute("LOCK TABLE responder_tracker IN ACCESS EXCLUSIVE MODE");
          // The tip is written, then the insert waits for the table and fails: the transaction is aborted.
          e = assertThrows(JdbcStoreException.class, () -> store.commit(blocked));
          locker.rollback();
        }
        assertTrue(e.getMessage().contains("55P03"), e.getMessage()); // lock_not_available
        assertUnchanged(acknowledged, Story.State.of(store), e);

        store.commit(blocked); // the same writer session, its aborted transaction rolled back
        Story.State after = Story.State.of(store);
        assertEquals(blocked.tip(), after.tip());
        assertEquals(4, after.trackers().size());
        assertThrows(StoreLockedException.class, db::open, "the store still owns the database");
      } finally {
        store.close();
      }
    }
  }

  /** Compares states, reporting a difference by tip and tracker count (trackers print long). */
  private static void assertUnchanged(Story.State before, Story.State after, Exception failure) {
    if (!before.equals(after)) {
      throw new AssertionError("a failed commit changed the store: tip " + before.tip().map(BlockRef::height)
          + " -> " + after.tip().map(BlockRef::height) + ", " + before.trackers().size() + " -> "
          + after.trackers().size() + " trackers; the failure: " + failure.getMessage(), failure);
    }
  }

  List<TransactionTracker> trackers(int count) {
    List<TransactionTracker> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(TransactionTracker.of(Appointment.random(rng).breach(block(100)), OptionalInt.of(100),
          new TrackerStatus.InMempool(100)));
    }
    return out;
  }

  private StoreUpdate update(List<TransactionTracker> added, int tipHeight) {
    return new StoreUpdate(added, Map.of(), Set.of(), Optional.of(block(tipHeight)));
  }

  private BlockRef block(int height) {
    byte[] b = new byte[32];
    rng.nextBytes(b);
    return new BlockRef(BlockHash.fromDisplayBytes(b), height);
  }
}
