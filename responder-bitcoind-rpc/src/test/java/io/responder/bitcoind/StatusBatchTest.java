package io.responder.bitcoind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.responder.core.Block;
import io.responder.core.BlockHash;
import io.responder.core.StatusQuery;
import io.responder.core.TxStatus;
import io.responder.core.Txid;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code statusAll} over real HTTP against the scripted node: every kind of answer {@code status}
 * gives, asked in a few batch requests (the mempool first), each the answer {@code status} gives for
 * the same question alone.
 */
class StatusBatchTest {
  private final FakeBitcoind node = new FakeBitcoind(110);

  @AfterEach
  void stop() {
    node.close();
  }

  private BitcoindCarrier carrier(int maxBatchCalls) {
    return new BitcoindCarrier(new JsonRpcClient(node.config().build()), BigDecimal.ZERO, maxBatchCalls, 4_000_000);
  }

  private static Txid tx(int n) {
    return FakeBitcoind.txid("asked", n);
  }

  private static StatusQuery ask(Txid txid) {
    return new StatusQuery(txid, Optional.empty());
  }

  private static StatusQuery ask(Txid txid, Block in) {
    return new StatusQuery(txid, Optional.of(in.hash()));
  }

  /**
   * One query of each kind: in the mempool, asked with and without a block; confirmed, asked with
   * its block (two in one block, whose header is read once) and without; unknown to the node, with
   * and without a block; mined in a block a reorganisation took off the best chain, then back in the
   * mempool or mined again elsewhere.
   */
  private List<StatusQuery> everyKind() {
    node.enterMempool(tx(1), tx(2));
    Block b = node.mineWith(List.of(tx(3), tx(4), tx(5)));
    Block stale = node.mineWith(List.of(tx(6), tx(7)));
    node.disconnectTip(); // tx 6 and 7 back in the mempool
    Block again = node.mineWith(List.of(tx(7)));
    return List.of(
        ask(tx(1)),
        ask(tx(2), b),
        ask(tx(3), b),
        ask(tx(4), b),
        ask(tx(5)),
        ask(tx(8)),
        ask(tx(8), again),
        ask(tx(6), stale),
        ask(tx(7), stale),
        ask(tx(7), again));
  }

  @Test
  void everyAnswerIsReadAsStatusReadsItInThreeRequests() {
    List<StatusQuery> queries = everyKind();
    BitcoindCarrier carrier = carrier(250);
    int requests = node.httpRequests();
    int headers = node.calls("getblockheader");
    int lookups = node.calls("getrawtransaction");

    List<TxStatus> batched = carrier.statusAll(queries);

    assertEquals(3, node.httpRequests() - requests, "getmempoolentry, getrawtransaction, getblockheader: one batch each");
    assertEquals(7, node.calls("getrawtransaction") - lookups, "looked up only when not in the mempool");
    assertEquals(2, node.calls("getblockheader") - headers, "one header per block that holds an answer, not per answer");
    List<TxStatus> oneByOne = queries.stream().map(q -> carrier.status(q.txid(), q.inBlock())).toList();
    assertEquals(oneByOne, batched);
    Block b = node.blockAt(111);
    Block again = node.blockAt(112);
    assertEquals(new TxStatus.InMempool(), batched.get(0));
    assertEquals(new TxStatus.InMempool(), batched.get(1), "not in the block named, but in the mempool");
    assertEquals(new TxStatus.Confirmed(b.ref()), batched.get(2));
    assertEquals(new TxStatus.Confirmed(b.ref()), batched.get(3));
    assertInstanceOf(TxStatus.Unknown.class, batched.get(4), "confirmed, but no block named: a node without -txindex cannot tell");
    assertInstanceOf(TxStatus.Unknown.class, batched.get(5));
    assertEquals(new TxStatus.NotFound(), batched.get(6));
    assertEquals(new TxStatus.InMempool(), batched.get(7), "its block went stale; it is back in the mempool");
    assertEquals(new TxStatus.NotFound(), batched.get(8), "its block went stale; mined again, in a block not named");
    assertEquals(new TxStatus.Confirmed(again.ref()), batched.get(9));
  }

  @Test
  void batchesAreBoundedInCallsAndKeepTheOrder() {
    List<StatusQuery> queries = everyKind();
    BitcoindCarrier carrier = carrier(3);
    int batches = node.batchRequests();
    int lookups = node.calls("getrawtransaction");

    List<TxStatus> batched = carrier.statusAll(queries);

    // 10 mempool entries in 4 batches; the 7 not in the mempool looked up in 3; 2 headers in 1.
    assertEquals(4 + 3 + 1, node.batchRequests() - batches);
    assertEquals(7, node.calls("getrawtransaction") - lookups);
    assertEquals(queries.stream().map(q -> carrier.status(q.txid(), q.inBlock())).toList(), batched);
  }

  @Test
  void aNodeThatIsDownCostsOneRequestAndAnswersUnknownForEveryQuery() {
    List<StatusQuery> queries = everyKind();
    node.setMode(FakeBitcoind.Mode.DROPS_CONNECTIONS);
    int requests = node.httpRequests();

    List<TxStatus> batched = carrier(3).statusAll(queries);

    assertEquals(queries.size(), batched.size());
    batched.forEach(s -> assertInstanceOf(TxStatus.Unknown.class, s));
    assertEquals(1, node.httpRequests() - requests, "the batches after the failed one are not sent");
  }

  @Test
  void aNodeWarmingUpAnswersUnknownForEveryQuery() {
    List<StatusQuery> queries = everyKind();
    node.setMode(FakeBitcoind.Mode.WARMING_UP);

    List<TxStatus> batched = carrier(250).statusAll(queries);

    assertEquals(queries.size(), batched.size());
    for (TxStatus s : batched) {
      assertEquals(true, assertInstanceOf(TxStatus.Unknown.class, s).reason().contains("-28"), s.toString());
    }
  }

  @Test
  void aThousandPenaltiesInTheMempoolTakeFourRequestsAndNoBlockRead() {
    List<Txid> txids = IntStream.range(0, 1000).mapToObj(i -> tx(1000 + i)).toList();
    node.enterMempool(txids.toArray(Txid[]::new));
    List<StatusQuery> queries = new ArrayList<>();
    for (Txid t : txids) {
      queries.add(ask(t, node.blockAt(100)));
    }
    int requests = node.httpRequests();

    List<TxStatus> batched = carrier(BitcoindCarrier.MAX_BATCH_CALLS).statusAll(queries);

    batched.forEach(s -> assertEquals(new TxStatus.InMempool(), s));
    assertEquals(4, node.httpRequests() - requests, "4 batches of mempool entries");
    assertEquals(0, node.calls("getrawtransaction"), "no lookup in the block named, which bitcoind reads whole");
  }

  @Test
  void noneOrOneQueryNeedsNoBatch() {
    node.enterMempool(tx(1));
    int batches = node.batchRequests();
    assertEquals(List.of(), carrier(250).statusAll(List.of()));
    assertEquals(List.of(new TxStatus.InMempool()), carrier(250).statusAll(List.of(ask(tx(1)))));
    assertEquals(0, node.batchRequests() - batches);
    assertEquals(1, node.calls("getrawtransaction"));
  }

  @Test
  void nullsAreRefusedBeforeAnythingIsSent() {
    BitcoindCarrier carrier = carrier(250);
    int requests = node.httpRequests();
    assertThrows(NullPointerException.class, () -> carrier.statusAll(null));
    assertThrows(NullPointerException.class, () -> carrier.statusAll(Arrays.asList(ask(tx(1)), null)));
    assertEquals(0, node.httpRequests() - requests);
  }

  @Test
  void aQueryNeedsATxidAndABlockOrNone() {
    assertThrows(NullPointerException.class, () -> new StatusQuery(null, Optional.empty()));
    assertThrows(NullPointerException.class, () -> new StatusQuery(tx(1), null));
    assertEquals(Optional.<BlockHash>empty(), ask(tx(1)).inBlock());
  }
}
