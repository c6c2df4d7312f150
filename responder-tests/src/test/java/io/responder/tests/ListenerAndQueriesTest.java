package io.responder.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.BlockRef;
import io.responder.core.BroadcastResult;
import io.responder.core.ResponderListener;
import io.responder.core.TrackerState;
import io.responder.core.TransactionTracker;
import io.responder.core.Txid;
import io.responder.testkit.Appointment;
import io.responder.testkit.RecordingListener;
import io.responder.testkit.RecordingListener.Event;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** B5: queries and notifications. */
class ListenerAndQueriesTest {
  final Harness h = new Harness();

  @AfterEach
  void invariants() {
    h.checkInvariants();
  }

  @Test
  void theHostCanReadTrackersAndCountThemByState() {
    Appointment a = h.breachedAppointment();
    h.handOver(a);
    h.mineAndDeliver();
    Appointment b = h.breachedAppointment();
    h.handOver(b);

    TransactionTracker t = h.responder.tracker(a.uuid()).orElseThrow();
    assertEquals(a.penalty().txid(), t.penaltyTxid());
    assertEquals(a.userId(), t.userId());
    assertEquals(2, h.responder.trackers().size());
    assertEquals(Map.of(TrackerState.PENDING, 0, TrackerState.IN_MEMPOOL, 1, TrackerState.CONFIRMED, 1),
        h.responder.countsByState());
    assertFalse(h.responder.tracker(UUID.randomUUID()).isPresent());
  }

  @Test
  void aListenerThatThrowsDoesNotBreakTheResponder() {
    AtomicInteger calls = new AtomicInteger();
    ResponderListener hostile = new ResponderListener() {
      @Override
      public void trackerAdded(TransactionTracker tracker) {
        calls.incrementAndGet();
        throw new IllegalStateException("listener bug");
      }

      @Override
      public void penaltyConfirmed(UUID uuid, Txid penaltyTxid, BlockRef block) {
        calls.incrementAndGet();
        throw new IllegalStateException("listener bug");
      }

      @Override
      public void trackerCompleted(UUID uuid, Txid penaltyTxid, BlockRef tip) {
        calls.incrementAndGet();
        throw new RuntimeException("listener bug");
      }

      @Override
      public void penaltyRebroadcast(UUID uuid, Txid penaltyTxid, BroadcastResult result) {
        throw new RuntimeException("listener bug");
      }
    };
    h.responder = h.start(h.store, hostile);
    Appointment a = h.breachedAppointment();
    Appointment sibling = a.sibling(h.rng);
    assertTrue(h.handOver(a).tracked());
    assertTrue(h.handOver(sibling).tracked());
    h.mineEmptyAndDeliver(6); // a rebroadcast, whose listener call throws too
    h.mineAndDeliver();
    h.mineEmptyAndDeliver(99);

    assertEquals(2 + 2 + 2, calls.get()); // every event still delivered, one per uuid
    assertEquals(0, h.store.size());
  }

  @Test
  void everyEventNamesItsUuid() {
    Appointment a = h.breachedAppointment();
    h.handOver(a);
    h.mineEmptyAndDeliver(6);
    h.mineAndDeliver();
    h.mineEmptyAndDeliver(99);
    List<Class<?>> kinds = h.events.events().stream().<Class<?>>map(Object::getClass).toList();
    assertEquals(List.of(Event.Added.class,
        Event.Resent.class,
        Event.Confirmed.class,
        Event.Completed.class), kinds);
    assertTrue(h.events.events().stream().allMatch(e -> e instanceof RecordingListener.OfTracker t && a.uuid().equals(t.uuid())));
  }
}
