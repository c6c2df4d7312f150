package io.responder.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.Block;
import io.responder.core.BlockHash;
import io.responder.core.BreachReceipt.Disposition;
import io.responder.core.BroadcastResult;
import io.responder.core.Carrier;
import io.responder.core.Responder;
import io.responder.core.TrackerState;
import io.responder.core.TxStatus;
import io.responder.core.Txid;
import io.responder.store.inmemory.InMemoryTrackerStore;
import io.responder.testkit.Appointment;
import io.responder.testkit.sim.FaultyTrackerStore;
import io.responder.testkit.sim.FaultyTrackerStore.CommitFault;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Faults of the ports: nothing a user handed over is lost. */
class FaultTest {
  final Harness h = new Harness();
  final FaultyTrackerStore store = new FaultyTrackerStore(new InMemoryTrackerStore());

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

    store.failNextCommit(CommitFault.APPLY_NOTHING);
    assertThrows(FaultyTrackerStore.InjectedFailure.class, () -> r.onBlock(confirming));
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
    store.failNextCommit(CommitFault.APPLY_NOTHING);
    assertThrows(FaultyTrackerStore.InjectedFailure.class, () -> r.handleBreach(a.breach(h.chain.tip())));
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
