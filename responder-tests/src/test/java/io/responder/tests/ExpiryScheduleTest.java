package io.responder.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.Block;
import io.responder.core.ResponderConfig;
import io.responder.testkit.Appointment;
import io.responder.testkit.TestTransaction;
import io.responder.core.Txid;
import io.responder.testkit.RecordingListener.Event;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Trackers that complete long before their subscription ends leave nothing behind that could fire
 * later; the schedule of subscription ends is rebuilt when it is mostly dead, and live ends still
 * fire at exactly their height.
 */
class ExpiryScheduleTest {
  @Test
  void subscriptionEndsStillFireAfterThousandsOfTrackersCompletedBeforeTheirs() {
    Harness h = new Harness(ResponderConfig.defaults().withIrrevocableDepth(10).withReorgWindow(12), 3);
    List<Appointment> early = new ArrayList<>();
    for (int i = 0; i < 6000; i++) {
      early.add(Appointment.random(h.rng));
    }
    Appointment waiting = Appointment.random(h.rng);
    List<TestTransaction> disputes = new ArrayList<>();
    early.forEach(a -> disputes.add(a.dispute()));
    disputes.add(waiting.dispute());
    Block seen = h.deliver(h.chain.mineTransactions(disputes.toArray(TestTransaction[]::new)));
    int farEnd = seen.height() + 10_000;
    int waitingEnd = seen.height() + 40;
    for (Appointment a : early) {
      h.responder.handleBreach(a.breachBuilder(seen.hash()).subscriptionEndHeight(farEnd).build());
    }
    h.responder.handleBreach(waiting.breachBuilder(seen.hash()).subscriptionEndHeight(waitingEnd).build());

    // Everything but "waiting" confirms at once and completes ten blocks later.
    h.deliver(h.chain.mineOnly(early.stream().map(a -> a.penalty().txid()).toArray(Txid[]::new)));
    h.chain.dropFromMempool(waiting.penalty().txid());
    for (int i = 0; i < 60; i++) {
      h.chain.dropFromMempool(waiting.penalty().txid()); // it never confirms
      h.deliver(h.chain.mineEmpty());
    }

    assertEquals(6000, h.events.uuids(Event.Completed.class).size());
    assertEquals(List.of(waiting.uuid()), h.events.uuids(Event.Expired.class));
    assertEquals(waitingEnd, h.events.events(Event.Expired.class).get(0).tip().height());
    assertTrue(h.store.find(waiting.uuid()).isEmpty());
    h.checkInvariants();
  }
}
