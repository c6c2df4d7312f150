package io.responder.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.Block;
import io.responder.core.BroadcastResult;
import io.responder.core.BroadcastResult.Accepted;
import io.responder.core.BroadcastResult.NodeUnavailable;
import io.responder.core.BroadcastResult.Rejected;
import io.responder.core.BroadcastResult.RejectedForNow;
import io.responder.core.Txid;
import io.responder.testkit.Appointment;
import io.responder.testkit.FakeChain;
import io.responder.testkit.TestTransaction;
import io.responder.testkit.Transactions;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fee market of {@link FakeChain}, rule by rule, with transactions from the test kit's fee-aware
 * builders (shaped like the node's: 110 vB with one output, 141 vB with two), so the numbers can be
 * checked by hand against bitcoind's rules. {@link FeeMarketFixtureTest} replays the real node.
 */
class FeeMarketTest {
  static final long COIN_SAT = 1_000_000;

  final Random rng = new Random(14);
  final FakeChain chain = FakeChain.atHeight(200);
  /** A coin with four 0.01 BTC outputs, confirmed, so every spender's fee is known. */
  final TestTransaction funding = Transactions.funding(rng, COIN_SAT, COIN_SAT, COIN_SAT, COIN_SAT);

  FeeMarketTest() {
    chain.mineTransactions(funding);
    chain.enableFeeMarket();
  }

  BroadcastResult send(TestTransaction t) {
    return chain.broadcast(t.txid(), t.raw());
  }

  List<BroadcastResult> submit(TestTransaction parent, TestTransaction child) {
    return chain.submitPackage(List.of(parent.raw(), child.raw()));
  }

  TestTransaction at(int vout, double satPerVbyte) {
    return Transactions.spendingAtFeerate(rng, funding, vout, satPerVbyte);
  }

  // ---------------------------------------------------------------------------------------------
  // Builders

  @Test
  void buildersHitTheAskedFeerateWithTheNodesRounding() {
    Appointment a = Appointment.withFeerates(rng, funding, 0, 2.5, 50);
    assertEquals(141, a.dispute().vsize());
    assertEquals(561, a.dispute().weight());
    assertEquals(110, a.penalty().vsize());
    assertEquals(437, a.penalty().weight());
    assertEquals(new Accepted(), send(a.dispute()));
    assertEquals(new Accepted(), send(a.penalty()));
    assertEquals(OptionalLong.of(353), chain.fee(a.dispute().txid())); // 2.5 x 141 = 352.5, rounded up
    assertEquals(OptionalInt.of(141), chain.vsize(a.dispute().txid()));
    assertEquals(OptionalLong.of(5_500), chain.fee(a.penalty().txid()));
    long rest = COIN_SAT - 353;
    assertEquals(List.of(rest / 2 + rest % 2, rest / 2), a.dispute().outputValues());
  }

  @Test
  void aLadderSpendsOneOutputAtRisingFeesEachWithItsOwnTxid() {
    Appointment a = Appointment.withFeerates(rng, funding, 0, 10, 5);
    chain.mineTransactions(a.dispute());
    List<TestTransaction> ladder = a.penaltyLadder(rng, 5, 10, 20);
    assertEquals(3, new HashSet<>(ladder.stream().map(TestTransaction::txid).toList()).size());
    assertEquals(new Accepted(), send(ladder.get(0)));
    assertEquals(new Accepted(), send(ladder.get(2)));
    assertFalse(chain.inMempool(ladder.get(0).txid()));
    assertEquals(new RejectedForNow(-26, "insufficient fee, rejecting replacement " + ladder.get(1).txid().toHex()
        + ", less fees than conflicting txs; 0.000011 < 0.000022"), send(ladder.get(1)));
    assertEquals(OptionalLong.of(2_200), chain.fee(ladder.get(2).txid()));
  }

  @Test
  void aLadderMustRaiseTheFeeAtEveryStep() {
    Appointment a = Appointment.withFeerates(rng, funding, 0, 10, 5);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.penaltyLadder(rng, 5, 5.0001));
    assertTrue(e.getMessage().contains("must increase"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> a.penaltyLadder(rng));
    assertThrows(IllegalArgumentException.class, () -> Transactions.spendingAtFeerate(rng, funding, 0, 100_000));
    assertThrows(IllegalArgumentException.class, () -> Transactions.spendingAtFeerate(rng, funding, 4, 1));
    assertThrows(IllegalArgumentException.class, () -> Transactions.spendingAtFeerate(rng, funding, 0, Double.NaN));
  }

  @Test
  void aChildForAPackageBringsBothToTheTarget() {
    TestTransaction parent = Transactions.spendingWithFee(rng, funding, 0, 0, 1);
    TestTransaction child = Transactions.childForPackage(rng, parent, 0, 0, 22.727);
    assertEquals(new RejectedForNow(-26, "min relay fee not met, 0 < 11"), send(parent));
    assertEquals(List.of(new Accepted(), new Accepted()), submit(parent, child));
    assertEquals(OptionalLong.of(5_000), chain.fee(child.txid())); // 22.727 x 220 = 4999.94, rounded up
    Appointment a = Appointment.withFeerates(rng, funding, 1, 10, 10);
    TestTransaction bump = a.penaltyChild(rng, 0, 30);
    assertEquals(List.of(new Accepted(), new Accepted()), submit(a.dispute(), a.penalty()));
    assertEquals(new Accepted(), send(bump));
    assertEquals(OptionalLong.of(3_300), chain.fee(bump.txid()));
  }

  // ---------------------------------------------------------------------------------------------
  // Minimums and eviction

  @Test
  void aRaisedMinimumEvictsLowestFirstAndDescendantsGoWithTheirAncestors() {
    TestTransaction carried = at(0, 1);                                   // 110 sat
    TestTransaction carrier = Transactions.spendingAtFeerate(rng, carried, 0, 50); // 5500 sat: 25.5 sat/vB together
    TestTransaction cheap = at(1, 2);
    TestTransaction cheapChild = Transactions.spendingAtFeerate(rng, cheap, 0, 2);
    TestTransaction rich = at(2, 30);
    TestTransaction poorChild = Transactions.spendingAtFeerate(rng, rich, 0, 1);
    for (TestTransaction t : List.of(carried, carrier, cheap, cheapChild, rich, poorChild)) {
      assertEquals(new Accepted(), send(t));
    }

    chain.mempoolMinFeerate(5);

    assertEquals(List.of(carried.txid(), carrier.txid(), rich.txid()), chain.mempoolTxids());
    TestTransaction late = at(3, 1);
    assertEquals(new RejectedForNow(-26, "mempool min fee not met, 110 < 550"), send(late));
    assertFalse(chain.inMempool(late.txid()));
  }

  @Test
  void aDisputeSentBackByAReorgBelowTheMinimumIsEvicted() {
    Appointment low = Appointment.withFeerates(rng, funding, 0, 1, 50);
    Appointment high = Appointment.withFeerates(rng, funding, 1, 20, 50);
    chain.mineTransactions(low.dispute(), high.dispute());
    chain.mempoolMinFeerate(5);
    chain.disconnectTip();
    assertFalse(chain.inMempool(low.dispute().txid()));
    assertTrue(chain.inMempool(high.dispute().txid()));
    // A package brings it back: its penalty pays for both.
    assertEquals(List.of(new Accepted(), new Accepted()), submit(low.dispute(), low.penalty()));
  }

  @Test
  void raisingTheRelayMinimumEvictsNothingButRefusesNewcomers() {
    TestTransaction old = at(0, 1);
    assertEquals(new Accepted(), send(old));
    chain.minRelayFeerate(2);
    assertTrue(chain.inMempool(old.txid()));
    assertEquals(new RejectedForNow(-26, "min relay fee not met, 110 < 220"), send(at(1, 1)));
  }

  @Test
  void droppingATransactionDropsItsDescendantsWithTheMarketOn() {
    TestTransaction parent = at(0, 10);
    TestTransaction child = Transactions.spendingAtFeerate(rng, parent, 0, 10);
    TestTransaction other = at(1, 10);
    List.of(parent, child, other).forEach(this::send);
    assertTrue(chain.dropFromMempool(parent.txid()));
    assertEquals(List.of(other.txid()), chain.mempoolTxids());

    FakeChain plain = FakeChain.atHeight(10); // as before the market: only the transaction goes
    plain.broadcast(parent.txid(), parent.raw());
    plain.broadcast(child.txid(), child.raw());
    assertTrue(plain.dropFromMempool(parent.txid()));
    assertEquals(List.of(child.txid()), plain.mempoolTxids());
  }

  @Test
  void badKnobsChangeNothing() {
    FakeChain plain = FakeChain.create();
    assertThrows(IllegalArgumentException.class, () -> plain.mempoolMinFeerate(-1));
    assertThrows(IllegalArgumentException.class, () -> plain.minRelayFeerate(Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> plain.minerMinFeerate(Double.POSITIVE_INFINITY));
    assertThrows(IllegalArgumentException.class, () -> plain.incrementalRelayFeerate(-0.5));
    assertThrows(IllegalArgumentException.class, () -> plain.blockWeightLimit(-1));
    assertFalse(plain.feeMarketEnabled());
    assertThrows(IllegalArgumentException.class, () -> chain.fundingOutput(funding.txid(), 0, 5));
    assertThrows(IllegalArgumentException.class, () -> plain.fundingOutput(funding.txid(), -1, 5));
  }

  /** bitcoind 31.99 answers -26 "bad-txns-in-belowout, value in (50.00) < value out (51.00)". */
  @Test
  void aTransactionPayingOutMoreThanItSpendsIsRefused() {
    TestTransaction small = Transactions.funding(rng, 1_000);
    chain.mineTransactions(small);
    TestTransaction greedy = Transactions.spending(rng, small.txid(), 0); // pays out at least 1000 sat
    BroadcastResult r = send(greedy);
    assertInstanceOf(RejectedForNow.class, r);
    assertTrue(((RejectedForNow) r).message().startsWith("bad-txns-in-belowout, value in (0.00001) < value out ("),
        r.toString());
  }

  // ---------------------------------------------------------------------------------------------
  // Replacement

  /** Message checked on bitcoind 31.99 (regtest): a 141 vB replacement paying 1300 sat for 1100. */
  @Test
  void aReplacementPayingMoreAtALowerFeerateIsRefused() {
    TestTransaction original = at(0, 10);                                  // 1100 sat, 110 vB
    assertEquals(new Accepted(), send(original));
    TestTransaction bigger = Transactions.spendingWithFee(rng, funding, 0, 1_300, 2); // 141 vB: 9.2 sat/vB
    assertEquals(new RejectedForNow(-26, "replacement-failed, insufficient feerate: does not improve feerate diagram"),
        send(bigger));
    TestTransaction better = Transactions.spendingWithFee(rng, funding, 0, 1_600, 2); // 11.3 sat/vB
    assertEquals(new Accepted(), send(better));
    assertEquals(List.of(better.txid()), chain.mempoolTxids());
  }

  @Test
  void aReplacementMustPayForWhatItEvictsDescendantsIncluded() {
    TestTransaction parent = at(0, 10);
    TestTransaction child = Transactions.spendingAtFeerate(rng, parent, 0, 10);
    send(parent);
    send(child);
    TestTransaction notEnough = at(0, 20);                                  // 2200 sat < 2200 + 11
    assertEquals(new RejectedForNow(-26, "insufficient fee, rejecting replacement " + notEnough.txid().toHex()
        + ", not enough additional fees to relay; 0.00 < 0.00000011"), send(notEnough));
    TestTransaction enough = at(0, 21);                                     // 2310 sat
    assertEquals(new Accepted(), send(enough));
    assertEquals(List.of(enough.txid()), chain.mempoolTxids());
  }

  @Test
  void theIncrementalRelayFeeIsAKnob() {
    send(at(0, 10));
    chain.incrementalRelayFeerate(1);
    TestTransaction plus100 = Transactions.spendingWithFee(rng, funding, 0, 1_200, 1);
    assertEquals(new RejectedForNow(-26, "insufficient fee, rejecting replacement " + plus100.txid().toHex()
        + ", not enough additional fees to relay; 0.000001 < 0.0000011"), send(plus100));
    assertEquals(new Accepted(), send(Transactions.spendingWithFee(rng, funding, 0, 1_210, 1)));
  }

  @Test
  void aConflictWithATransactionOfUnknownFeeStaysAConflict() {
    Txid unknownCoin = Txid.fromDisplayBytes(new byte[32]);
    TestTransaction first = Transactions.spending(rng, unknownCoin, 0);
    TestTransaction second = Transactions.spending(rng, unknownCoin, 0);
    assertEquals(new Accepted(), send(first));
    assertEquals(new RejectedForNow(-26, "txn-mempool-conflict"), send(second));
  }

  // ---------------------------------------------------------------------------------------------
  // Mining

  @Test
  void blocksTakeTheBestAncestorFeeratesThatFit() {
    TestTransaction five = at(0, 5);
    TestTransaction twenty = at(1, 20);
    TestTransaction zero = Transactions.spendingWithFee(rng, funding, 2, 0, 1);
    TestTransaction payer = Transactions.spendingAtFeerate(rng, zero, 0, 50); // the pair: 25 sat/vB
    send(five);
    send(twenty);
    assertEquals(List.of(new Accepted(), new Accepted()), submit(zero, payer));
    chain.blockWeightLimit(2 * 437);

    Block first = chain.mine();
    assertEquals(List.of(zero.txid(), payer.txid()), first.txids());
    assertEquals(List.of(five.txid(), twenty.txid()), chain.mempoolTxids());
    Block second = chain.mine();
    assertEquals(List.of(five.txid(), twenty.txid()), second.txids());
    assertEquals(List.of(), chain.mempoolTxids());
  }

  @Test
  void aPackageThatDoesNotFitLeavesRoomForSmallerOnes() {
    TestTransaction zero = Transactions.spendingWithFee(rng, funding, 0, 0, 1);
    TestTransaction payer = Transactions.spendingAtFeerate(rng, zero, 0, 100);
    TestTransaction ten = at(1, 10);
    submit(zero, payer);
    send(ten);
    chain.blockWeightLimit(437);
    assertEquals(List.of(ten.txid()), chain.mine().txids());
    chain.blockWeightLimit(874);
    assertEquals(List.of(zero.txid(), payer.txid()), chain.mine().txids());
  }

  @Test
  void minersLeaveWhatPaysBelowTheirMinimumUnlessAChildLiftsIt() {
    TestTransaction five = at(0, 5);
    TestTransaction twenty = at(1, 20);
    TestTransaction lonely = at(2, 5);
    send(five);
    send(twenty);
    send(lonely);
    chain.minerMinFeerate(10);
    assertEquals(List.of(twenty.txid()), chain.mine().txids());
    TestTransaction lift = Transactions.childForPackage(rng, five, 550, 0, 15);
    assertEquals(new Accepted(), send(lift));
    assertEquals(List.of(five.txid(), lift.txid()), chain.mine().txids());
    assertEquals(List.of(lonely.txid()), chain.mempoolTxids());
  }

  @Test
  void transactionsOfUnknownFeeAreNotJudged() {
    chain.mempoolMinFeerate(50);
    chain.minerMinFeerate(50);
    chain.blockWeightLimit(0);
    TestTransaction stranger = Transactions.spendingExternalOutput(rng);
    TestTransaction judged = at(0, 60);
    assertEquals(new Accepted(), send(stranger));
    assertEquals(new Accepted(), send(judged));
    assertEquals(OptionalLong.empty(), chain.fee(stranger.txid()));
    assertEquals(List.of(stranger.txid()), chain.mine().txids());
    assertEquals(List.of(judged.txid()), chain.mempoolTxids());
  }

  @Test
  void choosingTransactionsToMineIgnoresFees() {
    TestTransaction cheap = at(0, 1);
    send(cheap);
    chain.minerMinFeerate(100);
    assertEquals(List.of(cheap.txid()), chain.mineOnly(cheap.txid()).txids());
  }

  // ---------------------------------------------------------------------------------------------
  // Packages: the rest of the contract

  @Test
  void aPackageOfOneIsABroadcast() {
    TestTransaction t = at(0, 3);
    assertEquals(List.of(new Accepted()), chain.submitPackage(List.of(t.raw())));
    assertEquals(List.of(t.txid()), chain.drainBroadcasts());
  }

  @Test
  void badPackagesChangeNothing() {
    assertThrows(IllegalArgumentException.class, () -> chain.submitPackage(List.of()));
    byte[] raw = at(0, 3).raw();
    assertThrows(IllegalArgumentException.class, () -> chain.submitPackage(List.of(raw, raw, raw)));
    assertThrows(NullPointerException.class, () -> chain.submitPackage(null));
    assertEquals(0, chain.broadcastCount());
    assertEquals(List.of(new Rejected(-22, "TX decode failed"), new Rejected(-22, "TX decode failed")),
        chain.submitPackage(List.of(raw, new byte[] {0, 1, 2})));
    assertEquals(List.of(), chain.mempoolTxids());
  }

  @Test
  void aDownNodeAnswersEveryMember() {
    TestTransaction parent = at(0, 3);
    TestTransaction child = Transactions.spendingAtFeerate(rng, parent, 0, 3);
    chain.nodeDown(true);
    List<BroadcastResult> r = submit(parent, child);
    assertEquals(2, r.size());
    r.forEach(x -> assertInstanceOf(NodeUnavailable.class, x));
    assertEquals(List.of(parent.txid(), child.txid()), chain.drainBroadcasts());
  }

  @Test
  void scriptedAnswersApplyToPackageMembers() {
    TestTransaction parent = at(0, 3);
    TestTransaction child = Transactions.spendingAtFeerate(rng, parent, 0, 3);
    chain.rejectNext(child.txid(), -26, "scripted");
    assertEquals(List.of(new Accepted(), new RejectedForNow(-26, "scripted")), submit(parent, child));
    assertTrue(chain.unusedScripts().isEmpty());
  }

  @Test
  void aPackageMustPayForWhatItReplaces() {
    TestTransaction first = at(0, 10);
    send(first);
    TestTransaction rival = Transactions.spendingWithFee(rng, funding, 0, 0, 1); // conflicts, pays nothing
    TestTransaction child = Transactions.spendingAtFeerate(rng, rival, 0, 1);   // 110 sat for both
    // bitcoind 31.99 on regtest, same amounts: package_msg "package RBF failed: insufficient anti-DoS
    // fees, rejecting replacement <child>, less fees than conflicting txs; 0.0000011 < 0.000011", and
    // per transaction the parent's "min relay fee not met, 0 < 11" and the child's missing input.
    assertEquals(List.of(new RejectedForNow(-26, "min relay fee not met, 0 < 11"),
        new RejectedForNow(-25, "bad-txns-inputs-missingorspent")), submit(rival, child));
    // 2000 sat for both beats 1100 + 22 but not 10 sat/vB: refused by the feerate rule.
    TestTransaction slowChild = Transactions.spendingWithFee(rng, rival, 0, 2_000, 1);
    assertEquals(List.of(new RejectedForNow(-26, "min relay fee not met, 0 < 11"),
        new RejectedForNow(-25, "bad-txns-inputs-missingorspent")), submit(rival, slowChild));
    assertEquals(List.of(first.txid()), chain.mempoolTxids());
    TestTransaction richChild = Transactions.spendingAtFeerate(rng, rival, 0, 50); // 5500 sat: 25 sat/vB for both
    assertEquals(List.of(new Accepted(), new Accepted()), submit(rival, richChild));
    assertEquals(List.of(rival.txid(), richChild.txid()), chain.mempoolTxids());
  }

  @Test
  void aParentRefusedForGoodTakesItsChildWithIt() {
    TestTransaction confirmed = at(0, 10);
    chain.mineTransactions(confirmed);
    TestTransaction late = Transactions.spendingWithFee(rng, funding, 0, 0, 1);
    TestTransaction child = Transactions.spendingAtFeerate(rng, late, 0, 50);
    assertEquals(List.of(new Rejected(-25, "bad-txns-inputs-missingorspent"), new Rejected(-25, "bad-txns-inputs-missingorspent")),
        submit(late, child));
  }

  @Test
  void aParentRefusedForNowForAnotherReasonLeavesItsChildRefusedForNow() {
    // Two spenders of a coin the chain knows nothing of: their fees are unknown, so the conflict is
    // not judged by fees and stays a conflict.
    Txid unknownCoin = Txid.fromHex("11".repeat(32));
    TestTransaction stranger = Transactions.spending(rng, unknownCoin, 0);
    TestTransaction rival = Transactions.spending(rng, unknownCoin, 0);
    TestTransaction rivalChild = Transactions.spending(rng, rival.txid(), 0);
    assertEquals(new Accepted(), send(stranger));
    assertEquals(List.of(new RejectedForNow(-26, "txn-mempool-conflict"),
        new RejectedForNow(-25, "bad-txns-inputs-missingorspent")), submit(rival, rivalChild));
    assertEquals(List.of(stranger.txid()), chain.mempoolTxids());
  }

  @Test
  void withoutTheFeeMarketAPackageIsSentMemberByMember() {
    FakeChain plain = FakeChain.atHeight(10);
    TestTransaction zero = Transactions.spendingWithFee(rng, funding, 0, 0, 1);
    TestTransaction child = Transactions.spendingAtFeerate(rng, zero, 0, 1);
    assertEquals(List.of(new Accepted(), new Accepted()), plain.submitPackage(List.of(zero.raw(), child.raw())));
    TestTransaction rival = Transactions.spendingWithFee(rng, funding, 0, 5, 1);
    TestTransaction rivalChild = Transactions.spendingAtFeerate(rng, rival, 0, 1);
    assertEquals(List.of(new RejectedForNow(-26, "txn-mempool-conflict"),
        new RejectedForNow(-25, "bad-txns-inputs-missingorspent")),
        plain.submitPackage(List.of(rival.raw(), rivalChild.raw())));
    assertEquals(List.of(zero.txid(), child.txid()), plain.mempoolTxids());
    assertFalse(plain.feeMarketEnabled());
  }
}
