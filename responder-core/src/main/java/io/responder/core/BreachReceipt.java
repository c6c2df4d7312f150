package io.responder.core;

import java.util.Objects;
import java.util.UUID;

/**
 * What {@link Responder#handleBreach(Breach)} did with a breach. Instances are immutable.
 *
 * @param uuid the breach's uuid
 * @param broadcast what the node answered; when no call was made (the penalty was already tracked or
 *     already sent in this block interval) the answer reused or derived from what the Responder knows
 * @param disposition whether the breach is now tracked
 * @since 0.1.0
 */
public record BreachReceipt(UUID uuid, BroadcastResult broadcast, Disposition disposition) {
  /** Validates the components. */
  public BreachReceipt {
    Objects.requireNonNull(uuid, "uuid");
    Objects.requireNonNull(broadcast, "broadcast");
    Objects.requireNonNull(disposition, "disposition");
  }

  /** Whether, and how, a breach is tracked after intake. */
  public enum Disposition {
    /** A tracker was created; the penalty is in the mempool or already confirmed. */
    TRACKED,
    /** A pending tracker was created; the penalty is retried on every block. */
    PENDING,
    /** The same breach was already tracked under this uuid; nothing changed. */
    ALREADY_TRACKED,
    /** The node refused the penalty for good; nothing is tracked. */
    NOT_TRACKED
  }

  /**
   * Returns whether the Responder now looks after this breach.
   *
   * @return true unless the penalty was rejected for good
   */
  public boolean tracked() {
    return disposition != Disposition.NOT_TRACKED;
  }
}
