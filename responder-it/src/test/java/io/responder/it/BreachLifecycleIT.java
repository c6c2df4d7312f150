package io.responder.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import io.responder.core.Breach;
import io.responder.core.BreachReceipt;
import io.responder.core.BroadcastResult;
import io.responder.core.TrackerState;
import io.responder.core.TrackerStatus;
import io.responder.core.TxStatus;
import io.responder.testkit.RecordingListener.Event;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A breach's life on a real regtest node, one node for the class. */
class BreachLifecycleIT {
  @RegisterExtension
  static final RegtestNode node = new RegtestNode();

  @Test
  void twoAppointmentsSharingAPenaltyCompleteAtExactlyOneHundredConfirmations() {
    Chain chain = new Chain(node);
    Chain.Tx dispute = chain.newDispute();
    Chain.Tx penalty = chain.penalty(dispute);
    chain.send(dispute);
    BlockHash disputeBlock = chain.mine(1).get(0);
    Tower tower = Tower.inMemory(node);

    Breach first = Tower.breach(dispute, penalty, disputeBlock);
    Breach second = Tower.breach(dispute, penalty, disputeBlock);
    BreachReceipt a = tower.handle(first);
    BreachReceipt b = tower.handle(second);

    assertEquals(BreachReceipt.Disposition.TRACKED, a.disposition());
    assertInstanceOf(BroadcastResult.Accepted.class, a.broadcast());
    assertEquals(BreachReceipt.Disposition.TRACKED, b.disposition());
    assertTrue(chain.inMempool(penalty.txid()), "the node holds the penalty");
    assertEquals(List.of(first.uuid(), second.uuid()), tower.events.uuids(Event.Added.class));
    assertEquals(Map.of(TrackerState.PENDING, 0, TrackerState.IN_MEMPOOL, 2, TrackerState.CONFIRMED, 0),
        tower.responder.countsByState());

    BlockHash penaltyBlock = chain.mine(1).get(0);
    int penaltyHeight = chain.height();
    tower.poll();
    BlockRef confirmedIn = new BlockRef(penaltyBlock, penaltyHeight);
    assertEquals(new TrackerStatus.Confirmed(confirmedIn), tower.status(first.uuid()));
    assertEquals(new TrackerStatus.Confirmed(confirmedIn), tower.status(second.uuid()));
    assertEquals(List.of(first.uuid(), second.uuid()).stream().sorted().toList(),
        tower.events.events(Event.Confirmed.class).stream().map(Event.Confirmed::uuid).sorted().toList());
    assertTrue(tower.events.events(Event.Confirmed.class).stream().allMatch(e -> e.block().height() == penaltyHeight));
    assertEquals(1, chain.confirmationsIn(penalty.txid(), penaltyBlock));

    chain.mine(98);
    tower.poll();
    assertEquals(99, chain.confirmationsIn(penalty.txid(), penaltyBlock));
    assertEquals(List.of(), tower.events.events(Event.Completed.class), "99 confirmations are not irrevocable");
    assertEquals(2, tower.responder.trackerCount());

    chain.mine(1);
    tower.poll();
    assertEquals(100, chain.confirmationsIn(penalty.txid(), penaltyBlock));
    List<Event.Completed> completed = tower.events.events(Event.Completed.class);
    assertEquals(List.of(first.uuid(), second.uuid()).stream().sorted().toList(),
        completed.stream().map(Event.Completed::uuid).sorted().toList());
    assertTrue(completed.stream().allMatch(e -> e.tip().height() == penaltyHeight + 99));
    assertEquals(0, tower.responder.trackerCount());
    assertTrue(tower.responder.tracker(first.uuid()).isEmpty());
    assertTrue(tower.responder.tracker(second.uuid()).isEmpty());
    assertEquals(List.of(), tower.events.events(Event.Resent.class));
    tower.responder.checkConsistency();
  }

  @Test
  void penaltyKeptOutOfBlocksIsRebroadcastAtTheSixthMissedBlock() {
    Chain chain = new Chain(node);
    Chain.Tx dispute = chain.newDispute();
    Chain.Tx penalty = chain.penalty(dispute);
    chain.send(dispute);
    BlockHash disputeBlock = chain.mine(1).get(0);
    Tower tower = Tower.inMemory(node);
    Breach breach = Tower.breach(dispute, penalty, disputeBlock);
    tower.handle(breach);
    int acceptedAt = chain.height();
    assertEquals(new TrackerStatus.InMempool(acceptedAt), tower.status(breach.uuid()));

    for (int missed = 1; missed <= 5; missed++) {
      chain.mineEmpty();
      tower.poll();
      assertEquals(List.of(), tower.events.events(Event.Resent.class), "no rebroadcast after " + missed + " missed blocks");
      assertEquals(new TrackerStatus.InMempool(acceptedAt), tower.status(breach.uuid()));
      assertTrue(chain.inMempool(penalty.txid()));
    }
    chain.mineEmpty();
    tower.poll();
    List<Event.Resent> rebroadcasts = tower.events.events(Event.Resent.class);
    assertEquals(1, rebroadcasts.size(), "one rebroadcast at the 6th missed block");
    assertEquals(breach.uuid(), rebroadcasts.get(0).uuid());
    assertInstanceOf(BroadcastResult.Accepted.class, rebroadcasts.get(0).result());
    // Taken where the count turns over: the count keeps its origin, and the store is not written.
    assertEquals(new TrackerStatus.InMempool(acceptedAt), tower.status(breach.uuid()));
    assertTrue(chain.inMempool(penalty.txid()));

    BlockHash mined = chain.mine(1).get(0);
    tower.poll();
    assertEquals(new TrackerStatus.Confirmed(new BlockRef(mined, acceptedAt + 7)), tower.status(breach.uuid()));
    assertEquals(1, chain.confirmationsIn(penalty.txid(), mined));
    tower.responder.checkConsistency();
  }

  /**
   * Before trackers expire unconfirmed, the node is asked about their penalty (one confirmed in a
   * block the Responder never saw must run to completion). A penalty the node holds in its mempool is
   * mined nowhere, and sending it again would learn nothing: the node's answer to the lookup, asked
   * with the dispute's block as the hint, must therefore say "in the mempool", and nothing is sent.
   */
  @Test
  void aPenaltyInTheMempoolWhenItsSubscriptionEndsExpiresWithoutBeingSentAgain() {
    Chain chain = new Chain(node);
    Chain.Tx dispute = chain.newDispute();
    Chain.Tx penalty = chain.penalty(dispute);
    chain.send(dispute);
    BlockHash disputeBlock = chain.mine(1).get(0);
    int end = chain.height() + 3;
    Tower tower = Tower.inMemory(node);
    Breach breach = Tower.builder(dispute, penalty, disputeBlock).disputeRawTx(dispute.hex()).subscriptionEndHeight(end)
        .build();
    tower.handle(breach);
    assertEquals(1, tower.carrier.sendsOf(penalty.txid()));

    while (chain.height() < end) {
      assertEquals(List.of(), tower.events.uuids(Event.Expired.class), "not expired below height " + end);
      chain.mineEmpty();
      tower.poll();
    }

    assertEquals(List.of(breach.uuid()), tower.events.uuids(Event.Expired.class));
    assertEquals(List.of(new CountingCarrier.Asked(penalty.txid(), new TxStatus.InMempool())),
        tower.carrier.statuses().stream().filter(a -> a.txid().equals(penalty.txid())).toList(),
        "asked once, and the node says it holds it");
    assertEquals(1, tower.carrier.sendsOf(penalty.txid()), "not sent again");
    assertTrue(chain.inMempool(penalty.txid()));
    tower.responder.checkConsistency();
  }

  @Test
  void penaltyAlreadyMinedBySomeoneElseIsTrackedFromItsRealHeight() {
    Chain chain = new Chain(node);
    Chain.Tx dispute = chain.newDispute();
    Chain.Tx penalty = chain.penalty(dispute);
    Tower tower = Tower.inMemory(node);
    chain.send(dispute);
    chain.send(penalty);
    BlockHash minedIn = chain.mine(1).get(0);
    int minedAt = chain.height();
    chain.mine(3);
    tower.poll();

    Breach breach = Tower.breach(dispute, penalty, minedIn);
    BreachReceipt receipt = tower.handle(breach);

    assertEquals(BreachReceipt.Disposition.TRACKED, receipt.disposition());
    assertInstanceOf(BroadcastResult.AlreadyConfirmed.class, receipt.broadcast());
    assertEquals(new TrackerStatus.Confirmed(new BlockRef(minedIn, minedAt)), tower.status(breach.uuid()));
    assertEquals(List.of(breach.uuid()), tower.events.uuids(Event.Added.class));
    assertFalse(chain.inMempool(penalty.txid()));
    assertEquals(4, chain.confirmationsIn(penalty.txid(), minedIn));

    chain.mine(95);
    tower.poll();
    assertEquals(99, chain.confirmationsIn(penalty.txid(), minedIn));
    assertEquals(List.of(), tower.events.events(Event.Completed.class));
    chain.mine(1);
    tower.poll();
    assertEquals(List.of(breach.uuid()), tower.events.uuids(Event.Completed.class));
    assertEquals(minedAt + 99, tower.events.events(Event.Completed.class).get(0).tip().height());
    assertEquals(0, tower.responder.trackerCount());
  }

  @Test
  void nonFinalPenaltyStaysPendingUntilItsLocktime() {
    Chain chain = new Chain(node);
    Chain.Tx dispute = chain.newDispute();
    chain.send(dispute);
    BlockHash disputeBlock = chain.mine(1).get(0);
    int lockHeight = chain.height() + 3;
    Chain.Tx penalty = chain.penalty(dispute, lockHeight);
    Tower tower = Tower.inMemory(node);

    Breach breach = Tower.breach(dispute, penalty, disputeBlock);
    BreachReceipt receipt = tower.handle(breach);

    assertEquals(BreachReceipt.Disposition.PENDING, receipt.disposition());
    BroadcastResult.RejectedForNow refused = assertInstanceOf(BroadcastResult.RejectedForNow.class, receipt.broadcast());
    assertEquals(-26, refused.code());
    assertEquals(TrackerState.PENDING, tower.status(breach.uuid()).state());
    assertFalse(chain.inMempool(penalty.txid()));

    // A transaction locked to height L may enter the block at L + 1, so the mempool takes it at tip L.
    while (chain.height() < lockHeight - 1) {
      chain.mine(1);
      tower.poll();
      assertEquals(TrackerState.PENDING, tower.status(breach.uuid()).state(), "still non-final at " + chain.height());
      assertFalse(chain.inMempool(penalty.txid()));
      assertInstanceOf(BroadcastResult.RejectedForNow.class, last(tower.events.events(Event.Resent.class)).result());
    }
    chain.mine(1);
    tower.poll();
    assertEquals(lockHeight, chain.height());
    assertEquals(new TrackerStatus.InMempool(lockHeight), tower.status(breach.uuid()));
    assertInstanceOf(BroadcastResult.Accepted.class, last(tower.events.events(Event.Resent.class)).result());
    assertTrue(chain.inMempool(penalty.txid()));
    tower.responder.checkConsistency();
  }

  @Test
  void penaltyWhoseInputAConfirmedConflictSpentIsRejectedForGood() {
    Chain chain = new Chain(node);
    Chain.Tx dispute = chain.newDispute();
    Chain.Tx penalty = chain.penalty(dispute);
    Chain.Tx sweep = chain.conflict(dispute);
    chain.send(dispute);
    BlockHash disputeBlock = chain.mine(1).get(0);
    chain.send(sweep);
    BlockHash sweepBlock = chain.mine(1).get(0);
    Tower tower = Tower.inMemory(node);

    Breach breach = Tower.breach(dispute, penalty, disputeBlock);
    BreachReceipt receipt = tower.handle(breach);

    assertEquals(BreachReceipt.Disposition.NOT_TRACKED, receipt.disposition());
    BroadcastResult.Rejected rejected = assertInstanceOf(BroadcastResult.Rejected.class, receipt.broadcast());
    assertEquals(-25, rejected.code());
    assertEquals(List.of(breach.uuid()), tower.events.uuids(Event.Rejected.class));
    assertEquals(List.of(), tower.events.events(Event.Added.class));
    assertTrue(tower.responder.tracker(breach.uuid()).isEmpty());
    assertEquals(0, tower.responder.trackerCount());
    assertFalse(chain.inMempool(penalty.txid()));
    assertEquals(1, chain.confirmationsIn(sweep.txid(), sweepBlock), "the cheater's sweep is confirmed");

    chain.mine(1);
    tower.poll();
    assertEquals(List.of(breach.uuid()), tower.events.uuids(Event.Rejected.class), "not tried again");
    assertEquals(0, tower.responder.trackerCount());
  }

  private static <E> E last(List<E> events) {
    assertFalse(events.isEmpty(), "no event");
    return events.get(events.size() - 1);
  }
}
