package io.responder.testkit.sim;

import static io.responder.testkit.sim.SimulationStats.Counter.ALREADY_MINED_PENALTIES;
import static io.responder.testkit.sim.SimulationStats.Counter.BLOCKS_DELIVERED;
import static io.responder.testkit.sim.SimulationStats.Counter.BLOCKS_MINED;
import static io.responder.testkit.sim.SimulationStats.Counter.BLOCKS_SKIPPED;
import static io.responder.testkit.sim.SimulationStats.Counter.BREACHES;
import static io.responder.testkit.sim.SimulationStats.Counter.CHECKED_RESTARTS;
import static io.responder.testkit.sim.SimulationStats.Counter.COMPLETIONS;
import static io.responder.testkit.sim.SimulationStats.Counter.DEATHS_MID_CALL;
import static io.responder.testkit.sim.SimulationStats.Counter.DEEP_REORGS;
import static io.responder.testkit.sim.SimulationStats.Counter.DISCONNECTIONS_REPORTED;
import static io.responder.testkit.sim.SimulationStats.Counter.EXPIRIES;
import static io.responder.testkit.sim.SimulationStats.Counter.FAILED_COMMITS;
import static io.responder.testkit.sim.SimulationStats.Counter.FAILURES;
import static io.responder.testkit.sim.SimulationStats.Counter.FLUSHING_REORGS;
import static io.responder.testkit.sim.SimulationStats.Counter.HISTORIES;
import static io.responder.testkit.sim.SimulationStats.Counter.LOST_ACKS;
import static io.responder.testkit.sim.SimulationStats.Counter.MEMPOOL_DROPS;
import static io.responder.testkit.sim.SimulationStats.Counter.NODE_FAULTS;
import static io.responder.testkit.sim.SimulationStats.Counter.NODE_LAGS;
import static io.responder.testkit.sim.SimulationStats.Counter.NODE_RETURNS;
import static io.responder.testkit.sim.SimulationStats.Counter.PORT_FAILURES;
import static io.responder.testkit.sim.SimulationStats.Counter.PORT_FAULTS;
import static io.responder.testkit.sim.SimulationStats.Counter.REBROADCASTS;
import static io.responder.testkit.sim.SimulationStats.Counter.REJECTIONS;
import static io.responder.testkit.sim.SimulationStats.Counter.REJECTIONS_SCRIPTED;
import static io.responder.testkit.sim.SimulationStats.Counter.REORGS;
import static io.responder.testkit.sim.SimulationStats.Counter.RESTARTS;
import static io.responder.testkit.sim.SimulationStats.Counter.SETTLING_BLOCKS;
import static io.responder.testkit.sim.SimulationStats.Counter.SHARED_PENALTIES;
import static io.responder.testkit.sim.SimulationStats.Counter.SOURCE_FAULTS;
import static io.responder.testkit.sim.SimulationStats.Counter.STEPS;

import io.responder.core.Block;
import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import io.responder.core.BlockSourceException;
import io.responder.core.Breach;
import io.responder.core.BreachReceipt;
import io.responder.core.BroadcastResult;
import io.responder.core.ResendReason;
import io.responder.core.Responder;
import io.responder.core.ResponderConfig;
import io.responder.core.ResponderListener;
import io.responder.core.TrackerState;
import io.responder.core.TrackerStatus;
import io.responder.core.TrackerStore;
import io.responder.core.TransactionTracker;
import io.responder.core.Txid;
import io.responder.testkit.Appointment;
import io.responder.testkit.FakeChain;
import io.responder.testkit.TestTransaction;
import io.responder.testkit.sim.FaultyTrackerStore.CommitFault;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One run of one history: a fake chain, the store under test behind fault wrappers, a Responder over
 * them, the host's deliveries in the history's style, and the model checked after every step.
 * Single-threaded; made and used once.
 */
final class Run {
  /** Stops the run at the first violation. */
  private static final class Stop extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final transient Violation violation;

    Stop(Violation violation) {
      super(violation.toString(), null, false, false);
      this.violation = violation;
    }
  }

  private final History history;
  private final SimulationOptions options;
  private final ResponderConfig config;
  private final FakeChain chain;
  private final FaultyTrackerStore faulty;
  private final Ports ports;
  private final ReferenceModel model;
  private final SimulationStats stats = new SimulationStats();
  private final List<Appointment> appointments = new ArrayList<>();
  private final Map<UUID, Breach> breaches = new HashMap<>();
  /** The txids of every dispute made: the parents whose absence a node can notice. */
  private final Set<Txid> disputes = new HashSet<>();
  /** Breaches whose hand-over failed (a crash, a store failure): the watcher tries again. */
  private final Deque<Breach> retries = new ArrayDeque<>();
  private TrackerStore userStore;
  private @Nullable Responder responder;
  /** What happened, line by line, when tracing (a shrunk failure is rerun with a trace); else null. */
  private final @Nullable List<String> trace;
  private final ResponderListener listener;
  private boolean restartAfterStoreFailure;
  private boolean restartWithSourceDown;
  private int step;

  Run(History history, SimulationOptions options, boolean tracing) {
    this.trace = tracing ? new ArrayList<>() : null;
    this.history = history;
    this.options = options;
    this.config = history.params().config();
    this.chain = FakeChain.atHeight(history.params().startHeight());
    this.userStore = options.storeFactory().get();
    this.faulty = new FaultyTrackerStore(userStore);
    this.model = new ReferenceModel(chain, config);
    this.ports = new Ports(chain, faulty, disputes::contains, (txid, result, missingDispute) -> {
      trace("    broadcast %s -> %s%s", txid, result, missingDispute == null ? "" : " (the node lacks its dispute)");
      model.onBroadcast(txid, result, missingDispute);
    });
    model.nodeView(ports::confirmedOnNode);
    this.listener = tracing ? new TracingListener() : model;
  }

  SimulationResult run() {
    Violation failure = null;
    try {
      responder = start();
      List<Step> steps = history.steps();
      for (step = 0; step < steps.size(); step++) {
        trace("step %d: %s  [chain tip %d, responder tip %d]", step, steps.get(step), chain.tip().height(),
            responder.tip().height());
        retryHandOvers();
        apply(steps.get(step));
        stats.inc(STEPS);
        check();
      }
      step = steps.size();
      trace("settling  [chain tip %d]", chain.tip().height());
      settle();
    } catch (Stop s) {
      failure = s.violation;
    } catch (RuntimeException | Error e) {
      failure = new Violation(Violation.UNEXPECTED_EXCEPTION, step, "the simulation failed: " + trace(e));
    }
    stats.inc(HISTORIES);
    stats.add(COMPLETIONS, model.completions());
    stats.add(EXPIRIES, model.expiries());
    stats.add(REJECTIONS, model.rejections());
    stats.add(REBROADCASTS, model.rebroadcasts());
    if (failure != null) {
      stats.inc(FAILURES);
    }
    if (failure != null) {
      trace("FAILED: %s", failure);
    }
    return new SimulationResult(history, Optional.ofNullable(failure), stats,
        trace == null ? List.of() : List.copyOf(trace));
  }

  // ---------------------------------------------------------------------------------------------
  // Steps

  private void apply(Step s) {
    if (s instanceof Step.HandOver h) {
      handOverStep(h);
    } else if (s instanceof Step.Mine m) {
      Random r = new Random(m.salt());
      deliver(List.of(), List.of(minePartial(r, m.percent())), r);
    } else if (s instanceof Step.MineEmpty m) {
      List<Block> blocks = chain.mineEmpty(m.blocks());
      stats.add(BLOCKS_MINED, blocks.size());
      deliver(List.of(), blocks, new Random(m.salt()));
    } else if (s instanceof Step.Drop d) {
      if (!appointments.isEmpty()) {
        Appointment a = appointments.get(d.target() % appointments.size());
        if (chain.dropFromMempool(a.penalty().txid())) {
          stats.inc(MEMPOOL_DROPS);
        }
        if (d.alsoDispute() && chain.dropFromMempool(a.dispute().txid())) {
          stats.inc(MEMPOOL_DROPS);
        }
      }
    } else if (s instanceof Step.Reorg g) {
      reorg(g);
    } else if (s instanceof Step.Disconnect d) {
      int depth = Math.min(d.depth(), chain.tip().height() - 2);
      if (depth >= 1) {
        List<BlockRef> gone = chain.disconnect(depth);
        trace("  chain disconnected %d blocks down to %d", depth, chain.tip().height());
        stats.inc(REORGS);
        reportDisconnections(gone, new Random(d.salt()));
      }
    } else if (s instanceof Step.Gap g) {
      Random r = new Random(g.salt());
      for (int i = 0; i < g.blocks(); i++) {
        minePartial(r, g.percent());
        stats.inc(BLOCKS_SKIPPED);
      }
    } else if (s instanceof Step.NodeDown n) {
      chain.nodeDownForBlocks(n.blocks());
      stats.inc(NODE_FAULTS);
    } else if (s instanceof Step.WarmUp w) {
      chain.warmingUpForBlocks(w.blocks());
      stats.inc(NODE_FAULTS);
    } else if (s instanceof Step.SourceDown d) {
      ports.sourceDownForBlocks(d.blocks());
      stats.inc(SOURCE_FAULTS);
    } else if (s instanceof Step.Reject j) {
      if (!appointments.isEmpty()) {
        chain.rejectNext(appointments.get(j.target() % appointments.size()).penalty().txid(), j.code(), message(j.code()));
        stats.inc(REJECTIONS_SCRIPTED);
      }
    } else if (s instanceof Step.Crash c) {
      crash(c);
    } else if (s instanceof Step.PortFault f) {
      ports.failPortAt(f.port(), f.calls());
      stats.inc(PORT_FAULTS);
    } else if (s instanceof Step.NodeLags l) {
      ports.lagForBlocks(l.blocks());
      stats.inc(NODE_LAGS);
    } else if (s instanceof Step.FlushingReorg g) {
      flushingReorg(g);
    } else if (s instanceof Step.TxIndex t) {
      chain.txindex(t.enabled());
    } else if (s instanceof Step.NodeBack b) {
      nodeBack();
    } else {
      throw new IllegalArgumentException("unknown step " + s);
    }
  }

  private void handOverStep(Step.HandOver h) {
    Random r = new Random(h.salt());
    Step.HandOverKind kind = h.kind();
    if (appointments.isEmpty() && (kind == Step.HandOverKind.SIBLING || kind == Step.HandOverKind.AGAIN)) {
      kind = Step.HandOverKind.FRESH;
    }
    if (kind == Step.HandOverKind.AGAIN) {
      handOver(breaches.get(appointments.get(h.target() % appointments.size()).uuid()));
      return;
    }
    Appointment a;
    BlockHash seen;
    List<Block> deliverAfter = List.of();
    switch (kind) {
      case SIBLING -> {
        Appointment base = appointments.get(h.target() % appointments.size());
        a = base.sibling(r);
        OptionalInt at = chain.confirmationHeight(base.dispute().txid());
        seen = at.isPresent() ? chain.blockAt(at.getAsInt()).hash() : breaches.get(base.uuid()).seenInBlock();
        stats.inc(SHARED_PENALTIES);
      }
      case LATE_WATCHER -> {
        a = Appointment.random(r);
        Block b = mine(a.dispute());
        seen = b.hash();
        deliverAfter = List.of(b);
      }
      case PENALTY_MINED -> {
        a = Appointment.random(r);
        Block d = mine(a.dispute());
        Block p = mine(a.penalty());
        seen = d.hash();
        deliver(List.of(), List.of(d, p), r);
        stats.inc(ALREADY_MINED_PENALTIES);
      }
      case PENALTY_MINED_UNSEEN -> {
        a = Appointment.random(r);
        Block d = mine(a.dispute());
        deliver(List.of(), List.of(d), r);
        Block p = mine(a.penalty());
        seen = d.hash();
        deliverAfter = List.of(p);
        stats.inc(ALREADY_MINED_PENALTIES);
      }
      default -> {
        a = Appointment.random(r);
        Block b = mine(a.dispute());
        seen = b.hash();
        deliver(List.of(), List.of(b), r);
      }
    }
    Breach.Builder builder = a.breachBuilder(seen);
    if (!h.rawDispute()) {
      builder.disputeRawTx((byte[]) null);
    }
    if (h.subscriptionBlocks() >= 0) {
      builder.subscriptionEndHeight(chain.tip().height() + h.subscriptionBlocks());
    }
    Breach breach = builder.build();
    disputes.add(a.dispute().txid());
    appointments.add(a);
    breaches.put(a.uuid(), breach);
    if (h.intakeAnswer() != 0) {
      chain.rejectNext(a.penalty().txid(), h.intakeAnswer(), message(h.intakeAnswer()));
      stats.inc(REJECTIONS_SCRIPTED);
    }
    handOver(breach);
    deliver(List.of(), deliverAfter, r);
  }

  private void handOver(Breach breach) {
    stats.inc(BREACHES);
    trace("  handleBreach %s penalty %s seen in %s, subscription end %s", breach.uuid(), breach.penaltyTxid(),
        breach.seenInBlock(), breach.subscriptionEndHeight());
    model.handingOver(breach);
    BreachReceipt[] receipt = new BreachReceipt[1];
    if (!call("handleBreach", breach, () -> receipt[0] = responder.handleBreach(breach))) {
      retries.addLast(breach);
      return;
    }
    boolean stored;
    ports.suspend(true);
    try {
      stored = responder.tracker(breach.uuid()).isPresent();
    } finally {
      ports.suspend(false);
    }
    trace("    receipt %s %s", receipt[0].disposition(), receipt[0].broadcast());
    model.receipt(breach, receipt[0], stored);
    raiseViolations();
  }

  private void retryHandOvers() {
    for (int n = retries.size(); n > 0; n--) {
      handOver(retries.pollFirst());
    }
  }

  private void reorg(Step.Reorg g) {
    Random r = new Random(g.salt());
    int depth = Math.min(g.depth(), chain.tip().height() - 2);
    if (depth < 1) {
      return;
    }
    List<BlockRef> gone = chain.disconnect(depth);
    trace("  chain disconnected %d blocks down to %d", depth, chain.tip().height());
    stats.inc(REORGS);
    if (depth > config.reorgWindow()) {
      stats.inc(DEEP_REORGS);
    }
    List<Block> branch = new ArrayList<>();
    for (int i = 0; i < Math.max(1, depth + g.extraBlocks()); i++) {
      branch.add(minePartial(r, g.percent()));
    }
    deliver(gone, branch, r);
  }

  /**
   * A reorganisation after which the node's mempool is empty: the disconnected transactions are not
   * taken back, and what waited is gone too. Disputes
   * it takes away within the Responder's window are remembered: the Responder must send them again
   * before their penalties.
   */
  private void flushingReorg(Step.FlushingReorg g) {
    Random r = new Random(g.salt());
    int depth = Math.min(g.depth(), chain.tip().height() - 2);
    if (depth < 1) {
      return;
    }
    Map<Txid, Integer> connectedByResponder = new HashMap<>();
    BlockRef responderTip = responderTip();
    boolean responderOnChain = responderTip.height() <= chain.tip().height()
        && chain.blockAt(responderTip.height()).hash().equals(responderTip.hash());
    for (int i = 0; i < depth; i++) {
      Block b = chain.blockAt(chain.tip().height() - i);
      if (responderOnChain && b.height() <= responderTip.height()) {
        b.txids().forEach(t -> connectedByResponder.put(t, b.height()));
      }
    }
    List<BlockRef> gone = chain.disconnect(depth);
    // The node restarted during the reorganisation: its mempool is empty, the disconnected
    // transactions and everything that waited with them gone.
    for (Appointment a : appointments) {
      for (Txid t : List.of(a.dispute().txid(), a.penalty().txid())) {
        if (chain.dropFromMempool(t)) {
          stats.inc(MEMPOOL_DROPS);
        }
      }
    }
    trace("  chain disconnected %d blocks down to %d; the node's mempool is empty", depth, chain.tip().height());
    stats.inc(REORGS);
    stats.inc(FLUSHING_REORGS);
    if (depth > config.reorgWindow()) {
      stats.inc(DEEP_REORGS);
    } else {
      for (Map.Entry<Txid, Integer> e : connectedByResponder.entrySet()) {
        // Only a block the Responder connected can it see disconnected.
        if (disputes.contains(e.getKey()) && !chain.inMempool(e.getKey())) {
          model.disputeDisconnected(e.getKey(), e.getValue());
        }
      }
    }
    List<Block> branch = new ArrayList<>();
    for (int i = 0; i < Math.max(1, depth + g.extraBlocks()); i++) {
      branch.add(minePartial(r, g.percent()));
    }
    deliver(gone, branch, r);
  }

  /**
   * The node is back; the host calls {@code syncWithBlockSource()}. Every penalty pending before the
   * call must have been offered to the node during it, not only on the next block.
   */
  private void nodeBack() {
    chain.nodeDown(false);
    chain.warmingUp(false);
    stats.inc(NODE_RETURNS);
    Map<Txid, Integer> before = new HashMap<>();
    Set<Txid> unavailableBefore = new HashSet<>(); // pending because the node could not be asked
    ports.suspend(true);
    try {
      for (Txid t : ReferenceModel.pendingPenalties(responder)) {
        before.put(t, model.attempts(t));
        if (model.lastAnswerUnavailable(t)) {
          unavailableBefore.add(t);
        }
      }
    } finally {
      ports.suspend(false);
    }
    boolean reachableThroughout = chain.isReachable() && !ports.lagging();
    if (!call("syncWithBlockSource", () -> responder.syncWithBlockSource()) || !reachableThroughout) {
      return;
    }
    Set<Txid> stillPending;
    ports.suspend(true);
    try {
      stillPending = ReferenceModel.pendingPenalties(responder);
    } finally {
      ports.suspend(false);
    }
    for (Map.Entry<Txid, Integer> e : before.entrySet()) {
      // Still pending (not confirmed by a block the call connected, nor ended) and never offered.
      if (stillPending.contains(e.getKey()) && model.attempts(e.getKey()) == e.getValue()
          && unavailableBefore.contains(e.getKey())) {
        throw stop(Violation.PENDING_NOT_RETRIED, "pending penalty " + e.getKey()
            + " was not offered to the node by syncWithBlockSource() after the node came back");
      }
    }
  }

  private void crash(Step.Crash c) {
    restartWithSourceDown = ((c.salt() >>> 3) & 1) == 0;
    switch (c.mode()) {
      case RESTART -> restart();
      case FAILED_COMMIT -> {
        faulty.failNextCommit(CommitFault.APPLY_NOTHING);
        restartAfterStoreFailure = false;
      }
      case FAILED_COMMIT_RESTART -> {
        faulty.failNextCommit(CommitFault.APPLY_NOTHING);
        restartAfterStoreFailure = true;
      }
      case LOST_ACK -> faulty.failNextCommit(CommitFault.APPLY_THEN_THROW);
      case DIE_AT_CALL -> ports.dieAtCall(c.calls());
      case DIE_AFTER_COMMIT -> ports.dieAfterCommit(c.calls());
      default -> throw new IllegalArgumentException(c.mode().toString());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The chain

  private Block mine(TestTransaction tx) {
    stats.inc(BLOCKS_MINED);
    return chain.mineTransactions(tx);
  }

  /**
   * Mines a block with each waiting dispute and penalty at {@code percent} odds, never a penalty
   * without its dispute (as a miner would not).
   */
  private Block minePartial(Random r, int percent) {
    Set<Txid> pick = new LinkedHashSet<>();
    for (Appointment a : appointments) {
      Txid dispute = a.dispute().txid();
      Txid penalty = a.penalty().txid();
      if (chain.inMempool(dispute) && r.nextInt(100) < percent) {
        pick.add(dispute);
      }
      boolean disputeMined = pick.contains(dispute) || chain.confirmationHeight(dispute).isPresent();
      if (disputeMined && chain.inMempool(penalty) && r.nextInt(100) < percent) {
        pick.add(penalty);
      }
    }
    stats.inc(BLOCKS_MINED);
    return chain.mineOnly(pick.toArray(Txid[]::new));
  }

  // ---------------------------------------------------------------------------------------------
  // The host

  private void deliver(List<BlockRef> gone, List<Block> toDeliver, Random r) {
    List<Block> blocks = toDeliver;
    if (ports.lagging()) {
      // The host's chain loop runs on the lagging node: it sees nothing above it.
      int nodeHeight = ports.nodeHeight();
      blocks = toDeliver.stream().filter(b -> b.height() <= nodeHeight).toList();
    }
    if (blocks.isEmpty()) {
      return;
    }
    DeliveryStyle style = style(r);
    if (style == DeliveryStyle.HOST_DISCONNECTS) {
      for (BlockRef g : gone) {
        stats.inc(DISCONNECTIONS_REPORTED);
        trace("  blockDisconnected %d %s", g.height(), g.hash());
        model.hostReportsDisconnection(true);
        try {
          call("blockDisconnected", () -> responder.blockDisconnected(g));
        } finally {
          model.hostReportsDisconnection(false);
        }
      }
    }
    for (int i = 0; i < blocks.size(); i++) {
      Block b = blocks.get(i);
      boolean newest = i == blocks.size() - 1;
      switch (style) {
        case TIP_ONLY -> {
          if (newest) {
            onBlock(b);
          }
        }
        case SKIPPING -> {
          if (newest || r.nextBoolean()) {
            onBlock(b);
          }
        }
        case TWICE -> {
          onBlock(b);
          onBlock(b);
          if (r.nextInt(4) == 0) {
            onBlock(chain.blockAt(Math.max(1, chain.tip().height() - r.nextInt(config.reorgWindow() + 5))));
          }
        }
        default -> onBlock(b);
      }
    }
  }

  private DeliveryStyle style(Random r) {
    DeliveryStyle style = history.style();
    return style == DeliveryStyle.MIXED ? DeliveryStyle.values()[r.nextInt(DeliveryStyle.MIXED.ordinal())] : style;
  }

  /** A disconnection whose new branch is not there yet: only a host that reports them says anything. */
  private void reportDisconnections(List<BlockRef> gone, Random r) {
    if (style(r) != DeliveryStyle.HOST_DISCONNECTS) {
      return;
    }
    for (BlockRef g : gone) {
      stats.inc(DISCONNECTIONS_REPORTED);
      trace("  blockDisconnected %d %s", g.height(), g.hash());
      model.hostReportsDisconnection(true);
      try {
        call("blockDisconnected", () -> responder.blockDisconnected(g));
      } finally {
        model.hostReportsDisconnection(false);
      }
    }
  }

  private void onBlock(Block b) {
    stats.inc(BLOCKS_DELIVERED);
    trace("  onBlock %d %s", b.height(), b.hash());
    call("onBlock", () -> responder.onBlock(b));
  }

  /**
   * Makes a Responder call, absorbing what the simulation injected: a process death (the Responder
   * is rebuilt), a store failure, a block source failure while the node or source is down. Anything
   * else stops the run.
   *
   * @return whether the call returned normally
   */
  private boolean call(String what, Runnable action) {
    return call(what, null, action);
  }

  /**
   * Makes a Responder call as {@link #call(String, Runnable)} does; when a port threw an unchecked
   * failure the simulation injected, the host retries the same call at once, as a chain loop retries
   * a block and a watcher a breach.
   */
  private boolean call(String what, Breach handingOver, Runnable action) {
    for (int attempt = 0; ; attempt++) {
      try {
        return attempt(what, handingOver, action);
      } catch (Ports.InjectedPortFailure f) {
        trace("    %s threw: %s", what, f.getMessage());
        stats.inc(PORT_FAILURES);
        raiseViolations();
        if (attempt >= 3) {
          return false;
        }
        trace("    the host retries %s", what);
      }
    }
  }

  private boolean attempt(String what, Breach handingOver, Runnable action) {
    boolean ok = false;
    watchCall(true, handingOver);
    try {
      action.run();
      ok = true;
    } catch (Ports.SimulatedCrash c) {
      trace("    %s", c.getMessage());
      stats.inc(DEATHS_MID_CALL);
      model.eventsMayHaveBeenLost();
      raiseViolations();
      restart();
    } catch (FaultyTrackerStore.InjectedFailure f) {
      trace("    %s", f.getMessage());
      model.callInterrupted();
      if (f.fault() == CommitFault.APPLY_THEN_THROW) {
        stats.inc(LOST_ACKS);
        model.eventsMayHaveBeenLost();
      } else {
        stats.inc(FAILED_COMMITS);
      }
      raiseViolations();
      if (restartAfterStoreFailure) {
        restartAfterStoreFailure = false;
        restart();
      }
    } catch (BlockSourceException e) {
      model.callInterrupted();
      if (causedByInjection(e)) {
        watchCall(false, null);
        throw new Ports.InjectedPortFailure("a port (wrapped by the Responder)");
      }
      trace("    block source failed: %s", e.getMessage());
      if (!ports.lagging() && (!e.isTransient() || ports.sourceReachable())) {
        throw stop(Violation.UNEXPECTED_EXCEPTION, what + " threw " + trace(e));
      }
    } catch (Ports.InjectedPortFailure f) {
      model.callInterrupted();
      watchCall(false, null);
      throw f;
    } catch (RuntimeException e) {
      if (causedByInjection(e)) {
        model.callInterrupted();
        watchCall(false, null);
        throw new Ports.InjectedPortFailure("a port (wrapped by the Responder)");
      }
      throw stop(Violation.UNEXPECTED_EXCEPTION, what + " threw " + trace(e));
    }
    watchCall(false, null);
    raiseViolations();
    return ok;
  }

  /** Whether an exception is, or was caused by, a failure the simulation injected into a port. */
  private static boolean causedByInjection(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof Ports.InjectedPortFailure) {
        return true;
      }
    }
    return false;
  }

  /** Tells the model a call begins or ends, reading the Responder without counting toward faults. */
  private void watchCall(boolean starting, Breach handingOver) {
    ports.suspend(true);
    try {
      if (starting) {
        model.callStarting(responder, handingOver);
      } else {
        model.callEnded(responder);
      }
    } catch (IllegalStateException | FaultyTrackerStore.InjectedFailure e) {
      // A Responder whose store cannot be read now is judged by the next check.
      if (starting) {
        model.callStarting(null, handingOver);
      }
    } finally {
      ports.suspend(false);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The process

  private Responder start() {
    model.observe(null); // while it starts, it only connects blocks of the best chain
    Responder r = Responder.builder().config(config).carrier(ports.carrier).blockSource(ports.blockSource)
        .store(ports.store).listener(listener).start();
    model.observe(r);
    return r;
  }

  /**
   * Throws the Responder away and builds a new one over the store. When the restart happens with the
   * block source down, the new Responder cannot catch up at once, so its state must be exactly what
   * the store holds: the last committed block and trackers.
   */
  private void restart() {
    boolean sourceDown = restartWithSourceDown;
    trace("  restart%s", sourceDown ? " with the block source down" : "");
    stats.inc(RESTARTS);
    responder = null;
    userStore = options.reopen().apply(userStore);
    faulty.replaceDelegate(userStore);
    ports.closeSourceGate(sourceDown);
    // The process that died took its call with it: the new process's start is a call of its own,
    // handing nothing over (a breach whose call died before committing is unknown to it).
    model.callStarting(null, null);
    for (int attempt = 0; responder == null; attempt++) {
      try {
        responder = start();
      } catch (Ports.SimulatedCrash | FaultyTrackerStore.InjectedFailure | Ports.InjectedPortFailure e) {
        model.eventsMayHaveBeenLost();
        if (attempt > 10) {
          throw stop(Violation.UNEXPECTED_EXCEPTION, "the Responder could not be restarted: " + trace(e));
        }
      } catch (RuntimeException e) {
        throw stop(Violation.UNEXPECTED_EXCEPTION, "restart threw " + trace(e));
      }
    }
    raiseViolations();
    if (sourceDown) {
      stats.inc(CHECKED_RESTARTS);
      checkRestartedState();
      ports.closeSourceGate(false);
      call("syncWithBlockSource", () -> responder.syncWithBlockSource());
    }
  }

  private void checkRestartedState() {
    ports.suspend(true);
    try {
      Optional<BlockRef> tip = userStore.loadTip();
      Map<UUID, TrackerStatus> statuses = new LinkedHashMap<>();
      userStore.loadTrackers(t -> statuses.put(t.uuid(), t.status()));
      Map<TrackerState, Integer> counts = new EnumMap<>(TrackerState.class);
      for (TrackerState s : TrackerState.values()) {
        counts.put(s, 0);
      }
      statuses.values().forEach(s -> counts.merge(s.state(), 1, Integer::sum));
      if (!tip.equals(Optional.of(responder.tip()))) {
        throw stop(Violation.RESTART_STATE, "restarted at " + responder.tip() + " but the last committed block is " + tip);
      }
      if (!counts.equals(responder.countsByState())) {
        throw stop(Violation.RESTART_STATE, "restarted with counts " + responder.countsByState() + " but the store holds " + counts);
      }
      Map<UUID, TrackerStatus> seen = new LinkedHashMap<>();
      for (TransactionTracker t : responder.trackers()) {
        seen.put(t.uuid(), t.status());
      }
      if (!seen.equals(statuses)) {
        throw stop(Violation.RESTART_STATE, "restarted with trackers " + seen + " but the store holds " + statuses);
      }
      try {
        responder.checkConsistency();
      } catch (IllegalStateException e) {
        throw stop(Violation.INCONSISTENT, "after a restart: " + e.getMessage());
      }
    } finally {
      ports.suspend(false);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Checks and the end of the history

  private void check() {
    ports.suspend(true);
    try {
      model.check(responder, chain.isReachable() && !ports.lagging(), ports.sourceReachable());
    } finally {
      ports.suspend(false);
    }
    raiseViolations();
  }

  /**
   * After the last step: the node comes back for good, the watcher retries what failed, cheaters get
   * their disputes mined again, and blocks with everything waiting are mined until every tracker has
   * ended, which must happen within the irrevocable depth plus a few rebroadcast rounds.
   */
  private void settle() {
    chain.nodeDown(false);
    chain.warmingUp(false);
    ports.clearFaults();
    restartAfterStoreFailure = false;
    retryHandOvers();
    Set<TestTransaction> disputes = new LinkedHashSet<>();
    ports.suspend(true);
    try {
      for (Appointment a : appointments) {
        if (chain.confirmationHeight(a.dispute().txid()).isEmpty() && responder.tracker(a.uuid()).isPresent()) {
          disputes.add(a.dispute());
        }
      }
    } finally {
      ports.suspend(false);
    }
    if (!disputes.isEmpty()) {
      stats.inc(SETTLING_BLOCKS);
      stats.inc(BLOCKS_MINED);
      onBlock(chain.mineTransactions(disputes.toArray(TestTransaction[]::new)));
      check();
    }
    // The node restarts with an empty mempool once: every penalty still waiting must be sent again
    // within the rebroadcast threshold, which shows any rebroadcast the Responder lost track of.
    for (Appointment a : appointments) {
      if (chain.dropFromMempool(a.penalty().txid())) {
        stats.inc(MEMPOOL_DROPS);
      }
    }
    check();
    int limit = config.irrevocableDepth() + 4 * config.rebroadcastAfterMissed() + 20;
    for (int i = 0; i < limit && !(model.settled() && trackerCount() == 0); i++) {
      stats.inc(SETTLING_BLOCKS);
      onBlock(minePartial(new Random(i), 100));
      check();
    }
    ports.suspend(true);
    try {
      model.checkSettled(responder);
    } finally {
      ports.suspend(false);
    }
    raiseViolations();
  }

  private BlockRef responderTip() {
    ports.suspend(true);
    try {
      return responder.tip();
    } finally {
      ports.suspend(false);
    }
  }

  private int trackerCount() {
    ports.suspend(true);
    try {
      return responder.trackerCount();
    } finally {
      ports.suspend(false);
    }
  }

  private void raiseViolations() {
    Violation v = model.takeViolation(step);
    if (v != null) {
      throw new Stop(v);
    }
  }

  private Stop stop(String rule, String message) {
    return new Stop(new Violation(rule, step, message));
  }

  private void trace(String format, Object... args) {
    if (trace != null) {
      trace.add(String.format(format, args));
    }
  }

  /** Traces every event, then hands it to the model. */
  private final class TracingListener implements ResponderListener {
    @Override
    public void trackerAdded(TransactionTracker tracker) {
      trace("    event added %s %s", tracker.uuid(), tracker.status());
      model.trackerAdded(tracker);
    }

    @Override
    public void penaltyConfirmed(UUID uuid, Txid penaltyTxid, BlockRef block) {
      trace("    event confirmed %s at %d", uuid, block.height());
      model.penaltyConfirmed(uuid, penaltyTxid, block);
    }

    @Override
    public void penaltyResent(UUID uuid, Txid penaltyTxid, ResendReason reason, BroadcastResult result) {
      trace("    event resent (%s) %s %s", reason, uuid, result);
      model.penaltyResent(uuid, penaltyTxid, reason, result);
    }

    @Override
    public void trackerCompleted(UUID uuid, Txid penaltyTxid, BlockRef tip) {
      trace("    event completed %s at %d", uuid, tip.height());
      model.trackerCompleted(uuid, penaltyTxid, tip);
    }

    @Override
    public void trackerExpired(UUID uuid, Txid penaltyTxid, BlockRef tip) {
      trace("    event expired %s at %d", uuid, tip.height());
      model.trackerExpired(uuid, penaltyTxid, tip);
    }

    @Override
    public void breachRejected(UUID uuid, Txid penaltyTxid, BroadcastResult.Rejected rejection) {
      trace("    event rejected %s %s", uuid, rejection);
      model.breachRejected(uuid, penaltyTxid, rejection);
    }

    @Override
    public void blocksDisconnected(BlockRef forkPoint, List<BlockRef> disconnected) {
      trace("    event disconnected %d blocks down to %d", disconnected.size(), forkPoint.height());
      model.blocksDisconnected(forkPoint, disconnected);
    }
  }

  private static String message(int code) {
    return switch (code) {
      case -26 -> "min relay fee not met";
      case -25 -> "bad-txns-inputs-missingorspent";
      case -22 -> "TX decode failed";
      default -> "error " + code;
    };
  }

  private static String trace(Throwable e) {
    StringWriter out = new StringWriter();
    e.printStackTrace(new PrintWriter(out));
    String[] lines = out.toString().split("\n");
    StringBuilder shortTrace = new StringBuilder();
    for (int i = 0; i < Math.min(lines.length, 12); i++) {
      shortTrace.append(i == 0 ? "" : "\n    ").append(lines[i].strip());
    }
    return shortTrace.toString();
  }
}
