package io.responder.core;

/**
 * A {@link BlockSource} could not answer. {@link #isTransient()} says whether the same call may
 * succeed later (node unreachable, warming up, timed out) or not (unknown block, an answer that
 * contradicts the chain). Instances are immutable.
 *
 * @since 0.1.0
 */
public class BlockSourceException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final boolean transientFailure;

  /**
   * Creates the exception.
   *
   * @param message what failed, without credentials
   * @param transientFailure whether retrying later may succeed
   */
  public BlockSourceException(String message, boolean transientFailure) {
    super(message);
    this.transientFailure = transientFailure;
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what failed, without credentials
   * @param transientFailure whether retrying later may succeed
   * @param cause the underlying failure
   */
  public BlockSourceException(String message, boolean transientFailure, Throwable cause) {
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
