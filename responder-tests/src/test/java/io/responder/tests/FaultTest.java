package io.responder.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.Block;
import io.responder.core.BlockRef;
import io.responder.core.BlockHash;
import io.responder.core.BreachReceipt.Disposition;
import io.responder.core.BroadcastResult;
import io.responder.core.Carrier;
import io.responder.core.Responder;
import io.responder.core.StoreUpdate;
import io.responder.core.TrackerState;
import io.responder.core.TrackerStore;
import io.responder.core.TransactionTracker;
import io.responder.core.TxStatus;
import io.responder.core.Txid;
import io.responder.store.inmemory.InMemoryTrackerStore;
import io.responder.testkit.Appointment;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Faults of the ports: nothing a user handed over is lost. */
class FaultTest {
  /** A store whose commits fail on command, as a full disk or a dropped database connection would. */
  static final class FailingStore implements TrackerStore {
    final InMemoryTrackerStore delegate = new InMemoryTrackerStore();
    int failNextCommits;

    @Override
    public Optional<BlockRef> loadTip() {
      return delegate.loadTip();
    }

    @Override
    public void loadTrackers(Consumer<TransactionTracker> sink) {
      delegate.loadTrackers(sink);
    }

    @Override
    public Optional<TransactionTracker> find(UUID uuid) {
      return delegate.find(uuid);
    }

    @Override
    public void commit(StoreUpdate update) {
      if (failNextCommits > 0) {
        failNextCommits--;
        throw new IllegalStateException("disk full");
      }
      delegate.commit(update);
    }
  }

  final Harness h = new Harness();
  final FailingStore store = new FailingStore();

  Responder responder() {
    return Responder.builder().carrier(h.chain).blockSource(h.chain).store(store).start();
  }

  @Test
  void aFailedBlockCommitIsRetriedFromTheStoreAndLosesNothing() {
    Responder r = responder();
    Appointment a = h.breachedAppointment();
    r.onBlock(h.chain.blockAt(h.chain.tip().height()));
    r.handleBreach(a.breach(h.chain.tip()));
    Block confirming = h.chain.mine();

    store.failNextCommits = 1;
    assertThrows(IllegalStateException.class, () -> r.onBlock(confirming));
    assertEquals(TrackerState.IN_MEMPOOL, store.find(a.uuid()).orElseThrow().status().state());

    r.onBlock(confirming); // the host delivers it again
    assertEquals(confirming.ref(), r.tip());
    assertEquals(TrackerState.CONFIRMED, store.find(a.uuid()).orElseThrow().status().state());
    r.checkConsistency();
  }

  @Test
  void aFailedIntakeCommitTracksNothingAndCanBeRetried() {
    Responder r = responder();
    Appointment a = h.breachedAppointment();
    r.onBlock(h.chain.blockAt(h.chain.tip().height()));
    store.failNextCommits = 1;
    assertThrows(IllegalStateException.class, () -> r.handleBreach(a.breach(h.chain.tip())));
    assertEquals(0, r.trackerCount());
    r.checkConsistency();

    assertEquals(Disposition.TRACKED, r.handleBreach(a.breach(h.chain.tip())).disposition());
    r.checkConsistency();
  }

  @Test
  void aCarrierThatThrowsIsTreatedAsAnUnreachableNode() {
    Carrier exploding = new Carrier() {
      boolean broken = true;

      @Override
      public BroadcastResult broadcast(Txid txid, byte[] rawTransaction) {
        if (broken) {
          broken = false;
          throw new IllegalStateException("socket closed");
        }
        return h.chain.broadcast(txid, rawTransaction);
      }

      @Override
      public TxStatus status(Txid txid, Optional<BlockHash> inBlock) {
        return h.chain.status(txid, inBlock);
      }
    };
    Responder r = Responder.builder().carrier(exploding).blockSource(h.chain).store(new InMemoryTrackerStore()).start();
    Appointment a = h.breachedAppointment();
    r.onBlock(h.chain.blockAt(h.chain.tip().height()));
    var receipt = r.handleBreach(a.breach(h.chain.tip()));
    assertEquals(Disposition.PENDING, receipt.disposition());
    assertTrue(receipt.broadcast() instanceof BroadcastResult.NodeUnavailable);
    assertFalse(h.chain.inMempool(a.penalty().txid()));
    r.onBlock(h.chain.mineEmpty());
    assertTrue(h.chain.inMempool(a.penalty().txid()));
  }
}
