package io.responder.store.inmemory;

import io.responder.core.TrackerPage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The stored uuids in {@link TrackerPage#ORDER}, for paging: buckets by the top bits (an unsigned
 * prefix, so the buckets themselves are in order), each an unsorted array of uuid words, about 16 a
 * bucket (the buckets double, up to 65,536, as the store grows). Adding is an append, O(1) for
 * random uuids, where a tree would walk 20 levels and keep a node per tracker; a page sorts only the
 * few buckets it reads.
 *
 * <p>Removal costs nothing here: the tracker table is the judge of which uuids are stored, and an
 * entry whose uuid it no longer holds is stale. Stale entries are skipped by a page, dropped when
 * their bucket fills up or the buckets double, and a uuid added again finds its stale entry and
 * keeps it. A block removes thousands of trackers, and each removal from a bucket was a cache miss
 * of its own (a third of the store's time for a removal at a million).
 *
 * <p>Not thread-safe: the store calls it under its monitor.
 */
final class UuidOrder {
  private static final int MAX_BITS = 16;
  private static final int PER_BUCKET = 16;

  /** Which uuids are stored, by their two words. */
  @FunctionalInterface
  interface Stored {
    boolean contains(long msb, long lsb);
  }

  private final Stored stored;
  private int bits = 4;
  /** Per bucket: msb, lsb of each entry, in no order. */
  private long[][] words = new long[1 << bits][];
  private int[] sizes = new int[1 << bits];
  /** Entries held, stale ones included. */
  private int entries;

  /**
   * @param stored the judge of which uuids are stored (the tracker table): an entry it does not hold
   *     is stale
   */
  UuidOrder(Stored stored) {
    this.stored = stored;
  }

  private int bucket(long msb) {
    return (int) (msb >>> (64 - bits));
  }

  /** Adds a uuid the table now holds. */
  void add(UUID u) {
    if (entries >= PER_BUCKET << bits && bits < MAX_BITS) {
      grow();
    }
    long msb = u.getMostSignificantBits();
    long lsb = u.getLeastSignificantBits();
    int b = bucket(msb);
    long[] w = words[b];
    for (int i = 0; i < sizes[b]; i++) {
      if (w[2 * i] == msb && w[2 * i + 1] == lsb) {
        return; // its entry from before a removal: current again
      }
    }
    if (w != null && 2 * sizes[b] == w.length) {
      dropStale(b);
    }
    put(msb, lsb);
  }

  private void put(long msb, long lsb) {
    int b = bucket(msb);
    long[] w = words[b];
    int n = sizes[b];
    if (w == null) {
      w = words[b] = new long[8];
    } else if (2 * n == w.length) {
      w = words[b] = Arrays.copyOf(w, w.length * 2);
    }
    w[2 * n] = msb;
    w[2 * n + 1] = lsb;
    sizes[b] = n + 1;
    entries++;
  }

  /** Drops bucket {@code b}'s stale entries. */
  private void dropStale(int b) {
    long[] w = words[b];
    int kept = 0;
    for (int i = 0; i < sizes[b]; i++) {
      if (stored.contains(w[2 * i], w[2 * i + 1])) {
        w[2 * kept] = w[2 * i];
        w[2 * kept + 1] = w[2 * i + 1];
        kept++;
      }
    }
    entries -= sizes[b] - kept;
    sizes[b] = kept;
  }

  /** Twice the buckets: every current entry moves to one of the two its old bucket splits into. */
  private void grow() {
    long[][] oldWords = words;
    int[] oldSizes = sizes;
    bits++;
    words = new long[1 << bits][];
    sizes = new int[1 << bits];
    entries = 0;
    for (int b = 0; b < oldWords.length; b++) {
      for (int i = 0; i < oldSizes[b]; i++) {
        if (stored.contains(oldWords[b][2 * i], oldWords[b][2 * i + 1])) {
          put(oldWords[b][2 * i], oldWords[b][2 * i + 1]);
        }
      }
    }
  }

  /**
   * Entries held, stale ones included. A full bucket drops its stale entries before it grows, so a
   * bucket never holds more than twice the most uuids it has stored at once, or 4.
   */
  int entries() {
    return entries;
  }

  /** Up to {@code limit} stored uuids after {@code after} (all from the first when null), in order. */
  List<UUID> after(@Nullable UUID after, int limit) {
    List<UUID> out = new ArrayList<>(Math.min(limit, 1024));
    List<UUID> bucket = new ArrayList<>();
    for (int b = after == null ? 0 : bucket(after.getMostSignificantBits()); b < words.length && out.size() < limit; b++) {
      int n = sizes[b];
      if (n == 0) {
        continue;
      }
      bucket.clear();
      long[] w = words[b];
      for (int i = 0; i < n; i++) {
        if (!stored.contains(w[2 * i], w[2 * i + 1])) {
          continue; // stale
        }
        UUID u = new UUID(w[2 * i], w[2 * i + 1]);
        if (after == null || TrackerPage.ORDER.compare(u, after) > 0) {
          bucket.add(u);
        }
      }
      bucket.sort(TrackerPage.ORDER);
      for (int i = 0; i < bucket.size() && out.size() < limit; i++) {
        out.add(bucket.get(i));
      }
    }
    return out;
  }
}
