package io.responder.testkit.sim;

import io.responder.testkit.sim.Step.CrashMode;
import io.responder.testkit.sim.Step.HandOverKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * Generates chain histories from a seed: the same seed and options always give the same history.
 *
 * <p>A history mixes breaches (fresh ones, siblings sharing a penalty, breaches with and without the
 * raw dispute or a subscription end, penalties already mined, watchers ahead of the host, repeats),
 * blocks that confirm some of the mempool and leave the rest waiting, mempool evictions,
 * reorganisations of depth 1 to 10 and, rarely, one deeper than the Responder's window, disconnections
 * whose new branch comes later, gaps the host
 * never reports, node outages and warm-ups, block source outages, rejections with bitcoind's codes
 * (-26 for now, -25 and -22 for good; -27 arises on its own when a mined penalty is handed over),
 * and crashes of every {@link CrashMode}. The delivery style is drawn from the seed as well.
 *
 * <p>Into that history, a second stream drawn from the same seed inserts episodes of the faults an
 * outside review found (issue 11), leaving the steps above as they were: unchecked failures of a store
 * read, the block source or the carrier; a node without a transaction index; the block source failing
 * while the carrier works, with breaches handed over out of sync; a node lagging behind the watcher;
 * reorganisations after which the node's mempool has lost the disconnected transactions, twice over
 * the same dispute; and a node that comes back while breaches are pending.
 *
 * <p>Stateless and thread-safe.
 *
 * @since 0.1.0
 */
public final class HistoryGenerator {
  private HistoryGenerator() {}

  /** Relative weights of the step kinds, in per-mille of steps. */
  private static final int W_HAND_OVER = 210;
  private static final int W_MINE = 240;
  private static final int W_MINE_EMPTY = 120;
  private static final int W_DROP = 70;
  private static final int W_REORG = 80;
  /** Rare on purpose: a reorganisation deeper than the window is a disaster a node sees once in years. */
  private static final int W_DEEP_REORG = 6;
  /** A reorganisation whose new branch arrives later: the host may report the disconnections first. */
  private static final int W_DISCONNECT = 20;
  private static final int W_GAP = 50;
  private static final int W_NODE_DOWN = 35;
  private static final int W_WARM_UP = 20;
  private static final int W_SOURCE_DOWN = 20;
  private static final int W_REJECT = 45;
  private static final int W_CRASH = 60;

  /**
   * Generates the history of a seed.
   *
   * @param seed the seed
   * @param options lengths and depths to draw from
   * @return the history
   */
  public static History generate(long seed, SimulationOptions options) {
    Objects.requireNonNull(options, "options");
    Random rng = new Random(seed);
    int depth = between(rng, options.minDepth(), options.maxDepth());
    int threshold = between(rng, 2, 6);
    int window = depth + rng.nextInt(9);
    // Tall enough that a reorganisation deeper than the window still leaves a chain below it.
    int startHeight = window + 30 + rng.nextInt(20);
    DeliveryStyle style = DeliveryStyle.values()[rng.nextInt(DeliveryStyle.values().length)];
    int count = between(rng, options.minSteps(), options.maxSteps());
    List<Step> steps = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      steps.add(i == 0 ? handOver(rng, rng.nextLong()) : step(rng, window));
    }
    steps = withFaultEpisodes(seed, steps);
    return new History(seed, new History.Params(depth, threshold, window, startHeight), style, steps);
  }

  private static Step step(Random rng, int window) {
    int total = W_HAND_OVER + W_MINE + W_MINE_EMPTY + W_DROP + W_REORG + W_DEEP_REORG + W_DISCONNECT + W_GAP + W_NODE_DOWN
        + W_WARM_UP + W_SOURCE_DOWN + W_REJECT + W_CRASH;
    int roll = rng.nextInt(total);
    long salt = rng.nextLong();
    if ((roll -= W_HAND_OVER) < 0) {
      return handOver(rng, salt);
    }
    if ((roll -= W_MINE) < 0) {
      return new Step.Mine(salt, pick(rng, 0, 30, 60, 100, 100));
    }
    if ((roll -= W_MINE_EMPTY) < 0) {
      return new Step.MineEmpty(salt, between(rng, 1, 4));
    }
    if ((roll -= W_DROP) < 0) {
      return new Step.Drop(salt, rng.nextInt(1000), rng.nextInt(10) < 3);
    }
    if ((roll -= W_REORG) < 0) {
      // Shallow reorganisations are the common ones: depth 1 to 10, skewed low.
      int depth = Math.min(between(rng, 1, 10), between(rng, 1, 10));
      return new Step.Reorg(salt, depth, between(rng, 0, 2), pick(rng, 0, 50, 100));
    }
    if ((roll -= W_DEEP_REORG) < 0) {
      return new Step.Reorg(salt, window + between(rng, 1, 4), between(rng, 1, 3), pick(rng, 0, 50, 100));
    }
    if ((roll -= W_DISCONNECT) < 0) {
      return new Step.Disconnect(salt, between(rng, 1, 3));
    }
    if ((roll -= W_GAP) < 0) {
      return new Step.Gap(salt, between(rng, 1, 5), pick(rng, 0, 50, 100));
    }
    if ((roll -= W_NODE_DOWN) < 0) {
      return new Step.NodeDown(salt, between(rng, 1, 4));
    }
    if ((roll -= W_WARM_UP) < 0) {
      return new Step.WarmUp(salt, between(rng, 1, 3));
    }
    if ((roll -= W_SOURCE_DOWN) < 0) {
      return new Step.SourceDown(salt, between(rng, 1, 4));
    }
    if ((roll -= W_REJECT) < 0) {
      return new Step.Reject(salt, rng.nextInt(1000), pick(rng, -26, -26, -25, -22));
    }
    CrashMode mode = pickCrash(rng);
    return new Step.Crash(salt, mode, between(rng, 1, 8));
  }

  /** Chance, in per-mille, of a fault episode before each step. */
  private static final int EPISODE_PER_MILLE = 70;

  /**
   * Inserts fault episodes drawn from their own stream, so the steps drawn above are the same as
   * before episodes existed (they meet another state where an episode changed it).
   */
  private static List<Step> withFaultEpisodes(long seed, List<Step> base) {
    Random rng = new Random(seed * 0x9E3779B97F4A7C15L + 0x2545F4914F6CDD1DL);
    List<Step> out = new ArrayList<>(base.size() + 16);
    if (rng.nextInt(3) == 0) {
      out.add(new Step.TxIndex(rng.nextLong(), false));
    }
    for (Step s : base) {
      if (rng.nextInt(1000) < EPISODE_PER_MILLE) {
        out.addAll(episode(rng));
      }
      out.add(s);
    }
    return out;
  }

  private static List<Step> episode(Random rng) {
    int k = rng.nextInt(100);
    if (k < 30) {
      Step.Port port = k < 14 ? Step.Port.STORE_READ : k < 22 ? Step.Port.BLOCK_SOURCE : Step.Port.CARRIER;
      return List.of(new Step.PortFault(rng.nextLong(), port, between(rng, 1, 6)));
    }
    if (k < 45) {
      // The node stalls, then a breach whose dispute it has not seen is handed over.
      Step.HandOverKind kind = rng.nextInt(3) == 0 ? Step.HandOverKind.LATE_WATCHER : Step.HandOverKind.FRESH;
      return List.of(new Step.NodeLags(rng.nextLong(), between(rng, 1, 3)),
          new Step.HandOver(rng.nextLong(), kind, rng.nextInt(1000), rng.nextBoolean(), -1, 0));
    }
    if (k < 58) {
      // The block source fails while the carrier works, the Responder is behind, and a breach comes:
      // its penalty already mined by someone else, or fresh; the dispute's block may then be
      // reorganised away with the mempool lost.
      List<Step> e = new ArrayList<>();
      e.add(new Step.Gap(rng.nextLong(), between(rng, 1, 2), pick(rng, 0, 50)));
      e.add(new Step.SourceDown(rng.nextLong(), between(rng, 2, 4)));
      Step.HandOverKind kind = rng.nextBoolean() ? Step.HandOverKind.PENALTY_MINED : Step.HandOverKind.FRESH;
      e.add(new Step.HandOver(rng.nextLong(), kind, rng.nextInt(1000), rng.nextInt(4) > 0, -1, 0));
      if (kind == Step.HandOverKind.FRESH && rng.nextBoolean()) {
        int empty = between(rng, 3, 5);
        e.add(new Step.MineEmpty(rng.nextLong(), empty));
        e.add(new Step.FlushingReorg(rng.nextLong(), empty + between(rng, 1, 2), between(rng, 0, 2), 0));
      }
      return e;
    }
    if (k < 75) {
      // A breach with the raw dispute, its penalty mined, the dispute's block reorganised away with
      // the mempool lost, both mined again, and reorganised away again.
      List<Step> e = new ArrayList<>();
      e.add(new Step.HandOver(rng.nextLong(), Step.HandOverKind.FRESH, rng.nextInt(1000), rng.nextInt(5) > 0, -1, 0));
      e.add(new Step.Mine(rng.nextLong(), 100));
      int extra = between(rng, 0, 2);
      e.add(new Step.FlushingReorg(rng.nextLong(), 2 + extra, between(rng, 0, 1), 0));
      if (rng.nextInt(3) > 0) {
        e.add(new Step.Mine(rng.nextLong(), 100));
        int later = between(rng, 0, 2);
        if (later > 0) {
          e.add(new Step.MineEmpty(rng.nextLong(), later));
        }
        e.add(new Step.FlushingReorg(rng.nextLong(), 1 + later + between(rng, 0, 1), between(rng, 0, 1), 0));
      }
      return e;
    }
    if (k < 90) {
      // The node goes down, a breach arrives, and the node comes back before the next block.
      return List.of(new Step.NodeDown(rng.nextLong(), between(rng, 2, 4)),
          new Step.HandOver(rng.nextLong(), Step.HandOverKind.FRESH, rng.nextInt(1000), rng.nextBoolean(), -1, 0),
          new Step.NodeBack(rng.nextLong()));
    }
    return List.of(new Step.FlushingReorg(rng.nextLong(), between(rng, 1, 6), between(rng, 0, 2), pick(rng, 0, 50, 100)));
  }

  private static Step handOver(Random rng, long salt) {
    int k = rng.nextInt(100);
    HandOverKind kind = k < 45 ? HandOverKind.FRESH
        : k < 60 ? HandOverKind.SIBLING
        : k < 70 ? HandOverKind.LATE_WATCHER
        : k < 78 ? HandOverKind.PENALTY_MINED
        : k < 86 ? HandOverKind.PENALTY_MINED_UNSEEN
        : HandOverKind.AGAIN;
    int subscription = rng.nextInt(10) < 3 ? between(rng, 1, 40) : -1;
    int answer = rng.nextInt(100) < 12 ? pick(rng, -26, -26, -26, -25, -22) : 0;
    return new Step.HandOver(salt, kind, rng.nextInt(1000), rng.nextInt(10) < 7, subscription, answer);
  }

  private static CrashMode pickCrash(Random rng) {
    int k = rng.nextInt(12);
    if (k < 3) {
      return CrashMode.RESTART;
    }
    if (k < 5) {
      return CrashMode.FAILED_COMMIT;
    }
    if (k < 6) {
      return CrashMode.FAILED_COMMIT_RESTART;
    }
    if (k < 7) {
      return CrashMode.LOST_ACK;
    }
    if (k < 10) {
      return CrashMode.DIE_AT_CALL;
    }
    return CrashMode.DIE_AFTER_COMMIT;
  }

  private static int between(Random rng, int min, int max) {
    return min + rng.nextInt(max - min + 1);
  }

  private static int pick(Random rng, int... values) {
    return values[rng.nextInt(values.length)];
  }
}
