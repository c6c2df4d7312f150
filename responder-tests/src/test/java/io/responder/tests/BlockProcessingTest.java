package io.responder.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.Block;
import io.responder.core.BreachReceipt.Disposition;
import io.responder.core.StoreUpdate;
import io.responder.core.TrackerState;
import io.responder.core.TrackerStatus;
import io.responder.core.TrackerStore;
import io.responder.testkit.Appointment;
import io.responder.testkit.ForwardingTrackerStore;
import io.responder.testkit.RecordingListener.Event;
import io.responder.testkit.TestTransaction;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** B2: what each connected block does. */
class BlockProcessingTest {
  final Harness h = new Harness();

  @AfterEach
  void invariants() {
    h.checkInvariants();
  }

  @Test
  void aPenaltyInABlockIsConfirmedAtThatHeight() {
    Appointment a = h.breachedAppointment();
    h.handOver(a);
    Block b = h.mineAndDeliver();
    assertEquals(new TrackerStatus.Confirmed(b.ref()), h.store.find(a.uuid()).orElseThrow().status());
    assertEquals(b.height(), h.events.events(Event.Confirmed.class).get(0).block().height());
  }

  /**
   * A block of more penalties than the Responder looks up at once (it looks a block's txids up a
   * slice at a time): each is confirmed, the ones on either side of a slice's edge too, in the block's
   * order.
   */
  @Test
  void aBlockOfSeveralLookupSlicesConfirmsEachOfItsPenalties() {
    List<Appointment> appointments = new ArrayList<>();
    for (int i = 0; i < 700; i++) {
      appointments.add(Appointment.random(h.rng));
    }
    Block disputes = h.deliver(h.chain.mineTransactions(appointments.stream().map(Appointment::dispute)
        .toArray(TestTransaction[]::new)));
    for (Appointment a : appointments) {
      h.responder.handleBreach(a.breach(disputes.ref()));
    }

    Block b = h.mineAndDeliver();

    assertEquals(700, b.txids().size());
    for (Appointment a : appointments) {
      assertEquals(new TrackerStatus.Confirmed(b.ref()), h.store.find(a.uuid()).orElseThrow().status());
    }
    List<Event.Confirmed> confirmed = h.events.events(Event.Confirmed.class);
    assertEquals(b.txids(), confirmed.stream().map(Event.Confirmed::penaltyTxid).toList(), "once each, in the block's order");
  }

  @Test
  void completionComesExactlyAtTheHundredthConfirmation() {
    Appointment a = h.breachedAppointment();
    h.handOver(a);
    Block confirming = h.mineAndDeliver();
    h.mineEmptyAndDeliver(98); // 99 confirmations keep it
    assertTrue(h.store.find(a.uuid()).isPresent());
    assertEquals(List.of(), h.events.uuids(Event.Completed.class));

    h.mineEmptyAndDeliver(1); // 100
    assertFalse(h.store.find(a.uuid()).isPresent());
    assertEquals(List.of(a.uuid()), h.events.uuids(Event.Completed.class));
    assertEquals(confirming.height() + 99, h.events.events(Event.Completed.class).get(0).tip().height());
    assertEquals(0, h.responder.trackerCount());
  }

  @Test
  void aPenaltyIsRebroadcastAtSixAndTwelveMissedConfirmationsOncePerTxid() {
    Appointment a = h.breachedAppointment();
    Appointment sibling = a.sibling(h.rng);
    h.handOver(a);
    h.handOver(sibling);
    h.chain.drainBroadcasts();

    h.mineEmptyAndDeliver(5);
    assertEquals(List.of(), h.chain.drainBroadcasts());
    h.mineEmptyAndDeliver(1); // sixth missed
    assertEquals(List.of(a.penalty().txid()), h.chain.drainBroadcasts());
    assertEquals(2, h.events.events(Event.Resent.class).size()); // one notification per uuid
    h.mineEmptyAndDeliver(5);
    assertEquals(List.of(), h.chain.drainBroadcasts());
    h.mineEmptyAndDeliver(1); // twelfth
    assertEquals(List.of(a.penalty().txid()), h.chain.drainBroadcasts());
    // Each rebroadcast the node took fell where the count turns over: the count's origin holds.
    assertEquals(new TrackerStatus.InMempool(h.chain.tip().height() - 12), h.store.find(a.uuid()).orElseThrow().status());
  }

  @Test
  void aRebroadcastTheNodeTakesWhereTheCountTurnsOverWritesNoStatusAndARestartKeepsTheTurns() {
    List<Integer> statusWrites = new ArrayList<>();
    h.responder = h.start(new ForwardingTrackerStore() {
      @Override
      protected TrackerStore delegate() {
        return h.store;
      }

      @Override
      public void commit(StoreUpdate update) {
        statusWrites.add(update.statusChanges().size());
        super.commit(update);
      }
    }, h.events);
    Appointment a = h.breachedAppointment();
    h.handOver(a);
    int handedOver = h.chain.tip().height();
    h.chain.drainBroadcasts();
    statusWrites.clear();

    h.mineEmptyAndDeliver(6);
    assertEquals(List.of(a.penalty().txid()), h.chain.drainBroadcasts());
    assertEquals(1, h.events.events(Event.Resent.class).size());
    assertEquals(List.of(0, 0, 0, 0, 0, 0), statusWrites, "six blocks, the rebroadcast among them, write no status");
    assertEquals(new TrackerStatus.InMempool(handedOver), h.responder.tracker(a.uuid()).orElseThrow().status());

    h.restart(); // the count's next turn follows from the stored status: six blocks on, not at once
    h.mineEmptyAndDeliver(5);
    assertEquals(List.of(), h.chain.drainBroadcasts());
    h.mineEmptyAndDeliver(1);
    assertEquals(List.of(a.penalty().txid()), h.chain.drainBroadcasts());
  }

  @Test
  void aRebroadcastTheNodeCouldNotBeAskedForIsTriedOnEachBlockAndCountsFromWhereItWasTaken() {
    Appointment a = h.breachedAppointment();
    h.handOver(a);
    h.mineEmptyAndDeliver(5);
    h.chain.nodeDown(true);
    h.mineEmptyAndDeliver(2); // the sixth missed block and the one after: the node cannot be asked
    assertEquals(2, h.events.events(Event.Resent.class).size());
    h.chain.nodeDown(false);
    h.chain.drainBroadcasts();

    h.mineEmptyAndDeliver(1); // owed, so tried again although the count does not turn over here
    assertEquals(List.of(a.penalty().txid()), h.chain.drainBroadcasts());
    int taken = h.chain.tip().height();
    assertEquals(new TrackerStatus.InMempool(taken), h.store.find(a.uuid()).orElseThrow().status());
    h.mineEmptyAndDeliver(5);
    assertEquals(List.of(), h.chain.drainBroadcasts(), "counted from where the node took it");
    h.mineEmptyAndDeliver(1);
    assertEquals(List.of(a.penalty().txid()), h.chain.drainBroadcasts());
  }

  @Test
  void aPenaltyDroppedFromTheMempoolIsBroughtBackByTheRebroadcast() {
    Appointment a = h.breachedAppointment();
    h.handOver(a);
    h.chain.dropFromMempool(a.penalty().txid());
    h.mineEmptyAndDeliver(6);
    assertTrue(h.chain.inMempool(a.penalty().txid()));
    h.mineAndDeliver();
    assertEquals(TrackerState.CONFIRMED, h.store.find(a.uuid()).orElseThrow().status().state());
  }

  @Test
  void expiryDropsOnlyUnconfirmedTrackers() {
    Appointment confirmed = Appointment.random(h.rng);
    Appointment waiting = Appointment.random(h.rng);
    Block disputes = h.deliver(h.chain.mineTransactions(confirmed.dispute(), waiting.dispute()));
    int end = disputes.height() + 3;
    h.responder.handleBreach(confirmed.breachBuilder(disputes.hash()).subscriptionEndHeight(end).build());
    h.responder.handleBreach(waiting.breachBuilder(disputes.hash()).subscriptionEndHeight(end).build());
    h.chain.dropFromMempool(waiting.penalty().txid());
    h.deliver(h.chain.mineOnly(confirmed.penalty().txid()));
    h.mineEmptyAndDeliver(1);
    assertEquals(List.of(), h.events.uuids(Event.Expired.class));

    Block endBlock = h.deliver(h.chain.mineEmpty()); // the subscription ends at this height
    assertEquals(end, endBlock.height());
    assertEquals(List.of(waiting.uuid()), h.events.uuids(Event.Expired.class));
    assertFalse(h.store.find(waiting.uuid()).isPresent());
    assertTrue(h.store.find(confirmed.uuid()).isPresent());

    h.mineEmptyAndDeliver(97); // the confirmed one runs to completion
    assertEquals(List.of(confirmed.uuid()), h.events.uuids(Event.Completed.class));
  }

  @Test
  void expiryOfOneAppointmentLeavesItsSiblingsTracked() {
    Appointment a = h.breachedAppointment();
    Appointment sibling = a.sibling(h.rng);
    int end = h.chain.tip().height() + 2;
    h.handOver(a);
    h.responder.handleBreach(sibling.breachBuilder(h.chain.tip().hash()).subscriptionEndHeight(end).build());
    h.mineEmptyAndDeliver(2);
    assertEquals(List.of(sibling.uuid()), h.events.uuids(Event.Expired.class));
    assertTrue(h.store.find(a.uuid()).isPresent());
    h.chain.drainBroadcasts();
    h.mineEmptyAndDeliver(4); // the survivor is still rebroadcast after 6 missed blocks
    assertEquals(List.of(a.penalty().txid()), h.chain.drainBroadcasts());
  }

  @Test
  void aPendingTrackerExpiresWhenItsSubscriptionEnds() {
    Appointment a = h.breachedAppointment();
    h.chain.nodeDown(true);
    int end = h.chain.tip().height() + 2;
    assertEquals(Disposition.PENDING,
        h.responder.handleBreach(a.breachBuilder(h.chain.tip().hash()).subscriptionEndHeight(end).build()).disposition());
    h.mineEmptyAndDeliver(2);
    assertEquals(List.of(a.uuid()), h.events.uuids(Event.Expired.class));
    assertEquals(0, h.store.size());
  }

  /**
   * A pending penalty whose appointments end in consecutive blocks is tried once in each of them, and
   * after: what one block asked the node about (before an expiry, in one batch) must not keep the
   * next block from asking, or from retrying the penalty.
   */
  @Test
  void aPendingPenaltyWhoseAppointmentsEndInTurnIsTriedOnEachBlock() {
    Appointment a = h.breachedAppointment();
    Appointment endsNext = a.sibling(h.rng);
    Appointment stays = a.sibling(h.rng);
    int end = h.chain.tip().height() + 2;
    for (int i = 0; i < 5; i++) { // the hand-over, then one try on each of the four blocks
      h.chain.rejectNext(a.penalty().txid(), -26, "min relay fee not met");
    }
    h.responder.handleBreach(a.breachBuilder(h.chain.tip().hash()).subscriptionEndHeight(end).build());
    h.responder.handleBreach(endsNext.breachBuilder(h.chain.tip().hash()).subscriptionEndHeight(end + 1).build());
    h.handOver(stays); // no subscription end
    h.mineEmptyAndDeliver(1);
    h.events.drain();

    for (Appointment expiring : List.of(a, endsNext)) {
      int broadcasts = h.chain.broadcastCount(a.penalty().txid());
      h.mineEmptyAndDeliver(1); // this one's subscription ends here; the penalty is still refused for now
      assertEquals(List.of(expiring.uuid()), h.events.uuids(Event.Expired.class));
      assertEquals(broadcasts + 1, h.chain.broadcastCount(a.penalty().txid()), "tried once as " + expiring.uuid() + " expires");
      h.events.drain();
    }
    int broadcasts = h.chain.broadcastCount(a.penalty().txid());
    h.mineEmptyAndDeliver(1);
    assertEquals(broadcasts + 1, h.chain.broadcastCount(a.penalty().txid()), "still retried on every block");
    assertEquals(TrackerState.PENDING, h.responder.tracker(stays.uuid()).orElseThrow().status().state());
  }

  @Test
  void aPendingPenaltyIsTriedOncePerBlockEvenWhenOneOfItsAppointmentsExpires() {
    Appointment a = h.breachedAppointment();
    Appointment sibling = a.sibling(h.rng);
    int end = h.chain.tip().height() + 2;
    for (int i = 0; i < 3; i++) {
      h.chain.rejectNext(a.penalty().txid(), -26, "min relay fee not met");
    }
    h.responder.handleBreach(a.breachBuilder(h.chain.tip().hash()).subscriptionEndHeight(end).build());
    h.handOver(sibling); // no subscription end
    h.mineEmptyAndDeliver(1);
    h.events.drain();
    int broadcasts = h.chain.broadcastCount(a.penalty().txid());

    h.mineEmptyAndDeliver(1); // a's subscription ends here; the penalty is still refused for now

    assertEquals(List.of(a.uuid()), h.events.uuids(Event.Expired.class));
    assertEquals(1, h.events.uuids(Event.Resent.class).stream().filter(sibling.uuid()::equals).count(), "one retry, one event");
    assertEquals(broadcasts + 1, h.chain.broadcastCount(a.penalty().txid()));
  }

  @Test
  void trackersWhoseStateDoesNotChangeCostNoCarrierOrBlockSourceCall() {
    List<Appointment> all = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      all.add(Appointment.random(h.rng));
    }
    Block disputes = h.deliver(h.chain.mineTransactions(all.stream().map(Appointment::dispute).toArray(
        io.responder.testkit.TestTransaction[]::new)));
    all.forEach(a -> h.responder.handleBreach(a.breach(disputes.ref())));
    int broadcasts = h.chain.broadcastCount();
    long sourceCalls = h.chain.blockSourceCalls();
    long commits = h.store.commitCount();
    // Twenty penalties wait in the mempool; the next two blocks change none of them (the oldest is
    // due for rebroadcast only after six missed blocks).
    h.mineEmptyAndDeliver(2);
    assertEquals(broadcasts, h.chain.broadcastCount());
    assertEquals(sourceCalls, h.chain.blockSourceCalls(), "a block extending the tip needs no block source call");
    assertEquals(commits + 2, h.store.commitCount(), "one commit per block");
  }

  @Test
  void quietBlocksMakeNoCarrierCalls() {
    Appointment a = h.breachedAppointment();
    h.handOver(a);
    Appointment b = h.breachedAppointment();
    h.handOver(b);
    h.mineAndDeliver(); // both confirmed
    int broadcasts = h.chain.broadcastCount();
    long sourceCalls = h.chain.blockSourceCalls();
    h.mineEmptyAndDeliver(50);
    assertEquals(broadcasts, h.chain.broadcastCount());
    assertEquals(sourceCalls, h.chain.blockSourceCalls());
  }

  @Test
  void eventsOfOneBlockComeInSpecOrder() {
    Appointment old = h.breachedAppointment();
    h.handOver(old);
    Block first = h.mineAndDeliver();
    h.mineEmptyAndDeliver(97);
    Appointment fresh = h.breachedAppointment(); // block first+98
    h.handOver(fresh);
    h.events.drain();
    Block b = h.deliver(h.chain.mine()); // confirms fresh, completes old
    assertEquals(first.height() + 99, b.height());
    List<Class<?>> kinds = h.events.events().stream().<Class<?>>map(Object::getClass).toList();
    assertEquals(List.of(Event.Confirmed.class, Event.Completed.class), kinds);
  }
}
