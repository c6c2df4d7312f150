package io.responder.core.internal;

import io.responder.core.TrackerState;
import io.responder.core.Txid;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Everything the Responder keeps in memory about one penalty transaction: its status (as a code, see
 * {@link StatusCodes}), which is shared by every tracker (uuid) that handed it over, and those uuids
 * with their subscription ends. One broadcast, one watch, however many uuids. Raw transactions are
 * not kept: they stay in the store.
 *
 * <p>The first member is held inline because almost every penalty has exactly one; more spill into
 * arrays. Uuids are kept as their two words rather than as {@code UUID} objects (16 bytes instead of a
 * 4-byte reference to a 32-byte object, per tracker); {@link #uuid(int)} makes the object when an
 * event or a store call needs it. The txid too is kept as its four words, not as a reference to a
 * {@code Txid}: 32 bytes instead of a reference to a 48-byte object (16 bytes a tracker fewer), and
 * a block's look-ups check a candidate in the group they have just read. (Side by side, blocks took
 * the same time either way: BENCHMARKS.md, "Nineteenth round".) {@link #txid()} makes the object
 * when a send, an event or a log line needs it. Mutable, confined to the Responder's lock. Not
 * published API.
 */
public final class PenaltyGroup {
  /**
   * Set while a block step has picked the group for a batch (a rebroadcast storm), so that a group
   * with several schedule entries due is sent once, without a set of a storm's size.
   */
  private static final int PICKED = 1;
  /**
   * Set when a rebroadcast that fell due could not reach the node: it is owed, and tried on each
   * block until the node answers, off the schedule its count gives.
   */
  private static final int RESEND_OWED = 2;

  /** The txid's words (see {@link Txid#word}). */
  private final long txid0;
  private final long txid1;
  private final long txid2;
  private final long txid3;
  /**
   * The shared status, as its code in the Responder's {@link StatusCodes}; {@link StatusCodes#DROPPED}
   * once the group is dropped. An {@code int} rather than a reference: see {@link StatusCodes} for why.
   */
  private int statusCode;
  private int disputeHeight;
  private boolean hasRawDispute;
  /**
   * Marks for the work in progress, one bit each ({@link #PICKED}, {@link #RESEND_OWED}): one byte
   * in the object's padding, so the group stays at 88 bytes.
   */
  private byte marks;
  /**
   * The number of the group's status entry in the change set that last listed it (see
   * {@link #listedAt}): an {@code int} in the object's padding too.
   */
  private int listedAt = -1;

  private long firstMsb;
  private long firstLsb;
  private int firstExpiry;
  /**
   * Members after the first, three longs each: uuid words, then subscription end (one array rather
   * than two: one object and one header fewer for a penalty shared by several trackers).
   */
  private long @Nullable [] more;
  private int size;
  /** The last {@link #readAhead}'s sum, only so that the compiler keeps its reads. */
  private static int readAheadSum;

  /**
   * Creates a group with its first member.
   *
   * @param txid the penalty txid
   * @param statusCode the code of the penalty's status, held for the group (see {@link StatusCodes#hold})
   * @param uuid the first tracker
   * @param expiry its subscription end, or -1
   * @param disputeHeight the height the dispute was seen at, or -1
   * @param hasRawDispute whether the store holds the raw dispute
   */
  public PenaltyGroup(Txid txid, int statusCode, UUID uuid, int expiry, int disputeHeight, boolean hasRawDispute) {
    StatusCodes.stateOf(statusCode); // a group starts with a status
    this.txid0 = txid.word(0);
    this.txid1 = txid.word(1);
    this.txid2 = txid.word(2);
    this.txid3 = txid.word(3);
    this.statusCode = statusCode;
    this.firstMsb = uuid.getMostSignificantBits();
    this.firstLsb = uuid.getLeastSignificantBits();
    this.firstExpiry = expiry;
    this.size = 1;
    this.disputeHeight = disputeHeight;
    this.hasRawDispute = hasRawDispute;
  }

  /** @return the penalty txid, a new object on each call (the group keeps only its words) */
  public Txid txid() {
    return Txid.fromWords(txid0, txid1, txid2, txid3);
  }

  /**
   * @param txid a txid
   * @return whether it is this group's penalty txid, read from the words in the group
   */
  public boolean hasTxid(Txid txid) {
    return txid0 == txid.word(0) && txid1 == txid.word(1) && txid2 == txid.word(2) && txid3 == txid.word(3);
  }

  /** @return {@code txid().hashCode()}, without making the object */
  public int txidHash() {
    // As Txid.hashCode folds its words (a test holds the two together).
    long x = txid0 ^ txid1 ^ txid2 ^ txid3;
    return (int) (x ^ (x >>> 32));
  }

  /** @return the code of the shared status in the Responder's {@link StatusCodes}, or {@link StatusCodes#DROPPED} */
  public int statusCode() {
    return statusCode;
  }

  /**
   * @param code the code of the new shared status, held for the group (the old one is the caller's to
   *     release)
   */
  public void setStatusCode(int code) {
    StatusCodes.stateOf(code); // dropping goes through kill
    this.statusCode = code;
  }

  /**
   * The state of the shared status, read from its code without the table.
   *
   * @return the state
   * @throws IllegalStateException if the group was dropped
   */
  public TrackerState state() {
    return StatusCodes.stateOf(statusCode);
  }

  /** @return the dispute height, or -1 */
  public int disputeHeight() {
    return disputeHeight;
  }

  /** @param height the dispute height, or -1 when it is no longer known */
  public void setDisputeHeight(int height) {
    this.disputeHeight = height;
  }

  /** @return whether some member's raw dispute is in the store */
  public boolean hasRawDispute() {
    return hasRawDispute;
  }

  /** @param value whether some member's raw dispute is in the store */
  public void setHasRawDispute(boolean value) {
    this.hasRawDispute = value;
  }

  /** @return false once the group has been dropped from the indexes */
  public boolean isLive() {
    return statusCode != StatusCodes.DROPPED;
  }

  /**
   * Where the change set that last recorded a status of the group keeps it: so that a later status,
   * a drop or a member's removal in the same change set amends that entry without a map from groups
   * to entries. The change set checks that its entry there is this group's: the number may be an
   * older change set's.
   *
   * @return the number the change set gave, or -1 if none did
   */
  public int listedAt() {
    return listedAt;
  }

  /** @param entry the number of the group's status entry in the change set being built */
  public void setListedAt(int entry) {
    this.listedAt = entry;
  }

  /** Whether a block step picked the group for the batch it is building. */
  public boolean isPicked() {
    return (marks & PICKED) != 0;
  }

  /** Marks or unmarks the group as picked for a batch. */
  public void setPicked(boolean value) {
    mark(PICKED, value);
  }

  /** Whether a rebroadcast fell due and could not reach the node: it is tried on each block until it does. */
  public boolean isResendOwed() {
    return (marks & RESEND_OWED) != 0;
  }

  /** Marks or unmarks a rebroadcast as owed (see {@link #isResendOwed}). */
  public void setResendOwed(boolean value) {
    mark(RESEND_OWED, value);
  }

  private void mark(int bit, boolean value) {
    marks = (byte) (value ? marks | bit : marks & ~bit);
  }

  /**
   * The uuid words of every member, appended to {@code words} at {@code at} (most then least
   * significant word per member), without making {@code UUID} objects.
   *
   * @param words where to write, with room for {@code 2 * size()} more words
   * @param at the first index to write
   */
  public void copyUuidWords(long[] words, int at) {
    if (size == 0) {
      return;
    }
    words[at] = firstMsb;
    words[at + 1] = firstLsb;
    for (int i = 1; i < size; i++) {
      words[at + 2 * i] = more[3 * i - 3];
      words[at + 2 * i + 1] = more[3 * i - 2];
    }
  }

  /**
   * Writes one member's uuid words (most significant first) into {@code words} at {@code at}.
   *
   * @param i index below {@link #size()}
   * @param words where to write, with room for two more words
   * @param at the first index to write
   */
  public void copyUuidWords(int i, long[] words, int at) {
    words[at] = uuidMsb(i);
    words[at + 1] = uuidLsb(i);
  }

  /**
   * Marks the group dropped; lazy schedule entries pointing at it are then ignored, and its status is
   * gone (its code is the caller's to release first).
   */
  public void kill() {
    statusCode = StatusCodes.DROPPED;
  }

  /**
   * Reads each of {@code groups} for what a block's loops read of it (its status code, and its first
   * subscription end, size and marks, often in the group's other cache line), in a loop that does
   * nothing else: the processor then overlaps the groups' cache misses, and the loop that follows,
   * whose longer body would wait for each group in turn, finds them in the cache.
   *
   * @param groups the groups
   */
  public static void readAhead(List<PenaltyGroup> groups) {
    int sum = 0;
    for (int i = 0; i < groups.size(); i++) {
      PenaltyGroup g = groups.get(i);
      sum += g.statusCode + g.firstExpiry + g.size + g.marks;
    }
    readAheadSum = sum; // kept, so that the reads stay
  }

  /** @return the number of members */
  public int size() {
    return size;
  }

  /**
   * @param i index below {@link #size()}
   * @return that member's uuid
   */
  public UUID uuid(int i) {
    return new UUID(uuidMsb(i), uuidLsb(i));
  }

  /**
   * @param i index below {@link #size()}
   * @return the most significant word of that member's uuid
   */
  public long uuidMsb(int i) {
    return i == 0 ? firstMsb : more[3 * i - 3];
  }

  /**
   * @param i index below {@link #size()}
   * @return the least significant word of that member's uuid
   */
  public long uuidLsb(int i) {
    return i == 0 ? firstLsb : more[3 * i - 2];
  }

  /**
   * @param i index below {@link #size()}
   * @return that member's subscription end, or -1
   */
  public int expiry(int i) {
    return i == 0 ? firstExpiry : (int) more[3 * i - 1];
  }

  /**
   * @param uuid a uuid
   * @return its index, or -1
   */
  public int indexOf(UUID uuid) {
    long msb = uuid.getMostSignificantBits();
    long lsb = uuid.getLeastSignificantBits();
    for (int i = 0; i < size; i++) {
      boolean same = i == 0
          ? firstMsb == msb && firstLsb == lsb
          : more[3 * i - 3] == msb && more[3 * i - 2] == lsb;
      if (same) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Returns whether some member's subscription ends at or before {@code height}.
   *
   * @param height a block height
   * @return true if a member is due to expire
   */
  public boolean hasMemberEndingBy(int height) {
    for (int i = 0; i < size(); i++) {
      int end = expiry(i);
      if (end >= 0 && end <= height) {
        return true;
      }
    }
    return false;
  }

  /**
   * Adds a member.
   *
   * @param uuid the tracker
   * @param expiry its subscription end, or -1
   */
  public void add(UUID uuid, int expiry) {
    if (size == 0) {
      firstMsb = uuid.getMostSignificantBits();
      firstLsb = uuid.getLeastSignificantBits();
      firstExpiry = expiry;
    } else {
      int at = 3 * (size - 1);
      if (more == null) {
        more = new long[3 * 2];
      } else if (at == more.length) {
        more = Arrays.copyOf(more, at * 2);
      }
      more[at] = uuid.getMostSignificantBits();
      more[at + 1] = uuid.getLeastSignificantBits();
      more[at + 2] = expiry;
    }
    size++;
  }

  /**
   * Removes the member at {@code i}; the order of the others may change.
   *
   * @param i index below {@link #size()}
   */
  public void removeAt(int i) {
    int last = size - 1;
    if (i != last) {
      int from = 3 * last - 3;
      if (i == 0) {
        firstMsb = more[from];
        firstLsb = more[from + 1];
        firstExpiry = (int) more[from + 2];
      } else {
        System.arraycopy(more, from, more, 3 * i - 3, 3);
      }
    }
    size--;
  }
}
