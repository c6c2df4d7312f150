package io.responder.testkit.feesim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Generates fee-market histories from a seed: the same seed always gives the same history.
 *
 * <p>One to five channels are breached in the first {@value #LAST_BREACH_BLOCK} blocks, each with a
 * {@code to_self_delay} of 12 to 144 blocks, a dispute paying 0 to 20 sat/vB (a quarter of them too
 * little to enter a mempool alone), a penalty paying 1 to 12 sat/vB, a fee ladder of 0 to 4 rungs
 * climbing by a factor of 1.5 to 4 each, the raw dispute three times in four, and two times in five a
 * host that can bump the penalty with a child (CPFP), each child capped at 2,000 to 50,000 sat. The market is calm
 * (only the relay minimum, miners taking 0 to 2 sat/vB) with fee spikes: both minimums jump, the
 * miners' to 3 to 300 sat/vB and the mempool's to a share of it, wander while the spike lasts (2 to
 * 250 blocks) and fall back. Among the blocks: full ones (others outbid everything), reorganisations
 * of 1 to 4 blocks, reorganisations that disconnect a fresh dispute (the market may mine it again in
 * the new branch, or the cheater does a few blocks later; the node may drop it meanwhile), restarts
 * of the Responder, and node outages of 1 to 4 blocks. The history runs until every deadline is well
 * past.
 *
 * <p>Stateless and thread-safe.
 */
public final class FeeHistoryGenerator {
  /** Breaches happen early, so that every deadline passes inside the history. */
  static final int LAST_BREACH_BLOCK = 40;
  /** Blocks after the last nominal deadline: room for moved deadlines and late confirmations. */
  private static final int TAIL_BLOCKS = 25;

  private FeeHistoryGenerator() {}

  /**
   * Generates the history of a seed.
   *
   * @param seed the seed
   * @return the history
   */
  public static FeeHistory generate(long seed) {
    Random rng = new Random(seed);
    int count = between(rng, 1, 5);
    List<FeeHistory.Channel> channels = new ArrayList<>();
    int[] breachAt = new int[count];
    boolean[] moved = new boolean[count];
    boolean[] breached = new boolean[count];
    int lastDeadline = 0;
    for (int i = 0; i < count; i++) {
      channels.add(channel(rng, i));
      breachAt[i] = between(rng, 1, LAST_BREACH_BLOCK);
      moved[i] = rng.nextInt(100) < 20;
      lastDeadline = Math.max(lastDeadline, breachAt[i] + channels.get(i).toSelfDelay());
    }
    // What a host lets one child pay: from a few thousand satoshis to a twentieth of the channel.
    long cap = pickLong(rng, 2_000, 5_000, 10_000, 20_000, 50_000);
    List<FeeStep> steps = new ArrayList<>();
    Market market = new Market(rng);
    steps.add(market.step());
    int blocks = 0;
    int end = lastDeadline + TAIL_BLOCKS;
    // Per channel: blocks until the reorganisation that moves its dispute, then until the cheater's re-mine.
    int[] moveIn = new int[count];
    int[] remineIn = new int[count];
    Arrays.fill(moveIn, -1);
    Arrays.fill(remineIn, -1);
    while (blocks < end) {
      if (market.advance()) {
        steps.add(market.step());
      }
      int roll = rng.nextInt(1000);
      if (roll < 20) {
        steps.add(new FeeStep.Restart());
      } else if (roll < 40) {
        steps.add(new FeeStep.NodeDown(between(rng, 1, 4)));
      }
      boolean made = false;
      for (int i = 0; i < count && !made; i++) {
        if (!breached[i] && breachAt[i] <= blocks) {
          breached[i] = true;
          steps.add(new FeeStep.Breach(i));
          blocks++;
          made = true;
          if (moved[i]) {
            moveIn[i] = between(rng, 1, 4);
          }
        } else if (moveIn[i] == 0) {
          int depth = blocksSinceBreach(steps, i) + rng.nextInt(2);
          int newLength = depth + between(rng, 0, 2);
          steps.add(new FeeStep.Reorg(depth, newLength));
          blocks += newLength - depth;
          moveIn[i] = -1;
          if (rng.nextInt(100) < 50) {
            steps.add(new FeeStep.Evict(i));
          }
          remineIn[i] = between(rng, 1, 6);
          made = true;
        } else if (remineIn[i] == 0) {
          steps.add(new FeeStep.Remine(i));
          blocks++;
          remineIn[i] = -1;
          made = true;
        }
      }
      if (!made) {
        int kind = rng.nextInt(1000);
        if (kind < 25) {
          int depth = Math.min(between(rng, 1, 4), between(rng, 1, 4));
          steps.add(new FeeStep.Reorg(depth, depth + between(rng, 0, 1)));
          blocks += ((FeeStep.Reorg) steps.get(steps.size() - 1)).newLength() - depth;
          for (int i = 0; i < count; i++) {
            // The cheater wants its dispute confirmed: one a reorganisation may have sent back is mined again.
            if (breached[i] && remineIn[i] < 0 && blocks - breachAt[i] <= depth + 8) {
              remineIn[i] = between(rng, 1, 6);
            }
          }
        } else if (kind < 110) {
          steps.add(new FeeStep.FullBlock());
          blocks++;
        } else {
          steps.add(new FeeStep.Mine());
          blocks++;
        }
      }
      for (int i = 0; i < count; i++) {
        if (moveIn[i] > 0) {
          moveIn[i]--;
        }
        if (remineIn[i] > 0) {
          remineIn[i]--;
        }
      }
    }
    return new FeeHistory(seed, channels, cap, steps);
  }

  /** Blocks made since channel {@code i}'s breach step, counting reorganisations by their net length. */
  private static int blocksSinceBreach(List<FeeStep> steps, int i) {
    int n = 0;
    for (int k = steps.size() - 1; k >= 0; k--) {
      FeeStep s = steps.get(k);
      if (s instanceof FeeStep.Breach b && b.channel() == i) {
        return n + 1; // the dispute's own block too
      }
      if (s instanceof FeeStep.Mine || s instanceof FeeStep.FullBlock || s instanceof FeeStep.Breach
          || s instanceof FeeStep.Remine) {
        n++;
      } else if (s instanceof FeeStep.Reorg r) {
        n += r.newLength() - r.depth();
      }
    }
    throw new IllegalStateException("no breach of channel " + i);
  }

  private static FeeHistory.Channel channel(Random rng, int index) {
    long salt = rng.nextLong();
    int delay = between(rng, 12, 144);
    double dispute = rng.nextInt(100) < 25 ? pick(rng, 0, 0.5, 1) : pick(rng, 2, 5, 10, 20);
    double penalty = pick(rng, 1, 2, 3, 5, 8, 12);
    int rungs = rng.nextInt(5);
    double factor = 1.5 + rng.nextDouble() * 2.5;
    List<Double> ladder = new ArrayList<>();
    double rate = penalty;
    for (int r = 0; r < rungs; r++) {
      rate = round(Math.min(2000, rate * factor));
      if (!ladder.isEmpty() && rate <= ladder.get(ladder.size() - 1)) {
        break;
      }
      ladder.add(rate);
    }
    return new FeeHistory.Channel(index, salt, delay, dispute, penalty, ladder, rng.nextInt(100) < 75, rng.nextInt(100) < 40);
  }

  /** The market's state: calm, or a spike with a remaining length. */
  private static final class Market {
    final Random rng;
    double mempoolMin;
    double minerMin;
    int spikeLeft;

    Market(Random rng) {
      this.rng = rng;
      calm();
    }

    private void calm() {
      mempoolMin = 0;
      minerMin = pick(rng, 0, 0.5, 1, 2);
      spikeLeft = 0;
    }

    /** Moves the market one block on; returns whether it changed. */
    boolean advance() {
      if (spikeLeft > 0) {
        spikeLeft--;
        if (spikeLeft == 0) {
          calm();
          return true;
        }
        if (rng.nextInt(100) < 15) {
          double move = 0.7 + rng.nextDouble() * 0.7;
          minerMin = round(Math.max(1, minerMin * move));
          mempoolMin = round(Math.min(minerMin, mempoolMin * (0.7 + rng.nextDouble() * 0.7)));
          return true;
        }
        return false;
      }
      if (rng.nextInt(100) < 5) {
        double level = Math.exp(Math.log(3) + rng.nextDouble() * (Math.log(300) - Math.log(3)));
        minerMin = round(level);
        mempoolMin = round(level * (0.1 + rng.nextDouble() * 0.9));
        // Mostly hours, sometimes days: a spike of geometric length around 30 blocks, at most 250.
        spikeLeft = Math.min(250, 2 + (int) (-30 * Math.log(1 - rng.nextDouble())));
        return true;
      }
      return false;
    }

    FeeStep step() {
      return new FeeStep.Market(mempoolMin, minerMin);
    }
  }

  /** To bitcoind's resolution, 0.001 sat/vB. */
  private static double round(double satPerVbyte) {
    return Math.round(satPerVbyte * 1000) / 1000.0;
  }

  private static int between(Random rng, int min, int max) {
    return min + rng.nextInt(max - min + 1);
  }

  private static long pickLong(Random rng, long... values) {
    return values[rng.nextInt(values.length)];
  }

  private static double pick(Random rng, double... values) {
    return values[rng.nextInt(values.length)];
  }
}
