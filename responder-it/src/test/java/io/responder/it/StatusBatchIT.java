package io.responder.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.responder.bitcoind.BitcoindCarrier;
import io.responder.bitcoind.BitcoindRpc;
import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import io.responder.core.Breach;
import io.responder.core.StatusQuery;
import io.responder.core.TrackerState;
import io.responder.core.TxStatus;
import io.responder.core.Txid;
import io.responder.testkit.RecordingListener.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The bitcoind carrier's batched status lookups on a real regtest node (without {@code -txindex}):
 * every kind of answer, each the one {@code status} gives for the same question alone; and the
 * Responder asking about a block's expiring penalties in one batch.
 */
class StatusBatchIT {
  @RegisterExtension
  static final RegtestNode node = new RegtestNode();

  private static StatusQuery ask(Chain.Tx tx, BlockHash in) {
    return new StatusQuery(tx.txid(), Optional.of(in));
  }

  private static StatusQuery ask(Chain.Tx tx) {
    return new StatusQuery(tx.txid(), Optional.empty());
  }

  @Test
  void everyKindOfAnswerIsTheOneStatusGivesAlone() {
    Chain chain = new Chain(node);
    List<Chain.Tx> disputes = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      disputes.add(chain.newDispute());
      chain.send(disputes.get(i));
    }
    BlockHash disputeBlock = chain.mine(1).get(0);
    List<Chain.Tx> penalties = disputes.stream().map(chain::penalty).toList();
    chain.send(penalties.get(0));
    chain.send(penalties.get(1));
    BlockHash both = chain.mineWith(penalties.get(2), penalties.get(3));
    int bothHeight = chain.height();
    BlockHash stale = chain.mineWith(penalties.get(4), penalties.get(5));
    chain.invalidate(stale); // both go back to the node's mempool
    BlockHash again = chain.mineWith(penalties.get(5));
    int againHeight = chain.height();
    Txid unknown = Txid.fromHex("ab".repeat(32));

    List<StatusQuery> queries = List.of(
        ask(penalties.get(0)),
        ask(penalties.get(1), disputeBlock),
        ask(penalties.get(2), both),
        ask(penalties.get(3), both),
        ask(penalties.get(3)),
        new StatusQuery(unknown, Optional.empty()),
        new StatusQuery(unknown, Optional.of(again)),
        ask(penalties.get(4), stale),
        ask(penalties.get(5), stale),
        ask(penalties.get(5), again));
    BitcoindCarrier carrier = BitcoindRpc.create(node.config()).carrier();

    List<TxStatus> batched = carrier.statusAll(queries);

    assertEquals(List.of(
        new TxStatus.InMempool(),
        new TxStatus.InMempool(),
        new TxStatus.Confirmed(new BlockRef(both, bothHeight)),
        new TxStatus.Confirmed(new BlockRef(both, bothHeight))),
        batched.subList(0, 4));
    assertInstanceOf(TxStatus.Unknown.class, batched.get(4), "confirmed, asked without its block: no -txindex");
    assertInstanceOf(TxStatus.Unknown.class, batched.get(5));
    assertEquals(List.of(
        new TxStatus.NotFound(),
        new TxStatus.InMempool(), // its block went stale: back in the mempool
        new TxStatus.NotFound(), // its block went stale: mined again, in a block not named
        new TxStatus.Confirmed(new BlockRef(again, againHeight))),
        batched.subList(6, 10));
    assertEquals(queries.stream().map(q -> carrier.status(q.txid(), q.inBlock())).toList(), batched);
  }

  /**
   * A block where several subscriptions end: the Responder asks about the unconfirmed penalties in
   * one {@code statusAll} call, the node answers that it holds them, and nothing is sent; their
   * trackers expire, while the one the block confirms stays.
   */
  @Test
  void theResponderAsksAboutABlocksExpiringPenaltiesTogether() {
    Chain chain = new Chain(node);
    List<Chain.Tx> disputes = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      disputes.add(chain.newDispute());
      chain.send(disputes.get(i));
    }
    BlockHash disputeBlock = chain.mine(1).get(0);
    int end = chain.height() + 2;
    Tower tower = Tower.inMemory(node);
    List<Chain.Tx> penalties = disputes.stream().map(chain::penalty).toList();
    List<Breach> breaches = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      breaches.add(Tower.builder(disputes.get(i), penalties.get(i), disputeBlock).subscriptionEndHeight(end).build());
      tower.handle(breaches.get(i));
    }
    chain.mineEmpty();
    tower.poll();
    chain.mineWith(penalties.get(0)); // the block where the subscriptions end confirms one penalty
    int sends = tower.carrier.sent().size();

    tower.poll();

    assertEquals(end, chain.height());
    assertEquals(1, tower.carrier.statusBatches(), "one batch of lookups");
    assertEquals(penalties.subList(1, 5).stream().map(p -> new CountingCarrier.Asked(p.txid(), new TxStatus.InMempool())).toList(),
        tower.carrier.statuses(), "the four unconfirmed ones, each held by the node");
    assertEquals(sends, tower.carrier.sent().size(), "nothing sent");
    assertEquals(breaches.subList(1, 5).stream().map(Breach::uuid).sorted().toList(),
        tower.events.uuids(Event.Expired.class).stream().sorted().toList());
    assertEquals(TrackerState.CONFIRMED, tower.status(breaches.get(0).uuid()).state());
    tower.responder.checkConsistency();
  }

  @Test
  void twentyPenaltiesInTheMempoolAreAskedAboutTogether() {
    Chain chain = new Chain(node);
    List<Chain.Tx> disputes = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      disputes.add(chain.newDispute());
      chain.send(disputes.get(i));
    }
    BlockHash disputeBlock = chain.mine(1).get(0);
    List<StatusQuery> queries = new ArrayList<>();
    for (Chain.Tx d : disputes) {
      Chain.Tx p = chain.penalty(d);
      chain.send(p);
      queries.add(ask(p, disputeBlock)); // as the Responder asks before expiry: with the dispute's block
    }

    List<TxStatus> batched = BitcoindRpc.create(node.config()).carrier().statusAll(queries);

    assertEquals(List.of(new TxStatus.InMempool()), batched.stream().distinct().toList());
    assertEquals(20, batched.size());
  }
}
