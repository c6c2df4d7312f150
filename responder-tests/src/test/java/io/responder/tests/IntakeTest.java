package io.responder.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.Block;
import io.responder.core.BreachReceipt;
import io.responder.core.BreachReceipt.Disposition;
import io.responder.core.BroadcastResult;
import io.responder.core.InvalidInputException;
import io.responder.core.TrackerState;
import io.responder.core.TrackerStatus;
import io.responder.core.TransactionTracker;
import io.responder.testkit.Appointment;
import io.responder.testkit.TestTransaction;
import io.responder.testkit.Transactions;
import io.responder.testkit.RecordingListener.Event;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** B1: handing a breach to the Responder. */
class IntakeTest {
  final Harness h = new Harness();

  @AfterEach
  void invariants() {
    h.checkInvariants();
  }

  @Test
  void anAcceptedPenaltyIsTrackedAndPersistedBeforeHandleBreachReturns() {
    Appointment a = h.breachedAppointment();
    BreachReceipt receipt = h.handOver(a);

    assertEquals(Disposition.TRACKED, receipt.disposition());
    assertInstanceOf(BroadcastResult.Accepted.class, receipt.broadcast());
    assertTrue(h.chain.inMempool(a.penalty().txid()));
    TransactionTracker stored = h.store.find(a.uuid()).orElseThrow();
    assertEquals(new TrackerStatus.InMempool(h.chain.tip().height()), stored.status());
    assertEquals(OptionalInt.of(h.chain.tip().height()), stored.disputeHeight());
    assertEquals(List.of(a.uuid()), h.events.uuids(Event.Added.class));
  }

  @Test
  void twoUuidsSharingAPenaltyAreBroadcastOnceWatchedOnceAndCompletedTogether() {
    Appointment a = h.breachedAppointment();
    Appointment sibling = a.sibling(h.rng);
    h.handOver(a);
    BreachReceipt second = h.handOver(sibling);
    h.mineEmptyAndDeliver(1);
    Appointment third = a.sibling(h.rng);
    BreachReceipt late = h.handOver(third); // a later block interval: still no second broadcast

    assertEquals(Disposition.TRACKED, second.disposition());
    assertEquals(Disposition.TRACKED, late.disposition());
    assertEquals(1, h.chain.broadcastCount(a.penalty().txid()));
    assertEquals(3, h.store.size());

    Block confirming = h.deliver(h.chain.mine());
    assertEquals(3, h.events.events(Event.Confirmed.class).size());
    h.mineEmptyAndDeliver(99);
    assertEquals(1, h.chain.broadcastCount(a.penalty().txid()));
    assertEquals(List.of(a.uuid(), sibling.uuid(), third.uuid()).stream().sorted().toList(),
        h.events.uuids(Event.Completed.class).stream().sorted().toList());
    assertTrue(h.events.events(Event.Completed.class).stream().allMatch(e -> e.tip().height() == confirming.height() + 99));
    assertEquals(0, h.store.size());
  }

  @Test
  void aPenaltyIsNotPushedTwiceInOneBlockIntervalAndTheReceiptIsReused() {
    Appointment a = h.breachedAppointment();
    h.chain.nodeDown(true);
    BreachReceipt first = h.handOver(a);
    BreachReceipt second = h.handOver(a.sibling(h.rng));
    assertEquals(Disposition.PENDING, first.disposition());
    assertEquals(first.broadcast(), second.broadcast());
    assertEquals(1, h.chain.broadcastCount(a.penalty().txid()));

    h.chain.nodeDown(false);
    h.mineEmptyAndDeliver(1); // the cache is cleared: one retry for both uuids
    assertEquals(2, h.chain.broadcastCount(a.penalty().txid()));
    assertEquals(Map.of(TrackerState.PENDING, 0, TrackerState.IN_MEMPOOL, 2, TrackerState.CONFIRMED, 0),
        h.responder.countsByState());
  }

  @Test
  void anAlreadyConfirmedPenaltyIsTrackedFromItsRealHeightWithATransactionIndex() {
    alreadyConfirmedIsTrackedFromItsRealHeight(true, false);
  }

  @Test
  void anAlreadyConfirmedPenaltyIsFoundInTheBlocksWithoutATransactionIndex() {
    alreadyConfirmedIsTrackedFromItsRealHeight(false, false);
  }

  @Test
  void anAlreadyConfirmedPenaltyUsesTheCarriersConfirmationCount() {
    alreadyConfirmedIsTrackedFromItsRealHeight(false, true);
  }

  private void alreadyConfirmedIsTrackedFromItsRealHeight(boolean txindex, boolean carrierGivesCount) {
    h.chain.txindex(txindex);
    Appointment a = Appointment.random(h.rng);
    Block disputeBlock = h.deliver(h.chain.mineTransactions(a.dispute()));
    Block penaltyBlock = h.deliver(h.chain.mineTransactions(a.penalty())); // someone else broadcast it
    h.mineEmptyAndDeliver(10);
    if (carrierGivesCount) {
      h.chain.scriptBroadcast(a.penalty().txid(), new BroadcastResult.AlreadyConfirmed(OptionalInt.of(11)));
    }
    h.events.drain();

    BreachReceipt r = h.responder.handleBreach(a.breach(disputeBlock.ref()));

    assertEquals(Disposition.TRACKED, r.disposition());
    assertInstanceOf(BroadcastResult.AlreadyConfirmed.class, r.broadcast());
    assertEquals(new TrackerStatus.Confirmed(penaltyBlock.ref()), h.store.find(a.uuid()).orElseThrow().status());
    h.mineEmptyAndDeliver(88); // 99 confirmations
    assertEquals(List.of(), h.events.uuids(Event.Completed.class));
    h.mineEmptyAndDeliver(1);
    assertEquals(List.of(a.uuid()), h.events.uuids(Event.Completed.class));
    assertEquals(penaltyBlock.height() + 99, h.events.events(Event.Completed.class).get(0).tip().height());
  }

  @Test
  void aPenaltyConfirmedInABlockTheResponderHasNotSeenYetIsNotCompletedEarly() {
    for (boolean txindex : new boolean[] {true, false}) {
      Harness x = new Harness();
      x.chain.txindex(txindex);
      Appointment a = x.breachedAppointment();
      Block penaltyBlock = x.chain.mineTransactions(a.penalty()); // the node is one block ahead

      assertEquals(Disposition.TRACKED, x.handOver(a).disposition());
      assertEquals(new TrackerStatus.Confirmed(penaltyBlock.ref()), x.store.find(a.uuid()).orElseThrow().status());

      x.deliver(penaltyBlock);
      x.mineEmptyAndDeliver(98);
      assertEquals(List.of(), x.events.uuids(Event.Completed.class), "99 confirmations");
      x.mineEmptyAndDeliver(1);
      assertEquals(List.of(a.uuid()), x.events.uuids(Event.Completed.class));
      x.checkInvariants();
    }
  }

  @Test
  void aConfirmationCountIsReadFromTheNodesTipNotTheResponders() {
    Appointment a = h.breachedAppointment();
    Block penaltyBlock = h.chain.mineTransactions(a.penalty());
    h.chain.mineEmpty(); // the node is two blocks ahead; it counts 2 confirmations
    h.chain.scriptBroadcast(a.penalty().txid(), new BroadcastResult.AlreadyConfirmed(OptionalInt.of(2)));

    h.handOver(a);

    assertEquals(new TrackerStatus.Confirmed(penaltyBlock.ref()), h.store.find(a.uuid()).orElseThrow().status());
  }

  @Test
  void aPenaltyReportedConfirmedInABlockThatDoesNotArriveIsUnconfirmedAgain() {
    Appointment a = h.breachedAppointment();
    h.chain.mineTransactions(a.penalty()); // the node says: confirmed one block ahead...
    h.handOver(a);
    h.chain.disconnect(1); // ...but that block is replaced before the responder sees it
    h.chain.dropFromMempool(a.penalty().txid());
    Block replacement = h.deliver(h.chain.mineEmpty());

    assertEquals(new TrackerStatus.InMempool(replacement.height() - 1), h.store.find(a.uuid()).orElseThrow().status());
    h.mineEmptyAndDeliver(5); // missed blocks count from below the replaced block: rebroadcast
    assertTrue(h.chain.inMempool(a.penalty().txid()));
  }

  @Test
  void aPermanentRejectionIsReportedAndNotTracked() {
    Appointment a = h.breachedAppointment();
    h.chain.rejectNext(a.penalty().txid(), -22, "TX decode failed");
    long commits = h.store.commitCount();

    BreachReceipt r = h.handOver(a);

    assertEquals(Disposition.NOT_TRACKED, r.disposition());
    assertEquals(new BroadcastResult.Rejected(-22, "TX decode failed"), r.broadcast());
    assertEquals(0, h.store.size());
    assertEquals(commits, h.store.commitCount());
    assertEquals(List.of(a.uuid()), h.events.uuids(Event.Rejected.class));
  }

  @Test
  void aPenaltyWhoseInputWasSpentInABlockIsRejectedForGood() {
    Appointment a = h.breachedAppointment();
    TestTransaction sweep = Transactions.spending(h.rng, a.dispute().txid(), 0); // the cheater swept the output
    h.deliver(h.chain.mineTransactions(sweep));

    BreachReceipt r = h.handOver(a);

    assertEquals(Disposition.NOT_TRACKED, r.disposition());
    assertEquals(-25, ((BroadcastResult.Rejected) r.broadcast()).code());
    assertEquals(0, h.store.size());
  }

  @Test
  void aRejectionThatCanClearKeepsTheBreachPendingUntilItIsAccepted() {
    Appointment a = h.breachedAppointment();
    h.chain.rejectNext(a.penalty().txid(), -26, "min relay fee not met");
    h.chain.rejectNext(a.penalty().txid(), -26, "min relay fee not met");

    assertEquals(Disposition.PENDING, h.handOver(a).disposition());
    h.mineEmptyAndDeliver(1);
    assertEquals(TrackerState.PENDING, h.store.find(a.uuid()).orElseThrow().status().state());
    h.mineEmptyAndDeliver(1);
    assertEquals(new TrackerStatus.InMempool(h.chain.tip().height()), h.store.find(a.uuid()).orElseThrow().status());
    assertEquals(3, h.chain.broadcastCount(a.penalty().txid()));
  }

  @Test
  void aNodeUnreachableAtBreachTimeLosesNothing() {
    Appointment a = h.breachedAppointment();
    h.chain.nodeDownForBlocks(3);
    BreachReceipt r = h.handOver(a);
    assertEquals(Disposition.PENDING, r.disposition());
    assertInstanceOf(BroadcastResult.NodeUnavailable.class, r.broadcast());

    h.mineEmptyAndDeliver(3); // the node comes back with the third block
    assertTrue(h.chain.inMempool(a.penalty().txid()));
    h.mineAndDeliver();
    assertEquals(TrackerState.CONFIRMED, h.store.find(a.uuid()).orElseThrow().status().state());
    assertEquals(List.of(a.uuid()), h.events.uuids(Event.Confirmed.class));
  }

  @Test
  void aNodeWarmingUpKeepsTheBreachPending() {
    Appointment a = h.breachedAppointment();
    h.chain.warmingUp(true);
    assertEquals(Disposition.PENDING, h.handOver(a).disposition());
    h.chain.warmingUp(false);
    h.mineEmptyAndDeliver(1);
    assertTrue(h.chain.inMempool(a.penalty().txid()));
  }

  @Test
  void theSameBreachAgainIsIdempotent() {
    Appointment a = h.breachedAppointment();
    h.handOver(a);
    long commits = h.store.commitCount();
    BreachReceipt again = h.handOver(a);
    assertEquals(Disposition.ALREADY_TRACKED, again.disposition());
    assertEquals(1, h.chain.broadcastCount(a.penalty().txid()));
    assertEquals(commits, h.store.commitCount());
    assertEquals(1, h.events.uuids(Event.Added.class).size());
  }

  @Test
  void aDifferentBreachUnderAKnownUuidIsAnErrorAndChangesNothing() {
    Appointment a = h.breachedAppointment();
    h.handOver(a);
    Appointment other = h.breachedAppointment();
    var snapshot = h.store.snapshot();
    long commits = h.store.commitCount();
    int broadcasts = h.chain.broadcastCount();

    InvalidInputException e = assertThrows(InvalidInputException.class, () -> h.responder.handleBreach(
        other.breachBuilder(h.chain.tip().hash()).uuid(a.uuid()).build()));

    assertEquals("uuid", e.field());
    assertEquals(snapshot, h.store.snapshot());
    assertEquals(commits, h.store.commitCount());
    assertEquals(broadcasts, h.chain.broadcastCount());
  }

  @Test
  void aBreachSeenAheadOfTheResponderCatchesUpFirst() {
    Appointment a = Appointment.random(h.rng);
    Block disputeBlock = h.chain.mineTransactions(a.dispute()); // the watcher saw it; the responder did not
    h.chain.mineEmpty();

    assertEquals(Disposition.TRACKED, h.responder.handleBreach(a.breach(disputeBlock.ref())).disposition());

    assertEquals(h.chain.tip(), h.responder.tip());
    assertEquals(OptionalInt.of(disputeBlock.height()), h.store.find(a.uuid()).orElseThrow().disputeHeight());
  }

  @Test
  void aBreachSeenAheadWhileTheNodeIsDownIsStillKept() {
    Appointment a = Appointment.random(h.rng);
    Block disputeBlock = h.chain.mineTransactions(a.dispute());
    h.chain.nodeDownForBlocks(1);

    assertEquals(Disposition.PENDING, h.responder.handleBreach(a.breach(disputeBlock.ref())).disposition());
    assertFalse(h.store.find(a.uuid()).orElseThrow().disputeHeight().isPresent());

    h.deliver(h.chain.mineEmpty()); // node back: the responder catches up through the gap and retries
    assertEquals(h.chain.tip(), h.responder.tip());
    assertTrue(h.chain.inMempool(a.penalty().txid()));
  }
}
