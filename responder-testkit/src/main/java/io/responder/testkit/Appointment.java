package io.responder.testkit;

import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import io.responder.core.Breach;
import io.responder.core.UserId;
import java.util.Objects;
import java.util.Random;
import java.util.UUID;

/**
 * A channel breach ready to hand over in tests: a dispute (the revoked commitment, spending an
 * external funding output) and a penalty spending the dispute's first output, with a uuid and a user.
 * Instances are immutable and thread-safe.
 *
 * @param uuid the appointment's uuid
 * @param dispute the revoked commitment
 * @param penalty the penalty spending it
 * @param userId the user
 * @since 0.1.0
 */
public record Appointment(UUID uuid, TestTransaction dispute, TestTransaction penalty, UserId userId) {
  /** Validates the components. */
  public Appointment {
    Objects.requireNonNull(uuid, "uuid");
    Objects.requireNonNull(dispute, "dispute");
    Objects.requireNonNull(penalty, "penalty");
    Objects.requireNonNull(userId, "userId");
  }

  /**
   * Makes a fresh appointment.
   *
   * @param rng the source of randomness; the same seed gives the same appointment
   * @return the appointment
   */
  public static Appointment random(Random rng) {
    TestTransaction dispute = Transactions.spendingExternalOutput(rng);
    TestTransaction penalty = Transactions.spending(rng, dispute.txid(), 0);
    return new Appointment(new UUID(rng.nextLong(), rng.nextLong()), dispute, penalty, randomUser(rng));
  }

  /**
   * Returns another appointment for the same breach and penalty under a new uuid and user: several
   * appointments sharing one penalty.
   *
   * @param rng the source of randomness
   * @return the sibling appointment
   */
  public Appointment sibling(Random rng) {
    return new Appointment(new UUID(rng.nextLong(), rng.nextLong()), dispute, penalty, randomUser(rng));
  }

  /**
   * Starts a breach of this appointment seen in {@code block}, with the raw dispute; callers may
   * change fields before building.
   *
   * @param block the block the dispute was seen in
   * @return a builder with every field set
   */
  public Breach.Builder breachBuilder(BlockHash block) {
    return Breach.builder()
        .uuid(uuid)
        .locator(dispute.txid().locator())
        .disputeTxid(dispute.txid())
        .penaltyTxid(penalty.txid())
        .penaltyRawTx(penalty.raw())
        .userId(userId)
        .disputeRawTx(dispute.raw())
        .seenInBlock(block);
  }

  /**
   * Returns the breach of this appointment seen in {@code block}.
   *
   * @param block the block the dispute was seen in
   * @return the breach
   */
  public Breach breach(BlockRef block) {
    return breachBuilder(block.hash()).build();
  }

  private static UserId randomUser(Random rng) {
    StringBuilder hex = new StringBuilder(rng.nextBoolean() ? "02" : "03");
    for (int i = 0; i < 4; i++) {
      hex.append(String.format("%016x", rng.nextLong()));
    }
    return UserId.fromHex(hex.toString());
  }
}
