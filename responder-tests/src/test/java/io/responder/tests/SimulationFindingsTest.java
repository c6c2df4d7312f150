package io.responder.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.Block;
import io.responder.core.BreachReceipt;
import io.responder.core.Responder;
import io.responder.core.ResponderConfig;
import io.responder.core.TrackerStatus;
import io.responder.store.inmemory.InMemoryTrackerStore;
import io.responder.testkit.Appointment;
import io.responder.testkit.FakeChain;
import io.responder.testkit.RecordingListener;
import io.responder.testkit.ResponderInvariants;
import io.responder.testkit.sim.FaultyTrackerStore;
import io.responder.testkit.RecordingListener.Event;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bugs the randomised simulation found (issue #7), each pinned as a short story. The comment on each
 * test names the shrunk history that found it.
 */
class SimulationFindingsTest {
  @RegisterExtension
  final ResponderInvariants invariants = new ResponderInvariants();

  final FakeChain chain = FakeChain.atHeight(100);
  final RecordingListener events = new RecordingListener();
  final Random rng = new Random(7);

  Responder start(ResponderConfig config, io.responder.core.TrackerStore store) {
    Responder r = Responder.builder().config(config).carrier(chain).blockSource(chain).store(store).listener(events)
        .start();
    invariants.watch(r).watch(chain);
    return r;
  }

  /**
   * A store whose commit was applied but reported a failure (a database whose acknowledgement was
   * lost) used to leave the new tracker in the store but not in memory: never confirmed, never
   * rebroadcast, never completed until a restart. Found as "inconsistent" after FRESH, LOST_ACK,
   * SIBLING. (Since the store is read at once after a commit throws, such a hand-over succeeds.)
   */
  @Test
  void aBreachWhoseCommitWasAppliedButReportedFailedIsWatchedLikeAnyOther() {
    FaultyTrackerStore store = new FaultyTrackerStore(new InMemoryTrackerStore());
    Responder r = start(ResponderConfig.defaults().withIrrevocableDepth(10), store);
    Appointment a = Appointment.random(rng);
    Block disputeBlock = chain.mineTransactions(a.dispute());
    r.onBlock(disputeBlock);

    store.failNextCommit(FaultyTrackerStore.CommitFault.APPLY_THEN_THROW);
    assertEquals(BreachReceipt.Disposition.TRACKED, r.handleBreach(a.breach(disputeBlock.ref())).disposition());
    assertEquals(1, store.failures());

    r.checkConsistency(); // the stored tracker is in memory too
    Block confirming = chain.mine();
    r.onBlock(confirming);
    assertEquals(new TrackerStatus.Confirmed(confirming.ref()), r.tracker(a.uuid()).orElseThrow().status());
  }

  /**
   * The "sent in this block interval" receipts survived a disconnection: a penalty handed over as
   * already confirmed, whose block was then reorganised out, was "rebroadcast" from the stale receipt
   * without reaching the node. Found as "wrong-confirmation" after PENALTY_MINED, Reorg(3).
   */
  @Test
  void aDisconnectionStartsANewIntervalSoTheNodeIsReallyAskedAgain() {
    Responder r = start(ResponderConfig.defaults(), new InMemoryTrackerStore());
    Appointment a = Appointment.random(rng);
    Block disputeBlock = chain.mineTransactions(a.dispute());
    r.onBlock(disputeBlock);
    r.onBlock(chain.mineTransactions(a.penalty())); // mined by someone else
    assertEquals(BreachReceipt.Disposition.TRACKED, r.handleBreach(a.breach(disputeBlock.ref())).disposition());

    chain.disconnect(2); // before any other block, both are reorganised out and the node loses them
    chain.dropFromMempool(a.penalty().txid());
    chain.dropFromMempool(a.dispute().txid());
    List<Block> branch = chain.mineEmpty(3);
    chain.drainBroadcasts();
    r.onBlock(branch.get(2));

    assertEquals(List.of(a.dispute().txid(), a.penalty().txid()), chain.drainBroadcasts());
    assertTrue(chain.inMempool(a.penalty().txid()));
    assertEquals(TrackerStatus.InMempool.class, r.tracker(a.uuid()).orElseThrow().status().getClass());
  }

  /**
   * After a reorganisation deeper than the Responder's window, a penalty the new branch confirmed
   * below the fork the Responder could find was never seen: rebroadcasts were answered "already
   * confirmed" and the tracker stayed in the mempool state forever (and could expire while
   * confirmed). Found as "missed-confirmation" after FRESH, Reorg(20 > window 18).
   */
  @Test
  void aPenaltyConfirmedBelowTheForkOfAReorgDeeperThanTheWindowIsRelearntAndCompletes() {
    ResponderConfig config = ResponderConfig.defaults().withIrrevocableDepth(10).withReorgWindow(12);
    Responder r = start(config, new InMemoryTrackerStore());
    Appointment a = Appointment.random(rng);
    Block disputeBlock = chain.mineTransactions(a.dispute());
    r.onBlock(disputeBlock);
    r.handleBreach(a.breach(disputeBlock.ref()));
    for (int i = 0; i < 14; i++) {
      r.onBlock(chain.mineEmpty());
    }

    chain.disconnect(16); // deeper than the 12 blocks remembered, and below the dispute
    Block confirming = chain.mine(); // the new branch confirms dispute and penalty in its first block
    List<Block> rest = chain.mineEmpty(16);
    r.onBlock(rest.get(2)); // the first block above the window: the Responder takes the block below as fork

    // Re-learnt at once from the node, not after the next rebroadcast round.
    assertEquals(new TrackerStatus.Confirmed(confirming.ref()), r.tracker(a.uuid()).orElseThrow().status());
    r.onBlock(rest.get(rest.size() - 1));
    assertEquals(List.of(a.uuid()), events.uuids(Event.Completed.class));
    assertEquals(confirming.height() + 9, events.events(Event.Completed.class).get(0).tip().height());
  }

  /**
   * A reorganisation deeper than the window unconfirmed only the penalties confirmed above the fork
   * the Responder could find. One confirmed at or below it, in a block the new branch does not have
   * (here a late hand-over located the confirmation below the window), kept its confirmation and
   * completed although the new chain never held it. Found as "early-completion" after a SIBLING
   * hand-over of a completed breach and Reorg(19 > window 15).
   */
  @Test
  void aReorgDeeperThanTheWindowAlsoUnconfirmsPenaltiesBelowTheForkItFound() {
    ResponderConfig config = ResponderConfig.defaults().withIrrevocableDepth(10).withReorgWindow(12);
    Responder r = start(config, new InMemoryTrackerStore());
    Appointment a = Appointment.random(rng);
    Block disputeBlock = chain.mineTransactions(a.dispute());
    r.onBlock(disputeBlock);
    r.onBlock(chain.mineTransactions(a.penalty())); // mined by someone else
    for (int i = 0; i < 20; i++) {
      r.onBlock(chain.mineEmpty());
    }
    r.handleBreach(a.breach(disputeBlock.ref())); // handed over late: confirmed below the window

    chain.disconnect(22); // before the next block, a branch without dispute or penalty wins
    List<Block> branch = chain.mineEmpty(23);
    r.onBlock(branch.get(branch.size() - 1));

    assertEquals(List.of(), events.uuids(Event.Completed.class));
    assertEquals(TrackerStatus.InMempool.class, r.tracker(a.uuid()).orElseThrow().status().getClass());
    assertTrue(chain.inMempool(a.penalty().txid()));
  }

  /**
   * A pending tracker (the node was down at intake) whose subscription ended was expired before it
   * was retried in the same block, although its penalty had been mined meanwhile: "confirmed ones
   * are never expired". Found as "bad-expiry" after a repeated hand-over during a node outage.
   */
  @Test
  void aPendingTrackerIsAskedAboutOnceMoreBeforeItExpires() {
    Responder r = start(ResponderConfig.defaults().withIrrevocableDepth(10), new InMemoryTrackerStore());
    Appointment a = Appointment.random(rng);
    Block disputeBlock = chain.mineTransactions(a.dispute());
    r.onBlock(disputeBlock);
    Block penaltyBlock = chain.mineTransactions(a.penalty()); // mined by someone else
    r.onBlock(penaltyBlock);

    chain.nodeDown(true);
    BreachReceipt receipt = r.handleBreach(
        a.breachBuilder(disputeBlock.hash()).subscriptionEndHeight(chain.tip().height() + 1).build());
    assertEquals(BreachReceipt.Disposition.PENDING, receipt.disposition());
    chain.nodeDown(false);
    r.onBlock(chain.mineEmpty()); // the subscription ends here; the node answers again

    assertEquals(List.of(), events.uuids(Event.Expired.class));
    assertEquals(new TrackerStatus.Confirmed(penaltyBlock.ref()), r.tracker(a.uuid()).orElseThrow().status());
    for (int i = 0; i < 8; i++) {
      r.onBlock(chain.mineEmpty());
    }
    assertEquals(List.of(a.uuid()), events.uuids(Event.Completed.class));
    assertEquals(penaltyBlock.height() + 9, events.events(Event.Completed.class).get(0).tip().height());
  }

  /**
   * A second appointment for a penalty already in the node's hands, handed over after a host-reported
   * disconnection whose rebroadcast the node refused, reused that refusal as its own receipt and
   * dropped every tracker of the penalty, although the rebroadcast had kept them.
   */
  @Test
  void aSiblingArrivingAfterARefusedRebroadcastJoinsTheTrackedPenalty() {
    Responder r = start(ResponderConfig.defaults(), new InMemoryTrackerStore());
    Appointment a = Appointment.random(rng);
    Block disputeBlock = chain.mineTransactions(a.dispute());
    r.onBlock(disputeBlock);
    r.handleBreach(a.breach(disputeBlock.ref()));
    Block confirming = chain.mine();
    r.onBlock(confirming);

    chain.disconnect(1);
    chain.rejectNext(a.penalty().txid(), -25, "bad-txns-inputs-missingorspent");
    r.blockDisconnected(confirming.ref()); // the rebroadcast at the fork is refused; the tracker is kept
    assertTrue(r.tracker(a.uuid()).isPresent());

    Appointment sibling = a.sibling(rng);
    BreachReceipt receipt = r.handleBreach(sibling.breach(disputeBlock.ref()));

    assertTrue(receipt.tracked(), receipt.toString());
    assertEquals(List.of(), events.uuids(Event.Rejected.class));
    assertTrue(r.tracker(a.uuid()).isPresent());
    assertTrue(r.tracker(sibling.uuid()).isPresent());
  }

  /**
   * A penalty the node reported confirmed above the Responder's tip kept that confirmation when the
   * branch holding it was replaced by one confirming it lower: the block that really held it was
   * skipped as "already confirmed", the recorded one later did not match, and the tracker expired
   * while its penalty was confirmed. Found as "bad-expiry" at seed 43961 of a 100,000-seed run.
   */
  @Test
  void aConfirmationTheNodeReportedAboveTheTipGivesWayToTheBlockThatHoldsThePenalty() {
    Responder r = start(ResponderConfig.defaults().withIrrevocableDepth(10), new InMemoryTrackerStore());
    Appointment a = Appointment.random(rng);
    Block disputeBlock = chain.mineTransactions(a.dispute());
    r.onBlock(disputeBlock);
    chain.mineEmpty(2);
    chain.mineTransactions(a.penalty()); // mined by someone else, in a block the host has not delivered yet
    r.handleBreach(a.breachBuilder(disputeBlock.hash()).subscriptionEndHeight(disputeBlock.height() + 4).build());

    chain.disconnect(3); // that branch is replaced by one confirming the penalty right away
    Block confirming = chain.mineTransactions(a.penalty());
    List<Block> rest = chain.mineEmpty(3);
    r.onBlock(confirming);
    assertEquals(new TrackerStatus.Confirmed(confirming.ref()), r.tracker(a.uuid()).orElseThrow().status());
    rest.forEach(r::onBlock); // past the height the node first named, and the subscription's end

    assertEquals(List.of(), events.uuids(Event.Expired.class));
    assertEquals(new TrackerStatus.Confirmed(confirming.ref()), r.tracker(a.uuid()).orElseThrow().status());
  }

  /**
   * A restart over a node that had rolled back below the Responder's tip (its new branch not mined
   * yet) retried a pending penalty at once; the node called it already confirmed, and the Responder
   * counted the node's answer from its own tip, on blocks the node had dropped, instead of from the
   * node's best block: the confirmation named a block that does not hold the penalty. Found as
   * "wrong-confirmation" at seed 89252 of a 100,000-seed run.
   */
  @Test
  void anAlreadyConfirmedPenaltyIsPlacedOnTheNodesChainWhenTheNodeRolledBackBelowTheTip() {
    chain.txindex(false); // the node cannot say where: the Responder searches the blocks
    InMemoryTrackerStore store = new InMemoryTrackerStore();
    ResponderConfig config = ResponderConfig.defaults().withIrrevocableDepth(10);
    // The Responder before the restart, not watched: the store moves on without it.
    Responder r = Responder.builder().config(config).carrier(chain).blockSource(chain).store(store).listener(events).start();
    Appointment a = Appointment.random(rng);
    Block disputeBlock = chain.mineTransactions(a.dispute());
    r.onBlock(disputeBlock);
    Block holding = chain.mineTransactions(a.penalty()); // mined by someone else before the hand-over
    r.onBlock(holding);
    chain.mineEmpty(12).forEach(r::onBlock);
    chain.disconnect(3); // the node rolls back; the Responder stays on the dropped blocks
    chain.nodeDown(true);
    assertEquals(BreachReceipt.Disposition.PENDING, r.handleBreach(a.breach(disputeBlock.ref())).disposition());
    chain.nodeDown(false);

    Responder restarted = start(config, store); // retries the pending penalty at once: the node says "already confirmed"
    assertEquals(new TrackerStatus.Confirmed(holding.ref()), restarted.tracker(a.uuid()).orElseThrow().status());
    List<Block> branch = chain.mineEmpty(4); // the node's new branch, longer than the dropped one
    restarted.onBlock(branch.get(3));

    assertEquals(List.of(holding.height()), events.events(Event.Confirmed.class).stream()
        .filter(e -> e.uuid().equals(a.uuid())).map(e -> e.block().height()).toList());
    assertEquals(List.of(a.uuid()), events.uuids(Event.Completed.class));
  }

  /**
   * After a reorganisation deeper than the window found while the node was down, a penalty the new
   * branch confirmed below the fork could only be re-learnt from the node; in the block where the
   * node answered again, the subscription's end came first and the tracker expired although its
   * penalty was confirmed. Found as "bad-expiry" at seed 68726 of a 100,000-seed run.
   */
  @Test
  void anUnconfirmedPenaltyIsLookedUpOnceBeforeItsTrackersExpire() {
    ResponderConfig config = ResponderConfig.defaults().withIrrevocableDepth(10).withReorgWindow(12);
    Responder r = start(config, new InMemoryTrackerStore());
    Appointment a = Appointment.random(rng);
    Block disputeBlock = chain.mineTransactions(a.dispute());
    r.onBlock(disputeBlock);
    int end = disputeBlock.height() + 19;
    r.handleBreach(a.breachBuilder(disputeBlock.hash()).subscriptionEndHeight(end).build());
    for (int i = 0; i < 14; i++) {
      r.onBlock(chain.mineEmpty());
    }

    chain.nodeDown(true);
    chain.disconnect(16); // deeper than the window, and below the dispute
    Block confirming = chain.mine(); // the new branch confirms dispute and penalty in its first block
    while (chain.tip().height() < end - 1) {
      r.onBlock(chain.mineEmpty()); // the node cannot be asked about anything
    }
    chain.nodeDown(false);
    r.onBlock(chain.mineEmpty()); // the subscription ends here, as the node answers again

    assertEquals(List.of(), events.uuids(Event.Expired.class));
    assertEquals(new TrackerStatus.Confirmed(confirming.ref()), r.tracker(a.uuid()).orElseThrow().status());
    r.onBlock(chain.mineEmpty());
    assertEquals(List.of(a.uuid()), events.uuids(Event.Completed.class));
  }
}
