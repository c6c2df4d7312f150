package io.responder.core;

/**
 * The numbers that govern the Responder. Instances are immutable; start from {@link #defaults()}.
 *
 * @param irrevocableDepth confirmations after which a penalty is irrevocably resolved and its
 *     trackers complete (default 100)
 * @param rebroadcastAfterMissed missed confirmations after which an unconfirmed penalty is sent
 *     again (default 6)
 * @param reorgWindow how many recent blocks the Responder remembers to find fork points; at least
 *     {@code irrevocableDepth}, so every confirmed tracker's block is inside it (default 144, a day)
 * @since 0.1.0
 */
public record ResponderConfig(int irrevocableDepth, int rebroadcastAfterMissed, int reorgWindow, int escalationWindow) {
  /** The spec's irrevocably-resolved depth. */
  public static final int DEFAULT_IRREVOCABLE_DEPTH = 100;
  /** The spec's confirmations-before-retry. */
  public static final int DEFAULT_REBROADCAST_AFTER_MISSED = 6;
  /** A day of blocks: more than the irrevocable depth, so any reorg that can matter is seen whole. */
  public static final int DEFAULT_REORG_WINDOW = 144;
  /**
   * Blocks before a penalty's deadline at which the Responder starts acting on every block: two hours
   * of blocks, room for a dozen replacements and a package before the cheater can sweep.
   */
  public static final int DEFAULT_ESCALATION_WINDOW = 12;

  /**
   * The configuration of v1, with the default escalation window.
   *
   * @param irrevocableDepth confirmations that complete a tracker
   * @param rebroadcastAfterMissed missed blocks before a rebroadcast
   * @param reorgWindow blocks remembered
   */
  public ResponderConfig(int irrevocableDepth, int rebroadcastAfterMissed, int reorgWindow) {
    this(irrevocableDepth, rebroadcastAfterMissed, reorgWindow, DEFAULT_ESCALATION_WINDOW);
  }

  /**
   * Validates the numbers.
   *
   * @throws InvalidInputException if a number is below 1 or the window is smaller than the depth
   */
  public ResponderConfig {
    if (irrevocableDepth < 1) {
      throw new InvalidInputException("irrevocableDepth", "must be at least 1, got " + irrevocableDepth);
    }
    if (rebroadcastAfterMissed < 1) {
      throw new InvalidInputException("rebroadcastAfterMissed", "must be at least 1, got " + rebroadcastAfterMissed);
    }
    if (reorgWindow < irrevocableDepth) {
      throw new InvalidInputException("reorgWindow",
          "must be at least irrevocableDepth (" + irrevocableDepth + "), got " + reorgWindow);
    }
    if (escalationWindow < 1) {
      throw new InvalidInputException("escalationWindow", "must be at least 1, got " + escalationWindow);
    }
  }

  /**
   * Returns the spec's defaults: 100, 6 and 144.
   *
   * @return the default configuration
   */
  public static ResponderConfig defaults() {
    return new ResponderConfig(DEFAULT_IRREVOCABLE_DEPTH, DEFAULT_REBROADCAST_AFTER_MISSED, DEFAULT_REORG_WINDOW);
  }

  /**
   * Returns a copy with another irrevocable depth (the reorg window grows with it if needed).
   *
   * @param depth confirmations, at least 1
   * @return the new configuration
   */
  public ResponderConfig withIrrevocableDepth(int depth) {
    return new ResponderConfig(depth, rebroadcastAfterMissed, Math.max(reorgWindow, depth), escalationWindow);
  }

  /**
   * Returns a copy with another rebroadcast threshold.
   *
   * @param missed missed confirmations, at least 1
   * @return the new configuration
   */
  public ResponderConfig withRebroadcastAfterMissed(int missed) {
    return new ResponderConfig(irrevocableDepth, missed, reorgWindow, escalationWindow);
  }

  /**
   * Returns a copy with another reorg window.
   *
   * @param blocks blocks remembered, at least the irrevocable depth
   * @return the new configuration
   */
  public ResponderConfig withReorgWindow(int blocks) {
    return new ResponderConfig(irrevocableDepth, rebroadcastAfterMissed, blocks, escalationWindow);
  }

  /**
   * Returns a copy with another escalation window: how many blocks before a penalty's deadline the
   * Responder starts acting on every block (climbing the fee ladder, packaging the dispute).
   *
   * @param blocks at least 1
   * @return the new configuration
   */
  public ResponderConfig withEscalationWindow(int blocks) {
    return new ResponderConfig(irrevocableDepth, rebroadcastAfterMissed, reorgWindow, blocks);
  }
}
