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
import io.responder.core.TransactionTracker;
import io.responder.store.jdbc.JdbcTrackerStore;
import io.responder.testkit.RecordingListener.Event;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.sqlite.SQLiteDataSource;

/** Spec B4 on a real node and a real SQLite file: the Responder stops, the chain moves on without it. */
class SqliteRestartIT {
  @RegisterExtension
  static final RegtestNode node = new RegtestNode();

  @Test
  void responderRestartedFromSqliteCatchesUpThroughAReorgThatHappenedWhileItWasStopped() throws IOException {
    Path file = node.dataDir().resolve("tower.db");
    Files.deleteIfExists(file);
    Chain chain = new Chain(node);
    Chain.Tx dispute = chain.newDispute();
    Chain.Tx penalty = chain.penalty(dispute);
    chain.send(dispute);
    BlockHash disputeBlock = chain.mine(1).get(0);
    int disputeHeight = chain.height();
    Breach breach = Tower.breach(dispute, penalty, disputeBlock);

    BlockHash penaltyBlock;
    try (JdbcTrackerStore store = open(file)) {
      Tower before = Tower.on(node, store);
      assertEquals(BreachReceipt.Disposition.TRACKED, before.handle(breach).disposition());
      penaltyBlock = chain.mine(2).get(0);
      before.poll();
      assertEquals(new TrackerStatus.Confirmed(new BlockRef(penaltyBlock, disputeHeight + 1)),
          before.status(breach.uuid()));
      assertEquals(disputeHeight + 2, before.responder.tip().height());
    } // the Responder stops: its store is closed

    // While it is stopped: the penalty's block is reorganised away and the node forgets the penalty.
    chain.invalidate(penaltyBlock);
    node.restart(true);
    for (int i = 0; i < 3; i++) {
      chain.mineEmpty();
    }
    assertFalse(chain.inMempool(penalty.txid()));

    try (JdbcTrackerStore store = open(file)) {
      Tower after = Tower.on(node, store); // resumes from the file and catches up with the node
      assertEquals(disputeHeight + 3, after.responder.tip().height());
      List<Event.Disconnected> disconnected = after.events.events(Event.Disconnected.class);
      assertEquals(1, disconnected.size());
      assertEquals(disputeHeight, disconnected.get(0).forkPoint().height());
      assertEquals(2, disconnected.get(0).blocks().size());
      assertInstanceOf(BroadcastResult.Accepted.class, last(after.events.events(Event.Resent.class)).result());
      assertTrue(chain.inMempool(penalty.txid()), "the restarted Responder put the penalty back");
      TransactionTracker tracker = after.responder.tracker(breach.uuid()).orElseThrow();
      assertEquals(TrackerStatus.InMempool.class, tracker.status().getClass());
      assertEquals(penalty.txid(), tracker.penaltyTxid());

      BlockHash minedAgain = chain.mine(1).get(0);
      after.poll();
      assertEquals(new TrackerStatus.Confirmed(new BlockRef(minedAgain, disputeHeight + 4)),
          after.status(breach.uuid()));
      assertEquals(List.of(disputeHeight + 4), after.events.events(Event.Confirmed.class).stream().map(e -> e.block().height()).toList());
      after.responder.checkConsistency();
    }

    try (JdbcTrackerStore store = open(file)) {
      Tower third = Tower.on(node, store);
      assertEquals(TrackerStatus.Confirmed.class, third.status(breach.uuid()).getClass(), "the file holds the new height");
      assertEquals(disputeHeight + 4, ((TrackerStatus.Confirmed) third.status(breach.uuid())).block().height());
    }
  }

  private static JdbcTrackerStore open(Path file) {
    SQLiteDataSource sqlite = new SQLiteDataSource();
    sqlite.setUrl("jdbc:sqlite:" + file);
    return JdbcTrackerStore.open(sqlite);
  }

  private static <E> E last(List<E> events) {
    assertFalse(events.isEmpty(), "no event");
    return events.get(events.size() - 1);
  }
}
