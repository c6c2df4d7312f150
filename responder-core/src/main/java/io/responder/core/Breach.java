package io.responder.core;

import io.responder.core.internal.TransactionParser;
import io.responder.core.internal.Uuids;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A breach the watcher hands to {@link Responder#handleBreach(Breach)}: an appointment's uuid, the
 * dispute it matched, the pre-signed penalty that punishes it, and the block in which the dispute was
 * seen.
 *
 * <p>A {@code Breach} is valid by construction: {@link Builder#build()} checks that the raw penalty
 * parses as a Bitcoin transaction (legacy or segwit) whose txid is {@code penaltyTxid}, that the raw
 * dispute, when given, hashes to {@code disputeTxid}, and that the locator is the first half of the
 * dispute txid. Errors are {@link InvalidInputException}s naming the field. Instances are immutable
 * and thread-safe; byte arrays are copied in and out.
 *
 * @since 0.1.0
 */
public final class Breach {
  private final UUID uuid;
  private final Locator locator;
  private final Txid disputeTxid;
  private final Txid penaltyTxid;
  private final byte[] penaltyRawTx;
  private final UserId userId;
  private final byte @Nullable [] disputeRawTx;
  private final int subscriptionEndHeight;
  private final BlockHash seenInBlock;
  private final FeeTerms feeTerms;

  private Breach(Builder b) {
    this.uuid = require(b.uuid, "uuid");
    this.locator = require(b.locator, "locator");
    this.disputeTxid = require(b.disputeTxid, "disputeTxid");
    this.penaltyTxid = require(b.penaltyTxid, "penaltyTxid");
    this.penaltyRawTx = require(b.penaltyRawTx, "penaltyRawTx").clone();
    this.userId = require(b.userId, "userId");
    this.disputeRawTx = b.disputeRawTx == null ? null : b.disputeRawTx.clone();
    this.subscriptionEndHeight = b.subscriptionEndHeight;
    this.seenInBlock = require(b.seenInBlock, "seenInBlock");
    validateAppointment(locator, disputeTxid, penaltyTxid, penaltyRawTx, disputeRawTx, subscriptionEndHeight);
    this.feeTerms = b.variants.isEmpty() && b.toSelfDelay < 0 && b.deadlineHeight < 0 ? FeeTerms.NONE
        : new FeeTerms(b.toSelfDelay, b.deadlineHeight, b.variants.toArray(new byte[0][]));
    feeTerms.validate(penaltyTxid, penaltyRawTx);
  }

  /**
   * The checks shared by a breach and a stored tracker: the raw transactions hash to their txids and
   * the locator is derived from the dispute txid.
   */
  static void validateAppointment(
      Locator locator, Txid disputeTxid, Txid penaltyTxid, byte[] penaltyRawTx, byte @Nullable [] disputeRawTx,
      int subscriptionEndHeight) {
    if (!disputeTxid.locator().equals(locator)) {
      throw new InvalidInputException("locator", "is not the first 16 bytes of disputeTxid");
    }
    Txid parsedPenalty = TransactionParser.txid("penaltyRawTx", penaltyRawTx);
    if (!parsedPenalty.equals(penaltyTxid)) {
      throw new InvalidInputException("penaltyTxid", "does not match the txid of penaltyRawTx (" + parsedPenalty + ")");
    }
    if (disputeRawTx != null) {
      Txid parsedDispute = TransactionParser.txid("disputeRawTx", disputeRawTx);
      if (!parsedDispute.equals(disputeTxid)) {
        throw new InvalidInputException("disputeTxid", "does not match the txid of disputeRawTx (" + parsedDispute + ")");
      }
    }
    if (subscriptionEndHeight < -1) {
      throw new InvalidInputException("subscriptionEndHeight", "must not be negative, got " + subscriptionEndHeight);
    }
  }

  private static <T> T require(@Nullable T value, String field) {
    if (value == null) {
      throw new InvalidInputException(field, "is required");
    }
    return value;
  }

  /**
   * Starts a breach.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** @return the appointment's uuid */
  public UUID uuid() {
    return uuid;
  }

  /** @return the locator (first half of the dispute txid) */
  public Locator locator() {
    return locator;
  }

  /** @return the txid of the revoked commitment */
  public Txid disputeTxid() {
    return disputeTxid;
  }

  /** @return the txid of the penalty */
  public Txid penaltyTxid() {
    return penaltyTxid;
  }

  /** @return a copy of the serialised penalty */
  public byte[] penaltyRawTx() {
    return penaltyRawTx.clone();
  }

  /** @return the user's id */
  public UserId userId() {
    return userId;
  }

  /** @return a copy of the serialised dispute, if the watcher has it */
  public Optional<byte[]> disputeRawTx() {
    return disputeRawTx == null ? Optional.empty() : Optional.of(disputeRawTx.clone());
  }

  /** @return the height at which the user's subscription ends, if it does */
  public OptionalInt subscriptionEndHeight() {
    return subscriptionEndHeight < 0 ? OptionalInt.empty() : OptionalInt.of(subscriptionEndHeight);
  }

  /** @return the block in which the watcher saw the dispute */
  public BlockHash seenInBlock() {
    return seenInBlock;
  }

  /** @return the channel's {@code to_self_delay}: blocks after the dispute confirms at which the cheater can sweep */
  public OptionalInt toSelfDelay() {
    return feeTerms.toSelfDelay() < 0 ? OptionalInt.empty() : OptionalInt.of(feeTerms.toSelfDelay());
  }

  /** @return the height at which the cheater can sweep, when the watcher gave it instead of {@link #toSelfDelay()} */
  public OptionalInt deadlineHeight() {
    return feeTerms.deadlineHeight() < 0 ? OptionalInt.empty() : OptionalInt.of(feeTerms.deadlineHeight());
  }

  /** @return copies of the penalty's pre-signed variants at increasing feerates (the fee ladder), lowest first */
  public List<byte[]> penaltyVariants() {
    return feeTerms.variantList();
  }

  FeeTerms feeTerms() {
    return feeTerms;
  }

  byte[] penaltyRawTxUnsafe() {
    return penaltyRawTx;
  }

  byte @Nullable [] disputeRawTxUnsafe() {
    return disputeRawTx;
  }

  int subscriptionEndOrMinusOne() {
    return subscriptionEndHeight;
  }

  /**
   * Returns whether {@code tracker} records this same appointment (every field but the status, the
   * dispute height and the block the breach was seen in).
   */
  boolean sameAppointmentAs(TransactionTracker tracker) {
    return tracker.uuid().equals(uuid)
        && tracker.locator().equals(locator)
        && tracker.disputeTxid().equals(disputeTxid)
        && tracker.penaltyTxid().equals(penaltyTxid)
        && Arrays.equals(tracker.penaltyRawTxUnsafe(), penaltyRawTx)
        && tracker.userId().equals(userId)
        && Arrays.equals(tracker.disputeRawTxUnsafe(), disputeRawTx)
        && tracker.subscriptionEndOrMinusOne() == subscriptionEndHeight
        && tracker.feeTerms().equals(feeTerms);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Breach b)) {
      return false;
    }
    return uuid.equals(b.uuid) && locator.equals(b.locator) && disputeTxid.equals(b.disputeTxid)
        && penaltyTxid.equals(b.penaltyTxid) && Arrays.equals(penaltyRawTx, b.penaltyRawTx)
        && userId.equals(b.userId) && Arrays.equals(disputeRawTx, b.disputeRawTx)
        && subscriptionEndHeight == b.subscriptionEndHeight && seenInBlock.equals(b.seenInBlock)
        && feeTerms.equals(b.feeTerms);
  }

  @Override
  public int hashCode() {
    return Objects.hash(uuid, penaltyTxid, seenInBlock);
  }

  /** Names the breach without its raw transactions, which are never logged. */
  @Override
  public String toString() {
    return "Breach{uuid=" + uuid + ", locator=" + locator + ", disputeTxid=" + disputeTxid
        + ", penaltyTxid=" + penaltyTxid + ", userId=" + userId + ", subscriptionEnd="
        + subscriptionEndHeight().stream().boxed().findFirst().map(String::valueOf).orElse("none")
        + ", seenInBlock=" + seenInBlock + "}";
  }

  /**
   * Collects the fields of a {@link Breach}. Setters that take text parse it and throw
   * {@link InvalidInputException} naming the field at once; {@link #build()} checks the rest. Not
   * thread-safe: use one builder per thread.
   */
  public static final class Builder {
    private @Nullable UUID uuid;
    private @Nullable Locator locator;
    private @Nullable Txid disputeTxid;
    private @Nullable Txid penaltyTxid;
    private byte @Nullable [] penaltyRawTx;
    private @Nullable UserId userId;
    private byte @Nullable [] disputeRawTx;
    private int subscriptionEndHeight = -1;
    private @Nullable BlockHash seenInBlock;
    private int toSelfDelay = -1;
    private int deadlineHeight = -1;
    private final List<byte[]> variants = new ArrayList<>();

    private Builder() {}

    /**
     * @param uuid the appointment's uuid
     * @return this builder
     */
    public Builder uuid(UUID uuid) {
      this.uuid = uuid;
      return this;
    }

    /**
     * @param uuid 32 hex characters or a dashed uuid
     * @return this builder
     */
    public Builder uuid(String uuid) {
      this.uuid = Uuids.parse("uuid", uuid);
      return this;
    }

    /**
     * @param locator the locator
     * @return this builder
     */
    public Builder locator(Locator locator) {
      this.locator = locator;
      return this;
    }

    /**
     * @param locator 32 hex characters
     * @return this builder
     */
    public Builder locator(String locator) {
      this.locator = Locator.fromHex(locator);
      return this;
    }

    /**
     * @param txid the dispute's txid
     * @return this builder
     */
    public Builder disputeTxid(Txid txid) {
      this.disputeTxid = txid;
      return this;
    }

    /**
     * @param txid 64 hex characters
     * @return this builder
     */
    public Builder disputeTxid(String txid) {
      this.disputeTxid = Txid.fromHex("disputeTxid", txid);
      return this;
    }

    /**
     * @param txid the penalty's txid
     * @return this builder
     */
    public Builder penaltyTxid(Txid txid) {
      this.penaltyTxid = txid;
      return this;
    }

    /**
     * @param txid 64 hex characters
     * @return this builder
     */
    public Builder penaltyTxid(String txid) {
      this.penaltyTxid = Txid.fromHex("penaltyTxid", txid);
      return this;
    }

    /**
     * @param raw the serialised penalty; copied
     * @return this builder
     */
    public Builder penaltyRawTx(byte[] raw) {
      this.penaltyRawTx = raw == null ? null : raw.clone();
      return this;
    }

    /**
     * @param hex the serialised penalty as hex
     * @return this builder
     */
    public Builder penaltyRawTx(String hex) {
      this.penaltyRawTx = io.responder.core.internal.Hex.decode("penaltyRawTx", hex);
      return this;
    }

    /**
     * @param userId the user
     * @return this builder
     */
    public Builder userId(UserId userId) {
      this.userId = userId;
      return this;
    }

    /**
     * @param userId 66 hex characters
     * @return this builder
     */
    public Builder userId(String userId) {
      this.userId = UserId.fromHex(userId);
      return this;
    }

    /**
     * @param raw the serialised dispute, or null if unknown; copied
     * @return this builder
     */
    public Builder disputeRawTx(byte @Nullable [] raw) {
      this.disputeRawTx = raw == null ? null : raw.clone();
      return this;
    }

    /**
     * @param hex the serialised dispute as hex, or null if unknown
     * @return this builder
     */
    public Builder disputeRawTx(@Nullable String hex) {
      this.disputeRawTx = hex == null ? null : io.responder.core.internal.Hex.decode("disputeRawTx", hex);
      return this;
    }

    /**
     * Sets the height at which the user's subscription ends; unconfirmed trackers are dropped there.
     *
     * @param height a block height, not negative
     * @return this builder
     */
    public Builder subscriptionEndHeight(int height) {
      if (height < 0) {
        throw new InvalidInputException("subscriptionEndHeight", "must not be negative, got " + height);
      }
      this.subscriptionEndHeight = height;
      return this;
    }

    /**
     * @param block the block in which the dispute was seen
     * @return this builder
     */
    public Builder seenInBlock(BlockHash block) {
      this.seenInBlock = block;
      return this;
    }

    /**
     * @param block 64 hex characters
     * @return this builder
     */
    public Builder seenInBlock(String block) {
      this.seenInBlock = BlockHash.fromHex("seenInBlock", block);
      return this;
    }

    /**
     * Sets the channel's {@code to_self_delay}: the cheater can sweep {@code blocks} blocks after the
     * dispute confirms, so the penalty must be mined before that. The Responder derives the deadline
     * from the dispute's confirmation height, again after a reorganisation moves it.
     *
     * @param blocks 1 to 65535
     * @return this builder
     */
    public Builder toSelfDelay(int blocks) {
      this.toSelfDelay = blocks;
      return this;
    }

    /**
     * Sets the deadline as an absolute height instead: the first height at which the cheater can sweep.
     *
     * @param height a block height
     * @return this builder
     */
    public Builder deadlineHeight(int height) {
      this.deadlineHeight = height;
      return this;
    }

    /**
     * Adds a rung to the fee ladder: the penalty pre-signed again at a higher feerate, spending exactly
     * the same outpoints (so each replaces the one below it) and paying more fee than the rung below.
     * Rungs are added lowest first.
     *
     * @param raw the serialised variant
     * @return this builder
     */
    public Builder addPenaltyVariant(byte[] raw) {
      this.variants.add(raw == null ? null : raw.clone());
      return this;
    }

    /**
     * Adds a rung to the fee ladder, as hex.
     *
     * @param hex the serialised variant as hex
     * @return this builder
     */
    public Builder addPenaltyVariant(String hex) {
      this.variants.add(hex == null ? null : io.responder.core.internal.Hex.decode("penaltyVariants[" + variants.size() + "]", hex));
      return this;
    }

    /**
     * Validates and builds the breach.
     *
     * @return the breach
     * @throws InvalidInputException naming the first field that is missing or wrong
     */
    public Breach build() {
      return new Breach(this);
    }
  }
}
