package io.responder.bitcoind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.bitcoind.BlockPoller.Poll;
import io.responder.core.Block;
import io.responder.core.BlockSourceException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The poller, driven one poll at a time with {@link BlockPoller#pollOnce()} against a scripted node,
 * and once on its own thread.
 */
class BlockPollerTest {
  private final FakeBitcoind node = new FakeBitcoind(100);
  private final BitcoindBlockSource source = BitcoindRpc.create(node.config().build()).blockSource();
  private final RecordingChain chain = new RecordingChain(node.tip());
  private final BlockPoller poller = new BlockPoller(source, chain, Duration.ofMillis(5), Thread::new);

  @AfterEach
  void stop() {
    poller.close();
    node.close();
  }

  @Test
  void nothingNewLeavesTheChainAlone() {
    assertEquals(Poll.UNCHANGED, poller.pollOnce());
    assertEquals(List.of(), chain.received());
    assertEquals(1, node.httpRequests(), "one getbestblockhash per idle poll");
  }

  @Test
  void aNewBlockIsHandedOver() {
    Block b = node.mine();
    assertEquals(Poll.ADVANCED, poller.pollOnce());
    assertEquals(List.of(b), chain.received());
  }

  @Test
  void aGapIsCaughtUpInBatchesInChainOrder() {
    List<Block> mined = node.mineEmpty(20);
    int before = node.httpRequests();

    assertEquals(Poll.ADVANCED, poller.pollOnce());

    assertEquals(mined, chain.received());
    // getbestblockhash, getblock of the best block, then 19 hashes and 19 blocks in batches of 16
    assertEquals(6, node.httpRequests() - before);
    assertEquals(4, node.batchRequests());
  }

  @Test
  void eachBatchIsHandedOverBeforeTheNextIsFetchedSoAFailureHalfwayKeepsIt() {
    List<Block> mined = node.mineEmpty(40);
    AtomicInteger requests = new AtomicInteger();
    // getbestblockhash, getblock of the best block, then the first batch's hashes and blocks
    node.onEveryRequest(() -> {
      if (requests.incrementAndGet() == 5) {
        node.setMode(FakeBitcoind.Mode.DROPS_CONNECTIONS);
      }
    });

    assertEquals(Poll.FAILED, poller.pollOnce());
    assertEquals(mined.subList(0, BlockPoller.CATCH_UP_BATCH), chain.received(), "the first batch is kept");

    node.setMode(FakeBitcoind.Mode.UP);
    assertEquals(Poll.ADVANCED, poller.pollOnce());
    assertEquals(mined, chain.received());
  }

  @Test
  void aChainThatChangesBetweenBatchesIsLeftToTheResponder() {
    List<Block> mined = node.mineEmpty(40);
    Block oldBest = mined.get(39);
    AtomicInteger requests = new AtomicInteger();
    node.onEveryRequest(() -> {
      if (requests.incrementAndGet() == 5) { // the second batch's hashes: reorganise below them
        for (int i = 0; i < 30; i++) {
          node.disconnectTip();
        }
        node.mineWith(List.of(FakeBitcoind.txid("other branch", 1)));
        node.mineEmpty(40);
      }
    });

    assertEquals(Poll.ADVANCED, poller.pollOnce());

    List<Block> received = chain.received();
    assertEquals(mined.subList(0, BlockPoller.CATCH_UP_BATCH), received.subList(0, BlockPoller.CATCH_UP_BATCH));
    assertEquals(oldBest, received.get(received.size() - 1), "the best block as polled, for the Responder to reorganise from");
    assertEquals(BlockPoller.CATCH_UP_BATCH + 1, received.size(), "no block of the new branch that does not follow the last one");
  }

  @Test
  void theNodeGoingAwayAndComingBackLosesNothing() {
    node.setMode(FakeBitcoind.Mode.DROPS_CONNECTIONS);
    List<Block> mined = node.mineEmpty(2);
    assertEquals(Poll.FAILED, poller.pollOnce());
    assertEquals(Poll.FAILED, poller.pollOnce());
    node.setMode(FakeBitcoind.Mode.WARMING_UP);
    assertEquals(Poll.FAILED, poller.pollOnce());
    assertEquals(0, chain.reachableAgainCount());

    node.setMode(FakeBitcoind.Mode.UP);
    assertEquals(Poll.ADVANCED, poller.pollOnce());
    assertEquals(mined, chain.received());
    assertEquals(1, chain.reachableAgainCount(), "pending penalties are retried as soon as the node answers");
    assertEquals(Poll.UNCHANGED, poller.pollOnce());
    assertEquals(1, chain.reachableAgainCount(), "only after failures");
  }

  @Test
  void aFailureInsideOnBlockIsSurvivedAndTheBlockHandedOverAgain() {
    Block b = node.mine();
    chain.beforeNextBlock(x -> {
      throw new IllegalStateException("store refused the commit");
    });
    assertEquals(Poll.FAILED, poller.pollOnce());
    chain.beforeNextBlock(x -> {
      throw new BlockSourceException("node went away during catch-up", true);
    });
    assertEquals(Poll.FAILED, poller.pollOnce());

    assertEquals(Poll.ADVANCED, poller.pollOnce());
    assertEquals(List.of(b), chain.received());
  }

  @Test
  void theLoopPollsOnItsOwnThreadAndCloseWaitsForIt() throws InterruptedException {
    List<Block> mined = node.mineEmpty(3);
    CountDownLatch delivered = new CountDownLatch(3);
    chain.afterEveryBlock(delivered::countDown);

    poller.start();
    assertTrue(poller.isRunning());
    assertTrue(delivered.await(30, TimeUnit.SECONDS), "the loop polls by itself");
    poller.close();

    assertFalse(poller.isRunning());
    assertFalse(poller.pollThread().isAlive(), "close() returns after the thread ended");
    assertEquals(mined, chain.received());
    assertThrows(IllegalStateException.class, poller::start);
  }

  @Test
  void intervalMustBePositive() {
    assertThrows(IllegalArgumentException.class,
        () -> new BlockPoller(source, chain, Duration.ZERO, Thread::new));
  }
}
