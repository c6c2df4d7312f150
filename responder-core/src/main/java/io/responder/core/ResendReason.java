package io.responder.core;

/**
 * Why the Responder sent a tracked penalty to the node again, as told by
 * {@link ResponderListener#penaltyResent}. Together with the node's answer it tells a host what
 * really happened: a {@link BroadcastResult.NodeUnavailable} answer means the send never reached the
 * node, and {@link BroadcastResult.AlreadyConfirmed} means nothing new was sent (the node already has
 * the penalty in a block; a {@link ResponderListener#penaltyConfirmed} follows once that block is
 * located).
 *
 * @since 0.1.0
 */
public enum ResendReason {
  /**
   * The node held the penalty in its mempool, but it missed
   * {@link ResponderConfig#rebroadcastAfterMissed()} blocks in a row: it is sent again.
   */
  MISSED_BLOCKS,
  /**
   * A reorganisation disconnected the block that confirmed the penalty, or the block of its dispute:
   * it is sent again (after the dispute, when the Responder has it).
   */
  REORGANISED,
  /**
   * The penalty is pending: the node did not take it last time (unreachable, refused it for now, or
   * said it is confirmed in a block not yet located), so it is retried on every block and when the
   * host calls {@link Responder#syncWithBlockSource()}. This may be the first send that reaches the
   * node.
   */
  PENDING_RETRY,
  /**
   * The penalty is at risk of missing its deadline (told by {@link ResponderListener#penaltyAtRisk}),
   * so the Responder acts on it on every block until it confirms, and it has no higher-fee rung to
   * climb: the penalty itself is sent again. Rungs of a fee ladder are told as
   * {@link ResponderListener#penaltyEscalated} instead.
   */
  AT_RISK
}
