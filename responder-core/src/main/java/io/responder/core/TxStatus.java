package io.responder.core;

import java.util.Objects;

/**
 * What the node knows of a transaction, as answered by {@link Carrier#status}. A closed set;
 * instances are immutable.
 *
 * @since 0.1.0
 */
public sealed interface TxStatus {
  /** In the node's mempool, unconfirmed. */
  record InMempool() implements TxStatus {}

  /**
   * In a block of the node's best chain.
   *
   * @param block the confirming block
   */
  record Confirmed(BlockRef block) implements TxStatus {
    /** Validates the block. */
    public Confirmed {
      Objects.requireNonNull(block, "block");
    }
  }

  /** Neither in the mempool nor, as far as the node can tell, in the block it was asked about. */
  record NotFound() implements TxStatus {}

  /**
   * The node could not answer (unreachable, or it cannot look up confirmed transactions without an
   * index and no block was named).
   *
   * @param reason why, for logs
   */
  record Unknown(String reason) implements TxStatus {
    /** Validates the reason. */
    public Unknown {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
