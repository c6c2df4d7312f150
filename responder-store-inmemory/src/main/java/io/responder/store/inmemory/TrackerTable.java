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
 * A status change (most of what a block writes) finds its slot by reading the key array alone (an
 * empty slot's key words are zero; the nil uuid is told apart by its tracker) and writes one
 * reference, instead of following a hash-map node, its {@code UUID} key and the tracker and copying
 * the tracker; a record is given its status when it is read. Deletion shifts the following entries
 * back, so there are no tombstones.
 *
 * <p>Mutable and not thread-safe: the store guards it with its monitor.
 */
final class TrackerTable {
  private static final int MIN_CAPACITY = 16;
  /**
   * Grows past 70% full. A slot costs 24 bytes (two key words, two references), so a million
   * trackers take about 48 MB, as a {@code HashMap}'s nodes and table would; probes stay short, and
   * a probe that runs on reads the next key words in the same cache line.
   */
  private static final int MAX_LOAD_PERCENT = 70;

  private long[] words;
  private @Nullable TransactionTracker[] trackers;
  private @Nullable TrackerStatus[] statuses;
  private int size;
  private int growAt;

  TrackerTable() {
    allocate(MIN_CAPACITY);
  }

  int size() {
    return size;
  }

  boolean contains(UUID uuid) {
    return contains(uuid.getMostSignificantBits(), uuid.getLeastSignificantBits());
  }

  /** Whether the uuid of these two words is stored. */
  boolean contains(long msb, long lsb) {
    return slotOf(msb, lsb) >= 0;
  }

  /** The tracker with its latest status, or null. */
  @Nullable TransactionTracker get(UUID uuid) {
    int i = slotOf(uuid.getMostSignificantBits(), uuid.getLeastSignificantBits());
    return i < 0 ? null : current(i);
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
      slots[k] = slotOf(u.getMostSignificantBits(), u.getLeastSignificantBits());
    }
    TransactionTracker[] records = new TransactionTracker[n];
    TrackerStatus[] latest = new TrackerStatus[n];
    for (int k = 0; k < n; k++) {
      int i = slots[k];
      if (i >= 0) {
        records[k] = trackers[i];
        latest[k] = statuses[i];
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
    if (size >= growAt) {
      rehash(trackers.length * 2);
    }
    UUID u = t.uuid();
    place(u.getMostSignificantBits(), u.getLeastSignificantBits(), t, t.status());
    size++;
  }

  /**
   * Sets the status of each stored tracker of the uuids, given as two words each; a uuid not stored is
   * ignored. In two passes, every slot first, then every write, so that the probes' cache misses
   * overlap (see {@link #getAll}): a storm block writes nearly a million.
   */
  void setStatuses(long[] uuidWords, TrackerStatus[] newStatuses) {
    int n = newStatuses.length;
    int[] slots = new int[n];
    for (int k = 0; k < n; k++) {
      slots[k] = slotOf(uuidWords[2 * k], uuidWords[2 * k + 1]);
    }
    for (int k = 0; k < n; k++) {
      if (slots[k] >= 0) {
        statuses[slots[k]] = newStatuses[k];
      }
    }
  }

  /**
   * Removes the stored trackers of the uuids, given as two words each; a uuid not stored is ignored.
   * In two passes (see {@link #getAll}): every slot is found first, while nothing moves, so that the
   * probes' cache misses overlap; then each is deleted, from the slot found unless an earlier
   * deletion shifted it back, in which case it is found again along a probe path now in the cache.
   */
  void removeAll(long[] uuidWords) {
    int n = uuidWords.length / 2;
    int[] slots = new int[n];
    for (int k = 0; k < n; k++) {
      slots[k] = slotOf(uuidWords[2 * k], uuidWords[2 * k + 1]);
    }
    for (int k = 0; k < n; k++) {
      long msb = uuidWords[2 * k];
      long lsb = uuidWords[2 * k + 1];
      int i = slots[k];
      if (i >= 0 && (!occupied(i) || words[2 * i] != msb || words[2 * i + 1] != lsb)) {
        i = slotOf(msb, lsb);
      }
      if (i >= 0) {
        deleteAt(i);
      }
    }
  }

  /** Every tracker with its latest status, in no particular order. */
  List<TransactionTracker> all() {
    List<TransactionTracker> out = new ArrayList<>(size);
    for (int i = 0; i < trackers.length; i++) {
      if (trackers[i] != null) {
        out.add(current(i));
      }
    }
    return out;
  }

  /**
   * The record with its latest status. Not written back: a block reads back every penalty it
   * rebroadcasts, and a million fresh records stored into the table would all outlive the young
   * generation (copied, then promoted), where a copy handed out and dropped costs next to nothing.
   */
  private TransactionTracker current(int i) {
    TransactionTracker t = trackers[i];
    TrackerStatus s = statuses[i];
    return t.status().equals(s) ? t : t.withStatus(s);
  }

  /**
   * The slot of the uuid, or -1. An empty slot's key words are zero, so for any uuid but the nil one
   * a match of the key words alone finds it: a probe reads the key array and nothing else (one cache
   * miss, not one in each of two arrays), and the tracker array only where the words are zero.
   */
  private int slotOf(long msb, long lsb) {
    int mask = trackers.length - 1;
    boolean nil = (msb | lsb) == 0;
    for (int i = home(msb, lsb); ; i = (i + 1) & mask) {
      long w0 = words[2 * i];
      long w1 = words[2 * i + 1];
      if (w0 == msb && w1 == lsb) {
        return !nil || trackers[i] != null ? i : -1; // the nil uuid's words are an empty slot's too
      }
      if ((w0 | w1) == 0 && trackers[i] == null) {
        return -1;
      }
    }
  }

  /** Whether slot {@code i} holds a tracker: its key words are not zero, or it is the nil uuid's. */
  private boolean occupied(int i) {
    return (words[2 * i] | words[2 * i + 1]) != 0 || trackers[i] != null;
  }

  private void place(long msb, long lsb, TransactionTracker t, TrackerStatus s) {
    int mask = trackers.length - 1;
    int i = home(msb, lsb);
    while (occupied(i)) {
      i = (i + 1) & mask;
    }
    words[2 * i] = msb;
    words[2 * i + 1] = lsb;
    trackers[i] = t;
    statuses[i] = s;
  }

  /** Empties slot {@code i} and shifts back the entries after it that may not sit past a hole. */
  private void deleteAt(int i) {
    int mask = trackers.length - 1;
    int hole = i;
    for (int j = (i + 1) & mask; occupied(j); j = (j + 1) & mask) {
      int home = home(words[2 * j], words[2 * j + 1]);
      // The entry at j may stay only if its home lies cyclically in (hole, j].
      boolean stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (!stays) {
        words[2 * hole] = words[2 * j];
        words[2 * hole + 1] = words[2 * j + 1];
        trackers[hole] = trackers[j];
        statuses[hole] = statuses[j];
        hole = j;
      }
    }
    words[2 * hole] = 0; // an empty slot's key words are zero (see slotOf)
    words[2 * hole + 1] = 0;
    trackers[hole] = null;
    statuses[hole] = null;
    size--;
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
    words = new long[2 * capacity];
    trackers = new TransactionTracker[capacity];
    statuses = new TrackerStatus[capacity];
    growAt = (int) ((long) capacity * MAX_LOAD_PERCENT / 100);
  }

  private void rehash(int capacity) {
    long[] oldWords = words;
    TransactionTracker[] oldTrackers = trackers;
    TrackerStatus[] oldStatuses = statuses;
    allocate(capacity);
    for (int k = 0; k < oldTrackers.length; k++) {
      if (oldTrackers[k] != null) {
        place(oldWords[2 * k], oldWords[2 * k + 1], oldTrackers[k], oldStatuses[k]);
      }
    }
  }
}
