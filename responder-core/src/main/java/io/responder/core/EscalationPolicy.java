package io.responder.core;

/**
 * The escalation schedule: when a penalty with a deadline is at risk, and which rung of its fee
 * ladder to send. A pure function of heights, so reorganisations, restarts and node outages leave it
 * exact: nothing is counted, everything is derived from the tip and the deadline.
 *
 * <p>The window is the configured {@code escalationWindow} or half the channel's
 * {@code to_self_delay}, whichever is longer.
 *
 * <ul>
 *   <li>Far from the deadline (more than {@code window} blocks left) the Responder does what it does
 *       without a deadline: the penalty itself (the cheapest rung), sent again after
 *       {@code rebroadcastAfterMissed} missed blocks. Fees are spent only when time is short.
 *   <li>Within the window it acts on every block, and the lowest rung it sends rises with the blocks
 *       used up: rung 1 as the window opens, the top rung for the last stretch
 *       ({@code window / (rungs - 1)} blocks), evenly in between. With the default window of 12 and a
 *       ladder of 4 rungs, that is rung 1 with 12 to 9 blocks left, rung 2 with 8 to 5, rung 3 with 4
 *       to 0 and after.
 *   <li>Within the window, a rung the node took that misses the next block is followed by the one
 *       above it (so the ladder is climbed one rung per missed block, or faster when the blocks left
 *       call for a higher one). Outside the window, one rung per rebroadcast (every
 *       {@code rebroadcastAfterMissed} missed blocks).
 *   <li>Whenever the node refuses a rung for fee, the next is sent at once, within or outside the
 *       window; the Responder never goes down the ladder within a run.
 *   <li>With a {@link FeeEstimator} and rungs whose feerates are known (the raw dispute given), the
 *       rung sent is never below the lowest that meets the estimate for the blocks left, within the
 *       window or before it, from the dispute's confirmation on ({@link Escalation} asks the
 *       estimator; this class stays a function of heights).
 * </ul>
 *
 * <p>Why a height schedule and not a fee estimate: the ladder is pre-signed, so the only choice is
 * when to spend more, and the cost of being late is the channel. Immutable and thread-safe.
 */
final class EscalationPolicy {
  private final int window;

  EscalationPolicy(int window) {
    this.window = window;
  }

  /**
   * The schedule for a penalty whose channel has {@code toSelfDelay} (or -1 when the breach gave an
   * absolute deadline): its window opens with half the delay left, or with the configured window,
   * whichever is earlier. A fee spike that lasts longer than the configured window would otherwise
   * outrun a ladder or a child that could have been mined earlier (found by the fee simulation).
   */
  EscalationPolicy forDelay(int toSelfDelay) {
    int half = toSelfDelay / 2;
    return half > window ? new EscalationPolicy(half) : this;
  }

  /** Blocks that can still confirm the penalty before the cheater can sweep, once {@code tipHeight} is connected. */
  static int blocksLeft(int deadlineHeight, int tipHeight) {
    return deadlineHeight - tipHeight - 1;
  }

  /** The height at which a penalty with this deadline becomes at risk. */
  int startHeight(int deadlineHeight) {
    return deadlineHeight - 1 - window;
  }

  boolean atRisk(int blocksLeft) {
    return blocksLeft <= window;
  }

  /**
   * The lowest rung to send with {@code blocksLeft} blocks left, for a ladder of {@code rungs} rungs
   * (the penalty itself is rung 0).
   */
  int rungFor(int blocksLeft, int rungs) {
    if (rungs <= 1 || !atRisk(blocksLeft)) {
      return 0;
    }
    int used = window - Math.max(0, blocksLeft);
    int rung = 1 + (int) ((long) used * (rungs - 1) / window);
    return Math.min(rungs - 1, rung);
  }
}
