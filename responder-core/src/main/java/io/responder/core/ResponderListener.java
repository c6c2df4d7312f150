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
 * <h2>Order</h2>
 * The events of one call are delivered together, after its commit and before it returns. Blocks are
 * told in chain order: a reorganisation's {@link #blocksDisconnected} comes first, followed by the
 * {@link #penaltyResent} ({@link ResendReason#REORGANISED} or {@link ResendReason#PENDING_RETRY})
 * of the penalties it affected, then the events of each block of the new branch, one block after the
 * other. Within one connected block, events follow the block's steps, whatever tracker they concern:
 * <ol>
 *   <li>{@link #penaltyConfirmed}, in the order of the block's transactions;
 *   <li>{@link #trackerCompleted}, oldest confirmation first;
 *   <li>{@link #trackerExpired} (and the {@link ResendReason#PENDING_RETRY} of a pending penalty asked
 *       about just before its trackers would expire), by subscription end height;
 *   <li>for penalties at risk of missing their deadline: {@link #penaltyAtRisk}, {@link #deadlinePassed},
 *       {@link #penaltyEscalated}, {@link #penaltyBumped}, {@link ResendReason#AT_RISK};
 *   <li>{@link ResendReason#MISSED_BLOCKS} resends;
 *   <li>{@link ResendReason#PENDING_RETRY} retries.
 * </ol>
 * A send's answer can add events at its step (a resend the node calls already confirmed and that is
 * located is followed by its {@link #penaltyConfirmed}; a pending penalty refused for good by its
 * {@link #breachRejected}). Trackers sharing a penalty are told one after the other. Beyond the
 * orders named above, the order of different penalties within a step is unspecified; do not depend
 * on it.
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
   * The tracker's penalty was sent to the node again, for {@code reason}. The default calls
   * {@link #penaltyRebroadcast}, so a listener written before this event existed is still told; a
   * listener that overrides this method is not told through {@code penaltyRebroadcast}.
   *
   * <p>Not every such event is a transaction reaching the node: {@code result} says what happened
   * ({@link BroadcastResult.NodeUnavailable}: the send never reached it; {@link BroadcastResult.AlreadyConfirmed}:
   * the node has it in a block already). Rungs of a fee ladder are told as {@link #penaltyEscalated}.
   *
   * @param uuid the tracker
   * @param penaltyTxid its penalty
   * @param reason why it was sent again
   * @param result what the node answered
   */
  default void penaltyResent(UUID uuid, Txid penaltyTxid, ResendReason reason, BroadcastResult result) {
    penaltyRebroadcast(uuid, penaltyTxid, result);
  }

  /**
   * The tracker's penalty was sent again, for any {@link ResendReason}: what {@link #penaltyResent}
   * tells by default, without the reason. Override {@code penaltyResent} instead to tell a real
   * resend from a retry of a penalty the node never took. A listener that forwards events to another
   * listener forwards {@code penaltyResent}: forwarding only this method would not reach a delegate
   * that overrides {@code penaltyResent}.
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

  /**
   * A penalty with a deadline started to be escalated unconfirmed: it entered the escalation window
   * (from now on the Responder acts on every block: climbs the fee ladder, packages the dispute)
   * or, before the window, the fee estimator's feerate for the blocks left rose above what it pays.
   * Once per tracker per Responder run (again after a restart or a reorganisation that sends it
   * back).
   *
   * @param uuid the tracker
   * @param penaltyTxid its penalty
   * @param deadlineHeight the first height at which the cheater can sweep
   * @param blocksLeft blocks that can still confirm the penalty before that height
   */
  default void penaltyAtRisk(UUID uuid, Txid penaltyTxid, int deadlineHeight, int blocksLeft) {}

  /**
   * The Responder sent a higher-fee variant of a penalty (a rung of its fee ladder) to get it mined
   * before its deadline, or because the node refused a lower one for fee.
   *
   * @param uuid the tracker
   * @param penaltyTxid its penalty (the ladder's lowest rung, which names the tracker)
   * @param sentTxid the variant sent
   * @param rung its place on the ladder, 1 for the first variant above the penalty
   * @param result what the node answered
   */
  default void penaltyEscalated(UUID uuid, Txid penaltyTxid, Txid sentTxid, int rung, BroadcastResult result) {}

  /**
   * The host's {@link FeeBumper} gave a child paying for the penalty, and the Responder sent the two
   * as a package.
   *
   * @param uuid the tracker
   * @param penaltyTxid its penalty
   * @param childTxid the child sent
   * @param packageFeeRate the feerate the package was to reach
   * @param feeSats the child's fee
   * @param result what the node answered for the child
   */
  default void penaltyBumped(UUID uuid, Txid penaltyTxid, Txid childTxid, FeeRate packageFeeRate, long feeSats,
      BroadcastResult result) {}

  /**
   * The deadline passed with the penalty unconfirmed: the cheater can now sweep. The tracker goes on
   * (the penalty still wins if the cheater has not swept) until it confirms, is refused for good or
   * its subscription ends.
   *
   * @param uuid the tracker
   * @param penaltyTxid its penalty
   * @param deadlineHeight the height that was the deadline
   */
  default void deadlinePassed(UUID uuid, Txid penaltyTxid, int deadlineHeight) {}
}
