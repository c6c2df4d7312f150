package io.responder.core;

import java.util.Objects;
import java.util.Optional;

/**
 * One question of {@link Carrier#statusAll}: where does this transaction stand? The same two
 * arguments as {@link Carrier#status}, as a value so that many can be asked at once. Immutable and
 * thread-safe.
 *
 * @param txid the transaction
 * @param inBlock a block the transaction may be in, which lets nodes without a transaction index
 *     find confirmed transactions
 * @since 0.1.0
 */
public record StatusQuery(Txid txid, Optional<BlockHash> inBlock) {
  /**
   * Validates the query.
   *
   * @throws NullPointerException if either argument is null
   */
  public StatusQuery {
    Objects.requireNonNull(txid, "txid");
    Objects.requireNonNull(inBlock, "inBlock");
  }
}
