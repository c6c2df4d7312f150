package io.responder.benchmarks;

import io.responder.core.Block;
import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import io.responder.core.BlockSource;
import io.responder.core.BlockSourceException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A block source over the blocks a benchmark hands to the Responder. Its best block is always the
 * last block handed over ({@link #handed(Block)}), so that the Responder and its block source agree
 * on the chain. It remembers every block by hash (so a reorganisation can be walked back) and the
 * current best chain by height. Heights below the start have stand-in hashes, consistently derived
 * from the height, so that confirmation heights before the start can be looked up. A source made
 * for long runs forgets blocks more than a given number of blocks below the best one, so that a
 * benchmark does not measure the growth of its own harness. Called from the Responder's thread only.
 */
public final class ChainSource implements BlockSource {
  private final BlockRef start;
  private final int keep;
  private final Map<BlockHash, Block> blocks = new HashMap<>();
  private final ArrayDeque<Block> handedOrder = new ArrayDeque<>();
  /** Hashes of the best chain above the start: index 0 is height start + 1. */
  private final List<BlockHash> chain = new ArrayList<>();
  private BlockRef best;

  /**
   * Creates a source whose chain ends at {@code start}.
   *
   * @param start the chain tip before any block is handed over
   */
  public ChainSource(BlockRef start) {
    this(start, Integer.MAX_VALUE);
  }

  /**
   * Creates a source whose chain ends at {@code start} and that remembers only the last blocks.
   *
   * @param start the chain tip before any block is handed over
   * @param keep how many of the last handed blocks {@link #block(BlockHash)} can still serve
   */
  public ChainSource(BlockRef start, int keep) {
    this.start = start;
    this.best = start;
    this.keep = keep;
  }

  /**
   * Records a block about to be handed to {@code onBlock}: it becomes the best block, and the best
   * chain is the chain that ends in it.
   *
   * @param block the block
   */
  public void handed(Block block) {
    blocks.put(block.hash(), block);
    handedOrder.addLast(block);
    if (handedOrder.size() > keep) {
      Block old = handedOrder.removeFirst();
      blocks.remove(old.hash(), old);
    }
    // Walk back from the new block until the best chain has its ancestor: one step for a child of
    // the tip, more for a reorganisation. The chain is trimmed to the ancestor as it goes.
    List<BlockHash> branch = new ArrayList<>();
    branch.add(block.hash());
    BlockHash parent = block.previousHash();
    int height = block.height() - 1;
    while (true) {
      int index = height - start.height() - 1; // position of that height in the chain
      while (chain.size() > Math.max(index + 1, 0)) {
        chain.remove(chain.size() - 1);
      }
      if (height <= start.height() || (index < chain.size() && parent.equals(chain.get(index)))) {
        break;
      }
      Block b = blocks.get(parent);
      if (b == null) {
        throw new IllegalStateException("block " + parent + " was never handed over");
      }
      if (index < chain.size()) {
        chain.remove(index);
      }
      branch.add(parent);
      parent = b.previousHash();
      height--;
    }
    for (int i = branch.size() - 1; i >= 0; i--) {
      chain.add(branch.get(i));
    }
    best = block.ref();
  }

  /**
   * Returns whether {@code ref} is on the current best chain.
   *
   * @param ref a block
   * @return true if the best chain has that hash at that height
   */
  public boolean onBestChain(BlockRef ref) {
    return blockHashAt(ref.height()).map(ref.hash()::equals).orElse(false);
  }

  /** @return the best block: the last one handed over, or the start */
  @Override
  public BlockRef bestBlock() {
    return best;
  }

  @Override
  public Block block(BlockHash hash) {
    Block b = blocks.get(hash);
    if (b == null) {
      throw new BlockSourceException("unknown block " + hash, false);
    }
    return b;
  }

  @Override
  public Optional<BlockHash> blockHashAt(int height) {
    if (height < start.height()) {
      return Optional.of(standIn(height));
    }
    if (height == start.height()) {
      return Optional.of(start.hash());
    }
    int i = height - start.height() - 1;
    return i < chain.size() ? Optional.of(chain.get(i)) : Optional.empty();
  }

  /**
   * Returns the stand-in hash of a height below the start.
   *
   * @param height a height below the start
   * @return its hash
   */
  public static BlockHash standIn(int height) {
    return SyntheticBreaches.blockHash(0x0123_4567L, height);
  }
}
