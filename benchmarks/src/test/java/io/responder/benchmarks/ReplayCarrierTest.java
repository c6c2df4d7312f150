package io.responder.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.responder.core.Block;
import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import io.responder.core.BroadcastResult;
import io.responder.core.RawTransaction;
import io.responder.core.StatusQuery;
import io.responder.core.TxStatus;
import io.responder.core.Txid;
import io.responder.testkit.TestTransaction;
import io.responder.testkit.Transactions;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The replay's node: it answers from what the trace mined, and its counting form (issue 16's
 * "counting carrier") answers every send "accepted" and every lookup "in the mempool", whatever was
 * mined, counting each call the same way.
 */
class ReplayCarrierTest {
  private static final BlockRef START = new BlockRef(ChainSource.standIn(100), 100);
  private final Random rng = new Random(16);
  private final TestTransaction minedBeforeTx = Transactions.spendingExternalOutput(rng);
  private final TestTransaction minedInBlockTx = Transactions.spendingExternalOutput(rng);
  private final TestTransaction neverMinedTx = Transactions.spendingExternalOutput(rng);
  private final Txid minedBefore = minedBeforeTx.txid();
  private final Txid minedInBlock = minedInBlockTx.txid();
  private final Txid neverMined = neverMinedTx.txid();

  private ReplayCarrier withHistory(ReplayCarrier carrier, ChainSource chain) {
    carrier.minedBeforeStart(minedBefore, 90);
    Block block = new Block(ChainSource.standIn(101), START.hash(), 101, List.of(minedInBlock));
    chain.handed(block);
    carrier.mined(block);
    return carrier;
  }

  @Test
  void theReplayNodeAnswersFromWhatWasMined() {
    ChainSource chain = new ChainSource(START);
    ReplayCarrier node = withHistory(new ReplayCarrier(chain, true), chain);

    assertInstanceOf(BroadcastResult.AlreadyConfirmed.class, node.broadcast(minedBefore, new byte[0]));
    assertInstanceOf(BroadcastResult.AlreadyConfirmed.class, node.broadcast(minedInBlock, new byte[0]));
    assertInstanceOf(TxStatus.NotFound.class, node.status(neverMined, Optional.empty()), "not sent yet");
    assertInstanceOf(BroadcastResult.Accepted.class, node.broadcast(neverMined, new byte[0]));
    assertInstanceOf(TxStatus.InMempool.class, node.status(neverMined, Optional.empty()), "sent");
    assertInstanceOf(TxStatus.Confirmed.class, node.status(minedInBlock, Optional.<BlockHash>empty()));
    assertEquals(6, node.calls());
  }

  @Test
  void theCountingNodeAcceptsEverythingAndHoldsEverythingInItsMempool() {
    ChainSource chain = new ChainSource(START);
    ReplayCarrier node = withHistory(ReplayCarrier.counting(chain), chain);

    List<BroadcastResult> sent = node.broadcastAll(List.of(RawTransaction.of(minedBeforeTx.raw()),
        RawTransaction.of(minedInBlockTx.raw()), RawTransaction.of(neverMinedTx.raw())));
    sent.forEach(r -> assertInstanceOf(BroadcastResult.Accepted.class, r));
    List<TxStatus> answers = node.statusAll(List.of(new StatusQuery(minedInBlock, Optional.empty()),
        new StatusQuery(neverMined, Optional.empty())));
    answers.forEach(a -> assertInstanceOf(TxStatus.InMempool.class, a));
    assertInstanceOf(BroadcastResult.Accepted.class, node.broadcast(minedBefore, new byte[0]));
    assertEquals(6, node.calls(), "one per transaction sent or asked about");
  }
}
