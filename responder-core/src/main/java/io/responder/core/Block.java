package io.responder.core;

import java.util.List;
import java.util.Objects;

/**
 * A block as the Responder needs it: its hash, its parent's hash, its height and the txids it
 * confirms. Instances are immutable and thread-safe; the txid list is copied on construction.
 *
 * @param hash the block's hash
 * @param previousHash the parent block's hash
 * @param height the block's height
 * @param txids the ids of the transactions in the block, in block order
 * @since 0.1.0
 */
public record Block(BlockHash hash, BlockHash previousHash, int height, List<Txid> txids) {
  /**
   * Validates and copies the components.
   *
   * @throws NullPointerException if any component or txid is null
   * @throws InvalidInputException if {@code height} is not positive, or the block names itself as parent
   */
  public Block {
    Objects.requireNonNull(hash, "hash");
    Objects.requireNonNull(previousHash, "previousHash");
    if (height <= 0) {
      throw new InvalidInputException("height", "must be positive for a block with a parent, got " + height);
    }
    if (hash.equals(previousHash)) {
      throw new InvalidInputException("previousHash", "equals the block's own hash");
    }
    txids = List.copyOf(Objects.requireNonNull(txids, "txids"));
  }

  /**
   * Returns this block's position.
   *
   * @return hash and height
   */
  public BlockRef ref() {
    return new BlockRef(hash, height);
  }

  /**
   * Returns the parent's position.
   *
   * @return the parent's hash and height
   */
  public BlockRef parent() {
    return new BlockRef(previousHash, height - 1);
  }
}
