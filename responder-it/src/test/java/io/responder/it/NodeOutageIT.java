package io.responder.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.bitcoind.BlockPoller;
import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import io.responder.core.Breach;
import io.responder.core.BreachReceipt;
import io.responder.core.BroadcastResult;
import io.responder.core.TrackerState;
import io.responder.core.TrackerStatus;
import io.responder.testkit.RecordingListener.Event;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The node going away, coming back without its mempool, or lagging the watcher: what only the
 * Responder can put back.
 */
class NodeOutageIT {
  @RegisterExtension
  static final RegtestNode node = new RegtestNode();

  @Test
  void nodeRestartedWithAnEmptyMempoolGetsThePenaltyBackAtTheNextRebroadcast() throws IOException {
    Chain chain = new Chain(node);
    Chain.Tx dispute = chain.newDispute();
    Chain.Tx penalty = chain.penalty(dispute);
    chain.send(dispute);
    BlockHash disputeBlock = chain.mine(1).get(0);
    Tower tower = Tower.inMemory(node);
    Breach breach = Tower.breach(dispute, penalty, disputeBlock);
    assertEquals(BreachReceipt.Disposition.TRACKED, tower.handle(breach).disposition());
    int acceptedAt = chain.height();
    assertTrue(chain.inMempool(penalty.txid()));

    node.restart(true); // mempool.dat deleted, a new cookie: the library reads it again on its own
    assertFalse(chain.inMempool(penalty.txid()), "the restarted node lost the penalty");

    for (int missed = 1; missed <= 5; missed++) {
      chain.mineEmpty();
      tower.poll();
      assertEquals(acceptedAt + missed, tower.responder.tip().height(), "the Responder follows the restarted node");
      assertFalse(chain.inMempool(penalty.txid()), "not sent again before the 6th missed block");
      assertEquals(new TrackerStatus.InMempool(acceptedAt), tower.status(breach.uuid()));
    }
    chain.mineEmpty();
    tower.poll();
    assertTrue(chain.inMempool(penalty.txid()), "the rebroadcast put the penalty back");
    List<Event.Resent> rebroadcasts = tower.events.events(Event.Resent.class);
    assertEquals(1, rebroadcasts.size());
    assertInstanceOf(BroadcastResult.Accepted.class, rebroadcasts.get(0).result());
    assertEquals(new TrackerStatus.InMempool(acceptedAt), tower.status(breach.uuid()), "the count keeps its origin");

    BlockHash mined = chain.mine(1).get(0);
    tower.poll();
    assertEquals(new TrackerStatus.Confirmed(new BlockRef(mined, acceptedAt + 7)), tower.status(breach.uuid()));
    assertEquals(List.of(breach.uuid()), tower.events.uuids(Event.Confirmed.class));
    assertEquals(1, chain.confirmationsIn(penalty.txid(), mined));
    tower.responder.checkConsistency();
  }

  /** Issue 11 item 6: pending penalties are retried as soon as the host learns the node is back. */
  @Test
  void breachWhileTheNodeIsDownIsAcceptedWhenItReturns() throws IOException {
    Chain chain = new Chain(node);
    Chain.Tx dispute = chain.newDispute();
    Chain.Tx penalty = chain.penalty(dispute);
    chain.send(dispute);
    BlockHash disputeBlock = chain.mine(1).get(0);
    Tower tower = Tower.inMemory(node);
    int tip = tower.responder.tip().height();

    node.stop();
    Breach breach = Tower.breach(dispute, penalty, disputeBlock);
    BreachReceipt receipt = tower.handle(breach);
    assertEquals(BreachReceipt.Disposition.PENDING, receipt.disposition());
    assertInstanceOf(BroadcastResult.NodeUnavailable.class, receipt.broadcast());
    assertEquals(new TrackerStatus.Pending(tip), tower.status(breach.uuid()));
    assertEquals(List.of(breach.uuid()), tower.events.uuids(Event.Added.class));
    assertEquals(BlockPoller.Poll.FAILED, tower.poll(), "the poller sees the node down");

    node.startAgain(false);
    tower.responder.syncWithBlockSource(); // the host learnt the node is back; no block was mined
    assertEquals(tip, chain.height());
    assertTrue(chain.inMempool(penalty.txid()), "the pending penalty was sent as soon as the node returned");
    assertEquals(new TrackerStatus.InMempool(tip), tower.status(breach.uuid()));
    assertInstanceOf(BroadcastResult.Accepted.class, last(tower.events.events(Event.Resent.class)).result());

    BlockHash mined = chain.mine(1).get(0);
    tower.poll();
    assertEquals(new TrackerStatus.Confirmed(new BlockRef(mined, tip + 1)), tower.status(breach.uuid()));
    tower.responder.checkConsistency();
  }

  /**
   * Issue 11 item 3: the watcher saw the dispute in a block the Responder's node does not have yet.
   * bitcoind answers -25 (missing inputs), which clears when the dispute arrives: pending, not dropped.
   */
  @Test
  void penaltyWhoseDisputeTheNodeDoesNotKnowYetWaitsForIt() {
    Chain chain = new Chain(node);
    Chain.Tx dispute = chain.newDispute();
    Chain.Tx penalty = chain.penalty(dispute);
    Tower tower = Tower.inMemory(node);
    Map<String, Object> watchersBlock = chain.blockNotSubmitted(dispute);
    BlockHash seenIn = BlockHash.fromHex((String) watchersBlock.get("hash"));
    int tip = chain.height();

    Breach breach = Tower.breachWithoutRawDispute(dispute, penalty, seenIn);
    BreachReceipt receipt = tower.handle(breach);

    assertEquals(BreachReceipt.Disposition.PENDING, receipt.disposition(), "-25 for missing inputs can clear");
    assertEquals(List.of(), tower.events.events(Event.Rejected.class));
    assertEquals(TrackerState.PENDING, tower.status(breach.uuid()).state());
    assertFalse(chain.inMempool(penalty.txid()));

    chain.submit(watchersBlock); // the node catches up with the watcher
    assertEquals(tip + 1, chain.height());
    tower.poll();
    assertEquals(new TrackerStatus.InMempool(tip + 1), tower.status(breach.uuid()));
    assertTrue(chain.inMempool(penalty.txid()), "accepted once the dispute arrived");
    assertInstanceOf(BroadcastResult.Accepted.class, last(tower.events.events(Event.Resent.class)).result());
    tower.responder.checkConsistency();
  }

  /**
   * Issue 11 item 3: the same lagging node, but the watcher handed over the raw dispute: the
   * Responder sends it first, and the penalty is accepted at once.
   */
  @Test
  void penaltyWithItsRawDisputeIsAcceptedAtOnceByANodeLaggingTheWatcher() {
    Chain chain = new Chain(node);
    Chain.Tx dispute = chain.newDispute();
    Chain.Tx penalty = chain.penalty(dispute);
    Tower tower = Tower.inMemory(node);
    Map<String, Object> watchersBlock = chain.blockNotSubmitted(dispute);
    BlockHash seenIn = BlockHash.fromHex((String) watchersBlock.get("hash"));
    int tip = chain.height();

    Breach breach = Tower.breach(dispute, penalty, seenIn);
    BreachReceipt receipt = tower.handle(breach);

    assertEquals(BreachReceipt.Disposition.TRACKED, receipt.disposition());
    assertInstanceOf(BroadcastResult.Accepted.class, receipt.broadcast());
    assertTrue(chain.inMempool(dispute.txid()), "the dispute was sent first");
    assertTrue(chain.inMempool(penalty.txid()));
    assertEquals(new TrackerStatus.InMempool(tip), tower.status(breach.uuid()));

    chain.submit(watchersBlock);
    BlockHash mined = chain.mine(1).get(0);
    tower.poll();
    assertEquals(new TrackerStatus.Confirmed(new BlockRef(mined, tip + 2)), tower.status(breach.uuid()));
    assertEquals(1, chain.confirmationsIn(penalty.txid(), mined));
    tower.responder.checkConsistency();
  }

  private static <E> E last(List<E> events) {
    assertFalse(events.isEmpty(), "no event");
    return events.get(events.size() - 1);
  }
}
