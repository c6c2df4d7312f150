package io.responder.core.internal;

import io.responder.core.BroadcastResult;
import io.responder.core.Txid;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The node's answers of one block interval, by txid. A rebroadcast storm files every penalty of the
 * Responder here, so the table is built for that.
 *
 * <p>A receipt is filed under a {@code Txid}; one of a tracked penalty's own txid can then be keyed
 * by its {@link PenaltyGroup} instead ({@link #keyBy}), which holds the same txid as words: a million
 * breaches handed over in one interval file a million receipts, and keyed by their groups these keep
 * no {@code Txid} object alive (48 bytes each) until the interval ends. Look-ups are by txid either way.
 *
 * <p>The txids and answers are kept in the order they were filed, in two arrays written front to
 * back; the hash table over them holds no reference, only {@code long}s: each used slot has the txid's
 * hash in its high half and its position in the arrays (plus one) in its low half, so an empty slot
 * is 0. Why not the references in the table itself, as the slots of a hash table usually are: a
 * storm's table is large enough to be allocated in the old generation, and with the default
 * collector (G1) every store of a reference into it at a random slot dirties a card of its own, which
 * costs the storing thread a fence and the collector's refinement threads a scan of that card (512
 * bytes of references). A million such stores took about 300 ms of the storing thread and 500 to
 * 700 ms of the others; front to back, where 128 references share a card, 24 to 55 and 10 ms (the
 * benchmarks' {@code CardMarking}). A storm claims the txids of a batch in order, and its sends then read them
 * back in the same order, so the arrays are also read front to back.
 *
 * <p>No node object per receipt (which would live through the storm and lengthen the young
 * collections); keys compared by the hash kept in the slot, then by identity before equality; and a
 * batch that claims a receipt per transaction before the node answers and fills it after, so that
 * "not sent yet?" and "remember the answer" cost one probe, not two. Deletion is never needed: the
 * interval ends with a clear.
 *
 * <p>A claimed receipt holds no answer until it is filled: {@link #get} treats it as absent, and
 * {@link #put} fills it. Mutable and not thread-safe (the Responder's lock guards it). Not published
 * API.
 */
public final class Receipts {
  /** Receipts a block interval typically holds: a table this small is cleared in place. */
  private static final int SMALL_CAPACITY = 2048;
  private static final int MAX_LOAD_PERCENT = 60;
  private static final long POSITION_BITS = 0xFFFF_FFFFL;

  /** Hash in the high half, position plus one in the low half; 0 for an empty slot. */
  private long[] slots;
  /** The keys in the order filed: each a {@code Txid}, or the {@code PenaltyGroup} of one. */
  private @Nullable Object[] keys;
  /** The answers, at their txid's position; null while only claimed. */
  private @Nullable BroadcastResult[] answers;
  private int size;
  private int growAt;

  /** Creates an empty table. */
  public Receipts() {
    allocate(SMALL_CAPACITY);
  }

  /** @return how many txids are filed (claimed ones included) */
  public int size() {
    return size;
  }

  /**
   * Starts a new interval: forgets every receipt. A table that grew for a storm is dropped rather
   * than cleared, so later blocks do not pay for walking it.
   */
  public void clear() {
    if (slots.length > SMALL_CAPACITY) {
      allocate(SMALL_CAPACITY);
    } else if (size > 0) {
      Arrays.fill(slots, 0L);
      Arrays.fill(keys, 0, size, null);
      Arrays.fill(answers, 0, size, null);
    }
    size = 0;
  }

  /**
   * The answer filed for {@code txid}, or null when none is (a claimed txid not yet filled counts as
   * none).
   */
  public @Nullable BroadcastResult get(Txid txid) {
    int at = positionOf(txid);
    return at < 0 ? null : answers[at];
  }

  /** Files {@code answer} for {@code txid}, replacing an earlier one or filling a claimed one. */
  public void put(Txid txid, BroadcastResult answer) {
    int at = positionOf(txid);
    if (at < 0) {
      ensureRoom(1);
      int h = txid.hashCode();
      at = append(txid);
      slots[freeSlot(h)] = entry(h, at);
    }
    answers[at] = answer;
  }

  /**
   * Makes room for {@code more} new txids, so that {@link #claim} needs no growth meanwhile.
   */
  public void ensureRoom(int more) {
    long needed = (long) size + more;
    if (needed > growAt) {
      int capacity = slots.length;
      while (needed > (long) capacity * MAX_LOAD_PERCENT / 100) {
        capacity *= 2;
      }
      rehash(capacity);
    }
  }

  /**
   * Claims a receipt for {@code txid} when none is filed: the caller fills it with {@link #fill} once
   * the node answers. Call {@link #ensureRoom} first for every txid to be claimed.
   *
   * @return the receipt to fill, or -1 when {@code txid} is filed already (with an answer or claimed)
   * @throws IllegalStateException if there is no room left (ensureRoom was not called)
   */
  public int claim(Txid txid) {
    return claim(txid, txid.hashCode());
  }

  /**
   * {@link #claim(Txid)} for the first {@code n} txids of a batch, in order, with their hash codes
   * already read (a batch reads every txid's first, so that those reads, a cache miss each, txids
   * being objects of their own, overlap). In two passes: every txid's home slot is read first, while
   * no claim depends on another, so that those reads overlap too; the claims then find their slots in
   * the cache. A storm's table has a slot for every penalty it sends, so each of those reads misses
   * the cache, and one claim after another they cost a storm at a million a sixth of its time. Call
   * {@link #ensureRoom} for the batch first.
   *
   * @param txids the txids
   * @param hashes {@code txids[k].hashCode()} for each
   * @param n how many to claim
   * @param receipts out: for each txid, the receipt to fill, or -1 when one is filed already (also by
   *     an earlier txid of the batch)
   * @throws IllegalStateException if there is no room left (ensureRoom was not called)
   */
  public void claimAll(Txid[] txids, int[] hashes, int n, int[] receipts) {
    long[] homes = new long[n];
    for (int k = 0; k < n; k++) {
      homes[k] = slots[home(hashes[k])];
    }
    for (int k = 0; k < n; k++) {
      int home = home(hashes[k]);
      // An empty home slot (read ahead, and not taken by a claim of this batch since) ends the probe:
      // the txid is filed nowhere, since nothing is ever deleted.
      receipts[k] = homes[k] == 0 && slots[home] == 0 && size < growAt
          ? claimAt(home, txids[k], hashes[k])
          : claim(txids[k], hashes[k]);
    }
  }

  private int claimAt(int slot, Txid txid, int h) {
    int at = append(txid);
    slots[slot] = entry(h, at);
    return at;
  }

  private int claim(Txid txid, int h) {
    int mask = slots.length - 1;
    int i = home(h);
    for (long e; (e = slots[i]) != 0; i = (i + 1) & mask) {
      if ((int) (e >>> 32) == h && sameKey(keys[position(e)], txid)) {
        return -1;
      }
    }
    if (size >= growAt) {
      throw new IllegalStateException("no room claimed for " + txid);
    }
    return claimAt(i, txid, h);
  }

  /** Files the answer of a receipt {@link #claim} returned. */
  public void fill(int receipt, BroadcastResult answer) {
    answers[receipt] = answer;
  }

  private int append(Txid txid) {
    keys[size] = txid;
    return size++;
  }

  private static boolean sameKey(Object filed, Txid txid) {
    return filed == txid || (filed instanceof PenaltyGroup g ? g.hasTxid(txid) : filed.equals(txid));
  }

  /**
   * Keys the receipt filed for {@code group}'s txid, if any, by the group: the same receipt, found by
   * the same txid, holding the group (which the Responder keeps anyway) instead of a {@code Txid}.
   *
   * @param group a penalty's group
   * @return whether a receipt was filed for its txid
   */
  public boolean keyBy(PenaltyGroup group) {
    int at = positionOf(group.txid()); // an object made and dropped once per hand-over, not kept
    if (at < 0) {
      return false;
    }
    keys[at] = group;
    return true;
  }

  private int positionOf(Txid txid) {
    int mask = slots.length - 1;
    int h = txid.hashCode();
    for (int i = home(h); ; i = (i + 1) & mask) {
      long e = slots[i];
      if (e == 0) {
        return -1;
      }
      if ((int) (e >>> 32) == h && sameKey(keys[position(e)], txid)) {
        return position(e);
      }
    }
  }

  private static long entry(int hash, int position) {
    return (long) hash << 32 | (position + 1L);
  }

  private static int position(long entry) {
    return (int) (entry & POSITION_BITS) - 1;
  }

  private int freeSlot(int hash) {
    int mask = slots.length - 1;
    int i = home(hash);
    while (slots[i] != 0) {
      i = (i + 1) & mask;
    }
    return i;
  }

  /** A txid's hash code is already hash output; the high bits are folded in for small tables. */
  private int home(int hash) {
    return (hash ^ (hash >>> 16)) & (slots.length - 1);
  }

  private void allocate(int capacity) {
    slots = new long[capacity];
    int room = (int) ((long) capacity * MAX_LOAD_PERCENT / 100);
    keys = new Object[room];
    answers = new BroadcastResult[room];
    growAt = room;
  }

  /** A larger table over the same receipts: the slots are placed again, the arrays copied in order. */
  private void rehash(int capacity) {
    long[] oldSlots = slots;
    Object[] oldKeys = keys;
    BroadcastResult[] oldAnswers = answers;
    allocate(capacity);
    System.arraycopy(oldKeys, 0, keys, 0, size);
    System.arraycopy(oldAnswers, 0, answers, 0, size);
    for (long e : oldSlots) {
      if (e != 0) {
        slots[freeSlot((int) (e >>> 32))] = e;
      }
    }
  }
}
