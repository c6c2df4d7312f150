package io.responder.core.internal;

import io.responder.core.BroadcastResult;
import io.responder.core.Txid;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The node's answers of one block interval, by txid: open addressing with linear probing, keys and
 * answers in two arrays. A rebroadcast storm files every penalty of the Responder here, so the table
 * is built for that: no node object per receipt (which would live through the storm and lengthen
 * the young collections), keys compared by identity, then by a hash kept beside them, before equality (the Responder sends a
 * penalty under the txid object it keeps, so a look-up rarely reads a key object), and a batch that claims a slot per
 * transaction before the node answers and fills it after, so that "not sent yet?" and "remember the
 * answer" cost one probe, not two. Deletion is never needed: the interval ends with a clear.
 *
 * <p>A claimed slot holds no answer until it is filled: {@link #get} treats it as absent, and
 * {@link #put} fills it. Mutable and not thread-safe (the Responder's lock guards it). Not published
 * API.
 */
public final class Receipts {
  /** Receipts a block interval typically holds: a table this small is cleared in place. */
  private static final int SMALL_CAPACITY = 2048;
  private static final int MAX_LOAD_PERCENT = 60;

  private @Nullable Txid[] keys;
  /** Each key's hash, so that a probe passing other keys does not read them (a cache miss each). */
  private int[] hashes;
  private @Nullable BroadcastResult[] answers;
  private int size;
  private int growAt;

  /** Creates an empty table. */
  public Receipts() {
    allocate(SMALL_CAPACITY);
  }

  /** @return how many txids are filed (claimed slots included) */
  public int size() {
    return size;
  }

  /**
   * Starts a new interval: forgets every receipt. A table that grew for a storm is dropped rather
   * than cleared, so later blocks do not pay for walking it.
   */
  public void clear() {
    if (keys.length > SMALL_CAPACITY) {
      allocate(SMALL_CAPACITY);
    } else if (size > 0) {
      Arrays.fill(keys, null);
      Arrays.fill(answers, null); // the hashes of empty slots are never read
    }
    size = 0;
  }

  /**
   * The answer filed for {@code txid}, or null when none is (a claimed slot not yet filled counts as
   * none).
   */
  public @Nullable BroadcastResult get(Txid txid) {
    int i = slotOf(txid);
    return i < 0 ? null : answers[i];
  }

  /** Files {@code answer} for {@code txid}, replacing an earlier one or filling a claimed slot. */
  public void put(Txid txid, BroadcastResult answer) {
    int i = slotOf(txid);
    if (i < 0) {
      if (size >= growAt) {
        rehash(keys.length * 2);
      }
      int h = txid.hashCode();
      i = freeSlot(h);
      keys[i] = txid;
      hashes[i] = h;
      size++;
    }
    answers[i] = answer;
  }

  /**
   * Makes room for {@code more} new txids, so that slots claimed meanwhile do not move until filled.
   */
  public void ensureRoom(int more) {
    long needed = (long) size + more;
    if (needed > growAt) {
      int capacity = keys.length;
      while (needed > (long) capacity * MAX_LOAD_PERCENT / 100) {
        capacity *= 2;
      }
      rehash(capacity);
    }
  }

  /**
   * Claims a slot for {@code txid} when none is filed: the caller fills it with {@link #fill} once the
   * node answers. Call {@link #ensureRoom} first for every txid to be claimed.
   *
   * @return the slot, or -1 when {@code txid} is filed already (with an answer or claimed)
   * @throws IllegalStateException if there is no room left (ensureRoom was not called)
   */
  public int claim(Txid txid) {
    return claim(txid, txid.hashCode());
  }

  /**
   * {@link #claim(Txid)} with the txid's hash code already read: a batch reads every txid's first, so
   * that those reads (a cache miss each, txids being objects of their own) overlap.
   *
   * @param txid the txid
   * @param h {@code txid.hashCode()}
   * @return the slot to fill, or -1 when a receipt is filed already
   */
  public int claim(Txid txid, int h) {
    int mask = keys.length - 1;
    int i = home(h);
    for (Txid k; (k = keys[i]) != null; i = (i + 1) & mask) {
      if (k == txid || hashes[i] == h && k.equals(txid)) {
        return -1;
      }
    }
    if (size >= growAt) {
      throw new IllegalStateException("no room claimed for " + txid);
    }
    keys[i] = txid;
    hashes[i] = h;
    size++;
    return i;
  }

  /** Files the answer in a slot {@link #claim} returned. */
  public void fill(int slot, BroadcastResult answer) {
    answers[slot] = answer;
  }

  private int slotOf(Txid txid) {
    int mask = keys.length - 1;
    int h = txid.hashCode();
    for (int i = home(h); ; i = (i + 1) & mask) {
      Txid k = keys[i];
      if (k == null) {
        return -1;
      }
      if (k == txid || hashes[i] == h && k.equals(txid)) {
        return i;
      }
    }
  }

  private int freeSlot(int hash) {
    int mask = keys.length - 1;
    int i = home(hash);
    while (keys[i] != null) {
      i = (i + 1) & mask;
    }
    return i;
  }

  /** A txid's hash code is already hash output; the high bits are folded in for small tables. */
  private int home(int hash) {
    return (hash ^ (hash >>> 16)) & (keys.length - 1);
  }

  private void allocate(int capacity) {
    keys = new Txid[capacity];
    hashes = new int[capacity];
    answers = new BroadcastResult[capacity];
    growAt = (int) ((long) capacity * MAX_LOAD_PERCENT / 100);
  }

  private void rehash(int capacity) {
    Txid[] oldKeys = keys;
    int[] oldHashes = hashes;
    BroadcastResult[] oldAnswers = answers;
    allocate(capacity);
    for (int k = 0; k < oldKeys.length; k++) {
      Txid key = oldKeys[k];
      if (key != null) {
        int i = freeSlot(oldHashes[k]);
        keys[i] = key;
        hashes[i] = oldHashes[k];
        answers[i] = oldAnswers[k];
      }
    }
  }
}
