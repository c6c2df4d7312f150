package io.responder.testkit.sim;

import java.util.Objects;

/**
 * A broken guarantee found by the {@link ReferenceModel} or the {@link Simulation}. Two violations
 * are "the same failure" for shrinking when their rules are equal. Instances are immutable.
 *
 * @param rule which guarantee, one of the constants below
 * @param step the index of the step after (or during) which it was found; the number of steps for
 *     the settling phase
 * @param message what was seen
 * @since 0.1.0
 */
public record Violation(String rule, int step, String message) {
  /** An accepted breach is no longer tracked and no event says why. */
  public static final String LOST = "lost";
  /** A tracker completed before its penalty had the irrevocable depth on the best chain. */
  public static final String EARLY_COMPLETION = "early-completion";
  /** A tracker ended twice (completed twice, or completed after it expired, ...). */
  public static final String ENDED_TWICE = "ended-twice";
  /** A tracker expired although its subscription had not ended or its penalty was confirmed. */
  public static final String BAD_EXPIRY = "bad-expiry";
  /** A confirmation was reported or recorded at a block that does not hold the penalty on the best chain. */
  public static final String WRONG_CONFIRMATION = "wrong-confirmation";
  /** A penalty the Responder believes unconfirmed is confirmed in a block it has processed. */
  public static final String MISSED_CONFIRMATION = "missed-confirmation";
  /** A penalty out of the mempool was not sent again within the rebroadcast threshold. */
  public static final String NOT_REBROADCAST = "not-rebroadcast";
  /** After a restart the Responder's state differs from what was committed. */
  public static final String RESTART_STATE = "restart-state";
  /** {@code Responder.checkConsistency()} failed: memory and store disagree. */
  public static final String INCONSISTENT = "inconsistent";
  /** A tracker was added twice, is tracked after it ended, or is unknown to the model. */
  public static final String BAD_TRACKER = "bad-tracker";
  /** A receipt disagrees with what happened (tracked but not stored, rejected without an event). */
  public static final String BAD_RECEIPT = "bad-receipt";
  /** A tracker whose penalty the node had accepted was dropped as rejected for good. */
  public static final String WRONGLY_REJECTED = "wrongly-rejected";
  /** A reorganisation was reported with a fork point off the best chain. */
  public static final String WRONG_FORK = "wrong-fork";
  /** A breach was dropped on -25 while its dispute was not confirmed on the node's chain (the input may only be missing). */
  public static final String DROPPED_WHILE_AMBIGUOUS = "dropped-while-ambiguous";
  /** A penalty was sent to a node lacking its dispute although the Responder had the raw dispute and reason to send it first. */
  public static final String DISPUTE_NOT_FIRST = "dispute-not-first";
  /** A rebroadcast the node refused restarted the penalty's missed-block count as if it had been accepted. */
  public static final String REFUSED_AS_ACCEPTED = "refused-as-accepted";
  /** {@code syncWithBlockSource()} after the node came back did not retry a pending penalty. */
  public static final String PENDING_NOT_RETRIED = "pending-not-retried";
  /** A call threw something the simulation did not inject. */
  public static final String UNEXPECTED_EXCEPTION = "unexpected-exception";
  /** Trackers were left after the chain settled: something never completed. */
  public static final String NOT_SETTLED = "not-settled";

  /** Validates the components. */
  public Violation {
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(message, "message");
  }

  @Override
  public String toString() {
    return rule + " at step " + step + ": " + message;
  }
}
