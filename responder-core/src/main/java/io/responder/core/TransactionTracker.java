package io.responder.core;

import io.responder.core.internal.FlatJson;
import io.responder.core.internal.Hex;
import io.responder.core.internal.Uuids;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The Responder's record of one breach it is responsible for, keyed by the appointment's uuid: the
 * appointment data handed over with the breach and the {@linkplain TrackerStatus status} of its
 * penalty.
 *
 * <p>This is also the unit a {@link TrackerStore} persists. {@link #encode()} gives a stable,
 * versioned text form and {@link #decode(String)} reads it back, rejecting a missing or malformed
 * field with an {@link InvalidInputException} that names it. Instances are immutable and thread-safe;
 * byte arrays are copied in and out.
 *
 * @since 0.1.0
 */
public final class TransactionTracker {
  /**
   * Version of the {@link #encode()} format; bumped on any incompatible change. Version 2 adds the
   * fee terms (deadline, fee ladder); a tracker without them is still written as version 1, and both
   * versions are read.
   */
  public static final int FORMAT_VERSION = 2;

  private static final Set<String> KNOWN_MEMBERS = Set.of(
      "v", "uuid", "locator", "dispute_txid", "penalty_txid", "penalty_rawtx", "user_id", "dispute_rawtx",
      "subscription_end", "dispute_height", "status", "since_height", "confirmed_height", "confirmed_block");
  private static final Set<String> VERSION_2_MEMBERS = Set.of("to_self_delay", "deadline_height", "penalty_variants");

  private final UUID uuid;
  // No locator field: it is the first half of the dispute txid (validated so on the way in), made on
  // demand; an object of its own would cost a store that keeps trackers in memory 32 bytes each.
  private final Txid disputeTxid;
  private final Txid penaltyTxid;
  private final byte[] penaltyRawTx;
  private final UserId userId;
  private final byte @Nullable [] disputeRawTx;
  private final int subscriptionEndHeight;
  private final int disputeHeight;
  private final TrackerStatus status;
  private final FeeTerms feeTerms;

  private TransactionTracker(
      UUID uuid, Txid disputeTxid, Txid penaltyTxid, byte[] penaltyRawTx, UserId userId,
      byte @Nullable [] disputeRawTx, int subscriptionEndHeight, int disputeHeight, TrackerStatus status, FeeTerms feeTerms) {
    this.uuid = uuid;
    this.disputeTxid = disputeTxid;
    this.penaltyTxid = penaltyTxid;
    this.penaltyRawTx = penaltyRawTx;
    this.userId = userId;
    this.disputeRawTx = disputeRawTx;
    this.subscriptionEndHeight = subscriptionEndHeight;
    this.disputeHeight = disputeHeight;
    this.status = status;
    this.feeTerms = feeTerms;
  }

  /**
   * Creates the tracker of a breach.
   *
   * @param breach the breach (already validated by construction)
   * @param disputeHeight the height of the block the dispute was seen in, if the Responder knows it
   * @param status the penalty's status
   * @return the tracker
   */
  public static TransactionTracker of(Breach breach, OptionalInt disputeHeight, TrackerStatus status) {
    Objects.requireNonNull(breach, "breach");
    Objects.requireNonNull(disputeHeight, "disputeHeight");
    Objects.requireNonNull(status, "status");
    return new TransactionTracker(
        breach.uuid(), breach.disputeTxid(), breach.penaltyTxid(), breach.penaltyRawTxUnsafe(),
        breach.userId(), breach.disputeRawTxUnsafe(), breach.subscriptionEndOrMinusOne(),
        disputeHeight.orElse(-1), status, breach.feeTerms());
  }

  /**
   * Returns this tracker with another status.
   *
   * @param newStatus the status
   * @return a tracker equal to this one but for its status
   */
  public TransactionTracker withStatus(TrackerStatus newStatus) {
    Objects.requireNonNull(newStatus, "newStatus");
    return new TransactionTracker(uuid, disputeTxid, penaltyTxid, penaltyRawTx, userId, disputeRawTx,
        subscriptionEndHeight, disputeHeight, newStatus, feeTerms);
  }

  /** @return the appointment's uuid */
  public UUID uuid() {
    return uuid;
  }

  /** @return the locator: the first 16 bytes of the dispute txid */
  public Locator locator() {
    return disputeTxid.locator();
  }

  /** @return the dispute's txid */
  public Txid disputeTxid() {
    return disputeTxid;
  }

  /** @return the penalty's txid */
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

  /** @return a copy of the serialised dispute, if known */
  public Optional<byte[]> disputeRawTx() {
    return disputeRawTx == null ? Optional.empty() : Optional.of(disputeRawTx.clone());
  }

  /** @return the height at which the user's subscription ends, if it does */
  public OptionalInt subscriptionEndHeight() {
    return subscriptionEndHeight < 0 ? OptionalInt.empty() : OptionalInt.of(subscriptionEndHeight);
  }

  /** @return the height of the block the dispute was seen in, if the Responder knew it at intake */
  public OptionalInt disputeHeight() {
    return disputeHeight < 0 ? OptionalInt.empty() : OptionalInt.of(disputeHeight);
  }

  /** @return the penalty's status */
  public TrackerStatus status() {
    return status;
  }

  byte[] penaltyRawTxUnsafe() {
    return penaltyRawTx;
  }

  byte[] disputeRawTxUnsafe() {
    return disputeRawTx;
  }

  /** @return the channel's {@code to_self_delay}, if the breach gave it */
  public OptionalInt toSelfDelay() {
    return feeTerms.toSelfDelay() < 0 ? OptionalInt.empty() : OptionalInt.of(feeTerms.toSelfDelay());
  }

  /** @return the absolute deadline height, if the breach gave it */
  public OptionalInt deadlineHeight() {
    return feeTerms.deadlineHeight() < 0 ? OptionalInt.empty() : OptionalInt.of(feeTerms.deadlineHeight());
  }

  /** @return copies of the penalty's pre-signed variants at increasing feerates, lowest first */
  public List<byte[]> penaltyVariants() {
    return feeTerms.variantList();
  }

  FeeTerms feeTerms() {
    return feeTerms;
  }

  int subscriptionEndOrMinusOne() {
    return subscriptionEndHeight;
  }

  /**
   * Encodes the tracker as one line of JSON: a flat object with a format version {@code "v"}, hex
   * strings for ids and raw transactions, and integers or null for heights. The form is stable
   * across releases of the same {@link #FORMAT_VERSION}.
   *
   * @return the encoded tracker
   */
  public String encode() {
    FlatJson.Writer w = new FlatJson.Writer()
        .number("v", feeTerms.isNone() ? 1 : FORMAT_VERSION)
        .string("uuid", uuid.toString())
        .string("locator", locator().toHex())
        .string("dispute_txid", disputeTxid.toHex())
        .string("penalty_txid", penaltyTxid.toHex())
        .string("penalty_rawtx", Hex.encode(penaltyRawTx))
        .string("user_id", userId.toHex())
        .string("dispute_rawtx", disputeRawTx == null ? null : Hex.encode(disputeRawTx))
        .optionalNumber("subscription_end", subscriptionEndHeight >= 0, subscriptionEndHeight)
        .optionalNumber("dispute_height", disputeHeight >= 0, disputeHeight);
    if (!feeTerms.isNone()) {
      w.optionalNumber("to_self_delay", feeTerms.toSelfDelay() >= 0, feeTerms.toSelfDelay())
          .optionalNumber("deadline_height", feeTerms.deadlineHeight() >= 0, feeTerms.deadlineHeight())
          .string("penalty_variants", feeTerms.variantsHex());
    }
    if (status instanceof TrackerStatus.Pending p) {
      w.string("status", "pending").number("since_height", p.sinceHeight());
    } else if (status instanceof TrackerStatus.InMempool m) {
      w.string("status", "in_mempool").number("since_height", m.sinceHeight());
    } else {
      TrackerStatus.Confirmed c = (TrackerStatus.Confirmed) status;
      w.string("status", "confirmed")
          .number("confirmed_height", c.block().height())
          .string("confirmed_block", c.block().hash().toHex());
    }
    return w.toString();
  }

  /**
   * Decodes what {@link #encode()} wrote, validating every field as {@link Breach} does (the raw
   * penalty must hash to the penalty txid, the locator must match the dispute txid).
   *
   * @param encoded the encoded tracker
   * @return the tracker
   * @throws InvalidInputException naming the first missing or malformed field, or an unknown format version
   */
  public static TransactionTracker decode(String encoded) {
    Map<String, @Nullable Object> m = FlatJson.parse("tracker", encoded);
    long version = number(m, "v");
    if (version != 1 && version != FORMAT_VERSION) {
      throw new InvalidInputException("v", "format version " + version + " is not supported (expected 1 to " + FORMAT_VERSION + ")");
    }
    for (String name : m.keySet()) {
      if (!KNOWN_MEMBERS.contains(name) && !(version >= 2 && VERSION_2_MEMBERS.contains(name))) {
        throw new InvalidInputException(name, "is not a field of a version " + version + " tracker");
      }
    }
    UUID uuid = Uuids.parse("uuid", string(m, "uuid"));
    Locator locator = Locator.fromHex(string(m, "locator"));
    Txid dispute = Txid.fromHex("dispute_txid", string(m, "dispute_txid"));
    Txid penalty = Txid.fromHex("penalty_txid", string(m, "penalty_txid"));
    byte[] penaltyRaw = Hex.decode("penalty_rawtx", string(m, "penalty_rawtx"));
    UserId user = UserId.fromHex(string(m, "user_id"));
    String disputeRawHex = optionalString(m, "dispute_rawtx");
    byte[] disputeRaw = disputeRawHex == null ? null : Hex.decode("dispute_rawtx", disputeRawHex);
    int subscriptionEnd = optionalHeight(m, "subscription_end");
    int disputeHeight = optionalHeight(m, "dispute_height");
    String statusName = string(m, "status");
    TrackerStatus status = switch (statusName) {
      case "pending" -> new TrackerStatus.Pending(height(m, "since_height"));
      case "in_mempool" -> new TrackerStatus.InMempool(height(m, "since_height"));
      case "confirmed" -> new TrackerStatus.Confirmed(new BlockRef(
          BlockHash.fromHex("confirmed_block", string(m, "confirmed_block")), height(m, "confirmed_height")));
      default -> throw new InvalidInputException("status", "must be pending, in_mempool or confirmed, got \"" + statusName + "\"");
    };
    Breach.validateAppointment(locator, dispute, penalty, penaltyRaw, disputeRaw, subscriptionEnd);
    FeeTerms terms = FeeTerms.NONE;
    if (version >= 2) {
      terms = new FeeTerms(optionalCount(m, "to_self_delay"), optionalCount(m, "deadline_height"),
          FeeTerms.variantsFromHex(m.containsKey("penalty_variants") ? optionalString(m, "penalty_variants") : null));
      terms.validate(penalty, penaltyRaw);
    }
    return new TransactionTracker(uuid, dispute, penalty, penaltyRaw, user, disputeRaw, subscriptionEnd,
        disputeHeight, status, terms);
  }

  private static @Nullable Object member(Map<String, @Nullable Object> m, String name) {
    if (!m.containsKey(name)) {
      throw new InvalidInputException(name, "is missing");
    }
    return m.get(name);
  }

  private static String string(Map<String, @Nullable Object> m, String name) {
    Object v = member(m, name);
    if (!(v instanceof String s)) {
      throw new InvalidInputException(name, "must be a string");
    }
    return s;
  }

  private static @Nullable String optionalString(Map<String, @Nullable Object> m, String name) {
    Object v = member(m, name);
    if (v != null && !(v instanceof String)) {
      throw new InvalidInputException(name, "must be a string or null");
    }
    return (String) v;
  }

  private static long number(Map<String, @Nullable Object> m, String name) {
    Object v = member(m, name);
    if (!(v instanceof Long l)) {
      throw new InvalidInputException(name, "must be an integer");
    }
    return l;
  }

  private static int height(Map<String, @Nullable Object> m, String name) {
    long h = number(m, name);
    if (h < 0 || h > Integer.MAX_VALUE) {
      throw new InvalidInputException(name, "must be a block height, got " + h);
    }
    return (int) h;
  }

  private static int optionalHeight(Map<String, @Nullable Object> m, String name) {
    return member(m, name) == null ? -1 : height(m, name);
  }

  /** A version-2 member that may be absent altogether, or null: -1 either way. */
  private static int optionalCount(Map<String, Object> m, String name) {
    return m.get(name) == null ? -1 : height(m, name);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof TransactionTracker t)) {
      return false;
    }
    return uuid.equals(t.uuid) && disputeTxid.equals(t.disputeTxid)
        && penaltyTxid.equals(t.penaltyTxid) && Arrays.equals(penaltyRawTx, t.penaltyRawTx)
        && userId.equals(t.userId) && Arrays.equals(disputeRawTx, t.disputeRawTx)
        && subscriptionEndHeight == t.subscriptionEndHeight && disputeHeight == t.disputeHeight
        && status.equals(t.status) && feeTerms.equals(t.feeTerms);
  }

  @Override
  public int hashCode() {
    return Objects.hash(uuid, penaltyTxid, status);
  }

  /** Names the tracker without its raw transactions, which are never logged. */
  @Override
  public String toString() {
    return "TransactionTracker{uuid=" + uuid + ", penaltyTxid=" + penaltyTxid + ", disputeTxid=" + disputeTxid
        + ", userId=" + userId + ", status=" + status + "}";
  }
}
