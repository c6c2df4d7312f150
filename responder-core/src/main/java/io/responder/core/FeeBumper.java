package io.responder.core;

import java.util.Objects;
import java.util.Optional;

/**
 * Host CPFP: for hosts that can spend one of a penalty's outputs (a node guarding its own channels,
 * whose penalty pays its wallet; a tower with a reward output), a child transaction that pays for its
 * parent so the pair gets mined before the deadline.
 *
 * <p>The Responder asks only about unconfirmed penalties whose dispute is confirmed, at most once per
 * block (or hand-over) each: on every block of their escalation window, and before it whenever even
 * the top rung of the ladder pays less than the estimate (at the hand-over too). It asks with a
 * target feerate for the package (the {@link FeeEstimator}'s estimate for the blocks left, never below
 * the node's minimum), and submits {@code [penalty, child]} with {@link Carrier#broadcastPackage}.
 * Asked again on a later block, the bumper should return a replacement child (the same inputs at a
 * higher fee), which the node takes by replacement. It is not asked again for a target no higher
 * than the last child's while that child is in the node's mempool (one {@link Carrier#status}
 * lookup tells); a child the node dropped (evicted with its penalty when the mempool's minimum rose
 * above what the pair pays) is asked for again at whatever the estimate is then.
 *
 * <h2>Requirements</h2>
 * The child must spend an output of the penalty it was asked about; the fee it declares must be the
 * fee it really pays and at most {@code maxFeeSats}. The Responder refuses a child that breaks either
 * rule it can check (the spend, the declared fee against the cap) and logs it; it never sends it. Only
 * one child per penalty can be mined (each replaces the last), so the cap bounds the fee spent per
 * tracker.
 *
 * <h2>Threading</h2>
 * Called only from inside a Responder call (its lock held), one call at a time per Responder. Must
 * not call back into the Responder. May block on the host's wallet; a bounded time is its duty.
 *
 * <h2>Errors</h2>
 * A bumper that throws is logged and treated as "no child": the penalty is still sent as before.
 *
 * @since 0.1.0
 */
public interface FeeBumper {
  /**
   * Returns a signed child of {@code penalty} that brings the package to {@code packageFeeRate}.
   *
   * @param penalty the penalty (or the rung of its fee ladder) now in the node's hands, or refused for fee
   * @param packageFeeRate the feerate the penalty and the child should pay together
   * @param maxFeeSats the most the child may pay
   * @return the child and its fee, or empty when the host cannot or will not pay
   */
  Optional<Bump> childFor(RawTransaction penalty, FeeRate packageFeeRate, long maxFeeSats);

  /**
   * A child transaction and the fee it pays.
   *
   * @param child the signed child, spending an output of the penalty
   * @param feeSats the fee the child pays, in satoshis
   */
  record Bump(RawTransaction child, long feeSats) {
    /** Validates the parts. */
    public Bump {
      Objects.requireNonNull(child, "child");
      if (feeSats < 0) {
        throw new InvalidInputException("feeSats", "must not be negative, got " + feeSats);
      }
    }
  }
}
