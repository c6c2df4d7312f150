package io.responder.core;

import java.util.Optional;

/**
 * Where the Responder fetches blocks it was not handed: the missing ancestors of a block after a gap
 * or a reorganisation, and the chain it missed while it was stopped.
 *
 * <h2>Requirements</h2>
 * {@link #block(BlockHash)} must also serve blocks that are no longer on the best chain when the node
 * still has them (bitcoind does), so that the Responder can walk back its own stale branch. Answers
 * must be consistent: a block's height is its parent's plus one. The Responder checks this and treats
 * a contradiction as a persistent failure.
 *
 * <h2>Threading</h2>
 * Called only from inside a Responder call, one call at a time per Responder. May block; a bounded
 * timeout is the implementation's duty. Must not call back into the Responder.
 *
 * <h2>Errors</h2>
 * Failures are {@link BlockSourceException}s. The Responder stops the catch-up it was doing, keeps the
 * state of the last block it fully processed (already committed), and resumes on the next call.
 *
 * @since 0.1.0
 */
public interface BlockSource {
  /**
   * Returns the tip of the node's best chain.
   *
   * @return the best block
   * @throws BlockSourceException if the node cannot answer
   */
  BlockRef bestBlock();

  /**
   * Returns a block by hash, with its height, parent and txids.
   *
   * @param hash the block's hash
   * @return the block
   * @throws BlockSourceException if the node cannot answer or does not know the block
   */
  Block block(BlockHash hash);

  /**
   * Returns the hash of the best chain's block at {@code height}.
   *
   * @param height a height, not negative
   * @return the hash, or empty if the best chain is not that high
   * @throws BlockSourceException if the node cannot answer
   */
  Optional<BlockHash> blockHashAt(int height);

  /**
   * Returns the serialised transaction {@code txid} from block {@code block}, when this source can
   * serve it. The Responder asks for a confirmed dispute it was not handed the bytes of, once per
   * penalty with a fee ladder or a fee bumper, to learn what each rung pays (and so follow the fee
   * estimate before the deadline's window). The default serves none, which leaves the ladder climbed
   * by the height schedule alone.
   *
   * @param txid the transaction
   * @param block the block that holds it
   * @return its bytes, or empty if the block does not hold it or this source does not serve
   *     transactions
   * @throws BlockSourceException if the node cannot answer
   * @since 0.1.0
   */
  default Optional<byte[]> transaction(Txid txid, BlockHash block) {
    return Optional.empty();
  }
}
