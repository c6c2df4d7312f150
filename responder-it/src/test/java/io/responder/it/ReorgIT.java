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
import io.responder.core.TrackerStatus;
import io.responder.testkit.RecordingListener.Event;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Reorganisations made on the real node with {@code invalidateblock} and a new branch of empty blocks
 * ({@code generateblock ADDR '[]'}). bitcoind puts the transactions of disconnected blocks back into
 * its mempool, so the node is restarted without its mempool after each invalidation: what it holds
 * afterwards is what the Responder sent.
 */
class ReorgIT {
  @RegisterExtension
  static final RegtestNode node = new RegtestNode();

  @Test
  void reorgRemovingThePenaltysBlockPutsThePenaltyBackAndConfirmsItOnTheNewBranch() throws IOException {
    Chain chain = new Chain(node);
    Chain.Tx dispute = chain.newDispute();
    Chain.Tx penalty = chain.penalty(dispute);
    chain.send(dispute);
    BlockHash disputeBlock = chain.mine(1).get(0);
    int disputeHeight = chain.height();
    Tower tower = Tower.inMemory(node);
    Breach breach = Tower.breach(dispute, penalty, disputeBlock);
    assertEquals(BreachReceipt.Disposition.TRACKED, tower.handle(breach).disposition());
    BlockHash penaltyBlock = chain.mine(3).get(0);
    tower.poll();
    assertEquals(new TrackerStatus.Confirmed(new BlockRef(penaltyBlock, disputeHeight + 1)), tower.status(breach.uuid()));

    chain.invalidate(penaltyBlock);
    node.restart(true);
    for (int i = 0; i < 4; i++) {
      chain.mineEmpty();
    }
    assertFalse(chain.inMempool(penalty.txid()));
    tower.poll();

    List<Event.Disconnected> disconnected = tower.events.events(Event.Disconnected.class);
    assertEquals(1, disconnected.size());
    assertEquals(disputeHeight, disconnected.get(0).forkPoint().height(), "the fork point is the dispute's block");
    assertEquals(3, disconnected.get(0).blocks().size());
    assertInstanceOf(BroadcastResult.Accepted.class, last(tower.events.events(Event.Resent.class)).result());
    assertTrue(chain.inMempool(penalty.txid()), "the Responder put the penalty back");
    assertEquals(0, chain.confirmationsIn(penalty.txid(), penaltyBlock), "its old block is off the best chain");
    assertEquals(TrackerStatus.InMempool.class, tower.status(breach.uuid()).getClass());
    assertEquals(disputeHeight + 4, tower.responder.tip().height());

    BlockHash minedAgain = chain.mine(1).get(0);
    tower.poll();
    assertEquals(new TrackerStatus.Confirmed(new BlockRef(minedAgain, disputeHeight + 5)), tower.status(breach.uuid()));
    assertEquals(List.of(disputeHeight + 1, disputeHeight + 5),
        tower.events.events(Event.Confirmed.class).stream().map(e -> e.block().height()).toList());
    assertEquals(1, chain.confirmationsIn(penalty.txid(), minedAgain));
    tower.responder.checkConsistency();
  }

  /**
   * Spec B3.2 twice, and issue 11 item 4: the dispute's block is reorganised away, the dispute is
   * re-sent before the penalty and both are mined again; then that block is reorganised away too,
   * and the dispute must be re-sent again.
   */
  @Test
  void reorgsRemovingTheDisputesBlockResendTheDisputeBeforeThePenaltyEachTime() throws IOException {
    Chain chain = new Chain(node);
    Chain.Tx dispute = chain.newDispute();
    Chain.Tx penalty = chain.penalty(dispute);
    chain.send(dispute);
    BlockHash disputeBlock = chain.mine(1).get(0);
    int disputeHeight = chain.height();
    Tower tower = Tower.inMemory(node);
    Breach breach = Tower.breach(dispute, penalty, disputeBlock);
    assertEquals(BreachReceipt.Disposition.TRACKED, tower.handle(breach).disposition());
    BlockHash penaltyBlock = chain.mine(1).get(0);
    tower.poll();
    assertEquals(new TrackerStatus.Confirmed(new BlockRef(penaltyBlock, disputeHeight + 1)), tower.status(breach.uuid()));

    // Reorg 1: the dispute's block and the penalty's go; the node forgets both transactions.
    chain.invalidate(disputeBlock);
    node.restart(true);
    for (int i = 0; i < 3; i++) {
      chain.mineEmpty();
    }
    assertFalse(chain.inMempool(dispute.txid()));
    tower.poll();
    assertTrue(chain.inMempool(dispute.txid()), "the Responder re-sent the dispute");
    assertTrue(chain.inMempool(penalty.txid()), "and then the penalty, which needs it");
    assertEquals(TrackerStatus.InMempool.class, tower.status(breach.uuid()).getClass());
    assertEquals(1, tower.events.events(Event.Disconnected.class).size());

    BlockHash minedAgain = chain.mine(1).get(0);
    int minedAgainAt = chain.height();
    tower.poll();
    assertEquals(1, chain.confirmationsIn(dispute.txid(), minedAgain));
    assertEquals(new TrackerStatus.Confirmed(new BlockRef(minedAgain, minedAgainAt)), tower.status(breach.uuid()));

    // Reorg 2: the block that mined both again goes; the node forgets both again.
    chain.invalidate(minedAgain);
    node.restart(true);
    for (int i = 0; i < 2; i++) {
      chain.mineEmpty();
    }
    assertFalse(chain.inMempool(dispute.txid()));
    tower.poll();
    assertEquals(2, tower.events.events(Event.Disconnected.class).size());
    assertTrue(chain.inMempool(dispute.txid()), "the re-mined dispute is re-sent after the second reorg");
    assertTrue(chain.inMempool(penalty.txid()), "and the penalty after it");
    assertEquals(TrackerStatus.InMempool.class, tower.status(breach.uuid()).getClass());
    assertInstanceOf(BroadcastResult.Accepted.class, last(tower.events.events(Event.Resent.class)).result());

    BlockHash minedThird = chain.mine(1).get(0);
    tower.poll();
    assertEquals(new TrackerStatus.Confirmed(new BlockRef(minedThird, minedAgainAt + 2)), tower.status(breach.uuid()));
    assertEquals(1, chain.confirmationsIn(penalty.txid(), minedThird));
    tower.responder.checkConsistency();
  }

  private static <E> E last(List<E> events) {
    assertFalse(events.isEmpty(), "no event");
    return events.get(events.size() - 1);
  }
}
