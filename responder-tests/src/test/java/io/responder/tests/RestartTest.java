package io.responder.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.Block;
import io.responder.core.BlockRef;
import io.responder.core.Responder;
import io.responder.core.TrackerState;
import io.responder.core.TrackerStatus;
import io.responder.store.inmemory.InMemoryTrackerStore;
import io.responder.testkit.Appointment;
import io.responder.testkit.FakeChain;
import io.responder.testkit.RecordingListener.Event;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** B4: a Responder built over a store that already holds trackers. */
class RestartTest {
  final Harness h = new Harness();

  @AfterEach
  void invariants() {
    h.checkInvariants();
  }

  @Test
  void aFreshStoreStartsAtTheBlockSourcesTip() {
    FakeChain chain = FakeChain.atHeight(321);
    InMemoryTrackerStore store = new InMemoryTrackerStore();
    Responder r = Responder.builder().carrier(chain).blockSource(chain).store(store).start();
    assertEquals(chain.tip(), r.tip());
    assertEquals(Optional.of(chain.tip()), store.loadTip());
  }

  /**
   * After a restart the Responder remembers only its tip; the node's new branch, delivered block by
   * block, starts below it. Its first block used to be ignored as a stale delivery until the branch
   * outgrew the tip, losing those blocks' work (found by the fee simulation, seed 136282): the
   * window is filled back from the node first, and the branch is followed at once.
   */
  @Test
  void afterARestartTheFirstBlockOfANewBranchBelowTheTipIsFollowed() {
    FakeChain chain = FakeChain.atHeight(321);
    InMemoryTrackerStore store = new InMemoryTrackerStore();
    Responder before = Responder.builder().carrier(chain).blockSource(chain).store(store).start();
    chain.mineEmpty(5).forEach(before::onBlock);

    Responder r = Responder.builder().carrier(chain).blockSource(chain).store(store).start();
    chain.disconnect(3);
    Block first = chain.mineEmpty();
    r.onBlock(first);

    assertEquals(first.ref(), r.tip(), "on the node's branch, below the tip it had");
    r.checkConsistency();
  }

  @Test
  void aRestartResumesStatusesHeightsAndMissedCounts() {
    Appointment confirmed = h.breachedAppointment();
    h.handOver(confirmed);
    h.mineAndDeliver();
    Appointment waiting = h.breachedAppointment();
    h.handOver(waiting);
    Appointment pending = h.breachedAppointment();
    h.chain.nodeDown(true);
    h.handOver(pending);
    h.chain.nodeDown(false);
    h.chain.dropFromMempool(pending.penalty().txid());
    h.chain.rejectNext(pending.penalty().txid(), -26, "non-final");
    h.chain.rejectNext(pending.penalty().txid(), -26, "non-final");
    h.chain.rejectNext(pending.penalty().txid(), -26, "non-final");
    h.chain.rejectNext(pending.penalty().txid(), -26, "non-final");
    h.chain.rejectNext(pending.penalty().txid(), -26, "non-final");
    h.chain.rejectNext(pending.penalty().txid(), -26, "non-final");
    h.mineEmptyAndDeliver(3); // "waiting" has missed 4 of its 6 blocks (one more was mined for "pending")
    var countsBefore = h.responder.countsByState();
    var before = h.store.snapshot();
    h.chain.drainBroadcasts();

    h.restart();

    assertEquals(List.of(pending.penalty().txid()), h.chain.drainBroadcasts(), "the pending one is retried at start");
    assertEquals(countsBefore, h.responder.countsByState());
    assertEquals(before, h.store.snapshot());
    h.mineEmptyAndDeliver(1); // the pending one is retried on every block
    assertEquals(List.of(pending.penalty().txid()), h.chain.drainBroadcasts());
    h.mineEmptyAndDeliver(1); // sixth missed block of "waiting", counted across the restart
    assertEquals(List.of(waiting.penalty().txid(), pending.penalty().txid()), h.chain.drainBroadcasts());
    assertEquals(TrackerState.PENDING, h.store.find(pending.uuid()).orElseThrow().status().state());
    h.mineEmptyAndDeliver(1); // the node's answers ran out of "non-final": accepted
    assertEquals(Map.of(TrackerState.PENDING, 0, TrackerState.IN_MEMPOOL, 2, TrackerState.CONFIRMED, 1),
        h.responder.countsByState());
  }

  @Test
  void blocksMinedWhileStoppedAreCaughtUp() {
    Appointment a = h.breachedAppointment();
    h.handOver(a);
    h.chain.mineEmpty(3);
    Block confirming = h.chain.mine(); // while the responder was down
    h.chain.mineEmpty(5);

    h.restart();

    assertEquals(h.chain.tip(), h.responder.tip());
    assertEquals(new TrackerStatus.Confirmed(confirming.ref()), h.store.find(a.uuid()).orElseThrow().status());
  }

  @Test
  void aReorgWhileStoppedIsFoundOnRestart() {
    Appointment a = h.breachedAppointment();
    h.handOver(a);
    Block confirming = h.mineAndDeliver();
    h.mineEmptyAndDeliver(2);
    BlockRef stoppedAt = h.responder.tip();

    // Stopped; meanwhile the three blocks are replaced and the node loses the penalty.
    h.chain.disconnect(3);
    h.chain.dropFromMempool(a.penalty().txid());
    h.chain.mineEmpty(4);
    h.chain.drainBroadcasts();

    h.restart();

    assertEquals(h.chain.tip(), h.responder.tip());
    assertEquals(confirming.height() - 1, h.events.events(Event.Disconnected.class).get(0).forkPoint().height());
    assertEquals(3, h.events.events(Event.Disconnected.class).get(0).blocks().size());
    assertEquals(stoppedAt, h.events.events(Event.Disconnected.class).get(0).blocks().get(0));
    assertEquals(List.of(a.penalty().txid()), h.chain.drainBroadcasts());
    assertTrue(h.chain.inMempool(a.penalty().txid()));
  }

  @Test
  void aStartWithTheNodeDownResumesAtTheStoredTipAndCatchesUpLater() {
    Appointment a = h.breachedAppointment();
    h.handOver(a);
    BlockRef stored = h.responder.tip();
    h.chain.mine();
    h.chain.nodeDown(true);

    h.restart();
    assertEquals(stored, h.responder.tip());

    h.chain.nodeDown(false);
    h.deliver(h.chain.mineEmpty());
    assertEquals(h.chain.tip(), h.responder.tip());
    assertEquals(TrackerState.CONFIRMED, h.store.find(a.uuid()).orElseThrow().status().state());
  }
}
