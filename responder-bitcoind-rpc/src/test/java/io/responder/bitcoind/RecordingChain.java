package io.responder.bitcoind;

import io.responder.core.Block;
import io.responder.core.BlockRef;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A stand-in for the Responder behind a {@link BlockPoller}: its tip is the last block handed to it,
 * every block handed over is recorded, and a test can make the next hand-over fail.
 */
final class RecordingChain implements BlockPoller.Chain {
  private final List<Block> received = new ArrayList<>();
  private BlockRef tip;
  private Consumer<Block> beforeNext = b -> {};
  private Runnable afterEvery = () -> {};

  RecordingChain(BlockRef tip) {
    this.tip = tip;
  }

  @Override
  public synchronized BlockRef tip() {
    return tip;
  }

  private int reachableAgain;

  @Override
  public synchronized void nodeReachableAgain() {
    reachableAgain++;
  }

  /** How often the poller said the node answers again. */
  synchronized int reachableAgainCount() {
    return reachableAgain;
  }

  @Override
  public synchronized void onBlock(Block block) {
    Consumer<Block> hook = beforeNext;
    beforeNext = b -> {};
    hook.accept(block);
    received.add(block);
    tip = block.ref();
    afterEvery.run();
  }

  /** Runs {@code r} after every block handed over. */
  synchronized void afterEveryBlock(Runnable r) {
    afterEvery = r;
  }

  /** The next onBlock runs {@code hook} first; it may throw. */
  synchronized void beforeNextBlock(Consumer<Block> hook) {
    beforeNext = hook;
  }

  synchronized List<Block> received() {
    return List.copyOf(received);
  }
}
