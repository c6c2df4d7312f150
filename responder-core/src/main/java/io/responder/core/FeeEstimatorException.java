package io.responder.core;

/**
 * A {@link FeeEstimator} could not answer. {@link #isTransient()} says whether the same call may
 * succeed later (node unreachable, warming up, timed out) or not (the node refused the question, or
 * its answer could not be read). "No estimate yet" is not a failure: it is an empty answer of
 * {@link FeeEstimator#estimate(int)}. Messages never hold credentials. Instances are immutable.
 *
 * @since 0.1.0
 */
public class FeeEstimatorException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final boolean transientFailure;

  /**
   * Creates the exception.
   *
   * @param message what failed, without credentials
   * @param transientFailure whether retrying later may succeed
   * @param cause the underlying failure, or null
   */
  public FeeEstimatorException(String message, boolean transientFailure, Throwable cause) {
    super(message, cause);
    this.transientFailure = transientFailure;
  }

  /**
   * Returns whether the same call may succeed later.
   *
   * @return true for node faults, false for answers that will not change
   */
  public boolean isTransient() {
    return transientFailure;
  }
}
