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
 * bucket (the buckets double, up to 65,536, as the store grows). Adding is an append and removing a
 * swap with the last entry, both O(1) for random uuids, where a tree would walk 20 levels and keep a
 * node per tracker; a page sorts only the few buckets it reads.
 *
 * <p>Not thread-safe: the store calls it under its monitor.
 */
final class UuidOrder {
  private static final int MAX_BITS = 16;
  private static final int PER_BUCKET = 16;

  private int bits = 4;
  /** Per bucket: msb, lsb of each entry, in no order. */
  private long[][] words = new long[1 << bits][];
  private int[] sizes = new int[1 << bits];
  private int size;

  private int bucket(long msb) {
    return (int) (msb >>> (64 - bits));
  }

  void add(UUID u) {
    if (size >= PER_BUCKET << bits && bits < MAX_BITS) {
      grow();
    }
    put(u.getMostSignificantBits(), u.getLeastSignificantBits());
    size++;
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
  }

  /** Twice the buckets: every entry moves to one of the two its old bucket splits into. */
  private void grow() {
    long[][] oldWords = words;
    int[] oldSizes = sizes;
    bits++;
    words = new long[1 << bits][];
    sizes = new int[1 << bits];
    for (int b = 0; b < oldWords.length; b++) {
      for (int i = 0; i < oldSizes[b]; i++) {
        put(oldWords[b][2 * i], oldWords[b][2 * i + 1]);
      }
    }
  }

  /**
   * Removes the uuids given as two words each; those not held are ignored. In two passes, as the
   * tracker table removes them: every entry is found first, so that the buckets' cache misses overlap,
   * then each is removed, found again only when an earlier removal moved it (a removal moves the
   * last entry of its bucket).
   */
  void removeAll(long[] uuidWords) {
    int n = uuidWords.length / 2;
    int[] found = new int[n];
    for (int k = 0; k < n; k++) {
      found[k] = indexOf(uuidWords[2 * k], uuidWords[2 * k + 1]);
    }
    for (int k = 0; k < n; k++) {
      long msb = uuidWords[2 * k];
      long lsb = uuidWords[2 * k + 1];
      int b = bucket(msb);
      int i = found[k];
      if (i >= 0 && (i >= sizes[b] || words[b][2 * i] != msb || words[b][2 * i + 1] != lsb)) {
        i = indexOf(msb, lsb);
      }
      removeAt(b, i);
    }
  }

  /** Where the uuid is in its bucket, or -1. */
  private int indexOf(long msb, long lsb) {
    int b = bucket(msb);
    long[] w = words[b];
    int n = sizes[b];
    for (int i = 0; i < n; i++) {
      if (w[2 * i] == msb && w[2 * i + 1] == lsb) {
        return i;
      }
    }
    return -1;
  }

  /** Removes entry {@code i} of bucket {@code b} (none when -1): the bucket's last entry takes its place. */
  private void removeAt(int b, int i) {
    if (i < 0) {
      return;
    }
    long[] w = words[b];
    int last = sizes[b] - 1;
    w[2 * i] = w[2 * last];
    w[2 * i + 1] = w[2 * last + 1];
    sizes[b] = last;
    size--;
  }

  void clear() {
    bits = 4;
    words = new long[1 << bits][];
    sizes = new int[1 << bits];
    size = 0;
  }

  /** Up to {@code limit} uuids after {@code after} (all from the first when null), in order. */
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
