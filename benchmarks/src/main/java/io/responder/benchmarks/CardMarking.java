package io.responder.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * What it costs, with the collector the JVM runs (G1 by default), to store references into objects of
 * the old generation: the storing thread's CPU time and that of the process's other threads, which
 * with G1 scan every card (512 bytes of heap) such a store dirtied (concurrent refinement). Two
 * shapes, each as the Responder has them:
 * <ul>
 *   <li>{@code table}: {@code --stores} stores into one table whose slots are the power of two at or
 *       above twice as many (large enough to be allocated in the old generation; 2,097,152 slots, 8 MB,
 *       for a million), as a rebroadcast storm files a receipt per penalty:
 *       references at random slots ({@code references_at_random}), the same references front to back
 *       ({@code references_in_order}), and bytes at random slots ({@code bytes_at_random});
 *   <li>{@code objects}: blocks of {@code --per-block} stores into one field of objects picked at
 *       random among {@code --objects} old ones, as a block writes the status of the penalty groups
 *       it confirms: a reference to an object made in the block ({@code young_reference}), a
 *       reference to an old object ({@code old_reference}), and a {@code long} ({@code long}).
 * </ul>
 * Each figure is the median over {@code --rounds} rounds (after two thrown away), in milliseconds: per
 * round of the table, per block of the objects. The other threads' time is taken over the round and
 * a pause after it, in which the refinement threads finish the cards left. On this project's 2-core
 * machine those threads take the core the storing thread does not have: a cost the storing thread's
 * CPU time does not show.
 */
public final class CardMarking {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final int BLOCKS_PER_ROUND = 40;

  private CardMarking() {}

  /** An old object with one reference field and room about a penalty group's size. */
  private static final class Holder {
    Object field = "";
    long a;
    long b;
    long c;
    long d;
  }

  /**
   * Runs the measurement and prints one line per shape and kind of store.
   *
   * @param args {@code [--stores N] [--objects N] [--per-block N] [--rounds N]}
   */
  public static void main(String[] args) throws InterruptedException {
    int stores = 1_000_000;
    int objects = 1_000_000;
    int perBlock = 10_000;
    int rounds = 5;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--stores" -> stores = Integer.parseInt(args[++i]);
        case "--objects" -> objects = Integer.parseInt(args[++i]);
        case "--per-block" -> perBlock = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException(
            "usage: CardMarking [--stores N] [--objects N] [--per-block N] [--rounds N], got " + args[i]);
      }
    }
    if (stores < 1 || objects < 1 || perBlock < 1 || rounds < 1) {
      throw new IllegalArgumentException("every count must be positive");
    }
    for (String line : new Run(stores, objects, perBlock, rounds, 300).measure()) {
      System.out.println(line);
    }
  }

  /** One measurement; {@code settleMillis} is the pause after each round for the refinement to finish. */
  static final class Run {
    private final int stores;
    private final int objects;
    private final int perBlock;
    private final int rounds;
    private final int settleMillis;
    private long sink;

    Run(int stores, int objects, int perBlock, int rounds, int settleMillis) {
      this.stores = stores;
      this.objects = objects;
      this.perBlock = perBlock;
      this.rounds = rounds;
      this.settleMillis = settleMillis;
    }

    List<String> measure() throws InterruptedException {
      Holder[] old = new Holder[objects];
      for (int i = 0; i < old.length; i++) {
        old[i] = new Holder();
      }
      System.gc(); // the holders are old from here on
      int capacity = Integer.highestOneBit(Math.max(1, 2 * stores - 1)) * 2;
      int[] order = MemoryLatency.shuffledIndices(stores, new SplittableRandom(1));
      List<String> lines = new ArrayList<>();
      for (String kind : List.of("references_at_random", "references_in_order", "bytes_at_random")) {
        lines.add(line("table", kind, stores, rounds(() -> storeIntoTable(kind, old, order, capacity))));
      }
      SplittableRandom random = new SplittableRandom(2);
      for (String kind : List.of("young_reference", "old_reference", "long")) {
        lines.add(line("objects", kind, perBlock, rounds(() -> storeIntoObjects(kind, old, random))));
      }
      if (sink == 42) {
        System.out.print(""); // keeps the stores' results alive
      }
      return lines;
    }

    /** One round: the stores' own thread and the others, in milliseconds. */
    private double[] storeIntoTable(String kind, Holder[] old, int[] order, int capacity) {
      Object[] table = new Object[capacity];
      byte[] marks = new byte[capacity];
      int mask = capacity - 1;
      long own0 = THREADS.getCurrentThreadCpuTime();
      long all0 = ProcessCpu.nanos();
      switch (kind) {
        case "references_at_random" -> {
          for (int k = 0; k < order.length; k++) {
            table[(int) ((order[k] * 0x9E3779B9L) & mask)] = old[order[k] % old.length];
          }
        }
        case "references_in_order" -> {
          for (int k = 0; k < order.length; k++) {
            table[k] = old[order[k] % old.length];
          }
        }
        default -> {
          for (int k = 0; k < order.length; k++) {
            marks[(int) ((order[k] * 0x9E3779B9L) & mask)] = 1;
          }
        }
      }
      long own = THREADS.getCurrentThreadCpuTime() - own0;
      settle();
      long others = ProcessCpu.nanos() - all0 - (THREADS.getCurrentThreadCpuTime() - own0);
      sink += table.length + marks[0];
      return new double[] {own / 1e6, others / 1e6};
    }

    /** One round of blocks: per block, the stores' own thread and the others, in milliseconds. */
    private double[] storeIntoObjects(String kind, Holder[] old, SplittableRandom random) {
      long own = 0;
      long own0 = THREADS.getCurrentThreadCpuTime();
      long all0 = ProcessCpu.nanos();
      int[] picks = new int[perBlock];
      for (int block = 0; block < BLOCKS_PER_ROUND; block++) {
        Object young = new Object();
        for (int k = 0; k < perBlock; k++) {
          picks[k] = random.nextInt(old.length);
        }
        long t = THREADS.getCurrentThreadCpuTime();
        switch (kind) {
          case "young_reference" -> {
            for (int k = 0; k < perBlock; k++) {
              old[picks[k]].field = young;
            }
          }
          case "old_reference" -> {
            for (int k = 0; k < perBlock; k++) {
              old[picks[k]].field = old[k];
            }
          }
          default -> {
            for (int k = 0; k < perBlock; k++) {
              old[picks[k]].a = block;
            }
          }
        }
        own += THREADS.getCurrentThreadCpuTime() - t;
      }
      settle();
      long others = ProcessCpu.nanos() - all0 - (THREADS.getCurrentThreadCpuTime() - own0);
      return new double[] {own / 1e6 / BLOCKS_PER_ROUND, others / 1e6 / BLOCKS_PER_ROUND};
    }

    private void settle() {
      try {
        Thread.sleep(settleMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /** Medians over the rounds, after two rounds thrown away. */
    private double[] rounds(RoundOf round) {
      for (int i = 0; i < 2; i++) {
        round.run();
      }
      double[] own = new double[rounds];
      double[] others = new double[rounds];
      for (int i = 0; i < rounds; i++) {
        double[] r = round.run();
        own[i] = r[0];
        others[i] = r[1];
      }
      return new double[] {MemoryLatency.median(own), MemoryLatency.median(others)};
    }

    private static String line(String shape, String kind, int stores, double[] ms) {
      return String.format(Locale.ROOT, "shape=%s kind=%s stores=%d own_thread_ms=%.2f other_threads_ms=%.2f",
          shape, kind, stores, ms[0], ms[1]);
    }
  }

  @FunctionalInterface
  private interface RoundOf {
    double[] run();
  }

}
