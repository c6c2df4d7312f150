package io.responder.core;

import io.responder.core.internal.Hex;
import io.responder.core.internal.TransactionParser;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What a breach may say about fees and time, shared by {@link Breach} and {@link TransactionTracker}:
 * the channel's {@code to_self_delay} or an absolute deadline height, and the pre-signed variants of
 * the penalty at increasing feerates (the fee ladder). Validated on construction; immutable (arrays
 * are never handed out).
 *
 * @param toSelfDelay blocks after the dispute confirms at which the cheater can sweep, or -1
 * @param deadlineHeight the height at which the cheater can sweep, or -1
 * @param variants the ladder's rungs above the penalty itself, lowest feerate first
 */
record FeeTerms(int toSelfDelay, int deadlineHeight, byte[][] variants) {
  static final FeeTerms NONE = new FeeTerms(-1, -1, new byte[0][]);
  /** Lightning's to_self_delay is a 16-bit number of blocks (BOLT 2). */
  static final int MAX_TO_SELF_DELAY = 0xffff;
  /** More rungs than this is no ladder a signer would pre-sign; it bounds the per-block work. */
  static final int MAX_VARIANTS = 16;

  boolean isNone() {
    return toSelfDelay < 0 && deadlineHeight < 0 && variants.length == 0;
  }

  boolean hasDeadline() {
    return toSelfDelay >= 0 || deadlineHeight >= 0;
  }

  /**
   * The first height at which the cheater can sweep, given the height the dispute confirmed at (or
   * -1 when unknown); -1 when there is no deadline or it cannot be known yet.
   */
  int deadlineGiven(int disputeHeight) {
    if (deadlineHeight >= 0) {
      return deadlineHeight;
    }
    if (toSelfDelay >= 0 && disputeHeight >= 0) {
      return disputeHeight + toSelfDelay;
    }
    return -1;
  }

  /**
   * Checks the terms against the penalty they belong to.
   *
   * @throws InvalidInputException naming the field that is wrong
   */
  void validate(Txid penaltyTxid, byte[] penaltyRawTx) {
    if (toSelfDelay >= 0 && deadlineHeight >= 0) {
      throw new InvalidInputException("deadlineHeight", "and toSelfDelay cannot both be given");
    }
    if (toSelfDelay == 0 || toSelfDelay > MAX_TO_SELF_DELAY || toSelfDelay < -1) {
      throw new InvalidInputException("toSelfDelay", "must be 1 to " + MAX_TO_SELF_DELAY + " blocks, got " + toSelfDelay);
    }
    if (deadlineHeight == 0 || deadlineHeight < -1) {
      throw new InvalidInputException("deadlineHeight", "must be a positive block height, got " + deadlineHeight);
    }
    if (variants.length > MAX_VARIANTS) {
      throw new InvalidInputException("penaltyVariants", "has " + variants.length + " variants, at most " + MAX_VARIANTS);
    }
    if (variants.length == 0) {
      return;
    }
    TransactionParser.Parsed penalty = TransactionParser.parse("penaltyRawTx", penaltyRawTx);
    Set<TransactionParser.Outpoint> spends = new HashSet<>(penalty.inputs());
    long previousOutputs = TransactionParser.outputTotal("penaltyRawTx", penaltyRawTx);
    Set<Txid> seen = new HashSet<>(List.of(penaltyTxid));
    for (int i = 0; i < variants.length; i++) {
      String field = "penaltyVariants[" + i + "]";
      if (variants[i] == null) {
        throw new InvalidInputException(field, "must not be null");
      }
      TransactionParser.Parsed v = TransactionParser.parse(field, variants[i]);
      if (!seen.add(v.txid())) {
        throw new InvalidInputException(field, "repeats the penalty or an earlier variant (txid " + v.txid() + ")");
      }
      if (!new HashSet<>(v.inputs()).equals(spends) || v.inputs().size() != penalty.inputs().size()) {
        throw new InvalidInputException(field, "does not spend exactly the penalty's outpoints, so it would not replace it");
      }
      long outputs = TransactionParser.outputTotal(field, variants[i]);
      if (outputs >= previousOutputs) {
        // Same inputs, so a lower output total is a higher fee: each rung must pay more than the last.
        throw new InvalidInputException(field, "pays no more fee than the rung below it (outputs " + outputs
            + " sat, below them " + previousOutputs + " sat)");
      }
      previousOutputs = outputs;
    }
  }

  List<byte[]> variantList() {
    List<byte[]> out = new ArrayList<>(variants.length);
    for (byte[] v : variants) {
      out.add(v.clone());
    }
    return out;
  }

  /** The ladder's txids, lowest rung (the penalty itself) excluded. */
  List<Txid> variantTxids() {
    List<Txid> out = new ArrayList<>(variants.length);
    for (byte[] v : variants) {
      out.add(TransactionParser.txid("penaltyVariants", v));
    }
    return out;
  }

  /** The variants as one comma-separated hex string, for the persisted form; null when there are none. */
  @Nullable String variantsHex() {
    if (variants.length == 0) {
      return null;
    }
    StringBuilder sb = new StringBuilder();
    for (byte[] v : variants) {
      if (sb.length() > 0) {
        sb.append(',');
      }
      sb.append(Hex.encode(v));
    }
    return sb.toString();
  }

  static byte[][] variantsFromHex(@Nullable String hex) {
    if (hex == null) {
      return new byte[0][];
    }
    String[] parts = hex.split(",", -1);
    byte[][] out = new byte[parts.length][];
    for (int i = 0; i < parts.length; i++) {
      out[i] = Hex.decode("penalty_variants", parts[i]);
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FeeTerms t && toSelfDelay == t.toSelfDelay && deadlineHeight == t.deadlineHeight
        && Arrays.deepEquals(variants, t.variants);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * toSelfDelay + deadlineHeight) + Arrays.deepHashCode(variants);
  }

  @Override
  public String toString() {
    return "FeeTerms{toSelfDelay=" + toSelfDelay + ", deadlineHeight=" + deadlineHeight + ", variants="
        + variants.length + "}";
  }
}
