package io.responder.store.inmemory;

import io.responder.core.TrackerStatus;
import io.responder.core.TransactionTracker;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The in-memory store's trackers by uuid: an open-addressing table with linear probing whose keys
 * are the uuid's two words, held inline, and whose statuses are held apart from the tracker records.
 * A slot is three {@code long}s of one array: the two key words and the slot's status, as its
 * {@link StatusCodes} code. A status change (most of what a block writes) finds its slot and writes
 * its code in the same few bytes, one cache miss, instead of following a hash-map node, its
 * {@code UUID} key and the tracker and copying the tracker; a storm's read finds a slot's status
 * where it found its key. (With the codes in an array of their own, each of those paid a second miss:
 * a storm of a million took 9% longer.) A record is given its status when it is read. Deletion shifts
 * the following entries back, so there are no tombstones.
 *
 * <p>An empty slot's key words are zero, so the nil uuid (both words zero) is kept beside the table,
 * in two fields: then whether a slot is used is read from the key words alone. Were it in the table,
 * telling its slot from an empty one would read the tracker array, and every probe that ends and
 * every deletion's shift (which ends at an empty slot) would pay a cache miss in it.
 *
 * <p>Mutable and not thread-safe: the store guards it with its monitor.
 */
final class TrackerTable {
  private static final int MIN_CAPACITY = 16;
  /**
   * Grows past 70% full. A slot costs 28 bytes (two key words and a status code in 24, a reference),
   * so a million trackers take about 56 MB, a little more than a {@code HashMap}'s nodes and table
   * would; probes stay short, and a probe that runs on mostly reads the next key words in the same
   * cache line.
   */
  private static final int MAX_LOAD_PERCENT = 70;
  /** Longs per slot in {@link #words}: the key's two words, then the status code. */
  static final int SLOT_LONGS = 3;
  /** Where a slot's status code sits among its longs. */
  static final int CODE = 2;
  /** {@link #slotOrNil}'s answer for the nil uuid when it is stored. */
  private static final int NIL_SLOT = -2;
  /**
   * How many uuids a bulk write probes before it writes: enough for the probes' cache misses to
   * overlap, few enough that the slots found are still in the core's cache when they are written
   * (a block's ten thousand are not: each would be fetched twice).
   */
  private static final int SLICE = 256;

  /**
   * Three per slot: the key's two words, then the slot's latest status as its {@link StatusCodes}
   * code (a number, not a reference: see there), {@link StatusCodes#NONE} in an empty slot.
   */
  private long[] words;
  private @Nullable TransactionTracker[] trackers;
  private final StatusCodes codes = new StatusCodes();
  /** The nil uuid's tracker and status, when it is stored: never in the table (see above). */
  private @Nullable TransactionTracker nilTracker;
  private @Nullable TrackerStatus nilStatus;
  /** Trackers in the table, the nil uuid's not counted. */
  private int size;
  private int growAt;

  TrackerTable() {
    allocate(MIN_CAPACITY);
  }

  int size() {
    return nilTracker == null ? size : size + 1;
  }

  boolean contains(UUID uuid) {
    return contains(uuid.getMostSignificantBits(), uuid.getLeastSignificantBits());
  }

  /** Whether the uuid of these two words is stored. */
  boolean contains(long msb, long lsb) {
    return slotOrNil(msb, lsb) != -1;
  }

  /** The tracker with its latest status, or null. */
  @Nullable TransactionTracker get(UUID uuid) {
    int i = slotOrNil(uuid.getMostSignificantBits(), uuid.getLeastSignificantBits());
    if (i == NIL_SLOT) {
      return withLatest(nilTracker, nilStatus);
    }
    return i < 0 ? null : withLatest(trackers[i], codes.status(codeAt(i)));
  }

  /**
   * The trackers of {@code uuids} with their latest statuses, in order, null where absent: what
   * {@link #get} gives each, read in passes (every slot first, then every slot's entries, then every
   * record). A look-up is a few cache misses, and within one pass the look-ups do not depend on each
   * other, so the processor overlaps the misses of many, where one look-up after another waits for
   * each miss in turn; a rebroadcast storm reads ten thousand records a batch.
   */
  void getAll(List<UUID> uuids, List<@Nullable TransactionTracker> out) {
    int n = uuids.size();
    int[] slots = new int[n];
    for (int k = 0; k < n; k++) {
      UUID u = uuids.get(k);
      slots[k] = slotOrNil(u.getMostSignificantBits(), u.getLeastSignificantBits());
    }
    TransactionTracker[] records = new TransactionTracker[n];
    TrackerStatus[] latest = new TrackerStatus[n];
    for (int k = 0; k < n; k++) {
      int i = slots[k];
      if (i >= 0) {
        records[k] = trackers[i];
        latest[k] = codes.status(codeAt(i));
      } else if (i == NIL_SLOT) {
        records[k] = nilTracker;
        latest[k] = nilStatus;
      }
    }
    TrackerStatus[] recorded = new TrackerStatus[n];
    for (int k = 0; k < n; k++) {
      if (records[k] != null) {
        recorded[k] = records[k].status();
      }
    }
    for (int k = 0; k < n; k++) {
      TransactionTracker t = records[k];
      out.add(t == null ? null : recorded[k].equals(latest[k]) ? t : t.withStatus(latest[k]));
    }
  }

  /** Adds a tracker whose uuid is not in the table. */
  void add(TransactionTracker t) {
    UUID u = t.uuid();
    if (isNil(u.getMostSignificantBits(), u.getLeastSignificantBits())) {
      nilTracker = t;
      nilStatus = t.status();
      return;
    }
    if (size >= growAt) {
      rehash(trackers.length * 2);
    }
    place(u.getMostSignificantBits(), u.getLeastSignificantBits(), t, codes.codeOf(t.status(), words));
    size++;
  }

  /**
   * Sets the status of each stored tracker of the uuids, given as two words each; a uuid not stored is
   * ignored. A slice at a time ({@link #SLICE}), in two passes, the slice's slots first, then their
   * writes, so that the probes' cache misses overlap (see {@link #getAll}) and the writes find the
   * slots still in the cache: a block writes thousands, a storm block nearly a million.
   */
  void setStatuses(long[] uuidWords, TrackerStatus[] newStatuses) {
    int n = newStatuses.length;
    int[] slots = new int[Math.min(n, SLICE)];
    for (int from = 0; from < n; from += SLICE) {
      int to = Math.min(n, from + SLICE);
      findSlots(uuidWords, from, to, slots);
      for (int k = from; k < to; k++) {
        int i = slots[k - from];
        if (i >= 0) {
          setCode(i, codes.codeOf(newStatuses[k], words));
        } else if (i == NIL_SLOT) {
          nilStatus = newStatuses[k];
        }
      }
    }
  }

  /** The slots ({@link #slotOrNil}) of uuids {@code from} (inclusive) to {@code to}, into {@code slots} from 0. */
  private void findSlots(long[] uuidWords, int from, int to, int[] slots) {
    for (int k = from; k < to; k++) {
      slots[k - from] = slotOrNil(uuidWords[2 * k], uuidWords[2 * k + 1]);
    }
  }

  /**
   * Removes the stored trackers of the uuids, given as two words each; a uuid not stored is ignored.
   * A slice at a time ({@link #SLICE}), in two passes (see {@link #getAll}): the slice's slots are
   * found first, while nothing moves, so that the probes' cache misses overlap; then each is deleted,
   * from the slot found unless an earlier deletion shifted it back, in which case it is found again
   * along a probe path now in the cache.
   */
  void removeAll(long[] uuidWords) {
    int n = uuidWords.length / 2;
    int[] slots = new int[Math.min(n, SLICE)];
    for (int from = 0; from < n; from += SLICE) {
      int to = Math.min(n, from + SLICE);
      findSlots(uuidWords, from, to, slots);
      for (int k = from; k < to; k++) {
        long msb = uuidWords[2 * k];
        long lsb = uuidWords[2 * k + 1];
        int i = slots[k - from];
        if (i == NIL_SLOT) {
          nilTracker = null;
          nilStatus = null;
          continue;
        }
        // The key words of a slot an earlier deletion emptied are zero, which no key here has.
        if (i >= 0 && (words[SLOT_LONGS * i] != msb || words[SLOT_LONGS * i + 1] != lsb)) {
          i = slotOf(msb, lsb);
        }
        if (i >= 0) {
          deleteAt(i);
        }
      }
    }
  }

  /** Every tracker with its latest status, in no particular order. */
  List<TransactionTracker> all() {
    List<TransactionTracker> out = new ArrayList<>(size());
    if (nilTracker != null) {
      out.add(withLatest(nilTracker, nilStatus));
    }
    for (int i = 0; i < trackers.length; i++) {
      if (trackers[i] != null) {
        out.add(withLatest(trackers[i], codes.status(codeAt(i))));
      }
    }
    return out;
  }

  /**
   * The record with its latest status. Not written back: a block reads back every penalty it
   * rebroadcasts, and a million fresh records stored into the table would all outlive the young
   * generation (copied, then promoted), where a copy handed out and dropped costs next to nothing.
   */
  private static TransactionTracker withLatest(TransactionTracker t, TrackerStatus s) {
    return t.status().equals(s) ? t : t.withStatus(s);
  }

  private static boolean isNil(long msb, long lsb) {
    return (msb | lsb) == 0;
  }

  /** The slot of the uuid, {@link #NIL_SLOT} for the nil uuid when stored, or -1. */
  private int slotOrNil(long msb, long lsb) {
    if (isNil(msb, lsb)) {
      return nilTracker != null ? NIL_SLOT : -1;
    }
    return slotOf(msb, lsb);
  }

  /**
   * The slot of a uuid other than the nil one, or -1. A probe reads the key array and nothing else:
   * one cache miss, not one in each of two arrays.
   */
  private int slotOf(long msb, long lsb) {
    int mask = trackers.length - 1;
    for (int i = home(msb, lsb); ; i = (i + 1) & mask) {
      long w0 = words[SLOT_LONGS * i];
      long w1 = words[SLOT_LONGS * i + 1];
      if (w0 == msb && w1 == lsb) {
        return i;
      }
      if ((w0 | w1) == 0) {
        return -1;
      }
    }
  }

  /** Slot {@code i}'s status code. */
  private int codeAt(int i) {
    return (int) words[SLOT_LONGS * i + CODE];
  }

  private void setCode(int i, int code) {
    words[SLOT_LONGS * i + CODE] = code;
  }

  /** Whether slot {@code i} holds a tracker: its key words are not zero (the nil uuid is not here). */
  private boolean occupied(int i) {
    return (words[SLOT_LONGS * i] | words[SLOT_LONGS * i + 1]) != 0;
  }

  private void place(long msb, long lsb, TransactionTracker t, int statusCode) {
    int mask = trackers.length - 1;
    int i = home(msb, lsb);
    while (occupied(i)) {
      i = (i + 1) & mask;
    }
    words[SLOT_LONGS * i] = msb;
    words[SLOT_LONGS * i + 1] = lsb;
    trackers[i] = t;
    setCode(i, statusCode);
  }

  /** Empties slot {@code i} and shifts back the entries after it that may not sit past a hole. */
  private void deleteAt(int i) {
    int mask = trackers.length - 1;
    int hole = i;
    for (int j = (i + 1) & mask; occupied(j); j = (j + 1) & mask) {
      int home = home(words[SLOT_LONGS * j], words[SLOT_LONGS * j + 1]);
      // The entry at j may stay only if its home lies cyclically in (hole, j].
      boolean stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (!stays) {
        words[SLOT_LONGS * hole] = words[SLOT_LONGS * j];
        words[SLOT_LONGS * hole + 1] = words[SLOT_LONGS * j + 1];
        trackers[hole] = trackers[j];
        setCode(hole, codeAt(j));
        hole = j;
      }
    }
    words[SLOT_LONGS * hole] = 0; // an empty slot's key words are zero (see slotOf)
    words[SLOT_LONGS * hole + 1] = 0;
    trackers[hole] = null;
    setCode(hole, StatusCodes.NONE);
    size--;
  }

  /** How many status codes are given out, for tests: compaction keeps it near the statuses in use. */
  int statusCodesGiven() {
    return codes.size();
  }

  /** Uuids may come from anywhere (not all are random), so both words are mixed. */
  private int home(long msb, long lsb) {
    long h = msb * 0x9E3779B97F4A7C15L ^ lsb;
    h ^= h >>> 33;
    h *= 0xFF51AFD7ED558CCDL;
    h ^= h >>> 33;
    return (int) h & (trackers.length - 1);
  }

  private void allocate(int capacity) {
    words = new long[SLOT_LONGS * capacity];
    trackers = new TransactionTracker[capacity];
    growAt = (int) ((long) capacity * MAX_LOAD_PERCENT / 100);
  }

  private void rehash(int capacity) {
    long[] oldWords = words;
    TransactionTracker[] oldTrackers = trackers;
    allocate(capacity);
    for (int k = 0; k < oldTrackers.length; k++) {
      if (oldTrackers[k] != null) {
        place(oldWords[SLOT_LONGS * k], oldWords[SLOT_LONGS * k + 1], oldTrackers[k], (int) oldWords[SLOT_LONGS * k + CODE]);
      }
    }
  }
}
