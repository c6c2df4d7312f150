package io.responder.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.bitcoind.BitcoindBlockSource;
import io.responder.bitcoind.BitcoindFeeEstimator;
import io.responder.bitcoind.BitcoindRpc;
import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import io.responder.core.Breach;
import io.responder.core.BreachReceipt;
import io.responder.core.BroadcastResult;
import io.responder.core.FeeRate;
import io.responder.core.Responder;
import io.responder.core.TrackerState;
import io.responder.core.TrackerStatus;
import io.responder.core.Txid;
import io.responder.testkit.RecordingListener.Event;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 14 on the real node: a zero-fee dispute carried by its penalty as a package, a fee ladder
 * climbed by replacement and past a raised minimum, a child from the node's wallet paying for a
 * penalty below the minimum (never above the host's cap), and a deadline approaching while miners
 * leave the penalty out. One node for the class; a test that changes the node's policy restores it.
 * Transactions are P2WPKH: one input and one output is about 110 vB, two outputs about 141 vB; a
 * signature shorter than the usual 71 bytes makes one a byte smaller, so exact sizes come from the node.
 */
class FeesIT {
  @RegisterExtension
  static final RegtestNode node = new RegtestNode();

  /** A 20 sat/vB relay minimum, in bitcoind's BTC/kvB. */
  private static final String MINRELAY_20_SAT_VB = "-minrelaytxfee=0.0002";
  /** A 5 sat/vB relay minimum, in bitcoind's BTC/kvB. */
  private static final String MINRELAY_5_SAT_VB = "-minrelaytxfee=0.00005";

  /**
   * A breach handed over without the raw dispute: the Responder reads the confirmed dispute from the
   * node's block ({@code getrawtransaction <txid> false <blockhash>}, no {@code -txindex}) to learn
   * what its rungs pay. The node serves it byte for byte; a transaction the block does not hold is
   * no answer, not a failure.
   */
  @Test
  void theBlockSourceServesATransactionOfABlockWithoutATransactionIndex() {
    Chain chain = new Chain(node);
    Chain.Tx dispute = chain.newDispute();
    BlockHash block = chain.mineWith(dispute);
    BitcoindBlockSource source = BitcoindRpc.create(node.config()).blockSource();

    byte[] served = source.transaction(dispute.txid(), block).orElseThrow();

    assertEquals(dispute.hex(), HexFormat.of().formatHex(served));
    Chain.Tx elsewhere = chain.newDispute();
    BlockHash other = chain.mineWith(elsewhere);
    assertEquals(Optional.empty(), source.transaction(dispute.txid(), other), "not in that block");
    assertArrayEquals(HexFormat.of().parseHex(elsewhere.hex()), source.transaction(elsewhere.txid(), other).orElseThrow());
  }

  /**
   * Item 9, package relay: the watcher saw a zero-fee commitment in a block the node never got (a
   * stale block), so the node has never seen the dispute and will not take it alone. The penalty is
   * refused for its missing parent; the Responder sends {@code [dispute, penalty]} with
   * {@code submitpackage}, the penalty pays for both, and the node mines both.
   */
  @Test
  void zeroFeeDisputeTheNodeRefusesAloneGetsInWithItsPenaltyAsAPackageAndBothAreMined() {
    Chain chain = new Chain(node);
    Chain.Tx dispute = chain.newDispute(0);
    Chain.Tx penalty = chain.penaltyPaying(dispute, 5_000);
    NodeRpc.RpcError alone = assertThrows(NodeRpc.RpcError.class, () -> chain.send(dispute));
    assertEquals(-26, alone.code());
    assertTrue(alone.getMessage().contains("min relay fee not met, 0 < " + FeeRate.ofSatPerKvB(100).feeFor(dispute.vsize())), alone.getMessage());
    Map<String, Object> watchersBlock = chain.blockNotSubmitted(dispute);
    BlockHash seenIn = BlockHash.fromHex((String) watchersBlock.get("hash"));
    int tip = chain.height();
    Tower tower = Tower.inMemory(node);

    Breach breach = Tower.breach(dispute, penalty, seenIn);
    BreachReceipt receipt = tower.handle(breach);

    assertEquals(BreachReceipt.Disposition.TRACKED, receipt.disposition());
    assertInstanceOf(BroadcastResult.Accepted.class, receipt.broadcast());
    List<CountingCarrier.Sent> sent = tower.carrier.sent();
    assertEquals(1, sent.size(), "the penalty alone first: " + sent);
    assertEquals(penalty.txid(), sent.get(0).txid());
    BroadcastResult.Rejected missing = assertInstanceOf(BroadcastResult.Rejected.class, sent.get(0).result());
    assertEquals(-25, missing.code(), "bitcoind: the penalty's parent is missing");
    List<CountingCarrier.SentPackage> packages = tower.carrier.packages();
    assertEquals(1, packages.size());
    assertEquals(List.of(dispute.txid(), penalty.txid()), packages.get(0).txids());
    assertTrue(packages.get(0).result().allDelivered(), "submitpackage took both: " + packages.get(0).result());
    assertEquals(List.of(breach.uuid()), tower.events.uuids(Event.Added.class));
    assertEquals(new TrackerStatus.InMempool(tip), tower.status(breach.uuid()));

    Map<String, Object> disputeEntry = chain.mempoolEntry(dispute.txid());
    assertEquals(0L, fee(disputeEntry, "base"), "the dispute pays nothing itself");
    Map<String, Object> penaltyEntry = chain.mempoolEntry(penalty.txid());
    assertEquals(2L, penaltyEntry.get("ancestorcount"));
    assertEquals(dispute.vsize() + penalty.vsize(), penaltyEntry.get("ancestorsize"));
    assertEquals(5_000L, fee(penaltyEntry, "ancestor"), "the package pays 5,000 sat for about 220 vB");

    BlockHash mined = chain.mine(1).get(0);
    tower.poll();
    assertTrue(chain.txidsOf(mined).containsAll(List.of(dispute.txid(), penalty.txid())), "both mined together");
    assertEquals(1, chain.confirmationsIn(dispute.txid(), mined));
    assertEquals(1, chain.confirmationsIn(penalty.txid(), mined));
    assertEquals(new TrackerStatus.Confirmed(new BlockRef(mined, tip + 1)), tower.status(breach.uuid()));
    assertEquals(List.of(breach.uuid()), tower.events.uuids(Event.Confirmed.class));
    tower.responder.checkConsistency();
  }

  /**
   * Item 9, package relay after a reorganisation, the issue's own story: the cheater's commitment
   * paid 1 sat/vB and confirmed; then its block is reorganised away while the node's minimum rises
   * to 5 sat/vB (restarted with {@code -minrelaytxfee}, reloading its mempool), so the node drops the
   * dispute and, with it, the penalty. The dispute cannot get back in alone; the Responder, following
   * the reorganisation, gets it in with its penalty as one package.
   */
  @Test
  void disputeSentBackByAReorgBelowARaisedMinimumIsCarriedByItsPenaltyAsAPackage() throws IOException {
    Chain chain = new Chain(node);
    Chain.Tx dispute = chain.newDispute(110); // 1 sat/vB
    Chain.Tx penalty = chain.penaltyPaying(dispute, 5_500); // 50 sat/vB
    chain.send(dispute);
    BlockHash disputeBlock = chain.mine(1).get(0);
    int disputeHeight = chain.height();
    Tower tower = Tower.inMemory(node);
    Breach breach = Tower.builder(dispute, penalty, disputeBlock).disputeRawTx(dispute.hex()).toSelfDelay(144).build();
    assertInstanceOf(BroadcastResult.Accepted.class, tower.handle(breach).broadcast());
    assertEquals(List.of(), tower.carrier.packages(), "the dispute is confirmed: the penalty went alone");

    try {
      chain.invalidate(disputeBlock);
      node.restart(false, List.of(MINRELAY_5_SAT_VB));
      assertFalse(chain.inMempool(dispute.txid()), "the reloaded mempool keeps no 1 sat/vB transaction");
      assertFalse(chain.inMempool(penalty.txid()), "nor the penalty, whose parent is gone");
      NodeRpc.RpcError alone = assertThrows(NodeRpc.RpcError.class, () -> chain.send(dispute));
      assertEquals(-26, alone.code());
      assertTrue(alone.getMessage().contains("min relay fee not met, 110 < " + 5 * dispute.vsize()), alone.getMessage());
      chain.mineEmpty();
      chain.mineEmpty(); // the branch without the dispute is now the longer one

      tower.poll();

      assertEquals(1, tower.events.events(Event.Disconnected.class).size());
      assertTrue(chain.inMempool(dispute.txid()), "carried by its penalty");
      assertTrue(chain.inMempool(penalty.txid()));
      CountingCarrier.SentPackage pkg = tower.carrier.packages().get(tower.carrier.packages().size() - 1);
      assertEquals(List.of(dispute.txid(), penalty.txid()), pkg.txids());
      assertTrue(pkg.result().allDelivered(), pkg.result().toString());
      Map<String, Object> penaltyEntry = chain.mempoolEntry(penalty.txid());
      assertEquals(2L, penaltyEntry.get("ancestorcount"));
      assertEquals(5_610L, fee(penaltyEntry, "ancestor"));
      assertEquals(TrackerState.IN_MEMPOOL, tower.status(breach.uuid()).state());

      BlockHash mined = chain.mine(1).get(0);
      tower.poll();
      assertTrue(chain.txidsOf(mined).containsAll(List.of(dispute.txid(), penalty.txid())));
      assertEquals(new TrackerStatus.Confirmed(new BlockRef(mined, disputeHeight + 2)), tower.status(breach.uuid()));
      tower.responder.checkConsistency();
    } finally {
      node.restart(false);
    }
  }

  /**
   * Item 9, fee ladder: miners leave the 2 sat/vB penalty out, so at the sixth missed block the
   * Responder climbs one rung and the node replaces the penalty with it (RBF). Then the node's
   * minimum rises to 20 sat/vB (restarted with {@code -minrelaytxfee}) and it drops the 10 sat/vB
   * rung; at the next rebroadcast the 15 sat/vB rung is refused for fee and passed at once, the
   * 30 sat/vB one taken, mined, and it completes the tracker.
   */
  @Test
  void ladderClimbsByReplacementThenPastARaisedMinimumAndTheVariantMinedCompletesTheTracker() throws IOException {
    Chain chain = new Chain(node);
    Chain.Tx dispute = chain.newDispute();
    List<Chain.Tx> ladder = chain.penaltyLadder(dispute, 220, 1_100, 1_650, 3_300); // 2, 10, 15, 30 sat/vB
    chain.send(dispute);
    BlockHash disputeBlock = chain.mine(1).get(0);
    int disputeHeight = chain.height();
    Tower tower = Tower.inMemory(node);
    Breach.Builder b = Tower.builder(dispute, ladder.get(0), disputeBlock).disputeRawTx(dispute.hex()).toSelfDelay(1_000);
    ladder.subList(1, ladder.size()).forEach(v -> b.addPenaltyVariant(v.hex()));
    Breach breach = b.build();
    Txid penaltyTxid = ladder.get(0).txid();

    assertInstanceOf(BroadcastResult.Accepted.class, tower.handle(breach).broadcast());
    assertEquals(220L, fee(chain.mempoolEntry(penaltyTxid), "base"), "the cheapest rung first");

    missBlocks(chain, tower, 5);
    assertEquals(List.of(), tower.fees.all(), "no climb before the sixth missed block");
    assertTrue(chain.inMempool(penaltyTxid));
    chain.mineEmpty();
    tower.poll();
    assertEquals(List.of(new FeeEvents.Escalated(breach.uuid(), penaltyTxid, ladder.get(1).txid(), 1,
        new BroadcastResult.Accepted())), tower.fees.drain());
    assertFalse(chain.inMempool(penaltyTxid), "replaced");
    assertEquals(1_100L, fee(chain.mempoolEntry(ladder.get(1).txid()), "base"));
    assertEquals(new TrackerStatus.InMempool(disputeHeight), tower.status(breach.uuid()), "the count keeps its origin");

    try {
      node.restart(false, List.of(MINRELAY_20_SAT_VB));
      assertEquals(new BigDecimal("0.00020000"), node.rpc().object("getmempoolinfo").get("minrelaytxfee"));
      assertFalse(chain.inMempool(ladder.get(1).txid()), "the node reloaded its mempool without the 10 sat/vB rung");

      missBlocks(chain, tower, 5);
      assertEquals(List.of(), tower.fees.all());
      chain.mineEmpty();
      tower.poll();
      List<FeeEvents.Event> climbed = tower.fees.drain();
      assertEquals(2, climbed.size(), climbed.toString());
      FeeEvents.Escalated refused = (FeeEvents.Escalated) climbed.get(0);
      assertEquals(ladder.get(2).txid(), refused.sentTxid());
      assertEquals(2, refused.rung());
      BroadcastResult.RejectedForNow forFee = assertInstanceOf(BroadcastResult.RejectedForNow.class, refused.result());
      assertEquals(-26, forFee.code());
      assertTrue(forFee.message().contains("min relay fee not met, 1650 < " + 20 * ladder.get(2).vsize()), forFee.message());
      assertEquals(new FeeEvents.Escalated(breach.uuid(), penaltyTxid, ladder.get(3).txid(), 3, new BroadcastResult.Accepted()),
          climbed.get(1));
      assertFalse(chain.inMempool(ladder.get(2).txid()));
      assertEquals(3_300L, fee(chain.mempoolEntry(ladder.get(3).txid()), "base"));
      int acceptedAt = disputeHeight + 12; // the count's second turn: taken there, it keeps its origin
      assertEquals(new TrackerStatus.InMempool(disputeHeight), tower.status(breach.uuid()));

      BlockHash mined = chain.mine(1).get(0);
      tower.poll();
      assertTrue(chain.txidsOf(mined).contains(ladder.get(3).txid()));
      assertEquals(new TrackerStatus.Confirmed(new BlockRef(mined, acceptedAt + 1)), tower.status(breach.uuid()),
          "the variant's confirmation confirms the tracker");
      chain.mine(99);
      tower.poll();
      assertEquals(100, chain.confirmationsIn(ladder.get(3).txid(), mined));
      List<Event.Completed> completed = tower.events.events(Event.Completed.class);
      assertEquals(List.of(breach.uuid()), completed.stream().map(Event.Completed::uuid).toList());
      assertEquals(penaltyTxid, completed.get(0).penaltyTxid());
      assertEquals(acceptedAt + 100, completed.get(0).tip().height());
      assertEquals(0, tower.responder.trackerCount());
      assertEquals(1, tower.carrier.sendsOf(ladder.get(3).txid()), "the top rung was sent once");
    } finally {
      node.restart(false);
    }
  }

  /**
   * Item 9, host CPFP: the penalty pays 2 sat/vB and an output to the node's wallet; the node's
   * minimum is 5 sat/vB, so the penalty is refused alone. The penalty paying less than the estimate
   * (the node's, which a chain without fee history does not have, floored by its minimum), the
   * Responder asks the wallet for a child with the first send, a block before the escalation window
   * opens: the first child offered pays above the host's cap and is never sent; on the next block,
   * at risk, the next brings the package to the feerate asked, goes in with the penalty through
   * {@code submitpackage}, and both are mined. A child asked for again at the same feerate does not
   * replace the one the node holds.
   */
  @Test
  void walletChildPaysForAPenaltyBelowTheMinimumAndAChildAboveTheCapIsNeverSent() throws IOException {
    try {
      node.restart(false, List.of(MINRELAY_5_SAT_VB));
      Chain chain = new Chain(node);
      Chain.Tx dispute = chain.newDispute();
      String walletAddress = node.rpc().string("getnewaddress");
      Chain.Tx penalty = chain.penaltyWithOutputTo(dispute, walletAddress, 100_000, 282); // 2 sat/vB
      chain.send(dispute);
      BlockHash disputeBlock = chain.mine(1).get(0);
      int disputeHeight = chain.height();
      int deadline = disputeHeight + 14;
      BitcoindFeeEstimator estimator = BitcoindRpc.create(node.config()).feeEstimator();
      assertEquals(FeeRate.ofSatPerVbyte(5), estimator.minimum(), "the minimum, from getmempoolinfo");
      WalletBumper wallet = new WalletBumper(node.rpc(), walletAddress);
      long cap = 5_000;
      Tower tower = Tower.inMemory(node, Responder.builder().feeEstimator(estimator).feeBumper(wallet, cap));
      Breach breach = Tower.builder(dispute, penalty, disputeBlock).disputeRawTx(dispute.hex()).toSelfDelay(14).build();

      wallet.overpayNext(20);
      BreachReceipt receipt = tower.handle(breach); // 13 blocks left: the window opens at the next block

      FeeRate asked = estimator.estimate(12).map(e -> e.feeRate().max(estimator.minimum())).orElse(estimator.minimum());
      assertTrue(asked.compareTo(FeeRate.ofSatPerVbyte(5)) >= 0);
      assertEquals(1, wallet.offers().size(), "the child is asked for with the first send");
      WalletBumper.Offer greedy = wallet.offers().get(0);
      assertEquals(asked, greedy.asked());
      assertEquals(cap, greedy.maxFeeSats());
      assertTrue(greedy.feeSats() > cap, "the first offer is above the cap: " + greedy.feeSats());
      assertFalse(tower.carrier.packaged(greedy.child().txid()), "a child above the cap is never sent");
      assertFalse(chain.inMempool(greedy.child().txid()));
      assertFalse(chain.inMempool(penalty.txid()));
      assertEquals(BreachReceipt.Disposition.PENDING, receipt.disposition());
      BroadcastResult.RejectedForNow refused = assertInstanceOf(BroadcastResult.RejectedForNow.class, receipt.broadcast());
      assertTrue(refused.message().contains("min relay fee not met, 282 < " + 5 * penalty.vsize()), refused.message());
      assertEquals(List.of(), tower.fees.drain(), "no child sent, not yet at risk");

      chain.mineEmpty(); // 12 blocks left: at risk
      tower.poll();
      assertEquals(new FeeEvents.AtRisk(breach.uuid(), penalty.txid(), deadline, 12), tower.fees.of(FeeEvents.AtRisk.class).get(0));
      assertEquals(2, wallet.offers().size());
      WalletBumper.Offer honest = wallet.offers().get(1);
      assertEquals(asked, honest.asked());
      assertEquals(penalty.vsize(), honest.parentVsize());
      assertEquals(282, honest.parentFeeSats(), "the wallet read the penalty's fee from the node");
      List<FeeEvents.Bumped> bumps = tower.fees.of(FeeEvents.Bumped.class);
      assertEquals(List.of(new FeeEvents.Bumped(breach.uuid(), penalty.txid(), honest.child().txid(), asked, honest.feeSats(),
          new BroadcastResult.Accepted())), bumps);
      assertTrue(honest.feeSats() <= cap);
      CountingCarrier.SentPackage pkg = tower.carrier.packages().get(tower.carrier.packages().size() - 1);
      assertEquals(List.of(penalty.txid(), honest.child().txid()), pkg.txids());
      assertTrue(pkg.result().allDelivered(), pkg.result().toString());
      assertEquals(new TrackerStatus.InMempool(disputeHeight + 1), tower.status(breach.uuid()));

      Map<String, Object> child = chain.mempoolEntry(honest.child().txid());
      long packageVsize = penalty.vsize() + honest.childVsize();
      long packageFee = 282 + honest.feeSats();
      assertEquals(2L, child.get("ancestorcount"));
      assertEquals(packageVsize, child.get("ancestorsize"));
      assertEquals(packageFee, fee(child, "ancestor"));
      assertPaysAbout(asked, packageVsize, packageFee);
      assertEquals(282L, fee(chain.mempoolEntry(penalty.txid()), "base"));

      // On the next block the estimate is the same: a new child paying about the same fee would only be
      // refused by bitcoind's replacement rule, so the wallet is not asked again.
      chain.mineEmpty(); // 11 blocks left
      tower.poll();
      assertEquals(2, wallet.offers().size(), "no second request for the same package feerate");
      assertEquals(1, tower.fees.of(FeeEvents.Bumped.class).size());
      assertTrue(chain.inMempool(honest.child().txid()));
      assertEquals(new TrackerStatus.InMempool(disputeHeight + 2), tower.status(breach.uuid()), "the penalty stays in");

      BlockHash mined = chain.mine(1).get(0);
      tower.poll();
      assertTrue(chain.txidsOf(mined).containsAll(List.of(penalty.txid(), honest.child().txid())));
      assertEquals(new TrackerStatus.Confirmed(new BlockRef(mined, disputeHeight + 3)), tower.status(breach.uuid()));
      assertTrue(tower.fees.of(FeeEvents.Bumped.class).stream().allMatch(e -> e.feeSats() <= cap), "never above the cap");
      assertTrue(tower.carrier.packages().stream().noneMatch(p -> p.txids().contains(greedy.child().txid())));
      tower.responder.checkConsistency();
    } finally {
      node.restart(false);
    }
  }

  /**
   * Item 9, deadline: a penalty with {@code to_self_delay} 20 that miners keep out of blocks
   * ({@code generateblock ADDR '[]'}). Far from the deadline it is sent again at the sixth missed
   * block only; with 12 blocks left the host is told it is at risk and it is sent on every block; at
   * the deadline the host is told it passed, and the tracker goes on until the penalty is mined.
   */
  @Test
  void withinTheWindowThePenaltyIsSentOnEveryBlockAndTheDeadlinePassingIsTold() {
    Chain chain = new Chain(node);
    Chain.Tx dispute = chain.newDispute();
    Chain.Tx penalty = chain.penalty(dispute);
    chain.send(dispute);
    BlockHash disputeBlock = chain.mine(1).get(0);
    int disputeHeight = chain.height();
    int deadline = disputeHeight + 20;
    Tower tower = Tower.inMemory(node);
    Breach breach = Tower.builder(dispute, penalty, disputeBlock).disputeRawTx(dispute.hex()).toSelfDelay(20).build();
    assertEquals(BreachReceipt.Disposition.TRACKED, tower.handle(breach).disposition());
    assertEquals(1, tower.carrier.sendsOf(penalty.txid()));

    for (int height = disputeHeight + 1; height <= deadline; height++) {
      chain.mineEmpty();
      tower.poll();
      int missed = height - disputeHeight;
      int blocksLeft = deadline - height - 1;
      long expectedSends = missed < 6 ? 1 : missed == 6 ? 2 : 2 + (missed - 6);
      assertEquals(expectedSends, tower.carrier.sendsOf(penalty.txid()), "sends by height " + height + ", " + blocksLeft + " left");
      assertTrue(chain.inMempool(penalty.txid()), "the node holds the penalty at " + height);
      List<FeeEvents.Event> told = tower.fees.drain();
      if (blocksLeft == 12) {
        assertEquals(List.of(new FeeEvents.AtRisk(breach.uuid(), penalty.txid(), deadline, 12)), told);
      } else if (height == deadline) {
        assertEquals(List.of(new FeeEvents.DeadlinePassed(breach.uuid(), penalty.txid(), deadline)), told);
      } else {
        assertEquals(List.of(), told, "nothing to tell at " + height);
      }
    }
    assertTrue(tower.carrier.sent().stream().allMatch(s -> s.result() instanceof BroadcastResult.Accepted));
    assertEquals(tower.carrier.sendsOf(penalty.txid()) - 1, tower.events.events(Event.Resent.class).size());
    assertEquals(new TrackerStatus.InMempool(deadline), tower.status(breach.uuid()), "the tracker goes on");
    assertEquals(1, tower.responder.trackerCount());

    BlockHash mined = chain.mine(1).get(0);
    tower.poll();
    assertEquals(new TrackerStatus.Confirmed(new BlockRef(mined, deadline + 1)), tower.status(breach.uuid()),
        "late, but the penalty still wins while the cheater has not swept");
    tower.responder.checkConsistency();
  }

  /**
   * The package pays the feerate asked for its size, and at most one vbyte's worth more (a wallet
   * signature can come out a byte shorter than the one the fee was priced for).
   */
  static void assertPaysAbout(FeeRate asked, long packageVsize, long packageFee) {
    assertTrue(packageFee >= asked.feeFor(packageVsize) && packageFee <= asked.feeFor(packageVsize + 1),
        packageFee + " sat for " + packageVsize + " vB at " + asked);
  }

  private static void missBlocks(Chain chain, Tower tower, int n) {
    for (int i = 0; i < n; i++) {
      chain.mineEmpty();
      tower.poll();
    }
  }

  /** A fee of a mempool entry ({@code fees.base}, {@code fees.ancestor}, ...), in satoshis. */
  @SuppressWarnings("unchecked")
  private static long fee(Map<String, Object> entry, String which) {
    return Chain.sats(((Map<String, Object>) entry.get("fees")).get(which));
  }
}
