package io.responder.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.Block;
import io.responder.core.BlockRef;
import io.responder.core.BlockSource;
import io.responder.core.BreachReceipt;
import io.responder.core.BreachReceipt.Disposition;
import io.responder.core.BroadcastResult;
import io.responder.core.FeeBumper;
import io.responder.core.FeeEstimate;
import io.responder.core.FeeEstimator;
import io.responder.core.FeeRate;
import io.responder.core.RawTransaction;
import io.responder.core.ResponderConfig;
import io.responder.core.ResponderListener;
import io.responder.core.TrackerState;
import io.responder.core.Txid;
import io.responder.store.inmemory.InMemoryTrackerStore;
import io.responder.testkit.Appointment;
import io.responder.testkit.FakeChain;
import io.responder.testkit.RecordingListener;
import io.responder.testkit.TestTransaction;
import io.responder.testkit.Transactions;
import io.responder.core.Responder;
import io.responder.testkit.RecordingListener.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Issue 14's stories on the fake chain with its fee market on: a deadline derived from the dispute's
 * confirmation, the escalation window acting on every block, the fee ladder climbed by replacement,
 * a dispute below the mempool minimum carried by its penalty as a package, and the state kept across
 * a restart.
 */
class FeesAndDeadlinesTest {
  private final FakeChain chain = FakeChain.atHeight(300);
  private final InMemoryTrackerStore store = new InMemoryTrackerStore();
  private final RecordingListener events = new RecordingListener();
  private final Deadlines deadlines = new Deadlines();
  private final Random rng = new Random(1414);
  private Responder responder = start();

  /** The fee events, which RecordingListener does not know yet. */
  static final class Deadlines implements ResponderListener {
    final List<String> log = new ArrayList<>();

    @Override
    public synchronized void penaltyAtRisk(UUID uuid, Txid penaltyTxid, int deadlineHeight, int blocksLeft) {
      log.add("at-risk " + deadlineHeight + " " + blocksLeft);
    }

    @Override
    public synchronized void penaltyEscalated(UUID uuid, Txid penaltyTxid, Txid sentTxid, int rung, BroadcastResult result) {
      log.add("rung " + rung + " " + result.getClass().getSimpleName());
    }

    @Override
    public synchronized void deadlinePassed(UUID uuid, Txid penaltyTxid, int deadlineHeight) {
      log.add("passed " + deadlineHeight);
    }

    synchronized List<String> drain() {
      List<String> out = List.copyOf(log);
      log.clear();
      return out;
    }
  }

  private Responder start() {
    ResponderListener both = new ResponderListener() {
      @Override
      public void trackerAdded(io.responder.core.TransactionTracker tracker) {
        events.trackerAdded(tracker);
      }

      @Override
      public void penaltyConfirmed(UUID uuid, Txid penaltyTxid, BlockRef block) {
        events.penaltyConfirmed(uuid, penaltyTxid, block);
      }

      @Override
      public void trackerCompleted(UUID uuid, Txid penaltyTxid, BlockRef tip) {
        events.trackerCompleted(uuid, penaltyTxid, tip);
      }

      @Override
      public void penaltyAtRisk(UUID uuid, Txid penaltyTxid, int deadlineHeight, int blocksLeft) {
        deadlines.penaltyAtRisk(uuid, penaltyTxid, deadlineHeight, blocksLeft);
      }

      @Override
      public void penaltyEscalated(UUID uuid, Txid penaltyTxid, Txid sentTxid, int rung, BroadcastResult result) {
        deadlines.penaltyEscalated(uuid, penaltyTxid, sentTxid, rung, result);
      }

      @Override
      public void deadlinePassed(UUID uuid, Txid penaltyTxid, int deadlineHeight) {
        deadlines.deadlinePassed(uuid, penaltyTxid, deadlineHeight);
      }
    };
    return Responder.builder().config(ResponderConfig.defaults().withIrrevocableDepth(10)).carrier(chain)
        .blockSource(chain).store(store).listener(both).start();
  }

  /** A channel whose dispute pays {@code disputeRate} and whose penalty pays {@code penaltyRate} sat/vB. */
  private Appointment channel(double disputeRate, double penaltyRate) {
    TestTransaction funding = Transactions.funding(rng, 1_000_000);
    responder.onBlock(chain.mineTransactions(funding));
    return Appointment.withFeerates(rng, funding, 0, disputeRate, penaltyRate);
  }

  /** {@code b} with the rungs of {@code ladder} added, lowest first. */
  private static io.responder.core.Breach.Builder withLadder(io.responder.core.Breach.Builder b, List<TestTransaction> ladder) {
    ladder.forEach(v -> b.addPenaltyVariant(v.raw()));
    return b;
  }

  /** The cheater's commitment mined, and the block delivered. */
  private Block confirmDispute(Appointment a) {
    Block disputeBlock = chain.mineTransactions(a.dispute());
    responder.onBlock(disputeBlock);
    return disputeBlock;
  }

  private void mineEmpty(int n) {
    for (int i = 0; i < n; i++) {
      responder.onBlock(chain.mineEmpty());
    }
  }

  @Test
  void withinTheWindowThePenaltyIsSentOnEveryBlockAndTheHostIsToldOfTheRisk() {
    Appointment a = channel(10, 10);
    Block disputeBlock = confirmDispute(a);
    responder.handleBreach(a.breachBuilder(disputeBlock.hash()).toSelfDelay(20).build());
    int deadline = disputeBlock.height() + 20;
    chain.minerMinFeerate(50); // miners skip the penalty

    mineEmpty(6); // the ordinary count: one rebroadcast at the 6th missed block
    chain.drainBroadcasts();
    mineEmpty(1); // tip = disputeBlock + 7: 12 blocks left, the window opens
    assertEquals(List.of("at-risk " + deadline + " 12"), deadlines.drain());
    assertEquals(List.of(a.penalty().txid()), chain.drainBroadcasts());
    mineEmpty(3);
    assertEquals(3, chain.drainBroadcasts().size(), "one send on every block within the window");

    while (responder.tip().height() < deadline) {
      mineEmpty(1);
    }
    assertEquals(List.of("passed " + deadline), deadlines.drain());
    assertEquals(TrackerState.IN_MEMPOOL, responder.tracker(a.uuid()).orElseThrow().status().state(), "the tracker goes on");

    chain.minerMinFeerate(0);
    Block mined = chain.mine();
    responder.onBlock(mined);
    assertEquals(List.of(mined.height()), events.events(Event.Confirmed.class).stream().map(e -> e.block().height()).toList());
  }

  @Test
  void aPenaltyThatKeepsMissingBlocksClimbsOneRungPerRebroadcastAndTheVariantThatConfirmsCompletesIt() {
    Appointment a = channel(10, 2);
    List<TestTransaction> ladder = a.penaltyLadder(rng, 8, 30, 80);
    Block disputeBlock = confirmDispute(a);
    var b = withLadder(a.breachBuilder(disputeBlock.hash()).toSelfDelay(1000), ladder);
    BreachReceipt receipt = responder.handleBreach(b.build());
    assertEquals(Disposition.TRACKED, receipt.disposition());
    assertTrue(chain.inMempool(a.penalty().txid()), "the cheapest rung first");
    chain.minerMinFeerate(25); // miners now want 25 sat/vB

    mineEmpty(6); // six missed blocks: rung 1 (8 sat/vB) replaces the penalty
    assertTrue(chain.inMempool(ladder.get(0).txid()));
    assertFalse(chain.inMempool(a.penalty().txid()));
    mineEmpty(6); // six more: rung 2 (30 sat/vB) replaces rung 1
    assertTrue(chain.inMempool(ladder.get(1).txid()));
    assertEquals(List.of("rung 1 Accepted", "rung 2 Accepted"), deadlines.drain());

    Block mined = chain.mine();
    responder.onBlock(mined);
    assertTrue(mined.txids().contains(ladder.get(1).txid()), "miners take rung 2");
    assertEquals(TrackerState.CONFIRMED, responder.tracker(a.uuid()).orElseThrow().status().state());
    assertEquals(0, chain.broadcastCount(ladder.get(2).txid()), "the 80 sat/vB rung was never spent");
    mineEmpty(9);
    assertEquals(List.of(a.uuid()), events.uuids(Event.Completed.class));
    assertEquals(mined.height() + 9, events.events(Event.Completed.class).get(0).tip().height());
    responder.checkConsistency();
  }

  /** An estimator that knows what miners take now, whatever the target (the fee simulation's). */
  private static FeeEstimator minersTake(double satPerVbyte) {
    return minersTake(() -> satPerVbyte);
  }

  /** The same, for a market that moves during the test. */
  private static FeeEstimator minersTake(java.util.function.DoubleSupplier satPerVbyte) {
    return new FeeEstimator() {
      @Override
      public java.util.Optional<FeeEstimate> estimate(int blocks) {
        return java.util.Optional.of(new FeeEstimate(FeeRate.ofSatPerVbyte(Math.round(satPerVbyte.getAsDouble())), blocks));
      }

      @Override
      public FeeRate minimum() {
        return FeeRate.ofSatPerVbyte(1);
      }
    };
  }

  /** A Responder over the same chain and store with the host's fee ports (a null bumper: none). */
  private Responder withFees(FeeEstimator estimator, @org.jspecify.annotations.Nullable FeeBumper bumper) {
    Responder.Builder b = Responder.builder().config(ResponderConfig.defaults().withIrrevocableDepth(10)).carrier(chain)
        .blockSource(chain).store(store).listener(events).feeEstimator(estimator);
    return (bumper == null ? b : b.feeBumper(bumper, 20_000)).start();
  }

  @Test
  void beforeTheWindowARungBelowTheEstimateIsReplacedAtOnceByTheLowestThatMeetsIt() {
    Appointment a = channel(10, 2);
    List<TestTransaction> ladder = a.penaltyLadder(rng, 8, 30, 80);
    Block disputeBlock = confirmDispute(a);
    responder = withFees(minersTake(25), null);
    var b = a.breachBuilder(disputeBlock.hash()).toSelfDelay(1000); // the window is hundreds of blocks away
    ladder.forEach(v -> b.addPenaltyVariant(v.raw()));
    responder.handleBreach(b.build());
    chain.minerMinFeerate(25);

    mineEmpty(1); // the node's estimate (25 sat/vB) is above the penalty's 2: rung 2 (30) at once, not rung 1 (8)
    assertTrue(chain.inMempool(ladder.get(1).txid()));
    assertEquals(0, chain.broadcastCount(ladder.get(0).txid()), "no rung below the estimate is spent");
    Block mined = chain.mine();
    responder.onBlock(mined);
    assertTrue(mined.txids().contains(ladder.get(1).txid()));
    assertEquals(TrackerState.CONFIRMED, responder.tracker(a.uuid()).orElseThrow().status().state());
    assertEquals(0, chain.broadcastCount(ladder.get(2).txid()), "the 80 sat/vB rung was never spent");
  }

  @Test
  void withoutTheRawDisputeItIsReadFromTheNodeAndTheEstimateIsFollowedAllTheSame() {
    Appointment a = channel(10, 2);
    List<TestTransaction> ladder = a.penaltyLadder(rng, 8, 30, 80);
    Block disputeBlock = confirmDispute(a);
    responder = withFees(minersTake(25), null);
    var b = withLadder(a.breachBuilder(disputeBlock.hash()).disputeRawTx((byte[]) null).toSelfDelay(1000), ladder);
    responder.handleBreach(b.build()); // the dispute read from its block: the rungs' feerates are known, rung 2 (30) at once
    assertTrue(chain.inMempool(ladder.get(1).txid()));
    assertEquals(0, chain.broadcastCount(ladder.get(0).txid()));
    chain.minerMinFeerate(25);
    Block mined = chain.mine();
    responder.onBlock(mined);
    assertTrue(mined.txids().contains(ladder.get(1).txid()));
  }

  @Test
  void withoutTheRawDisputeARestartReadsItFromTheNodeToo() {
    Appointment a = channel(10, 2);
    List<TestTransaction> ladder = a.penaltyLadder(rng, 8, 30, 80);
    Block disputeBlock = confirmDispute(a);
    responder = withFees(minersTake(1), null);
    var b = withLadder(a.breachBuilder(disputeBlock.hash()).disputeRawTx((byte[]) null).toSelfDelay(1000), ladder);
    responder.handleBreach(b.build());
    mineEmpty(3); // the dispute's block is behind the tip now

    double[] market = {1};
    responder = withFees(minersTake(() -> market[0]), null); // a restart: the window holds the tip only
    mineEmpty(1);
    market[0] = 25;
    chain.minerMinFeerate(25);
    mineEmpty(1); // the rungs' feerates were read from the dispute's block, found by its height: rung 2 (30) at once
    assertTrue(chain.inMempool(ladder.get(1).txid()));
    assertEquals(0, chain.broadcastCount(ladder.get(0).txid()), "no rung below the estimate is spent");
  }

  @Test
  void withoutTheRawDisputeAndANodeThatServesNoTransactionTheLadderIsClimbedPerRebroadcast() {
    Appointment a = channel(10, 2);
    List<TestTransaction> ladder = a.penaltyLadder(rng, 8, 30, 80);
    Block disputeBlock = confirmDispute(a);
    BlockSource blocksOnly = new BlockSource() { // a source of the port's required methods only
      @Override
      public BlockRef bestBlock() {
        return chain.bestBlock();
      }

      @Override
      public Block block(io.responder.core.BlockHash hash) {
        return chain.block(hash);
      }

      @Override
      public java.util.Optional<io.responder.core.BlockHash> blockHashAt(int height) {
        return chain.blockHashAt(height);
      }
    };
    responder = Responder.builder().config(ResponderConfig.defaults().withIrrevocableDepth(10)).carrier(chain)
        .blockSource(blocksOnly).store(store).listener(events).feeEstimator(minersTake(25)).start();
    var b = withLadder(a.breachBuilder(disputeBlock.hash()).disputeRawTx((byte[]) null).toSelfDelay(1000), ladder);
    responder.handleBreach(b.build());
    chain.minerMinFeerate(25);

    mineEmpty(5);
    assertTrue(chain.inMempool(a.penalty().txid()), "no feerate to compare with the estimate: the height schedule");
    mineEmpty(1);
    assertTrue(chain.inMempool(ladder.get(0).txid()), "one rung after six missed blocks");
  }

  @Test
  void aDisputeEvictedWithItsPenaltyAndMinedAgainHasThePenaltySentAtOnce() {
    Appointment a = channel(10, 2);
    List<TestTransaction> ladder = a.penaltyLadder(rng, 8, 30);
    Block disputeBlock = confirmDispute(a);
    responder = withFees(minersTake(1), null);
    var b = withLadder(a.breachBuilder(disputeBlock.hash()).toSelfDelay(1000), ladder);
    responder.handleBreach(b.build());
    chain.minerMinFeerate(25); // miners skip the penalty for now
    chain.disconnect(1); // the dispute's block is replaced: dispute and penalty back in the mempool
    responder.onBlock(chain.mineEmpty());
    chain.dropFromMempool(a.penalty().txid()); // then evicted, the penalty with its parent
    chain.dropFromMempool(a.dispute().txid());
    responder.onBlock(chain.mineEmpty());
    chain.drainBroadcasts();

    Block again = chain.mineTransactions(a.dispute()); // the cheater mines the dispute again
    responder.onBlock(again);

    List<Txid> sent = chain.drainBroadcasts();
    assertEquals(1, sent.size(), "one rung sent, in the block that confirmed the dispute again");
    assertTrue(List.of(a.penalty().txid(), ladder.get(0).txid()).contains(sent.get(0)), "the rung the node held before");
    assertTrue(chain.inMempool(sent.get(0)));
  }

  @Test
  void aRungRefusedBecauseAnotherRungTheNodeMinedSpentItsInputsIsNoRejection() {
    Appointment a = channel(10, 2);
    List<TestTransaction> ladder = a.penaltyLadder(rng, 8, 30);
    Block disputeBlock = confirmDispute(a);
    var b = a.breachBuilder(disputeBlock.hash()).toSelfDelay(14); // 12 blocks left at the next block: at risk
    ladder.forEach(v -> b.addPenaltyVariant(v.raw()));
    chain.minerMinFeerate(1); // the fee market on: replacements by feerate
    responder.handleBreach(b.build());
    // The node holds rung 2 already (sent by an earlier run of the host's), and mines it in the second
    // block; the host delivers that block before the one below it, so while the Responder acts on the
    // first one (rung 1, as the window opens), rung 1's inputs are spent on the node's chain.
    assertEquals(new BroadcastResult.Accepted(), chain.broadcast(ladder.get(1).txid(), ladder.get(1).raw()));
    chain.mineEmpty();
    Block mined = chain.mine();
    assertTrue(mined.txids().contains(ladder.get(1).txid()));
    deadlines.drain();

    responder.onBlock(mined);

    assertEquals(List.of("at-risk " + (disputeBlock.height() + 14) + " 12", "rung 1 RejectedForNow"), deadlines.drain(),
        "spent by its own ladder: kept, not rejected");
    assertEquals(TrackerState.CONFIRMED, responder.tracker(a.uuid()).orElseThrow().status().state());
    assertEquals(List.of(a.uuid()), events.uuids(Event.Confirmed.class));
    responder.checkConsistency();
  }

  /** The same refusal on a ladder of four rungs: the three others are asked about in one call. */
  @Test
  void theOtherRungsOfARungRefusedForItsSpentInputsAreAskedAboutInOneCall() {
    Appointment a = channel(10, 2);
    List<TestTransaction> ladder = a.penaltyLadder(rng, 8, 30, 60);
    Block disputeBlock = confirmDispute(a);
    CountingCarrier counting = new CountingCarrier(chain);
    responder = watchedBy(counting).start();
    chain.minerMinFeerate(1);
    responder.handleBreach(withLadder(a.breachBuilder(disputeBlock.hash()).toSelfDelay(14), ladder).build());
    assertEquals(new BroadcastResult.Accepted(), chain.broadcast(ladder.get(2).txid(), ladder.get(2).raw()));
    chain.mineEmpty();
    Block mined = chain.mine(); // the top rung, mined in a block the Responder is given before the one below
    assertTrue(mined.txids().contains(ladder.get(2).txid()));
    counting.clear();

    responder.onBlock(mined);

    assertEquals(List.of(3), counting.askedTogether, "the three other rungs in one call");
    assertEquals(List.of(a.dispute().txid()), counting.askedAlone, "only the dispute's own check, on the refusal");
    assertEquals(TrackerState.CONFIRMED, responder.tracker(a.uuid()).orElseThrow().status().state());
    responder.checkConsistency();
  }

  @Test
  void aRungRefusedForFeeIsPassedAtOnceAtTheHandOverOutsideTheWindowToo() {
    Appointment a = channel(10, 2);
    List<TestTransaction> ladder = a.penaltyLadder(rng, 4, 12);
    Block disputeBlock = confirmDispute(a);
    chain.mempoolMinFeerate(10);
    var b = withLadder(a.breachBuilder(disputeBlock.hash()).toSelfDelay(1000), ladder);
    chain.drainBroadcasts();

    BreachReceipt receipt = responder.handleBreach(b.build()); // the ladder is climbed past the refused rungs at once

    assertEquals(Disposition.TRACKED, receipt.disposition());
    assertTrue(chain.inMempool(ladder.get(1).txid()), "the lowest rung the node takes");
    assertEquals(TrackerState.IN_MEMPOOL, responder.tracker(a.uuid()).orElseThrow().status().state());
    assertEquals(List.of("rung 1 RejectedForNow", "rung 2 Accepted"), deadlines.drain());
    mineEmpty(6);
    assertTrue(chain.inMempool(ladder.get(1).txid()), "six missed blocks: a replacement is tried, never lower");
  }

  @Test
  void aDisputeSentBackBelowTheMempoolMinimumIsCarriedByItsPenaltyAsAPackage() {
    Appointment a = channel(1, 60); // the cheater's commitment pays 1 sat/vB, the penalty 60
    Block disputeBlock = confirmDispute(a);
    responder.handleBreach(a.breachBuilder(disputeBlock.hash()).toSelfDelay(144).build());
    chain.mempoolMinFeerate(5); // a fee spike: 1 sat/vB no longer gets in alone

    chain.disconnect(1); // the dispute's block is replaced,
    chain.dropFromMempool(a.dispute().txid()); // and the node restarts with an empty mempool
    assertFalse(chain.inMempool(a.dispute().txid()));
    assertFalse(chain.inMempool(a.penalty().txid()));
    assertTrue(chain.broadcast(a.dispute().txid(), a.dispute().raw()) instanceof BroadcastResult.RejectedForNow,
        "the dispute cannot get back in alone");
    responder.onBlock(chain.mineEmpty());

    assertTrue(chain.inMempool(a.dispute().txid()), "carried by its penalty");
    assertTrue(chain.inMempool(a.penalty().txid()));
    Block mined = chain.mine();
    responder.onBlock(mined);
    assertTrue(mined.txids().containsAll(List.of(a.dispute().txid(), a.penalty().txid())));
    assertEquals(TrackerState.CONFIRMED, responder.tracker(a.uuid()).orElseThrow().status().state());
    responder.checkConsistency();
  }

  @Test
  void aRestartKeepsTheDeadlineAndTheLadder() {
    Appointment a = channel(10, 2);
    List<TestTransaction> ladder = a.penaltyLadder(rng, 30);
    Block disputeBlock = confirmDispute(a);
    var b = withLadder(a.breachBuilder(disputeBlock.hash()).deadlineHeight(disputeBlock.height() + 15), ladder);
    responder.handleBreach(b.build());
    chain.minerMinFeerate(25);

    responder = start(); // a restart over the same store
    mineEmpty(2); // 12 blocks left: at risk, rung 1 (the only variant) replaces the penalty

    assertEquals(List.of("at-risk " + (disputeBlock.height() + 15) + " 12", "rung 1 Accepted"), deadlines.drain());
    assertTrue(chain.inMempool(ladder.get(0).txid()));
    Block mined = chain.mine();
    responder.onBlock(mined);
    assertEquals(TrackerState.CONFIRMED, responder.tracker(a.uuid()).orElseThrow().status().state());
  }

  /**
   * The store keeps the dispute height first seen; a reorganisation that sent the dispute back to
   * the mempool, then a restart while the node was away, then the dispute mined again in the first
   * block after it: the height check put off to that block ran after its transactions were looked at, found the stored
   * height wrong and awaited a dispute already past, so no deadline ever ran (found by the fee
   * simulation, seed 145480).
   */
  @Test
  void aDisputeMinedAgainInTheFirstBlockAfterARestartIsLearntThere() {
    Appointment a = channel(10, 2);
    Block disputeBlock = confirmDispute(a);
    responder.handleBreach(a.breachBuilder(disputeBlock.hash()).toSelfDelay(14).build());
    chain.disconnect(1); // the dispute's block is replaced; the dispute waits in the mempool
    List<Block> branch = chain.mineEmpty(2);
    responder.onBlock(branch.get(1));

    chain.nodeDown(true);
    responder = start(); // a restart over the same store, the node away: the heights are checked at the next block
    chain.nodeDown(false);
    Block again = chain.mineTransactions(a.dispute());
    responder.onBlock(again);
    mineEmpty(1); // 12 blocks left of the new deadline: at risk

    assertEquals(List.of("at-risk " + (again.height() + 14) + " 12"), deadlines.drain());
  }

  @Test
  void aReorgThatMovesTheDisputeMovesTheDeadline() {
    Appointment a = channel(10, 10);
    Block disputeBlock = confirmDispute(a);
    responder.handleBreach(a.breachBuilder(disputeBlock.hash()).toSelfDelay(14).build());
    chain.minerMinFeerate(50);

    chain.disconnect(1); // the dispute's block is replaced; the dispute confirms two blocks later
    chain.dropFromMempool(a.penalty().txid());
    chain.dropFromMempool(a.dispute().txid());
    responder.onBlock(chain.mineEmpty());
    responder.onBlock(chain.mineEmpty());
    Block again = chain.mineTransactions(a.dispute());
    responder.onBlock(again);
    deadlines.drain();

    mineEmpty(0);
    int newDeadline = again.height() + 14;
    while (EscalationWindow.blocksLeft(newDeadline, responder.tip().height()) > 13) {
      mineEmpty(1);
    }
    assertEquals(List.of(), deadlines.drain(), "the old deadline (two blocks earlier) no longer counts");
    mineEmpty(1);
    assertEquals(List.of("at-risk " + newDeadline + " 12"), deadlines.drain());
  }

  /** The host's wallet: a child spending the penalty's output 0, paying the package up to the target. */
  private FeeBumper wallet(List<FeeRate> asked) {
    return wallet(asked, null);
  }

  /**
   * The same, for penalties of {@code a}: a rung the node refused is unknown to the fake chain, so its
   * fee is worked out as the host would, from the dispute output it spends.
   */
  private FeeBumper wallet(List<FeeRate> asked, @org.jspecify.annotations.Nullable Appointment a) {
    return (penalty, target, maxFee) -> {
      asked.add(target);
      TestTransaction parent = TestTransaction.fromRaw(penalty.bytes());
      long parentFee = chain.fee(penalty.txid()).orElseGet(() -> a.dispute().outputValues().get(0)
          - parent.outputValues().stream().mapToLong(Long::longValue).sum());
      TestTransaction child = Transactions.childForPackage(rng, parent, parentFee, 0,
          target.satPerVbyte().doubleValue());
      long childFee = chain.fee(child.txid()).orElse(target.feeFor(220) - parentFee);
      return java.util.Optional.of(new FeeBumper.Bump(RawTransaction.of(child.raw()), childFee));
    };
  }

  @Test
  void beforeTheWindowAPenaltyWithoutALadderBelowTheEstimateGetsTheHostsChildAtOnce() {
    Appointment a = channel(10, 2);
    Block disputeBlock = confirmDispute(a);
    List<FeeRate> asked = new ArrayList<>();
    responder = withFees(minersTake(40), wallet(asked));
    responder.handleBreach(a.breachBuilder(disputeBlock.hash()).toSelfDelay(1000).build());
    chain.minerMinFeerate(30);

    mineEmpty(1); // hundreds of blocks left, but the market is above what the penalty pays
    assertEquals(List.of(FeeRate.ofSatPerVbyte(40)), asked);
    mineEmpty(1);
    assertEquals(1, asked.size(), "no second child while the one in the node's hands meets the estimate");
    Block mined = chain.mine();
    responder.onBlock(mined);
    assertTrue(mined.txids().contains(a.penalty().txid()), "mined with its child");
  }

  @Test
  void aPenaltyHandedOverBelowTheEstimateGetsTheHostsChildAtTheHandOverNotABlockLater() {
    Appointment a = channel(10, 2);
    Block disputeBlock = confirmDispute(a);
    List<FeeRate> asked = new ArrayList<>();
    responder = withFees(minersTake(40), wallet(asked));
    chain.minerMinFeerate(30);

    responder.handleBreach(a.breachBuilder(disputeBlock.hash()).toSelfDelay(1000).build());
    assertEquals(List.of(FeeRate.ofSatPerVbyte(40)), asked, "the child asked for with the first send");
    Event.Bumped bumped = events.events(Event.Bumped.class).get(0);
    assertEquals(a.uuid(), bumped.uuid());
    assertTrue(chain.inMempool(bumped.childTxid()));
    Block next = chain.mine();
    responder.onBlock(next);
    assertTrue(next.txids().contains(a.penalty().txid()), "the very next block takes the penalty with its child");
    assertEquals(1, asked.size());
  }

  @Test
  void withoutTheRawDisputeTheHandOverReadsItAndAsksForTheChildAtOnce() {
    Appointment a = channel(10, 2);
    List<TestTransaction> ladder = a.penaltyLadder(rng, 8, 30);
    Block disputeBlock = confirmDispute(a);
    List<FeeRate> asked = new ArrayList<>();
    responder = withFees(minersTake(50), wallet(asked, a));
    chain.mempoolMinFeerate(40); // every rung is refused alone
    chain.minerMinFeerate(45);
    var b = withLadder(a.breachBuilder(disputeBlock.hash()).disputeRawTx((byte[]) null).toSelfDelay(1000), ladder);

    BreachReceipt receipt = responder.handleBreach(b.build());
    assertEquals(List.of(FeeRate.ofSatPerVbyte(50)), asked, "the top rung with the host's child, with the first send");
    assertEquals(Disposition.TRACKED, receipt.disposition(), "the package put the top rung in the node's hands");
    assertTrue(chain.inMempool(ladder.get(1).txid()));
    assertEquals(0, chain.broadcastCount(a.penalty().txid()), "the rungs' feerates were read from the node: none below the market sent");
    Block next = chain.mine();
    responder.onBlock(next);
    assertTrue(next.txids().contains(ladder.get(1).txid()));
  }

  @Test
  void aChildTheNodeEvictedIsAskedForAgainEvenBelowTheFeerateOfTheFirst() {
    Appointment a = channel(10, 2);
    Block disputeBlock = confirmDispute(a);
    List<FeeRate> asked = new ArrayList<>();
    double[] market = {40};
    responder = withFees(minersTake(() -> market[0]), wallet(asked));
    chain.minerMinFeerate(30);
    responder.handleBreach(a.breachBuilder(disputeBlock.hash()).toSelfDelay(1000).build());
    assertEquals(List.of(FeeRate.ofSatPerVbyte(40)), asked);

    chain.mempoolMinFeerate(45); // the mempool fills up: the pair, at 40 sat/vB, is evicted
    assertFalse(chain.inMempool(a.penalty().txid()));
    chain.mempoolMinFeerate(1);
    market[0] = 35; // the market eases, still above what the penalty pays alone
    mineEmpty(1);

    assertEquals(List.of(FeeRate.ofSatPerVbyte(40), FeeRate.ofSatPerVbyte(35)), asked,
        "the child in hand is gone: a new one at the new target");
    Block mined = chain.mine();
    responder.onBlock(mined);
    assertTrue(mined.txids().contains(a.penalty().txid()), "mined with its new child");
  }

  /**
   * On every block the host's children that stand in for a new one are looked up, so that one the
   * node dropped is asked for again: the children of all such penalties in one status call, not a
   * round trip each (a spike lifts many penalties at once).
   */
  @Test
  void theChildrenOfSeveralPenaltiesAreLookedUpInOneCall() {
    List<FeeRate> asked = new ArrayList<>();
    CountingCarrier counting = new CountingCarrier(chain);
    threePenaltiesWithChildren(counting, 30, 1000, asked);

    mineEmpty(1); // the market unchanged: each child, still in the node's mempool, stands in for a new one

    assertEquals(List.of(3), counting.askedTogether, "the three children looked up in one call");
    assertEquals(3, asked.size(), "no new child: each is still held");
  }

  /**
   * Penalties inside their deadline window are sent on every block: all of them in one batch read
   * in one store call, not a round trip each (a spike puts many at risk at once).
   */
  @Test
  void penaltiesAtRiskAreSentInOneBatchOnEveryBlock() {
    List<Appointment> channels = List.of(channel(10, 10), channel(10, 10), channel(10, 10));
    Block disputeBlock = chain.mineTransactions(channels.stream().map(Appointment::dispute).toArray(TestTransaction[]::new));
    CountingCarrier counting = new CountingCarrier(chain);
    responder = watchedBy(counting).feeEstimator(minersTake(5)).start();
    responder.onBlock(disputeBlock);
    channels.forEach(a -> responder.handleBreach(a.breachBuilder(disputeBlock.hash()).toSelfDelay(10).build()));
    chain.minerMinFeerate(50); // miners skip the penalties
    mineEmpty(1); // 8 blocks left: inside the window of 12
    counting.clear();

    mineEmpty(2);

    assertEquals(List.of(3, 3), counting.sentTogether, "the three penalties in one batch on each block");
    assertEquals(List.of(), counting.sentAlone, "and no round trip per penalty");
    channels.forEach(a -> assertTrue(chain.inMempool(a.penalty().txid())));
  }

  /**
   * Before the window, a market that rises moves every penalty whose rung falls below it in the
   * same block: all of them in one batch read in one store call, not a round trip each.
   */
  @Test
  void penaltiesTheMarketMovesAreSentInOneBatch() {
    List<Appointment> channels = List.of(channel(10, 2), channel(10, 2), channel(10, 2));
    List<List<TestTransaction>> ladders = channels.stream().map(a -> a.penaltyLadder(rng, 8, 30, 80)).toList();
    Block disputeBlock = chain.mineTransactions(channels.stream().map(Appointment::dispute).toArray(TestTransaction[]::new));
    CountingCarrier counting = new CountingCarrier(chain);
    double[] market = {1};
    responder = watchedBy(counting).feeEstimator(minersTake(() -> market[0])).start();
    responder.onBlock(disputeBlock);
    for (int i = 0; i < channels.size(); i++) {
      responder.handleBreach(withLadder(channels.get(i).breachBuilder(disputeBlock.hash()).toSelfDelay(1000), ladders.get(i))
          .build());
      assertTrue(chain.inMempool(channels.get(i).penalty().txid()), "the penalty itself meets the market of 1 sat/vB");
    }
    chain.minerMinFeerate(1000); // miners skip everything
    mineEmpty(1);
    counting.clear();

    market[0] = 25;
    mineEmpty(1); // every penalty's rung falls below the market: each moves to its 30 sat/vB rung

    assertEquals(List.of(3), counting.sentTogether, "the three penalties in one batch");
    assertEquals(List.of(), counting.sentAlone, "and no round trip per penalty");
    ladders.forEach(l -> assertTrue(chain.inMempool(l.get(1).txid())));
  }

  /**
   * Penalties at risk whose host's children in the node's hands already pay the market: those
   * children are looked up in one call on each block, not a round trip each, and none is replaced.
   */
  @Test
  void theChildrenOfPenaltiesAtRiskAreLookedUpInOneCall() {
    List<FeeRate> asked = new ArrayList<>();
    CountingCarrier counting = new CountingCarrier(chain);
    // At risk from the start; miners skip even the packages.
    List<Appointment> channels = threePenaltiesWithChildren(counting, 1000, 10, asked);

    mineEmpty(2);

    assertEquals(List.of(3, 3), counting.askedTogether, "the three children looked up in one call on each block");
    assertEquals(List.of(), counting.askedAlone, "and no lookup of a child alone");
    assertEquals(3, asked.size(), "no new child: each is still held");
    channels.forEach(a -> assertTrue(chain.inMempool(a.penalty().txid())));
  }

  /**
   * A penalty at risk climbs to a rung that replaces the parent of the host's child in hand: that
   * child went with it, so a new one is asked for, though the target is no higher. The answer about
   * a child is taken ahead only for the rung it spends (found by the fee simulation while batching
   * those lookups: asked before the climb, the child still looked held).
   */
  @Test
  void aClimbThatReplacesTheChildsParentAsksForANewChild() {
    Appointment a = channel(10, 2);
    List<TestTransaction> ladder = a.penaltyLadder(rng, 40, 300);
    Block disputeBlock = confirmDispute(a);
    List<FeeRate> asked = new ArrayList<>();
    responder = withFees(minersTake(40), wallet(asked));
    chain.minerMinFeerate(1000); // miners skip everything
    responder.handleBreach(withLadder(a.breachBuilder(disputeBlock.hash()).toSelfDelay(10), ladder).build());
    mineEmpty(1); // at risk: rung 1 with a child at the market's 40 sat/vB
    assertEquals(List.of(FeeRate.ofSatPerVbyte(40)), asked);
    assertTrue(chain.inMempool(ladder.get(0).txid()));

    mineEmpty(1); // rung 1 missed the block: rung 2 replaces it, and its child with it

    assertTrue(chain.inMempool(ladder.get(1).txid()));
    assertEquals(List.of(FeeRate.ofSatPerVbyte(40), FeeRate.ofSatPerVbyte(40)), asked, "a child for the new rung");
  }

  /**
   * Three penalties at 2 sat/vB, their disputes confirmed, handed over with {@code toSelfDelay} to a
   * Responder whose market asks 40 sat/vB and whose host's wallet records each target it is
   * {@code asked} for (one child each at the hand-over), miners taking {@code minerMinFeerate} and
   * up; {@code counting} counts the calls from then on. Returns the channels.
   */
  private List<Appointment> threePenaltiesWithChildren(CountingCarrier counting, double minerMinFeerate, int toSelfDelay,
      List<FeeRate> asked) {
    List<Appointment> channels = List.of(channel(10, 2), channel(10, 2), channel(10, 2));
    Block disputeBlock = chain.mineTransactions(channels.stream().map(Appointment::dispute).toArray(TestTransaction[]::new));
    responder = watchedBy(counting).feeEstimator(minersTake(40)).feeBumper(wallet(asked), 20_000).start();
    responder.onBlock(disputeBlock);
    chain.minerMinFeerate(minerMinFeerate);
    channels.forEach(a -> responder.handleBreach(a.breachBuilder(disputeBlock.hash()).toSelfDelay(toSelfDelay).build()));
    assertEquals(3, asked.size(), "each with a child at the market's 40 sat/vB");
    counting.clear();
    return channels;
  }

  /** A builder over the test's chain, store and listener, whose calls to the node {@code counting} records. */
  private Responder.Builder watchedBy(CountingCarrier counting) {
    return Responder.builder().config(ResponderConfig.defaults().withIrrevocableDepth(10)).carrier(counting)
        .blockSource(chain).store(store).listener(events);
  }

  /**
   * A carrier that forwards every call to the chain's and records how the Responder made them: each
   * transaction sent or asked about alone, and the size of each batch.
   */
  private static final class CountingCarrier implements io.responder.core.Carrier {
    private final io.responder.core.Carrier chain;
    final List<Txid> sentAlone = new ArrayList<>();
    final List<Integer> sentTogether = new ArrayList<>();
    final List<Txid> askedAlone = new ArrayList<>();
    final List<Integer> askedTogether = new ArrayList<>();

    CountingCarrier(io.responder.core.Carrier chain) {
      this.chain = chain;
    }

    void clear() {
      sentAlone.clear();
      sentTogether.clear();
      askedAlone.clear();
      askedTogether.clear();
    }

    @Override
    public io.responder.core.BroadcastResult broadcast(Txid txid, byte[] rawTransaction) {
      sentAlone.add(txid);
      return chain.broadcast(txid, rawTransaction);
    }

    @Override
    public List<io.responder.core.BroadcastResult> broadcastAll(List<RawTransaction> transactions) {
      sentTogether.add(transactions.size());
      return chain.broadcastAll(transactions);
    }

    @Override
    public io.responder.core.PackageResult broadcastPackage(io.responder.core.TransactionPackage transactionPackage) {
      return chain.broadcastPackage(transactionPackage);
    }

    @Override
    public io.responder.core.TxStatus status(Txid txid, java.util.Optional<io.responder.core.BlockHash> inBlock) {
      askedAlone.add(txid);
      return chain.status(txid, inBlock);
    }

    @Override
    public List<io.responder.core.TxStatus> statusAll(List<io.responder.core.StatusQuery> queries) {
      askedTogether.add(queries.size());
      return chain.statusAll(queries);
    }
  }

  @Test
  void aChildDroppedWithItsDisputeIsAskedForAgainEvenBelowTheFeerateOfTheFirst() {
    Appointment a = channel(10, 2);
    Block disputeBlock = confirmDispute(a);
    List<FeeRate> asked = new ArrayList<>();
    double[] market = {40};
    FeeEstimator estimator = minersTake(() -> market[0]);
    responder = withFees(estimator, wallet(asked));
    responder.handleBreach(a.breachBuilder(disputeBlock.hash()).toSelfDelay(1000).build());
    chain.minerMinFeerate(30);
    mineEmpty(1);
    assertEquals(List.of(FeeRate.ofSatPerVbyte(40)), asked, "the first child, at 40 sat/vB");

    chain.disconnect(2); // the dispute's block is replaced, and the node drops dispute, penalty and child
    for (Txid t : chain.mempoolTxids()) {
      chain.dropFromMempool(t);
    }
    responder.onBlock(chain.mineEmpty());
    market[0] = 35; // the market eases, still above what the penalty pays alone
    responder.onBlock(chain.mineTransactions(a.dispute())); // the cheater mines the dispute again

    assertEquals(List.of(FeeRate.ofSatPerVbyte(40), FeeRate.ofSatPerVbyte(35)), asked,
        "a new child at the new target: the first one is gone with its dispute");
    Block mined = chain.mine();
    responder.onBlock(mined);
    assertTrue(mined.txids().contains(a.penalty().txid()), "mined with its new child");
  }

  @Test
  void theHostsChildPaysForAPenaltyMinersSkipAndNeverAboveTheCap() {
    Appointment a = channel(10, 2);
    Block disputeBlock = confirmDispute(a);
    List<FeeRate> asked = new ArrayList<>();
    FeeEstimator estimator = minersTake(40);
    responder = withFees(estimator, wallet(asked));
    responder.handleBreach(a.breachBuilder(disputeBlock.hash()).toSelfDelay(15).build());
    chain.minerMinFeerate(30); // miners skip the 2 sat/vB penalty

    mineEmpty(2); // 12 blocks left: at risk; the host's child brings the package to 40 sat/vB
    assertEquals(List.of(FeeRate.ofSatPerVbyte(40)), asked);
    Block mined = chain.mine();
    responder.onBlock(mined);
    assertTrue(mined.txids().contains(a.penalty().txid()), "mined with its child");
    assertEquals(TrackerState.CONFIRMED, responder.tracker(a.uuid()).orElseThrow().status().state());
  }

  @Test
  void aChildAboveTheCapOrNotSpendingThePenaltyIsNeverSent() {
    Appointment a = channel(10, 2);
    Block disputeBlock = confirmDispute(a);
    FeeEstimator estimator = new FeeEstimator() {
      @Override
      public java.util.Optional<FeeEstimate> estimate(int blocks) {
        return java.util.Optional.empty(); // regtest without fee history: the node's minimum is the target
      }

      @Override
      public FeeRate minimum() {
        return FeeRate.ofSatPerVbyte(1);
      }
    };
    TestTransaction greedy = a.penaltyChild(rng, 0, 100);
    TestTransaction stranger = Transactions.funding(rng, 50_000);
    List<FeeBumper.Bump> offers = new ArrayList<>(List.of(
        new FeeBumper.Bump(RawTransaction.of(greedy.raw()), 11_000), // above the cap of 10,000
        new FeeBumper.Bump(RawTransaction.of(stranger.raw()), 100))); // does not spend the penalty
    FeeBumper wallet = (penalty, target, maxFee) -> {
      assertEquals(10_000, maxFee);
      return offers.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(offers.remove(0));
    };
    responder = Responder.builder().config(ResponderConfig.defaults()).carrier(chain).blockSource(chain).store(store)
        .listener(events).feeEstimator(estimator).feeBumper(wallet, 10_000).start();
    responder.handleBreach(a.breachBuilder(disputeBlock.hash()).toSelfDelay(13).build());
    chain.minerMinFeerate(30);
    chain.drainBroadcasts();

    mineEmpty(2);

    assertEquals(List.of(), offers, "both offers were asked for");
    assertEquals(0, chain.broadcastCount(greedy.txid()));
    assertEquals(0, chain.broadcastCount(stranger.txid()));
    assertEquals(TrackerState.IN_MEMPOOL, responder.tracker(a.uuid()).orElseThrow().status().state());
  }

  /** The policy's arithmetic, as a host would do it: blocks that can still confirm before the deadline. */
  static final class EscalationWindow {
    static int blocksLeft(int deadlineHeight, int tipHeight) {
      return deadlineHeight - tipHeight - 1;
    }
  }
}
