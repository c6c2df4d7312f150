package io.responder.core;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * What became of one attempt to hand a transaction to the node, typed by what the Responder does
 * next. A closed set; instances are immutable.
 *
 * <ul>
 *   <li>{@link Accepted}: in the mempool (also when it already was). Track it.
 *   <li>{@link AlreadyConfirmed}: already in a block. Track it from its real confirmation height.
 *   <li>{@link Rejected}: will never be accepted (undecodable, inputs spent in a block). Do not track.
 *   <li>{@link RejectedForNow}: refused for a reason that can clear (fee too low, mempool conflict,
 *       not final yet). Keep it pending and retry.
 *   <li>{@link NodeUnavailable}: the node could not be asked (unreachable, warming up, timed out).
 *       Keep it pending and retry; nothing is known about the transaction.
 * </ul>
 *
 * @since 0.1.0
 */
public sealed interface BroadcastResult {
  /** The node accepted the transaction into its mempool, or already had it there. */
  record Accepted() implements BroadcastResult {}

  /**
   * The transaction is already in a block.
   *
   * @param confirmations its depth when the carrier knows it, counted on the node's best chain
   */
  record AlreadyConfirmed(OptionalInt confirmations) implements BroadcastResult {
    /** Validates the count. */
    public AlreadyConfirmed {
      Objects.requireNonNull(confirmations, "confirmations");
      if (confirmations.isPresent() && confirmations.getAsInt() < 1) {
        throw new InvalidInputException("confirmations", "must be at least 1, got " + confirmations.getAsInt());
      }
    }
  }

  /**
   * The node refused the transaction for good.
   *
   * @param code the node's error code (bitcoind's RPC code, for example -22 or -25)
   * @param message the node's message
   */
  record Rejected(int code, String message) implements BroadcastResult {
    /**
     * The code that means "an input is missing or already spent" (bitcoind's -25,
     * {@code bad-txns-inputs-missingorspent}). It is ambiguous: the parent may just not have reached
     * the node yet. The Responder treats it as final only when the node holds the dispute confirmed;
     * carriers for other nodes should map the same condition to this code.
     */
    public static final int INPUTS_MISSING_OR_SPENT = -25;

    /** Validates the message. */
    public Rejected {
      Objects.requireNonNull(message, "message");
    }
  }

  /**
   * The node refused the transaction for a reason that can clear later.
   *
   * @param code the node's error code (bitcoind's RPC code, for example -26)
   * @param message the node's message
   */
  record RejectedForNow(int code, String message) implements BroadcastResult {
    /** Validates the message. */
    public RejectedForNow {
      Objects.requireNonNull(message, "message");
    }
  }

  /**
   * The node could not be asked.
   *
   * @param reason why, for logs (never credentials)
   */
  record NodeUnavailable(String reason) implements BroadcastResult {
    /** Validates the reason. */
    public NodeUnavailable {
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * Returns whether the node has the transaction (in its mempool or a block).
   *
   * @return true for {@link Accepted} and {@link AlreadyConfirmed}
   */
  default boolean delivered() {
    return this instanceof Accepted || this instanceof AlreadyConfirmed;
  }
}
