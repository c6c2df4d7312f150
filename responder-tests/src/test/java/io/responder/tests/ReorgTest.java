package io.responder.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.Block;
import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import io.responder.core.BlockSourceException;
import io.responder.core.ResponderConfig;
import io.responder.core.TrackerStatus;
import io.responder.testkit.Appointment;
import io.responder.testkit.RecordingListener.Event;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** B3: reorganisations and gaps. */
class ReorgTest {
  Harness h = new Harness();

  @AfterEach
  void invariants() {
    h.checkInvariants();
  }

  /**
   * A penalty confirmed {@code depth - 1} blocks below the tip; the last {@code depth} blocks are
   * replaced by a longer branch without it. The new branch is delivered whole or as its tip only.
   */
  @ParameterizedTest(name = "depth {0}, tip only: {1}")
  @CsvSource({"1,false", "1,true", "3,false", "3,true", "10,false", "10,true"})
  void aReorgUnconfirmsThePenaltyAndSendsItAgain(int depth, boolean tipOnly) {
    Appointment a = h.breachedAppointment();
    h.handOver(a);
    Block confirming = h.mineAndDeliver();
    h.mineEmptyAndDeliver(depth - 1);
    BlockRef fork = confirming.parent();
    h.chain.drainBroadcasts();

    h.chain.disconnect(depth);
    h.chain.dropFromMempool(a.penalty().txid()); // only the responder's rebroadcast can bring it back
    List<Block> branch = h.chain.mineEmpty(depth + 1);
    if (tipOnly) {
      h.deliver(branch.get(branch.size() - 1));
    } else {
      h.deliver(branch);
    }

    Event.Disconnected disconnected = h.events.events(Event.Disconnected.class).get(0);
    assertEquals(fork.height(), disconnected.forkPoint().height());
    assertEquals(depth, disconnected.blocks().size());
    assertEquals(confirming.ref(), disconnected.blocks().get(depth - 1)); // newest first
    // Sent again at the fork; then, counting missed blocks from the fork, once more every six.
    int rebroadcasts = 1 + (depth + 1) / 6;
    assertEquals(java.util.Collections.nCopies(rebroadcasts, a.penalty().txid()), h.chain.drainBroadcasts());
    // Sent back at the fork and scheduled twice for the same turn (its unconfirmation and the send's
    // acceptance): told once per send all the same.
    assertEquals(rebroadcasts, h.events.events(Event.Resent.class).size());
    assertTrue(h.chain.inMempool(a.penalty().txid()));
    // Counted from the fork: the rebroadcasts every six blocks from there leave the count's origin.
    assertEquals(new TrackerStatus.InMempool(fork.height()), h.store.find(a.uuid()).orElseThrow().status());
    assertEquals(h.chain.tip(), h.responder.tip());

    Block reconfirming = h.mineAndDeliver();
    assertEquals(new TrackerStatus.Confirmed(reconfirming.ref()), h.store.find(a.uuid()).orElseThrow().status());
  }

  @Test
  void aPenaltyConfirmedInBothBranchesEndsAtItsNewHeight() {
    Appointment a = h.breachedAppointment();
    h.handOver(a);
    h.mineAndDeliver();
    h.mineEmptyAndDeliver(2);
    h.chain.disconnect(3); // the penalty goes back to the mempool
    Block newConfirmation = h.chain.mineEmpty();
    newConfirmation = h.chain.mine(); // confirmed one block later on the new branch
    List<Block> rest = h.chain.mineEmpty(2);
    h.deliver(rest.get(1));

    assertEquals(new TrackerStatus.Confirmed(newConfirmation.ref()), h.store.find(a.uuid()).orElseThrow().status());
    h.mineEmptyAndDeliver(99 - 3);
    assertEquals(List.of(), h.events.uuids(Event.Completed.class)); // 99 confirmations on the new branch
    h.mineEmptyAndDeliver(1);
    assertEquals(List.of(a.uuid()), h.events.uuids(Event.Completed.class));
    assertEquals(newConfirmation.height() + 99, h.events.events(Event.Completed.class).get(0).tip().height());
  }

  @Test
  void whenTheDisputeIsDisconnectedTooItIsSentBeforeThePenalty() {
    Appointment a = Appointment.random(h.rng);
    Block disputeBlock = h.deliver(h.chain.mineTransactions(a.dispute()));
    h.responder.handleBreach(a.breach(disputeBlock.ref()));
    h.mineAndDeliver();
    h.chain.drainBroadcasts();

    h.chain.disconnect(2);
    h.chain.dropFromMempool(a.penalty().txid());
    h.chain.dropFromMempool(a.dispute().txid()); // the node lost both
    h.deliver(h.chain.mineEmpty(3).get(2));

    assertEquals(List.of(a.dispute().txid(), a.penalty().txid()), h.chain.drainBroadcasts());
    assertTrue(h.chain.inMempool(a.dispute().txid()));
    assertTrue(h.chain.inMempool(a.penalty().txid()));
  }

  @Test
  void aDisputeStillInTheChainIsNotSentAgain() {
    Appointment a = h.breachedAppointment();
    h.handOver(a);
    h.mineEmptyAndDeliver(1);
    h.mineAndDeliver();
    h.chain.drainBroadcasts();
    h.chain.disconnect(1);
    h.deliver(h.chain.mineEmpty(2).get(1));
    assertEquals(List.of(a.penalty().txid()), h.chain.drainBroadcasts());
  }

  @Test
  void aReorgDeeperThanTheWindowLosesNoTracker() {
    h = new Harness(ResponderConfig.defaults().withIrrevocableDepth(10).withReorgWindow(12), 7);
    Appointment a = h.breachedAppointment();
    h.handOver(a);
    Block confirming = h.mineAndDeliver();
    h.mineEmptyAndDeliver(5);
    h.chain.drainBroadcasts();

    h.chain.disconnect(20); // deeper than the 12 blocks remembered, and below the dispute
    h.chain.dropFromMempool(a.penalty().txid());
    h.chain.dropFromMempool(a.dispute().txid());
    h.deliver(h.chain.mineEmpty(21).get(20));

    assertEquals(h.chain.tip(), h.responder.tip());
    assertTrue(h.store.find(a.uuid()).isPresent(), "the tracker survives");
    assertEquals(TrackerStatus.InMempool.class, h.store.find(a.uuid()).orElseThrow().status().getClass());
    assertTrue(h.chain.drainBroadcasts().contains(a.penalty().txid()));
    assertTrue(h.events.events(Event.Disconnected.class).size() >= 1);

    // Re-learnt: confirmed again on the new chain, completing only at its depth there.
    h.chain.mineTransactions(a.dispute());
    Block reconfirming = h.deliver(h.chain.mine());
    assertTrue(reconfirming.height() > confirming.height());
    h.mineEmptyAndDeliver(8);
    assertEquals(List.of(), h.events.uuids(Event.Completed.class));
    h.mineEmptyAndDeliver(1);
    assertEquals(List.of(a.uuid()), h.events.uuids(Event.Completed.class));
  }

  @Test
  void aGapOfFiveBlocksIsFilledFromTheBlockSource() {
    Appointment a = h.breachedAppointment();
    h.handOver(a);
    h.chain.mineEmpty();
    Block confirming = h.chain.mine();
    List<Block> more = h.chain.mineEmpty(3);
    h.deliver(more.get(2)); // the host skipped four blocks

    assertEquals(h.chain.tip(), h.responder.tip());
    assertEquals(new TrackerStatus.Confirmed(confirming.ref()), h.store.find(a.uuid()).orElseThrow().status());
    assertEquals(confirming.height(), h.events.events(Event.Confirmed.class).get(0).block().height());
  }

  @Test
  void theSameBlockTwiceIsANoOp() {
    Appointment a = h.breachedAppointment();
    h.handOver(a);
    Block b = h.mineAndDeliver();
    long commits = h.store.commitCount();
    int broadcasts = h.chain.broadcastCount();
    long sourceCalls = h.chain.blockSourceCalls();
    int events = h.events.events().size();

    h.deliver(b);
    h.deliver(h.chain.blockAt(b.height() - 1)); // an older block of the same chain, too

    assertEquals(commits, h.store.commitCount());
    assertEquals(broadcasts, h.chain.broadcastCount());
    assertEquals(sourceCalls, h.chain.blockSourceCalls());
    assertEquals(events, h.events.events().size());
  }

  @Test
  void hostReportedDisconnectionsGiveTheSameStateAsFindingTheReorg() {
    Harness found = new Harness(ResponderConfig.defaults(), 42);
    Harness reported = new Harness(ResponderConfig.defaults(), 42);
    for (Harness x : List.of(found, reported)) {
      Appointment a = x.breachedAppointment();
      x.handOver(a);
      Appointment b = x.breachedAppointment();
      x.handOver(b);
      x.mineAndDeliver();
      x.mineEmptyAndDeliver(2);
    }
    List<BlockRef> gone = reported.chain.disconnect(3);
    found.chain.disconnect(3);
    for (BlockRef r : gone) {
      reported.responder.blockDisconnected(r); // newest first
    }
    reported.deliver(reported.chain.mineEmpty(4));
    found.deliver(found.chain.mineEmpty(4).get(3));

    assertEquals(found.store.snapshot(), reported.store.snapshot());
    assertEquals(found.responder.tip(), reported.responder.tip());
    found.checkInvariants();
    reported.checkInvariants();
  }

  @Test
  void aBlockWhoseParentTheSourceDoesNotKnowIsRefusedAndChangesNothing() {
    Appointment a = h.breachedAppointment();
    h.handOver(a);
    BlockRef tip = h.responder.tip();
    var snapshot = h.store.snapshot();
    byte[] unknown = new byte[32];
    unknown[0] = 7;
    Block orphan = new Block(BlockHash.fromDisplayBytes(new byte[] {
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32}),
        BlockHash.fromDisplayBytes(unknown), tip.height() + 1, List.of());

    assertThrows(BlockSourceException.class, () -> h.responder.onBlock(orphan));
    assertEquals(tip, h.responder.tip());
    assertEquals(snapshot, h.store.snapshot());
  }
}
