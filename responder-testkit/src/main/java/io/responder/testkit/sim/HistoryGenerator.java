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
