package io.responder.core.internal;

import io.responder.core.Txid;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.jspecify.annotations.Nullable;

/**
 * The penalty groups by txid: the index every connected block's txids are looked up in, so its cost
 * is what keeps per-block work flat in the number of trackers.
 *
 * <p>An open-addressing table with linear probing. Each slot has a one-byte tag in a {@code byte[]}
 * (0 for an empty slot, else 8 bits of the key's hash) and the group in a parallel array. Almost
 * every txid of a block is not tracked, and such a miss reads only tags until an empty one: for a
 * million penalties the tag array is 2 MB, which stays in cache, where a {@code HashMap} would chase
 * a node and a key object through the heap for half of its misses. Only a tag match (a hit, or one
 * probed slot in 255) reads the group, which holds its txid's words. Deletion shifts the following
 * entries back, so there are no tombstones and probe sequences never degrade; each slot's distance
 * from its home slot sits in a second {@code byte[]}, so the shift decides which entries move from
 * the two byte arrays alone, instead of reading the group of every entry after the hole to hash its
 * txid (a cache miss each, for each of the thousands of penalties a block completes or expires). A
 * slot costs 6 bytes instead of a 32-byte node plus a table slot.
 *
 * <p>Mutable, confined to the Responder's lock. Not published API.
 */
public final class PenaltyIndex implements Iterable<PenaltyGroup> {
  private static final int MIN_CAPACITY = 16;
  /**
   * Grow when more than 7 slots in 10 are used: linear probing's expected miss length is still a few
   * slots, all in one cache line of the tag array.
   */
  private static final int MAX_LOAD_TENTHS = 7;
  /** 2^32 divided by the golden ratio: multiplying by it spreads any bits of the hash over the top. */
  private static final int GOLDEN = 0x9E3779B9;

  /**
   * A distance at or above this is not kept (the byte holds it) and the shift reads the txid instead:
   * at a load of 7 in 10 such probe runs do not occur outside adversarial keys.
   */
  private static final int FAR = 255;

  /**
   * How many keys a bulk operation takes at a time: enough for their look-ups' cache misses to
   * overlap (a core keeps a few dozen in flight), few enough that what they found is still in the
   * core's cache when the next pass, or the caller, uses it. A block's thousands at once are not:
   * each would be fetched twice. {@link #removeAll} goes a slice at a time, and a block's look-ups
   * ({@link #getAll(List, int, int)}) are made a slice at a time.
   */
  public static final int SLICE = 256;

  /** {@link #getAll}'s working arrays, kept between calls: as long as the most txids looked up at once. */
  private int[] scratchSlots = new int[0];
  private @Nullable PenaltyGroup[] scratchGroups = new PenaltyGroup[0];

  /**
   * The sum of what {@link #getAll} or {@link #removeAll} last read ahead (status codes and sizes,
   * distances): kept only so that the compiler keeps the reads, whose point is to bring what comes
   * next into the cache while the misses overlap.
   */
  private int touched;
  private byte[] tags;
  /** Each used slot's distance from its home slot, unsigned; {@link #FAR} for that or more. */
  private byte[] distances;
  private @Nullable PenaltyGroup[] groups;
  private int shift;
  private int size;
  private int growAt;

  /** Creates an empty index. */
  public PenaltyIndex() {
    allocate(MIN_CAPACITY);
  }

  /** @return the number of groups */
  public int size() {
    return size;
  }

  /**
   * Returns the group of a penalty.
   *
   * @param txid the penalty txid
   * @return its group, or null
   */
  public @Nullable PenaltyGroup get(Txid txid) {
    int h = txid.hashCode();
    byte tag = tag(h);
    byte[] ts = tags;
    int mask = ts.length - 1;
    for (int i = home(h); ; i = (i + 1) & mask) {
      byte t = ts[i];
      if (t == 0) {
        return null;
      }
      if (t == tag) {
        PenaltyGroup g = groups[i];
        if (g.hasTxid(txid)) {
          return g;
        }
      }
    }
  }

  /**
   * {@link #get} of the txids {@code from} (inclusive) to {@code to} of {@code txids}, in order: what a
   * slice of a connected block's look-ups needs, read in place (a sublist view would put a call of its
   * own on every read). In passes (every txid's tags first, then the candidate groups from the table,
   * then each candidate's txid words, in the group), because within a pass the look-ups do not depend
   * on each other, so the processor overlaps their cache misses, where one look-up after another waits
   * for each miss in turn. The pass that checks each candidate's txid also reads its status code,
   * which sits just before the words, and its size, which sits after them: a confirmation reads both
   * next.
   *
   * @param txids the txids
   * @param from the first to look up
   * @param to the end of those looked up (exclusive)
   * @return its first {@code to - from} elements, one per txid looked up, its group or null; the
   *     index's own array, valid until the next call (a block's look-ups reuse it, allocating nothing)
   */
  public @Nullable PenaltyGroup[] getAll(List<Txid> txids, int from, int to) {
    int n = to - from;
    if (scratchSlots.length < n) {
      int room = Math.max(n, 2 * scratchSlots.length);
      scratchSlots = new int[room];
      scratchGroups = new PenaltyGroup[room];
    }
    int[] slots = scratchSlots;
    byte[] ts = tags;
    int mask = ts.length - 1;
    for (int k = 0; k < n; k++) {
      int h = txids.get(from + k).hashCode();
      byte tag = tag(h);
      int i = home(h);
      byte t;
      while ((t = ts[i]) != 0 && t != tag) {
        i = (i + 1) & mask;
      }
      slots[k] = t == 0 ? -1 : i; // the first slot with its tag: almost always its own
    }
    @Nullable PenaltyGroup[] found = scratchGroups;
    for (int k = 0; k < n; k++) {
      found[k] = slots[k] >= 0 ? groups[slots[k]] : null;
    }
    int codes = 0;
    for (int k = 0; k < n; k++) {
      PenaltyGroup g = found[k];
      if (g != null) {
        codes += g.statusCode() + g.size(); // the size is in the cache line after the status code's
        if (!g.hasTxid(txids.get(from + k))) {
          found[k] = get(txids.get(from + k)); // another key with the same tag came first: probe on
        }
      }
    }
    touched = codes; // kept, so that the reads stay
    return found;
  }

  /**
   * Files a group under its txid, replacing any group filed under the same txid.
   *
   * @param txid the group's txid
   * @param group the group
   * @return the group it replaced, or null
   * @throws IllegalArgumentException if {@code txid} is not the group's txid
   */
  public @Nullable PenaltyGroup put(Txid txid, PenaltyGroup group) {
    if (!group.hasTxid(txid)) {
      throw new IllegalArgumentException("group of " + group.txid() + " filed under " + txid);
    }
    int h = txid.hashCode();
    byte tag = tag(h);
    int mask = tags.length - 1;
    int home = home(h);
    int i = home;
    for (; tags[i] != 0; i = (i + 1) & mask) {
      if (tags[i] == tag && groups[i].hasTxid(txid)) {
        PenaltyGroup old = groups[i];
        groups[i] = group;
        return old;
      }
    }
    tags[i] = tag;
    distances[i] = distance(home, i, mask);
    groups[i] = group;
    if (++size > growAt) {
      rehash(tags.length * 2);
    }
    return null;
  }

  /**
   * Removes the group of a penalty.
   *
   * @param txid the penalty txid
   * @return the removed group, or null if there was none
   */
  public @Nullable PenaltyGroup remove(Txid txid) {
    int h = txid.hashCode();
    byte tag = tag(h);
    int mask = tags.length - 1;
    for (int i = home(h); tags[i] != 0; i = (i + 1) & mask) {
      if (tags[i] == tag && groups[i].hasTxid(txid)) {
        PenaltyGroup old = groups[i];
        deleteAt(i);
        return old;
      }
    }
    return null;
  }

  /**
   * Removes each of {@code gone} that is filed (the very group, not another of the same txid).
   * A slice at a time ({@link #SLICE}), each in passes, as {@link #getAll} looks up: every txid's
   * hash, then every first slot with its tag, then whether that slot holds the group, while nothing
   * moves, so that the cache misses of the slice's removals overlap; then each is deleted, from the
   * slot found unless an earlier deletion shifted it (or another key's tag came first), in which
   * case it is probed again along a path now in the cache. The pass that finds the group also reads
   * the distances beside its slot, which the deletion's shift reads first.
   *
   * @param gone the groups to remove; a group not filed is skipped
   */
  public void removeAll(List<PenaltyGroup> gone) {
    int n = gone.size();
    int slice = Math.min(n, SLICE);
    int[] hashes = new int[slice];
    int[] slots = new int[slice];
    boolean[] there = new boolean[slice];
    byte[] ts = tags;
    int mask = ts.length - 1;
    for (int from = 0; from < n; from += SLICE) {
      int m = Math.min(n - from, SLICE);
      for (int k = 0; k < m; k++) {
        hashes[k] = gone.get(from + k).txidHash();
      }
      for (int k = 0; k < m; k++) {
        byte tag = tag(hashes[k]);
        int i = home(hashes[k]);
        byte t;
        while ((t = ts[i]) != 0 && t != tag) {
          i = (i + 1) & mask;
        }
        slots[k] = t == 0 ? -1 : i;
      }
      int read = 0;
      for (int k = 0; k < m; k++) {
        there[k] = slots[k] >= 0 && groups[slots[k]] == gone.get(from + k);
        read += slots[k] >= 0 ? distances[slots[k]] : 0; // where the deletion's shift starts reading
      }
      touched = read; // kept, so that the reads stay
      for (int k = 0; k < m; k++) {
        PenaltyGroup g = gone.get(from + k);
        int i = there[k] && groups[slots[k]] == g ? slots[k] : slotOf(g, hashes[k]);
        if (i >= 0) {
          deleteAt(i);
        }
      }
    }
  }

  /** The slot of the very group {@code g}, whose txid hashes to {@code h}, or -1. */
  private int slotOf(PenaltyGroup g, int h) {
    byte tag = tag(h);
    int mask = tags.length - 1;
    for (int i = home(h); tags[i] != 0; i = (i + 1) & mask) {
      if (tags[i] == tag && groups[i] == g) {
        return i;
      }
    }
    return -1;
  }

  /** Removes every group and gives the memory back. */
  public void clear() {
    allocate(MIN_CAPACITY);
    size = 0;
    scratchSlots = new int[0];
    scratchGroups = new PenaltyGroup[0];
  }

  /** Iterates over the groups in no particular order; the index must not change meanwhile. */
  @Override
  public Iterator<PenaltyGroup> iterator() {
    return new Iterator<>() {
      private final @Nullable PenaltyGroup[] table = groups;
      private int next = advance(0);

      private int advance(int from) {
        int i = from;
        while (i < table.length && table[i] == null) {
          i++;
        }
        return i;
      }

      @Override
      public boolean hasNext() {
        return next < table.length;
      }

      @Override
      public PenaltyGroup next() {
        if (next >= table.length) {
          throw new NoSuchElementException();
        }
        PenaltyGroup g = table[next];
        next = advance(next + 1);
        return g;
      }
    };
  }

  /** Empties slot {@code i} and shifts back the entries after it that may not sit past a hole. */
  private void deleteAt(int i) {
    int mask = tags.length - 1;
    int hole = i;
    for (int j = (i + 1) & mask; tags[j] != 0; j = (j + 1) & mask) {
      int d = distances[j] & 0xff;
      int home = d < FAR ? (j - d) & mask : home(groups[j].txidHash());
      // The entry at j may stay only if its home lies cyclically in (hole, j].
      boolean stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (!stays) {
        tags[hole] = tags[j];
        distances[hole] = distance(home, hole, mask);
        groups[hole] = groups[j];
        hole = j;
      }
    }
    tags[hole] = 0;
    groups[hole] = null;
    size--;
  }

  private int home(int h) {
    return (h * GOLDEN) >>> shift;
  }

  private static byte distance(int home, int slot, int mask) {
    return (byte) Math.min((slot - home) & mask, FAR);
  }

  /**
   * The low 8 bits of the hash, never 0 (the empty-slot mark). The slot comes from the high bits of
   * the hash times {@link #GOLDEN}, so the tag tells apart keys that share a slot. Txids are hash
   * outputs, so their bits are uniform.
   */
  private static byte tag(int h) {
    int t = h & 0xff;
    return (byte) (t == 0 ? 1 : t);
  }

  private void allocate(int capacity) {
    tags = new byte[capacity];
    distances = new byte[capacity];
    groups = new PenaltyGroup[capacity];
    shift = 32 - Integer.numberOfTrailingZeros(capacity);
    growAt = (int) ((long) capacity * MAX_LOAD_TENTHS / 10);
  }

  private void rehash(int capacity) {
    byte[] oldTags = tags;
    @Nullable PenaltyGroup[] oldGroups = groups;
    allocate(capacity);
    int mask = capacity - 1;
    for (int k = 0; k < oldTags.length; k++) {
      if (oldTags[k] != 0) {
        int home = home(oldGroups[k].txidHash());
        int i = home;
        while (tags[i] != 0) {
          i = (i + 1) & mask;
        }
        tags[i] = oldTags[k];
        distances[i] = distance(home, i, mask);
        groups[i] = oldGroups[k];
      }
    }
  }

  @Override
  public String toString() {
    return "PenaltyIndex{size=" + size + ", capacity=" + tags.length + "}";
  }
}
