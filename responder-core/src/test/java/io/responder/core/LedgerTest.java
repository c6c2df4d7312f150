package io.responder.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.internal.PenaltyGroup;
import io.responder.core.internal.StatusCodes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The reload rule: a call that failed part way leaves the state stale, and events wait for the commit;
 * a commit that threw but is held by the store stands.
 */
class LedgerTest {
  private static final UUID MEMBER = new UUID(3, 3);

  private final List<StoreUpdate> committed = new ArrayList<>();
  private boolean failCommit;
  /** With {@link #failCommit}: the update is applied before the commit throws. */
  private boolean applyBeforeFailing;
  /** With {@link #failCommit}: the reads after it fail too. */
  private boolean unreadable;
  private final Set<UUID> held = new HashSet<>(Set.of(MEMBER));
  private final List<UUID> completed = new ArrayList<>();

  private final TrackerStore store = new TrackerStore() {
    @Override
    public Optional<BlockRef> loadTip() {
      return Optional.empty();
    }

    @Override
    public void loadTrackers(Consumer<TransactionTracker> sink) {}

    @Override
    public Optional<TransactionTracker> find(UUID uuid) {
      if (unreadable) {
        throw new IllegalStateException("connection lost");
      }
      return held.contains(uuid) ? Optional.of(tracker()) : Optional.empty();
    }

    @Override
    public void commit(StoreUpdate update) {
      if (failCommit && !applyBeforeFailing) {
        throw new IllegalStateException("disk full");
      }
      committed.add(update);
      held.removeAll(update.removed());
      if (failCommit) {
        throw new IllegalStateException("connection lost before the commit was acknowledged");
      }
    }
  };

  private final Ledger ledger = new Ledger(store, new ResponderListener() {
    @Override
    public void trackerCompleted(UUID uuid, Txid penaltyTxid, BlockRef tip) {
      completed.add(uuid);
    }
  });

  private static TransactionTracker tracker() {
    try {
      return TransactionTracker.of(TrackerCodecTest.breach().uuid(MEMBER).build(), OptionalInt.empty(),
          new TrackerStatus.Confirmed(new BlockRef(BlockHash.fromHex("ee".repeat(32)), 1)));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private ChangeSet oneCompletion() {
    ChangeSet ch = new ChangeSet();
    Txid txid = Txid.fromHex("cc".repeat(32));
    PenaltyGroup g = new PenaltyGroup(txid, new StatusCodes().hold(new TrackerStatus.Confirmed(new BlockRef(BlockHash.fromHex("ee".repeat(32)), 1))),
        MEMBER, -1, -1, false);
    ch.removeAll(g, txid, ChangeSet.COMPLETED, new BlockRef(BlockHash.fromHex("dd".repeat(32)), 5));
    return ch;
  }

  @Test
  void eventsAreDeliveredOnlyAfterTheCommit() {
    ledger.markLoaded();
    ledger.commit(oneCompletion(), Optional.empty());
    assertEquals(1, committed.size());
    assertEquals(List.of(MEMBER), completed);
    assertFalse(ledger.isStale());
  }

  @Test
  void aCommitThatThrewButIsHeldByTheStoreStandsAndIsTold() {
    ledger.markLoaded();
    failCommit = true;
    applyBeforeFailing = true;
    ledger.commit(oneCompletion(), Optional.empty()); // the store no longer holds the member: applied
    assertEquals(1, committed.size());
    assertEquals(List.of(MEMBER), completed);
    assertFalse(ledger.isStale());
  }

  @Test
  void aCommitThatThrewWhenTheStoreCannotBeReadEitherFails() {
    ledger.markLoaded();
    failCommit = true;
    applyBeforeFailing = true;
    unreadable = true;
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> ledger.commit(oneCompletion(), Optional.empty()));
    assertEquals("connection lost before the commit was acknowledged", e.getMessage(), "the commit's own exception");
    assertEquals(List.of(), completed);
    assertTrue(ledger.isStale());
  }

  @Test
  void aFailedCommitTellsNobodyAndMarksTheStateStale() {
    ledger.markLoaded();
    failCommit = true;
    assertThrows(IllegalStateException.class, () -> ledger.commit(oneCompletion(), Optional.empty()));
    assertEquals(List.of(), completed);
    assertTrue(ledger.isStale());
  }

  @Test
  void anyFailureInsideGuardedWorkMarksTheStateStale() {
    ledger.markLoaded();
    assertThrows(IllegalArgumentException.class, () -> ledger.guarded(() -> {
      throw new IllegalArgumentException("a port threw");
    }));
    assertTrue(ledger.isStale());
  }
}
