package io.responder.core;

import java.util.List;
import java.util.UUID;

/**
 * Told what the Responder did, one call per tracker (uuid) and event. Every method has a no-op
 * default, so a host overrides only what it needs.
 *
 * <h2>Threading</h2>
 * Called on the thread of the Responder call that caused the event ({@code handleBreach} or
 * {@code onBlock}), after the change is committed to the store, with the Responder's lock held, in
 * the order the events happened. A listener must return quickly and must not call back into the
 * Responder from another thread while waiting for it (that would deadlock); queries from the same
 * thread are allowed.
 *
 * <h2>Errors</h2>
 * An exception thrown by a listener is logged and swallowed: it never breaks the Responder or stops
 * other events from being delivered.
 *
 * @since 0.1.0
 */
public interface ResponderListener {
  /** A listener that does nothing. */
  ResponderListener NONE = new ResponderListener() {};

  /**
   * A tracker was created and persisted (accepted, already confirmed, or pending retry).
   *
   * @param tracker the new tracker
   */
  default void trackerAdded(TransactionTracker tracker) {}

  /**
   * The tracker's penalty was found in a connected block.
   *
   * @param uuid the tracker
   * @param penaltyTxid its penalty
   * @param block the confirming block
   */
  default void penaltyConfirmed(UUID uuid, Txid penaltyTxid, BlockRef block) {}

  /**
   * The tracker's penalty was sent again: after missing too many blocks, after a reorganisation
   * unconfirmed it, or as a retry of a pending tracker.
   *
   * @param uuid the tracker
   * @param penaltyTxid its penalty
   * @param result what the node answered
   */
  default void penaltyRebroadcast(UUID uuid, Txid penaltyTxid, BroadcastResult result) {}

  /**
   * The tracker's penalty reached the irrevocably-resolved depth; the tracker is gone from memory and
   * store, and the host may delete the appointment.
   *
   * @param uuid the tracker
   * @param penaltyTxid its penalty
   * @param tip the block at which it completed
   */
  default void trackerCompleted(UUID uuid, Txid penaltyTxid, BlockRef tip) {}

  /**
   * The user's subscription ended while the penalty was unconfirmed; the tracker is gone.
   *
   * @param uuid the tracker
   * @param penaltyTxid its penalty
   * @param tip the block at which it expired
   */
  default void trackerExpired(UUID uuid, Txid penaltyTxid, BlockRef tip) {}

  /**
   * The node refused the penalty for good, so the breach is not (or no longer) tracked.
   *
   * @param uuid the breach's uuid
   * @param penaltyTxid its penalty
   * @param rejection the node's answer
   */
  default void breachRejected(UUID uuid, Txid penaltyTxid, BroadcastResult.Rejected rejection) {}

  /**
   * Blocks were disconnected by a reorganisation, newest first, back to {@code forkPoint}.
   *
   * @param forkPoint the new tip after the disconnection, the last block both branches share
   * @param disconnected the blocks taken off, newest first
   */
  default void blocksDisconnected(BlockRef forkPoint, List<BlockRef> disconnected) {}
}
