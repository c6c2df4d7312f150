package io.responder.testkit.feesim;

import io.responder.testkit.FakeChain;
import java.util.OptionalInt;

/**
 * Knows, for one breach of a run, whether any means the history offered the Responder could have got
 * its penalty mined before the deadline: whether some block below the deadline, mined by the market
 * (not full, not the cheater's), would have taken the best the Responder had, sent at a moment it
 * could act with the node up and the breach in hand, and kept in the mempool until that block.
 *
 * <ul>
 *   <li>After its dispute confirmed, the best is the top rung of the ladder (the penalty itself
 *       without one): taken into the mempool and kept there if it pays the mempool minimum at the
 *       moment it was sent and at every rise until the block, and mined if it pays the miners'
 *       minimum of that block. When the host can bump the penalty, the top rung with a child paying
 *       the host's cap counts too, as a package.
 *   <li>Before, in a block at or below the dispute's final height, the penalty can carry its dispute:
 *       a dispute in the mempool with the penalty as its child (or confirmed in a block a
 *       reorganisation takes off later, which sends both back), or, with the raw dispute, a dispute
 *       the node lacks sent as a package (alone first, as the node judges it, then together). Both
 *       stay while the penalty pays the mempool minimum and the dispute does on its own or with the
 *       penalty, and while the node does not drop the dispute; miners take them by ancestor feerate:
 *       the pair if the penalty pays more than the dispute and the pair pays their minimum, else
 *       each if each does.
 * </ul>
 *
 * Clairvoyant by default: any moment and any means count, whatever the market showed then. {@link
 * #firstSaveableHeightWithoutForesight} keeps only means the market already asked for at the moment
 * of the send. The judgement is on the run's final chain, with the deadline its dispute's final height plus the
 * channel's {@code to_self_delay}. A breach whose dispute is not confirmed at the end has no deadline
 * and is not counted as saveable. Stateless.
 */
final class FeeReferenceModel {
  private FeeReferenceModel() {}

  /** The first block that could have held the penalty in time, or -1. */
  static int firstSaveableHeight(FeeRun run, Channels c) {
    return saveableHeight(run, c, true, true);
  }

  /** The last block that could have held the penalty in time, or -1. */
  static int lastSaveableHeight(FeeRun run, Channels c) {
    return saveableHeight(run, c, false, true);
  }

  /**
   * The first block that could have held the penalty in time with means sent when the market already
   * asked for them, or -1: the miners took no more in that block than at the moment of the send, the
   * mempool's minimum did not rise in between, and a send on a confirmed dispute does not count for
   * a block that holds the dispute again after a reorganisation. Without such a block, saving the
   * penalty needed foresight: spending more than the market asked, before it asked (a spike right
   * after the last moment the Responder could act, or a reorganisation that sent the dispute back
   * to be carried by the penalty).
   */
  static int firstSaveableHeightWithoutForesight(FeeRun run, Channels c) {
    return saveableHeight(run, c, true, false);
  }

  private static int saveableHeight(FeeRun run, Channels c, boolean first, boolean foresight) {
    FakeChain chain = run.chain();
    int i = c.spec.index();
    OptionalInt disputeAt = chain.confirmationHeight(c.disputeTxid());
    if (disputeAt.isEmpty()) {
      return -1;
    }
    int d = disputeAt.getAsInt();
    int deadline = d + c.spec.toSelfDelay();
    int top = c.top();
    long fee = c.rungFees[top];
    long vsize = c.rungVsizes[top];
    long pairFee = c.disputeFee + fee;
    long pairVsize = c.disputeVsize + vsize;
    int last = Math.min(chain.tip().height(), deadline - 1);
    boolean cpfp = run.mode().cpfp() && c.spec.hostCpfp();
    long cap = run.childFeeCap();
    int lowest = FeeRun.START_HEIGHT + 1;
    for (int h = first ? lowest : last; first ? h <= last : h >= lowest; h += first ? 1 : -1) {
      FeeRun.MinedBlock block = run.blocks.get(chain.blockAt(h).hash());
      if (block == null || block.kind() != FeeRun.BlockKind.MARKET) {
        continue;
      }
      long miner = block.minerMinKvb();
      for (FeeRun.Opportunity o : run.opportunities) {
        if (o.clock() >= block.clock()) {
          break;
        }
        if (!o.nodeUp() || !o.handedOver()[i]) {
          continue;
        }
        long keep = run.mempoolMinBetween(o.clock(), block.clock());
        long atSend = run.mempoolMinBetween(o.clock(), o.clock());
        if (!foresight && (miner > o.minerMinKvb() || keep > atSend)) {
          continue; // the market rose after the send: only spending before it asked would do
        }
        FeeRun.DisputeState s = o.states()[i];
        if (h > d) {
          if (s == FeeRun.DisputeState.CONFIRMED && pays(fee, vsize, keep) && pays(fee, vsize, miner)) {
            return h;
          }
          if (s == FeeRun.DisputeState.CONFIRMED && cpfp && withChild(fee, vsize, cap, atSend, keep, miner)) {
            return h;
          }
          continue;
        }
        if (evictedBetween(run, i, o.clock(), block.clock())
            || !foresight && s == FeeRun.DisputeState.CONFIRMED) {
          continue; // without foresight, a send on a confirmed dispute pays for the penalty alone: no reorganisation is foreseen
        }
        // A dispute confirmed at the moment of the send, yet at or above this block in the final
        // chain, was in a block a reorganisation took off: the penalty sent on it comes back to the
        // mempool with it, a pair like any other.
        boolean accepted = s != FeeRun.DisputeState.ABSENT
            ? pays(fee, vsize, atSend)
            : c.spec.rawDispute() && (pays(c.disputeFee, c.disputeVsize, atSend) ? pays(fee, vsize, atSend)
                : pays(pairFee, pairVsize, atSend));
        boolean kept = pays(fee, vsize, keep)
            && (pays(c.disputeFee, c.disputeVsize, keep) || pays(pairFee, pairVsize, keep));
        // Miners take the best ancestor feerate first: a dispute paying more than the penalty goes
        // alone, and the penalty must then pay on its own (found by the fee simulation, seed 6994).
        boolean childPaysMore = fee * c.disputeVsize > c.disputeFee * vsize;
        boolean mined = childPaysMore ? pays(pairFee, pairVsize, miner)
            : pays(c.disputeFee, c.disputeVsize, miner) && pays(fee, vsize, miner);
        if (accepted && kept && mined) {
          return h;
        }
      }
    }
    return -1;
  }

  /**
   * Whether the rung with a child paying the cap is taken (the rung alone if it pays the minimum,
   * then the child alone; else the two as a package), kept (the rung with its child, and the child
   * alone, pay every rise of the minimum) and mined (the pair pays the miners, or each does).
   */
  private static boolean withChild(long fee, long vsize, long cap, long atSend, long keep, long miner) {
    long pairFee = fee + cap;
    long pairVsize = vsize + FeeRun.CHILD_VSIZE;
    boolean accepted = pays(fee, vsize, atSend) ? pays(cap, FeeRun.CHILD_VSIZE, atSend) : pays(pairFee, pairVsize, atSend);
    boolean kept = (pays(fee, vsize, keep) || pays(pairFee, pairVsize, keep)) && pays(cap, FeeRun.CHILD_VSIZE, keep);
    boolean mined = pays(pairFee, pairVsize, miner) || pays(fee, vsize, miner) && pays(cap, FeeRun.CHILD_VSIZE, miner);
    return accepted && kept && mined;
  }

  private static boolean evictedBetween(FeeRun run, int channel, int from, int to) {
    for (int at : run.evictions.get(channel)) {
      if (at > from && at <= to) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code fee} over {@code vsize} reaches {@code satPerKvb}, exactly as the fake chain compares. */
  static boolean pays(long fee, long vsize, long satPerKvb) {
    return fee * 1000 >= satPerKvb * vsize;
  }
}
