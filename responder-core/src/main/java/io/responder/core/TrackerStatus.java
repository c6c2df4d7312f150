package io.responder.core;

import java.util.Objects;

/**
 * Where a tracked penalty stands. A closed set: pending (the node has not accepted it yet), in the
 * mempool since a height, or confirmed in a block. Heights are recorded, never counts, so depth and
 * missed confirmations are derived from the current tip. Instances are immutable.
 *
 * @since 0.1.0
 */
public sealed interface TrackerStatus {
  /**
   * Returns the coarse state, for counting and display.
   *
   * @return the state
   */
  TrackerState state();

  /**
   * The node has not accepted the penalty yet (it was unreachable, warming up, or rejected it for a
   * reason that can clear); it is retried on every block.
   *
   * @param sinceHeight the Responder's tip height when the breach was handed over
   */
  record Pending(int sinceHeight) implements TrackerStatus {
    /** Validates the height. */
    public Pending {
      checkHeight("sinceHeight", sinceHeight);
    }

    @Override
    public TrackerState state() {
      return TrackerState.PENDING;
    }
  }

  /**
   * The node accepted the penalty when the tip was at {@code sinceHeight}, and every block connected
   * after it while it stays unconfirmed is a missed confirmation. The count turns over every
   * {@link ResponderConfig#rebroadcastAfterMissed()} blocks from {@code sinceHeight}: there the
   * penalty is broadcast again, and a rebroadcast the node takes there keeps this status (so the
   * missed blocks since the last rebroadcast are {@code (tip - sinceHeight) % rebroadcastAfterMissed},
   * and a storm of rebroadcasts writes no status to the store). A send the node takes anywhere else
   * (a retry after the node could not be asked, a reorganisation, a deadline's escalation) starts the
   * count again at its own height.
   *
   * @param sinceHeight the tip height the count of missed blocks runs from: the node's acceptance,
   *     unchanged by the rebroadcasts it takes where the count turns over
   */
  record InMempool(int sinceHeight) implements TrackerStatus {
    /** Validates the height. */
    public InMempool {
      checkHeight("sinceHeight", sinceHeight);
    }

    @Override
    public TrackerState state() {
      return TrackerState.IN_MEMPOOL;
    }
  }

  /**
   * The penalty is in a block of the best chain.
   *
   * @param block the confirming block
   */
  record Confirmed(BlockRef block) implements TrackerStatus {
    /** Validates the block. */
    public Confirmed {
      Objects.requireNonNull(block, "block");
    }

    /**
     * Returns the depth of the penalty when the tip is at {@code tipHeight}:
     * {@code tipHeight - height + 1}.
     *
     * @param tipHeight the current tip height
     * @return the number of confirmations
     */
    public int confirmations(int tipHeight) {
      return tipHeight - block.height() + 1;
    }

    @Override
    public TrackerState state() {
      return TrackerState.CONFIRMED;
    }
  }

  private static void checkHeight(String field, int height) {
    if (height < 0) {
      throw new InvalidInputException(field, "must not be negative, got " + height);
    }
  }
}
