package io.responder.core;

/**
 * The coarse state of a tracker, as counted by {@link Responder#countsByState()}.
 *
 * @since 0.1.0
 */
public enum TrackerState {
  /** Not yet accepted by the node; retried on every block. */
  PENDING,
  /** Accepted into the node's mempool, not yet confirmed. */
  IN_MEMPOOL,
  /** Confirmed on the best chain, not yet irrevocably resolved. */
  CONFIRMED
}
