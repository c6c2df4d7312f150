package io.responder.core.internal;

import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The hashes of the last blocks of the Responder's chain, at contiguous heights ending at its tip:
 * where fork points are found. A ring buffer of fixed capacity, so memory does not grow with the
 * chain. Mutable, confined to the Responder's lock. Not published API.
 */
public final class RecentBlocks {
  private final @Nullable BlockHash[] ring;
  private int topHeight = -1;
  private int size;

  /**
   * Creates an empty window.
   *
   * @param capacity how many blocks to remember
   */
  public RecentBlocks(int capacity) {
    this.ring = new BlockHash[capacity];
  }

  /**
   * Forgets everything and starts again from one block.
   *
   * @param tip the only block remembered
   */
  public void reset(BlockRef tip) {
    java.util.Arrays.fill(ring, null);
    size = 1;
    topHeight = tip.height();
    ring[slot(topHeight)] = tip.hash();
  }

  /** @return the tip */
  public BlockRef tip() {
    return new BlockRef(ring[slot(topHeight)], topHeight);
  }

  /** @return the height of the oldest block remembered */
  public int bottomHeight() {
    return topHeight - size + 1;
  }

  /** @return how many blocks are remembered */
  public int size() {
    return size;
  }

  /** @return whether the window is full */
  public boolean isFull() {
    return size == ring.length;
  }

  /**
   * Returns the hash remembered at a height.
   *
   * @param height a height
   * @return the hash, or null when the height is outside the window
   */
  public @Nullable BlockHash hashAt(int height) {
    if (height > topHeight || height < bottomHeight() || height < 0) {
      return null;
    }
    return ring[slot(height)];
  }

  /**
   * Returns whether a block is on the remembered chain.
   *
   * @param ref the block
   * @return true if the window holds that hash at that height
   */
  public boolean contains(BlockRef ref) {
    return ref.hash().equals(hashAt(ref.height()));
  }

  /**
   * Returns the height of a remembered hash, searching from the tip down.
   *
   * @param hash a block hash
   * @return its height, or -1
   */
  public int heightOf(BlockHash hash) {
    for (int h = topHeight; h >= bottomHeight(); h--) {
      if (ring[slot(h)].equals(hash)) {
        return h;
      }
    }
    return -1;
  }

  /**
   * Appends a child of the tip, forgetting the oldest block when full.
   *
   * @param ref the new tip, at the tip's height plus one
   */
  public void push(BlockRef ref) {
    if (ref.height() != topHeight + 1) {
      throw new IllegalStateException("block at height " + ref.height() + " does not extend the tip at " + topHeight);
    }
    topHeight++;
    ring[slot(topHeight)] = ref.hash();
    if (size < ring.length) {
      size++;
    }
  }

  /**
   * Prepends the parent of the oldest block, if there is room.
   *
   * @param hash the parent's hash
   * @return false if the window is full
   */
  public boolean prepend(BlockHash hash) {
    if (isFull() || bottomHeight() == 0) {
      return false;
    }
    size++;
    ring[slot(bottomHeight())] = hash;
    return true;
  }

  /**
   * Forgets the blocks above {@code height}, newest first, and returns them.
   *
   * @param height the new tip height; must be inside the window, or one below it to empty the window
   *     before a new tip is set with {@link #reset}
   * @return the forgotten blocks, newest first
   */
  public List<BlockRef> popAbove(int height) {
    List<BlockRef> out = new ArrayList<>();
    while (topHeight > height && size > 0) {
      out.add(new BlockRef(ring[slot(topHeight)], topHeight));
      ring[slot(topHeight)] = null;
      topHeight--;
      size--;
    }
    return out;
  }

  private int slot(int height) {
    return Math.floorMod(height, ring.length);
  }
}
