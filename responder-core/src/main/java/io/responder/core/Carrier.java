package io.responder.core;

import java.util.Optional;

/**
 * Hands transactions to the Bitcoin network and asks about them: the Responder's only way to act on
 * the chain.
 *
 * <h2>Requirements</h2>
 * Broadcasting the same transaction twice must be harmless (the node answers {@code Accepted} or
 * {@code AlreadyConfirmed} again). Implementations map every failure to a {@link BroadcastResult} or
 * {@link TxStatus} value instead of throwing; a {@link RuntimeException} that escapes is treated as
 * {@link BroadcastResult.NodeUnavailable} / {@link TxStatus.Unknown}.
 *
 * <h2>Threading</h2>
 * Called only from inside a Responder call, one call at a time per Responder. May block (network
 * I/O); a bounded timeout is the implementation's duty. Must not call back into the Responder.
 *
 * <h2>Errors</h2>
 * {@code Accepted} and {@code AlreadyConfirmed} make a tracker; {@code Rejected} drops a new breach;
 * {@code RejectedForNow} and {@code NodeUnavailable} keep it pending and retry on the next block.
 *
 * @since 0.1.0
 */
public interface Carrier {
  /**
   * Sends a raw transaction to the node.
   *
   * @param txid the transaction's id (already checked against {@code rawTransaction})
   * @param rawTransaction the serialised transaction; the carrier must not modify or keep it
   * @return what the node did with it
   */
  BroadcastResult broadcast(Txid txid, byte[] rawTransaction);

  /**
   * Asks where a transaction stands. Used rarely: to learn the height of a penalty that was already
   * confirmed when it was handed over, and after reorganisations deeper than the Responder remembers.
   *
   * @param txid the transaction
   * @param inBlock a block the transaction may be in, which lets nodes without a transaction index
   *     find confirmed transactions
   * @return what the node knows
   */
  TxStatus status(Txid txid, Optional<BlockHash> inBlock);
}
