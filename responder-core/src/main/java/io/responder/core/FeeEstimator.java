package io.responder.core;

import java.util.Optional;

/**
 * An optional port that tells what feerate gets a transaction mined in time: an estimate for a
 * number of blocks, and the lowest feerate the node takes into its mempool now. The Responder uses
 * it to choose how far to escalate a penalty as its deadline nears; a host that supplies none gets
 * escalation without estimates.
 *
 * <h2>Requirements</h2>
 * Both methods only ask; they change nothing and may be called any number of times. An estimate is
 * never below {@link #minimum()} as the estimator saw it when answering (a feerate the node would
 * refuse is no estimate). Targets the estimator cannot answer as asked are answered for the nearest
 * target it can, and {@link FeeEstimate#blocks()} says which.
 *
 * <h2>Threading</h2>
 * Called only from inside a Responder call, one call at a time per Responder. May block (network
 * I/O); a bounded timeout is the implementation's duty. Must not call back into the Responder.
 *
 * <h2>Errors</h2>
 * "No estimate" (a node without enough fee history, such as a fresh regtest chain) is an empty
 * {@link Optional}, not an error. A failure to ask is a {@link FeeEstimatorException}; any
 * {@link RuntimeException} that escapes is treated the same way. The Responder then escalates as it
 * would without an estimator (the fee ladder and the minimum it last knew), and asks again at the
 * next block.
 *
 * @since 0.1.0
 */
public interface FeeEstimator {
  /**
   * Estimates the feerate that gets a transaction confirmed within {@code blocks} blocks.
   *
   * @param blocks the confirmation target, at least 1; targets beyond what the estimator can answer
   *     are answered for the longest it can
   * @return the estimate, never below the current minimum; empty when the estimator has none
   * @throws InvalidInputException if {@code blocks} is below 1
   * @throws FeeEstimatorException if the estimator could not be asked
   */
  Optional<FeeEstimate> estimate(int blocks);

  /**
   * Returns the lowest feerate the node accepts into its mempool now: its mempool minimum (which
   * rises when a full mempool evicts transactions, and decays afterwards), never below its minimum
   * relay feerate. A transaction below it is refused on its own; a package can still carry it.
   *
   * @return the minimum
   * @throws FeeEstimatorException if the estimator could not be asked
   */
  FeeRate minimum();
}
