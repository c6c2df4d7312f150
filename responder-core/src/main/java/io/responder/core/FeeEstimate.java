package io.responder.core;

import java.util.Objects;

/**
 * A feerate a {@link FeeEstimator} expects to get a transaction mined within a number of blocks.
 *
 * @param feeRate the feerate, never below the node's {@linkplain FeeEstimator#minimum() minimum}
 * @param blocks the confirmation target the estimate is for, at least 1. It can differ from the one
 *     asked: bitcoind answers a target of 1 as 2, and a target longer than its fee history allows as
 *     the longest it can answer, which is shorter (so the feerate is, if anything, higher than needed)
 *
 * @since 0.1.0
 */
public record FeeEstimate(FeeRate feeRate, int blocks) {
  /** Validates the values; errors are {@link InvalidInputException}s. */
  public FeeEstimate {
    if (feeRate == null) {
      throw new InvalidInputException("feeRate", "must not be null");
    }
    if (blocks < 1) {
      throw new InvalidInputException("blocks", "must be at least 1, got " + blocks);
    }
  }

  /**
   * Returns this estimate with its feerate raised to {@code floor} when below it.
   *
   * @param floor the lowest feerate the result may have
   * @return this estimate, or one with the feerate {@code floor} and the same target
   */
  public FeeEstimate atLeast(FeeRate floor) {
    Objects.requireNonNull(floor, "floor");
    return feeRate.compareTo(floor) >= 0 ? this : new FeeEstimate(floor, blocks);
  }
}
