package io.responder.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.internal.PenaltyGroup;
import io.responder.core.internal.StatusCodes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The reload rule: a call that failed part way leaves the state stale, and events wait for the commit. */
class LedgerTest {
  private final List<StoreUpdate> committed = new ArrayList<>();
  private boolean failCommit;
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
      return Optional.empty();
    }

    @Override
    public void commit(StoreUpdate update) {
      if (failCommit) {
        throw new IllegalStateException("disk full");
      }
      committed.add(update);
    }
  };

  private final Ledger ledger = new Ledger(store, new ResponderListener() {
    @Override
    public void trackerCompleted(UUID uuid, Txid penaltyTxid, BlockRef tip) {
      completed.add(uuid);
    }
  });

  private ChangeSet oneCompletion() {
    ChangeSet ch = new ChangeSet();
    Txid txid = Txid.fromHex("cc".repeat(32));
    PenaltyGroup g = new PenaltyGroup(txid, new StatusCodes().hold(new TrackerStatus.Confirmed(new BlockRef(BlockHash.fromHex("ee".repeat(32)), 1))),
        new UUID(3, 3), -1, -1, false);
    ch.removeAll(g, txid, ChangeSet.COMPLETED, new BlockRef(BlockHash.fromHex("dd".repeat(32)), 5));
    return ch;
  }

  @Test
  void eventsAreDeliveredOnlyAfterTheCommit() {
    ledger.markLoaded();
    ledger.commit(oneCompletion(), Optional.empty());
    assertEquals(1, committed.size());
    assertEquals(List.of(new UUID(3, 3)), completed);
    assertFalse(ledger.isStale());
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
