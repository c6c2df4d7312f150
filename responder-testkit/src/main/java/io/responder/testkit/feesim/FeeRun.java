package io.responder.testkit.feesim;

import io.responder.core.Block;
import io.responder.core.BlockHash;
import io.responder.core.Breach;
import io.responder.core.BreachReceipt;
import io.responder.core.BroadcastResult;
import io.responder.core.FeeBumper;
import io.responder.core.FeeEstimate;
import io.responder.core.FeeEstimator;
import io.responder.core.FeeRate;
import io.responder.core.RawTransaction;
import io.responder.core.ResendReason;
import io.responder.core.Responder;
import io.responder.core.ResponderConfig;
import io.responder.core.ResponderListener;
import io.responder.core.TrackerStore;
import io.responder.core.Txid;
import io.responder.testkit.FakeChain;
import io.responder.testkit.TestTransaction;
import io.responder.testkit.Transactions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * One run of a {@link FeeHistory} in one {@link FeeSimulation.Mode}: a fresh fake chain with its fee
 * market on, a store from the supplier, and a Responder the host drives block by block. Records what
 * the reference model needs to know of the world (the market at every moment, every block, every
 * moment the Responder could act and what the node held then) and, at the end, what became of each
 * breach. Not thread-safe; one run per thread.
 */
final class FeeRun {
  /** The chain's height when the channels are funded: any height would do. */
  static final int START_HEIGHT = 200;
  /** Blocks between the fundings and the first breach, deeper than any reorganisation of a history. */
  static final int SETTLE_BLOCKS = 10;
  /** bitcoind's relay minimum in sat/kvB, which the fake chain applies under every mempool minimum. */
  static final long RELAY_MIN_KVB = 100;
  private static final int DEFAULT_BLOCK_WEIGHT = 3_996_000;
  /** A one-input, one-output P2WPKH child, as the test kit's transactions are shaped. */
  static final int CHILD_VSIZE = 110;

  /** Where a dispute stood when the Responder could act. */
  enum DisputeState { CONFIRMED, MEMPOOL, ABSENT }

  /** Who filled a block. */
  enum BlockKind {
    /** Miners, from the mempool by feerate. */
    MARKET,
    /** Others outbidding everything: nothing of ours. */
    FULL,
    /** The cheater: its dispute alone. */
    CHEATER
  }

  /** A block as it was mined. */
  record MinedBlock(int clock, BlockKind kind, long minerMinKvb) {}

  /**
   * A moment the Responder could act (a block delivered, a breach handed over, a restart).
   *
   * @param clock when
   * @param nodeUp whether the node answered
   * @param states each channel's dispute on the node
   * @param handedOver which breaches the Responder had
   */
  record Opportunity(int clock, boolean nodeUp, DisputeState[] states, boolean[] handedOver, long minerMinKvb) {}

  /** What became of one breach in this run. */
  enum Fate {
    /** The penalty confirmed before the deadline. */
    SAVED,
    /** The penalty confirmed at or after the deadline: the cheater could sweep first. */
    LATE,
    /** The deadline passed with the penalty unconfirmed. */
    LOST,
    /** The dispute is not confirmed at the end: no deadline runs (nothing lost yet). */
    OPEN
  }

  /**
   * One breach's end.
   *
   * @param fate what became of it
   * @param disputeHeight the dispute's final height, or -1
   * @param penaltyHeight the height of the rung that confirmed, or -1
   * @param rung the rung that confirmed, or -1
   * @param feeSats what the confirmed rung paid, or 0
   * @param dropped whether the Responder let the tracker go unconfirmed (refused, expired, not tracked)
   */
  record ChannelEnd(Fate fate, int disputeHeight, int penaltyHeight, int rung, long feeSats, boolean dropped) {}

  private final FeeHistory history;
  private final FeeSimulation.Mode mode;
  private final Supplier<TrackerStore> stores;
  private final List<Channels> channels;
  private final FakeChain chain = FakeChain.atHeight(START_HEIGHT);
  private final Set<UUID> dropped = new HashSet<>();
  private final List<Told> told = new ArrayList<>();
  /** Children the bumper made, with their fees. */
  final Map<Txid, Long> children = new HashMap<>();
  /** The rung each child spends. */
  private final Map<Txid, Txid> spends = new HashMap<>();
  /** Every broadcast a trace took from the chain's log. */
  private final List<Txid> drained = new ArrayList<>();
  private TrackerStore store;
  private Responder responder;
  private int clock;
  private long mempoolMinKvb;
  private long minerMinKvb;
  private int escalations;

  // What the reference model reads.
  final Map<BlockHash, MinedBlock> blocks = new HashMap<>();
  final List<Opportunity> opportunities = new ArrayList<>();
  /** Clock of each change of the mempool minimum, and the new value (sat/kvB). */
  final List<long[]> mempoolMins = new ArrayList<>();
  final List<List<Integer>> evictions = new ArrayList<>();
  final int[] handedOverAt;
  final List<String> violations = new ArrayList<>();
  /** What happened, line by line, when traced; else null. */
  final List<String> trace;

  FeeRun(FeeHistory history, FeeSimulation.Mode mode, Supplier<TrackerStore> stores, List<Channels> channels,
      boolean traced) {
    this.trace = traced ? new ArrayList<>() : null;
    this.history = history;
    this.mode = mode;
    this.stores = stores;
    this.channels = channels;
    this.handedOverAt = new int[channels.size()];
    java.util.Arrays.fill(handedOverAt, -1);
    for (int i = 0; i < channels.size(); i++) {
      evictions.add(new ArrayList<>());
    }
  }

  FakeChain chain() {
    return chain;
  }

  int escalations() {
    return escalations;
  }

  /** Runs the history; returns each channel's end. */
  List<ChannelEnd> run() {
    List<TestTransaction> fundings = channels.stream().map(c -> c.funding).toList();
    chain.mineTransactions(fundings.toArray(new TestTransaction[0]));
    chain.mineEmpty(SETTLE_BLOCKS);
    chain.enableFeeMarket();
    mempoolMins.add(new long[] {clock, 0});
    store = stores.get();
    responder = start();
    for (int i = 0; i < history.steps().size(); i++) {
      FeeStep step = history.steps().get(i);
      int index = i;
      note(() -> "step " + index + ": " + step + " (tip " + chain.tip().height() + ")");
      apply(step);
      clock++;
    }
    try {
      responder.checkConsistency();
    } catch (IllegalStateException e) {
      violations.add("responder state disagrees with its store: " + e.getMessage());
    }
    Set<Txid> allowed = new HashSet<>();
    for (Channels c : channels) {
      allowed.add(c.disputeTxid());
      c.rungs.forEach(r -> allowed.add(r.txid()));
    }
    allowed.addAll(children.keySet());
    drained.addAll(chain.drainBroadcasts());
    for (Txid sent : drained) {
      if (!allowed.contains(sent)) {
        violations.add("the Responder broadcast " + sent + ", which is no dispute or rung of the history");
      }
    }
    List<ChannelEnd> ends = new ArrayList<>();
    for (Channels c : channels) {
      ends.add(end(c));
    }
    return ends;
  }

  private ChannelEnd end(Channels c) {
    OptionalInt d = chain.confirmationHeight(c.disputeTxid());
    int rung = -1;
    int p = -1;
    for (int i = 0; i < c.rungs.size(); i++) {
      OptionalInt h = chain.confirmationHeight(c.rungs.get(i).txid());
      if (h.isPresent()) {
        rung = i;
        p = h.getAsInt();
      }
    }
    boolean lost = dropped.contains(c.appointment.uuid());
    long fee = rung < 0 ? 0 : c.rungFees[rung];
    for (Map.Entry<Txid, Long> child : children.entrySet()) {
      if (rung >= 0 && chain.confirmationHeight(child.getKey()).isPresent()
          && spends.get(child.getKey()).equals(c.rungs.get(rung).txid())) {
        fee += child.getValue();
      }
    }
    if (d.isEmpty()) {
      return new ChannelEnd(Fate.OPEN, -1, p, rung, fee, lost);
    }
    int deadline = d.getAsInt() + c.spec.toSelfDelay();
    Fate fate = p >= 0 ? (p < deadline ? Fate.SAVED : Fate.LATE)
        : chain.tip().height() >= deadline ? Fate.LOST : Fate.OPEN;
    return new ChannelEnd(fate, d.getAsInt(), p, rung, fee, lost);
  }

  private void apply(FeeStep step) {
    if (step instanceof FeeStep.Market m) {
      mempoolMinKvb = kvb(m.mempoolMinSatPerVbyte());
      minerMinKvb = kvb(m.minerMinSatPerVbyte());
      chain.mempoolMinFeerate(m.mempoolMinSatPerVbyte());
      chain.minerMinFeerate(m.minerMinSatPerVbyte());
      mempoolMins.add(new long[] {clock, mempoolMinKvb});
    } else if (step instanceof FeeStep.Mine) {
      deliver(mined(chain.mine(), BlockKind.MARKET));
    } else if (step instanceof FeeStep.FullBlock) {
      chain.blockWeightLimit(0);
      Block b = chain.mine();
      chain.blockWeightLimit(DEFAULT_BLOCK_WEIGHT);
      deliver(mined(b, BlockKind.FULL));
    } else if (step instanceof FeeStep.Breach br) {
      Channels c = channels.get(br.channel());
      Block b = mined(chain.mineTransactions(c.appointment.dispute()), BlockKind.CHEATER);
      deliver(b);
      handOver(c, b);
    } else if (step instanceof FeeStep.Reorg r) {
      chain.disconnect(r.depth());
      for (int i = 0; i < r.newLength(); i++) {
        if (i > 0) {
          clock++; // the branch's blocks come one after another: what the Responder sent on one can be in the next
        }
        deliver(mined(chain.mine(), BlockKind.MARKET));
      }
    } else if (step instanceof FeeStep.Remine rm) {
      Channels c = channels.get(rm.channel());
      if (chain.confirmationHeight(c.disputeTxid()).isEmpty()) {
        deliver(mined(chain.mineTransactions(c.appointment.dispute()), BlockKind.CHEATER));
      } else {
        deliver(mined(chain.mine(), BlockKind.MARKET));
      }
    } else if (step instanceof FeeStep.Evict e) {
      if (chain.dropFromMempool(channels.get(e.channel()).disputeTxid())) {
        evictions.get(e.channel()).add(clock);
      }
    } else if (step instanceof FeeStep.Restart) {
      snapshot();
      responder = start();
      noteSends("restart");
      checkToldDeadlines("a restart");
    } else if (step instanceof FeeStep.NodeDown down) {
      chain.nodeDownForBlocks(down.blocks());
    }
  }

  private Block mined(Block b, BlockKind kind) {
    note(() -> {
      StringBuilder ours = new StringBuilder();
      for (Channels c : channels) {
        if (b.txids().contains(c.disputeTxid())) {
          ours.append(" dispute").append(c.spec.index());
        }
        for (int r = 0; r < c.rungs.size(); r++) {
          if (b.txids().contains(c.rungs.get(r).txid())) {
            ours.append(" penalty").append(c.spec.index()).append("/rung").append(r);
          }
        }
      }
      return "  mined " + b.height() + " " + kind + " minerMin " + minerMinKvb + " mempoolMin " + mempoolMinKvb + ":" + ours;
    });
    blocks.put(b.hash(), new MinedBlock(clock, kind, kind == BlockKind.MARKET ? minerMinKvb : Long.MAX_VALUE));
    return b;
  }

  /** The host's chain loop: it sees blocks only while the node answers; a missed block is caught up later. */
  private void deliver(Block b) {
    if (!chain.isReachable()) {
      return;
    }
    snapshot();
    responder.onBlock(b);
    noteSends("onBlock " + b.height());
    checkToldDeadlines("block " + b.height());
  }

  private void note(Supplier<String> line) {
    if (trace != null) {
      trace.add(line.get());
    }
  }

  /** In a trace: what the Responder sent in its last call, and where our transactions stand now. */
  private void noteSends(String call) {
    if (trace == null) {
      return;
    }
    List<String> sent = new ArrayList<>();
    for (Txid t : chain.drainBroadcasts()) {
      drained.add(t);
      sent.add(name(t));
    }
    StringBuilder pool = new StringBuilder();
    for (Txid t : chain.mempoolTxids()) {
      pool.append(' ').append(name(t));
    }
    trace.add("  " + call + " sent " + sent + "; mempool:" + pool);
  }

  private String name(Txid t) {
    if (children.containsKey(t)) {
      return "child(" + children.get(t) + " sat)";
    }
    for (Channels c : channels) {
      if (c.disputeTxid().equals(t)) {
        return "dispute" + c.spec.index();
      }
      int r = c.rungOf(t);
      if (r >= 0) {
        return "penalty" + c.spec.index() + "/rung" + r;
      }
    }
    return "?" + t;
  }

  private void handOver(Channels c, Block seenIn) {
    handedOverAt[c.spec.index()] = clock;
    snapshot();
    Breach.Builder builder = c.appointment.breachBuilder(seenIn.hash());
    if (!mode.rawDisputes() || !c.spec.rawDispute()) {
      builder.disputeRawTx((byte[]) null); // the appointment's builder carries it; this watcher has none
    }
    if (mode.deadlines()) {
      builder.toSelfDelay(c.spec.toSelfDelay());
    }
    if (mode.ladders()) {
      for (int i = 1; i < c.rungs.size(); i++) {
        builder.addPenaltyVariant(c.rungs.get(i).raw());
      }
    }
    BreachReceipt receipt = responder.handleBreach(builder.build());
    noteSends("handleBreach " + c.spec.index() + " " + receipt.disposition() + " " + receipt.broadcast());
    checkToldDeadlines("the hand-over of channel " + c.spec.index());
    if (receipt.disposition() == BreachReceipt.Disposition.NOT_TRACKED) {
      dropped.add(c.appointment.uuid());
    }
  }

  private void snapshot() {
    DisputeState[] states = new DisputeState[channels.size()];
    boolean[] had = new boolean[channels.size()];
    for (int i = 0; i < channels.size(); i++) {
      Txid d = channels.get(i).disputeTxid();
      states[i] = chain.confirmationHeight(d).isPresent() ? DisputeState.CONFIRMED
          : chain.inMempool(d) ? DisputeState.MEMPOOL : DisputeState.ABSENT;
      had[i] = handedOverAt[i] >= 0;
    }
    opportunities.add(new Opportunity(clock, chain.isReachable(), states, had, minerMinKvb));
  }

  private Responder start() {
    Responder.Builder b = Responder.builder().config(ResponderConfig.defaults()).carrier(chain).blockSource(chain)
        .store(store).listener(new Listener());
    if (mode.cpfp()) {
      b.feeEstimator(new Estimator()).feeBumper(new Bumper(), history.childFeeCapSats());
    }
    return b.start();
  }

  FeeSimulation.Mode mode() {
    return mode;
  }

  long childFeeCap() {
    return history.childFeeCapSats();
  }

  int children() {
    return children.size();
  }

  /**
   * A perfect estimator: the feerate that gets a transaction into the next block is what miners take
   * now, and the node's minimum is the mempool's (never below the relay minimum).
   */
  private final class Estimator implements FeeEstimator {
    @Override
    public Optional<FeeEstimate> estimate(int blocks) {
      FeeRate minimum = minimum();
      return Optional.of(new FeeEstimate(FeeRate.ofSatPerKvB(minerMinKvb).max(minimum), Math.max(1, blocks)));
    }

    @Override
    public FeeRate minimum() {
      return FeeRate.ofSatPerKvB(Math.max(mempoolMinKvb, RELAY_MIN_KVB));
    }
  }

  /**
   * The host's CPFP, for channels whose host can spend the penalty's output: a child spending output
   * 0 of the rung asked about, paying what brings the pair to the target, or the cap if that is less.
   */
  private final class Bumper implements FeeBumper {
    @Override
    public Optional<Bump> childFor(RawTransaction penalty, FeeRate packageFeeRate, long maxFeeSats) {
      for (Channels c : channels) {
        int r = c.rungOf(penalty.txid());
        if (r < 0) {
          continue;
        }
        if (!c.spec.hostCpfp()) {
          return Optional.empty();
        }
        long needed = Math.max(0, packageFeeRate.feeFor(c.rungVsizes[r] + CHILD_VSIZE) - c.rungFees[r]);
        long fee = Math.min(needed, maxFeeSats);
        Random rng = new Random(c.spec.salt() ^ ((long) r << 40) ^ fee);
        TestTransaction child = Transactions.spendingWithFee(rng, c.rungs.get(r), 0, fee, 1);
        children.put(child.txid(), fee);
        spends.put(child.txid(), c.rungs.get(r).txid());
        return Optional.of(new Bump(RawTransaction.of(child.txid(), child.raw()), fee));
      }
      return Optional.empty();
    }
  }

  /** The highest mempool minimum in force from {@code from} to {@code to} (clocks, inclusive), floored by the relay minimum. */
  long mempoolMinBetween(int from, int to) {
    long max = 0;
    for (long[] change : mempoolMins) {
      if (change[0] <= from) {
        max = change[1]; // in force at `from`: the last change at or before it
      }
    }
    for (long[] change : mempoolMins) {
      if (change[0] > from && change[0] <= to) {
        max = Math.max(max, change[1]);
      }
    }
    return Math.max(max, RELAY_MIN_KVB);
  }

  static long kvb(double satPerVbyte) {
    return Math.round(satPerVbyte * 1000);
  }

  /** A deadline the Responder told the host, to compare with the chain's once it has caught up. */
  private record Told(Txid penaltyTxid, int deadlineHeight) {}

  /**
   * After a call that left the Responder at the chain's tip: every deadline it told in that call is
   * its dispute's height on the chain plus the channel's delay. (While a reorganisation is being
   * delivered the Responder is rightly behind the chain, so only calls that end level are checked.)
   */
  private void checkToldDeadlines(String call) {
    if (told.isEmpty()) {
      return;
    }
    List<Told> all = List.copyOf(told);
    told.clear();
    if (!responder.tip().equals(chain.tip())) {
      return;
    }
    for (Told t : all) {
      for (Channels c : channels) {
        if (!c.rungs.get(0).txid().equals(t.penaltyTxid())) {
          continue;
        }
        OptionalInt d = chain.confirmationHeight(c.disputeTxid());
        int real = d.isPresent() ? d.getAsInt() + c.spec.toSelfDelay() : -1;
        if (real != t.deadlineHeight()) {
          violations.add("at " + call + " (tip " + chain.tip().height() + ") the Responder put channel " + c.spec.index()
              + "'s deadline at " + t.deadlineHeight() + "; its dispute is "
              + (d.isPresent() ? "at " + d.getAsInt() + ", so the deadline is " + real : "not on the chain"));
        }
      }
    }
  }

  /** Records what the tracker's end needs, and counts escalations. */
  private final class Listener implements ResponderListener {
    @Override
    public void breachRejected(UUID uuid, Txid penaltyTxid, BroadcastResult.Rejected rejection) {
      dropped.add(uuid);
    }

    @Override
    public void trackerExpired(UUID uuid, Txid penaltyTxid, io.responder.core.BlockRef tip) {
      dropped.add(uuid);
    }

    @Override
    public void penaltyEscalated(UUID uuid, Txid penaltyTxid, Txid sentTxid, int rung, BroadcastResult result) {
      escalations++;
      note(() -> "    escalated " + name(sentTxid) + ": " + result);
    }

    @Override
    public void penaltyBumped(UUID uuid, Txid penaltyTxid, Txid childTxid, FeeRate packageFeeRate, long feeSats,
        BroadcastResult result) {
      note(() -> "    bumped " + name(penaltyTxid) + " with " + name(childTxid) + " to " + packageFeeRate + ": " + result);
    }

    @Override
    public void penaltyResent(UUID uuid, Txid penaltyTxid, ResendReason reason, BroadcastResult result) {
      note(() -> "    resent (" + reason + ") " + name(penaltyTxid) + ": " + result);
    }

    @Override
    public void penaltyAtRisk(UUID uuid, Txid penaltyTxid, int deadlineHeight, int blocksLeft) {
      told.add(new Told(penaltyTxid, deadlineHeight));
      note(() -> "    at risk " + name(penaltyTxid) + ": deadline " + deadlineHeight + ", " + blocksLeft + " blocks left");
    }

    @Override
    public void deadlinePassed(UUID uuid, Txid penaltyTxid, int deadlineHeight) {
      note(() -> "    deadline passed " + name(penaltyTxid) + " at " + deadlineHeight);
    }
  }
}
