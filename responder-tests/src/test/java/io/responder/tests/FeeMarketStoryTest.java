package io.responder.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.BreachReceipt;
import io.responder.core.BreachReceipt.Disposition;
import io.responder.core.BroadcastResult.RejectedForNow;
import io.responder.core.TrackerState;
import io.responder.testkit.Appointment;
import io.responder.testkit.TestTransaction;
import io.responder.testkit.Transactions;
import io.responder.testkit.RecordingListener.Event;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Responder as it is today, over a {@link io.responder.testkit.FakeChain} with its fee market
 * on: a fee spike delays a cheap penalty, and only the market calming down gets it mined. These are
 * the stories the fee escalation of issue 14 is meant to change.
 */
class FeeMarketStoryTest {
  Harness h = new Harness();

  @AfterEach
  void invariants() {
    h.checkInvariants();
  }

  /** A channel whose dispute pays 10 sat/vB and whose penalty pays {@code penaltySatPerVbyte}. */
  Appointment breached(double penaltySatPerVbyte) {
    TestTransaction funding = Transactions.funding(h.rng, 1_000_000);
    h.deliver(h.chain.mineTransactions(funding));
    Appointment a = Appointment.withFeerates(h.rng, funding, 0, 10, penaltySatPerVbyte);
    h.deliver(h.chain.mineTransactions(a.dispute()));
    return a;
  }

  TrackerState state(Appointment a) {
    return h.store.find(a.uuid()).orElseThrow().status().state();
  }

  @Test
  void aPenaltyBelowTheMempoolMinimumWaitsOutTheSpike() {
    Appointment a = breached(2);
    h.chain.mempoolMinFeerate(5);

    BreachReceipt r = h.handOver(a);
    assertEquals(Disposition.PENDING, r.disposition());
    assertEquals(new RejectedForNow(-26, "mempool min fee not met, 220 < 550"), r.broadcast());
    h.mineAndDeliver();
    assertEquals(TrackerState.PENDING, state(a));
    assertEquals(2, h.chain.broadcastCount(a.penalty().txid()));

    h.chain.mempoolMinFeerate(0); // the spike passes; the next retry gets in
    h.mineAndDeliver();
    assertTrue(h.chain.inMempool(a.penalty().txid()));
    h.mineAndDeliver();
    assertEquals(TrackerState.CONFIRMED, state(a));
    assertEquals(List.of(a.uuid()), h.events.uuids(Event.Confirmed.class));
  }

  @Test
  void aPenaltyMinersDoNotTakeStaysInTheMempoolWhateverIsResent() {
    Appointment a = breached(2);
    h.chain.minerMinFeerate(5);

    assertEquals(Disposition.TRACKED, h.handOver(a).disposition());
    h.mineAndDeliver();
    for (int i = 0; i < 12; i++) {
      h.mineAndDeliver();
    }
    assertEquals(TrackerState.IN_MEMPOOL, state(a));
    assertFalse(h.chain.confirmationHeight(a.penalty().txid()).isPresent());
    assertTrue(h.chain.broadcastCount(a.penalty().txid()) > 1); // rebroadcasts changed nothing

    h.chain.minerMinFeerate(1);
    h.mineAndDeliver();
    assertEquals(TrackerState.CONFIRMED, state(a));
  }
}
