package io.responder.bitcoind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.Block;
import io.responder.core.BlockHash;
import io.responder.core.BlockSourceException;
import io.responder.core.Txid;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The block source against a scripted node: big blocks, batches, stale blocks. */
class BlockSourceOverHttpTest {
  private final FakeBitcoind node = new FakeBitcoind(120);
  private final BitcoindBlockSource source = BitcoindRpc.create(node.config().build()).blockSource();

  @AfterEach
  void stop() {
    node.close();
  }

  @Test
  void blockWithFourThousandTxidsIsReadAsAStream() {
    List<Txid> txids = IntStream.range(0, 4000).mapToObj(i -> FakeBitcoind.txid("big", i)).toList();
    Block mined = node.mineWith(txids);

    Block fetched = source.block(mined.hash());

    assertEquals(mined, fetched);
    assertEquals(4001, fetched.txids().size());
    assertEquals(txids, fetched.txids().subList(1, 4001));
  }

  @Test
  void bestBlockIsTheNodesTip() {
    assertEquals(node.tip(), source.bestBlock());
    assertEquals(node.tip().hash(), source.bestBlockHash());
  }

  @Test
  void manyBlocksComeInBatchesOfSixteen() {
    List<BlockHash> hashes = new ArrayList<>();
    for (int h = 101; h <= 120; h++) {
      hashes.add(node.blockAt(h).hash());
    }
    int before = node.httpRequests();

    List<Block> blocks = source.blocks(hashes);

    assertEquals(IntStream.rangeClosed(101, 120).mapToObj(node::blockAt).toList(), blocks);
    assertEquals(2, node.httpRequests() - before, "16 + 4 calls in two requests");
    assertEquals(20, node.calls("getblock"));
  }

  @Test
  void hashesPastTheTipAreEmpty() {
    List<Optional<BlockHash>> hashes = source.blockHashesAt(119, 4);
    assertEquals(List.of(Optional.of(node.blockAt(119).hash()), Optional.of(node.blockAt(120).hash()),
        Optional.empty(), Optional.empty()), hashes);
    assertEquals(1, node.batchRequests());
  }

  @Test
  void anUnknownBlockInABatchFailsTheWholeFetchPersistently() {
    List<BlockHash> hashes = List.of(node.blockAt(110).hash(), BlockHash.fromHex("00".repeat(32)));
    BlockSourceException e = assertThrows(BlockSourceException.class, () -> source.blocks(hashes));
    assertFalse(e.isTransient());
    assertTrue(BitcoindErrors.isNotFound(assertInstanceOf(BitcoindException.class, e.getCause())));
  }

  @Test
  void aBlockTakenOffTheBestChainIsStillServed() {
    Block gone = node.disconnectTip();
    node.mineEmpty(1);

    assertEquals(gone, source.block(gone.hash()));
    assertFalse(source.isOnBestChain(gone.hash()));
    assertTrue(source.isOnBestChain(node.tip().hash()));
  }

  @Test
  void warmingUpIsATransientFailure() {
    node.setMode(FakeBitcoind.Mode.WARMING_UP);
    BlockSourceException e = assertThrows(BlockSourceException.class, source::bestBlock);
    assertTrue(e.isTransient());
    assertInstanceOf(BitcoindException.WarmingUp.class, e.getCause());
  }

  @Test
  void aBatchAnsweredOutOfOrderIsMalformed() {
    try (TestHttpServer reversed = new TestHttpServer(exchange -> {
      exchange.getRequestBody().readAllBytes();
      String a = "{\"result\":\"" + "aa".repeat(32) + "\",\"error\":null,\"id\":2}";
      String b = "{\"result\":\"" + "bb".repeat(32) + "\",\"error\":null,\"id\":1}";
      TestHttpServer.respond(exchange, 200, "application/json", ("[" + a + "," + b + "]").getBytes(StandardCharsets.US_ASCII));
    })) {
      BitcoindBlockSource s = BitcoindRpc.create(reversed.config().userPassword("u", "p").build()).blockSource();
      BlockSourceException e = assertThrows(BlockSourceException.class, () -> s.blockHashesAt(1, 2));
      assertFalse(e.isTransient());
      assertInstanceOf(BitcoindException.MalformedResponse.class, e.getCause());
    }
  }
}
