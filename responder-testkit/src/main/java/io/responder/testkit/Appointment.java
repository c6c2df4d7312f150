package io.responder.testkit;

import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import io.responder.core.Breach;
import io.responder.core.Txid;
import io.responder.core.UserId;
import io.responder.core.internal.TransactionParser;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.UUID;

/**
 * A channel breach ready to hand over in tests: a dispute (the revoked commitment, spending an
 * external funding output) and a penalty spending the dispute's first output, with a uuid and a user.
 * {@link #random} makes them with meaningless fees; {@link #withFeerates} and
 * {@link #withPenaltyFeerate} at chosen feerates, for a {@link FakeChain} with its fee market on,
 * with {@link #penaltyLadder} and {@link #penaltyChild} to bump them. Instances are immutable and
 * thread-safe.
 *
 * @param uuid the appointment's uuid
 * @param dispute the revoked commitment
 * @param penalty the penalty spending it
 * @param userId the user
 * @since 0.1.0
 */
public record Appointment(UUID uuid, TestTransaction dispute, TestTransaction penalty, UserId userId) {
  /** The funding output behind {@link #withPenaltyFeerate}: a 0.01 BTC channel. */
  private static final long CHANNEL_SAT = 1_000_000;
  /** A commitment's usual feerate when the channel last updated. */
  private static final double DISPUTE_SAT_PER_VBYTE = 10;

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
   * Makes an appointment whose dispute spends {@code funding}'s output {@code vout} at
   * {@code disputeSatPerVbyte} (two outputs, 141 vB, the first holding half the rest and what does not
   * divide) and whose penalty spends the dispute's output 0 at {@code penaltySatPerVbyte} (110 vB). A
   * chain that has seen {@code funding} (or was told its value with {@link FakeChain#fundingOutput})
   * knows both fees; zero is a valid dispute feerate, for a dispute only a package can carry.
   *
   * @param rng the source of randomness; the same seed gives the same appointment
   * @param funding the transaction whose output the dispute spends (see {@link Transactions#funding})
   * @param vout the output of {@code funding} the dispute spends
   * @param disputeSatPerVbyte the dispute's feerate in sat/vB, at least 0
   * @param penaltySatPerVbyte the penalty's feerate in sat/vB, at least 0
   * @return the appointment
   * @throws IllegalArgumentException if the output does not exist or cannot pay the fees, or a feerate
   *     is negative or not finite
   */
  public static Appointment withFeerates(Random rng, TestTransaction funding, int vout, double disputeSatPerVbyte,
      double penaltySatPerVbyte) {
    TestTransaction dispute = Transactions.spendingAtFeerate(rng, funding, vout, disputeSatPerVbyte, 2);
    TestTransaction penalty = Transactions.spendingAtFeerate(rng, dispute, 0, penaltySatPerVbyte);
    return new Appointment(new UUID(rng.nextLong(), rng.nextLong()), dispute, penalty, randomUser(rng));
  }

  /**
   * Makes an appointment whose penalty pays {@code penaltySatPerVbyte}, its dispute spending a
   * 1,000,000-sat output of a funding transaction no chain has seen (so the dispute's own fee is
   * unknown to a {@link FakeChain}, and not judged; use {@link #withFeerates} to judge it too).
   *
   * @param rng the source of randomness; the same seed gives the same appointment
   * @param penaltySatPerVbyte the penalty's feerate in sat/vB, at least 0
   * @return the appointment
   * @throws IllegalArgumentException if the feerate is negative, not finite, or more than the
   *     channel can pay
   */
  public static Appointment withPenaltyFeerate(Random rng, double penaltySatPerVbyte) {
    return withFeerates(rng, Transactions.funding(rng, CHANNEL_SAT), 0, DISPUTE_SAT_PER_VBYTE, penaltySatPerVbyte);
  }

  /**
   * Returns variants of the penalty at increasing feerates: each spends the same dispute output as
   * the penalty, to one output, and has its own txid (see {@link Transactions#ladder}).
   *
   * @param rng the source of randomness
   * @param satPerVbyte the feerates in sat/vB, strictly increasing
   * @return the variants, lowest feerate first
   * @throws IllegalArgumentException if the penalty does not spend exactly one dispute output, or the
   *     feerates are not increasing or ask more than the output holds
   */
  public List<TestTransaction> penaltyLadder(Random rng, double... satPerVbyte) {
    return Transactions.ladder(rng, dispute, disputeOutputSpent(), satPerVbyte);
  }

  /**
   * Returns a child spending the penalty's output {@code vout} at {@code satPerVbyte} (one output,
   * 110 vB): a host's CPFP bump.
   *
   * @param rng the source of randomness
   * @param vout the penalty's output the child spends
   * @param satPerVbyte the child's own feerate in sat/vB, at least 0
   * @return the child
   * @throws IllegalArgumentException if the output does not exist or cannot pay the fee
   */
  public TestTransaction penaltyChild(Random rng, int vout, double satPerVbyte) {
    return Transactions.spendingAtFeerate(rng, penalty, vout, satPerVbyte);
  }

  private int disputeOutputSpent() {
    List<TransactionParser.Outpoint> inputs = TransactionParser.parse("penalty", penalty.raw()).inputs();
    Txid disputeTxid = dispute.txid();
    List<TransactionParser.Outpoint> fromDispute = inputs.stream().filter(o -> o.txid().equals(disputeTxid)).toList();
    if (fromDispute.size() != 1) {
      throw new IllegalArgumentException("the penalty spends " + fromDispute.size()
          + " outputs of the dispute; a ladder is made for one");
    }
    return (int) fromDispute.get(0).vout();
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
