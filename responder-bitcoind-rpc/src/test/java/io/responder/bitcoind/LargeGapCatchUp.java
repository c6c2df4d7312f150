package io.responder.bitcoind;

import io.responder.bitcoind.BlockPoller.Poll;
import io.responder.core.Block;
import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import java.time.Duration;

/**
 * The child process of {@code BlockPollerMemoryTest}: one poll, in a small heap, against the fake
 * node whose port is given, from the tip given. Keeps nothing but the tip and counts, like a
 * Responder whose store is elsewhere, and prints what it saw for the test to check.
 *
 * <p>Arguments: port, tip hash, tip height.
 */
final class LargeGapCatchUp {
  private LargeGapCatchUp() {}

  /** Follows the blocks handed over, checking that each extends the one before. */
  private static final class TipOnlyChain implements BlockPoller.Chain {
    private BlockRef tip;
    private long blocks;
    private long txids;
    private long outOfOrder;

    TipOnlyChain(BlockRef tip) {
      this.tip = tip;
    }

    @Override
    public synchronized BlockRef tip() {
      return tip;
    }

    @Override
    public void nodeReachableAgain() {}

    @Override
    public synchronized void onBlock(Block block) {
      if (!block.parent().equals(tip)) {
        outOfOrder++;
      }
      tip = block.ref();
      blocks++;
      txids += block.txids().size();
    }
  }

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    BlockRef start = new BlockRef(BlockHash.fromHex(args[1]), Integer.parseInt(args[2]));
    BitcoindBlockSource source = BitcoindRpc.create(BitcoindConfig.builder().host("127.0.0.1").port(port)
        .userPassword("fake", "fake").build()).blockSource();
    TipOnlyChain chain = new TipOnlyChain(start);
    Poll poll;
    try (BlockPoller poller = new BlockPoller(source, chain, Duration.ofMinutes(1), Thread::new)) {
      poll = poller.pollOnce();
    }
    System.out.println("poll=" + poll);
    System.out.println("tip=" + chain.tip().height() + " " + chain.tip().hash());
    System.out.println("blocks=" + chain.blocks + " txids=" + chain.txids + " outOfOrder=" + chain.outOfOrder);
    System.out.println("maxHeapMiB=" + Runtime.getRuntime().maxMemory() / (1 << 20));
    System.out.flush();
    System.exit(0);
  }
}
