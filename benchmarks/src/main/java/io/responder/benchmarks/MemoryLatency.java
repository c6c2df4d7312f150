package io.responder.benchmarks;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

/**
 * What a random read from memory costs on this machine, at the sizes of a million-tracker tower: the
 * floor under the trace replay's cost per changed tracker, each of whose steps reads a structure of
 * that size at a place no earlier read brought into the cache.
 *
 * <p>Three figures, each in nanoseconds per read, the median of {@code --rounds} rounds of
 * {@value #READS} reads (after as many rounds again that are thrown away, so that the loops run
 * compiled):
 * <ul>
 *   <li>{@code dependent_ns}: each read's address comes from the previous read (a chase round a
 *       random cycle of an {@code int[]} of {@code 16 * objects} entries): the full latency of a miss,
 *       as one look-up that waits for each miss in turn pays it;
 *   <li>{@code independent_ns}: addresses known in advance (one word of a random slot of a
 *       {@code long[]} table of {@code 2 * objects} slots, two words each, as the core's penalty index
 *       and the in-memory store's table are laid out): what a pass of look-ups pays, the processor
 *       overlapping the misses of many;
 *   <li>{@code lookup_ns}: a look-up as the core and the in-memory store make them, in two passes: the
 *       key word of a random slot and the reference beside it, then a field of the object it names
 *       (one of {@code objects} objects, scattered over the heap as trackers taken over weeks are).
 * </ul>
 * Noisy on a shared machine, like everything here: compare figures from one run only.
 */
public final class MemoryLatency {
  private static final int READS = 10_000;

  private MemoryLatency() {}

  /** What a look-up's second step reads a field of. */
  private static final class Item {
    long value;
  }

  /**
   * Runs the measurement and prints one line of {@code key=value} fields.
   *
   * @param args {@code [--objects N] [--rounds N]}
   */
  public static void main(String[] args) {
    int objects = 1 << 20;
    int rounds = 15;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--objects" -> objects = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("usage: MemoryLatency [--objects N] [--rounds N], got " + args[i]);
      }
    }
    if (objects < 1024 || Integer.bitCount(objects) != 1 || rounds < 1) {
      throw new IllegalArgumentException("--objects must be a power of two of at least 1024 and --rounds positive");
    }
    System.out.println(new MemoryLatency.Run(objects, rounds).measure());
  }

  /** One measurement's data: built once, read by every round. */
  static final class Run {
    private final SplittableRandom random = new SplittableRandom(1);
    private final int rounds;
    private final int[] next;
    private final long[] keys;
    private final Item[] items;
    private final int[] at = new int[READS];
    private final Item[] found = new Item[READS];
    private long sink;

    Run(int objects, int rounds) {
      this.rounds = rounds;
      next = randomCycle(16 * objects);
      int slots = 2 * objects;
      keys = new long[2 * slots];
      for (int i = 0; i < keys.length; i++) {
        keys[i] = random.nextLong();
      }
      Item[] made = new Item[objects];
      for (int i = 0; i < objects; i++) {
        made[i] = new Item();
      }
      shuffle(made);
      items = new Item[slots];
      for (int i = 0; i < slots; i++) {
        items[i] = made[i % objects];
      }
    }

    /** The three medians, as a line of fields. */
    String measure() {
      double[] dependent = new double[rounds];
      double[] independent = new double[rounds];
      double[] lookup = new double[rounds];
      for (int r = -rounds; r < rounds; r++) { // the first half warms up
        double d = dependent();
        double i = independent();
        double l = lookup();
        if (r >= 0) {
          dependent[r] = d;
          independent[r] = i;
          lookup[r] = l;
        }
      }
      return String.format(Locale.ROOT, "objects=%d rounds=%d dependent_ns=%.1f independent_ns=%.1f lookup_ns=%.1f check=%d",
          items.length / 2, rounds, median(dependent), median(independent), median(lookup), sink & 1);
    }

    private double dependent() {
      int start = random.nextInt(next.length);
      return perRead(() -> {
        int p = start;
        for (int k = 0; k < READS; k++) {
          p = next[p];
        }
        return p;
      });
    }

    private double independent() {
      drawSlots();
      return perRead(() -> {
        long s = 0;
        for (int k = 0; k < READS; k++) {
          s += keys[2 * at[k]];
        }
        return s;
      });
    }

    private double lookup() {
      drawSlots();
      return perRead(() -> {
        long s = 0;
        for (int k = 0; k < READS; k++) {
          s += keys[2 * at[k]];
          found[k] = items[at[k]];
        }
        for (int k = 0; k < READS; k++) {
          s += found[k].value;
        }
        return s;
      });
    }

    /** Times {@value #READS} reads, in ns each; their result is kept so that none is optimised away. */
    private double perRead(LongSupplier reads) {
      long t = System.nanoTime();
      long result = reads.getAsLong();
      long ns = System.nanoTime() - t;
      sink += result;
      return ns / (double) READS;
    }

    private void drawSlots() {
      for (int k = 0; k < READS; k++) {
        at[k] = random.nextInt(items.length);
      }
    }

    private int[] randomCycle(int n) {
      int[] order = shuffledIndices(n, random);
      int[] cycle = new int[n];
      for (int i = 0; i < n; i++) {
        cycle[order[i]] = order[(i + 1) % n];
      }
      return cycle;
    }

    private void shuffle(Item[] a) {
      for (int i = a.length - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        Item swap = a[i];
        a[i] = a[j];
        a[j] = swap;
      }
    }
  }

  /** The median of {@code values}, which are left as they are. */
  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return TraceReplay.quantile(sorted, 0.5);
  }

  /** The numbers 0 to {@code n - 1} in an order drawn from {@code random} (Fisher-Yates). */
  static int[] shuffledIndices(int n, SplittableRandom random) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int swap = order[i];
      order[i] = order[j];
      order[j] = swap;
    }
    return order;
  }
}
