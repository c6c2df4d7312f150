package io.responder.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.bitcoind.BitcoindFeeEstimator;
import io.responder.bitcoind.BitcoindRpc;
import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import io.responder.core.Breach;
import io.responder.core.BroadcastResult;
import io.responder.core.FeeEstimate;
import io.responder.core.FeeRate;
import io.responder.core.InvalidInputException;
import io.responder.core.Responder;
import io.responder.core.TrackerStatus;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 14 item 9: {@code estimatesmartfee} and {@code getmempoolinfo} as
 * {@link BitcoindRpc#feeEstimator()} maps them, on a node of its own whose chain starts without any
 * fee history. In order: first the fresh chain (no estimate), then the same chain after a few blocks
 * of fee history, where the estimate feeds the wallet's child.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FeeEstimatorIT {
  @RegisterExtension
  static final RegtestNode node = new RegtestNode();

  /** The feerate of the fee history the second test makes, in sat/vB. */
  private static final int HISTORY_SAT_VB = 25;

  @Test
  @Order(1)
  void aFreshChainHasNoEstimateAndTheMinimumIsTheNodesRelayMinimum() {
    BitcoindFeeEstimator estimator = BitcoindRpc.create(node.config()).feeEstimator();
    for (int target : new int[] {1, 6, 144}) {
      Map<String, Object> raw = node.rpc().object("estimatesmartfee", target, "conservative");
      assertNull(raw.get("feerate"), "bitcoind has no feerate for " + target);
      assertEquals(List.of("Insufficient data or no feerate found"), raw.get("errors"));
      assertEquals(Optional.empty(), estimator.estimate(target), "no estimate for " + target);
    }
    assertEquals(Optional.empty(), estimator.estimate(5_000), "a target above bitcoind's 1008 is asked as 1008, not refused");
    assertThrows(InvalidInputException.class, () -> estimator.estimate(0));

    Map<String, Object> mempool = node.rpc().object("getmempoolinfo");
    assertEquals(new BigDecimal("0.00000100"), mempool.get("mempoolminfee"));
    assertEquals(new BigDecimal("0.00000100"), mempool.get("minrelaytxfee"));
    assertEquals(FeeRate.ofSatPerKvB(100), estimator.minimum(), "0.1 sat/vB, this version's default");
  }

  @Test
  @Order(2)
  void afterFeeHistoryTheEstimateIsTheNodesAndTheWalletsChildIsAskedForIt() {
    Chain chain = new Chain(node);
    makeFeeHistory(chain);
    BitcoindFeeEstimator estimator = BitcoindRpc.create(node.config()).feeEstimator();

    Map<String, Object> raw = node.rpc().object("estimatesmartfee", 6, "conservative");
    FeeEstimate six = estimator.estimate(6).orElseThrow();
    assertEquals(FeeRate.ofBtcPerKvB((BigDecimal) raw.get("feerate")), six.feeRate());
    // bitcoind's estimate is an average over a feerate bucket: about the history's 25 sat/vB.
    assertTrue(six.feeRate().compareTo(FeeRate.ofSatPerVbyte(HISTORY_SAT_VB)) >= 0
        && six.feeRate().compareTo(FeeRate.ofSatPerVbyte(HISTORY_SAT_VB + 1)) < 0, six.feeRate().toString());
    assertEquals(((Number) raw.get("blocks")).intValue(), six.blocks(), "the target bitcoind answered");
    assertTrue(six.blocks() < 6, "five blocks of history answer no target above half of them: " + six.blocks());
    assertEquals(2, estimator.estimate(1).orElseThrow().blocks(), "a target of 1 is answered as 2");

    // A penalty at 2 sat/vB, above the node's minimum but below the node's estimate; its output to
    // the wallet lets the wallet pay for it, at the node's estimate, from the first send on.
    String walletAddress = node.rpc().string("getnewaddress");
    Chain.Tx dispute = chain.newDispute();
    Chain.Tx penalty = chain.penaltyWithOutputTo(dispute, walletAddress, 100_000, 282);
    chain.send(dispute);
    BlockHash disputeBlock = chain.mine(1).get(0);
    int disputeHeight = chain.height();
    WalletBumper wallet = new WalletBumper(node.rpc(), walletAddress);
    Tower tower = Tower.inMemory(node, Responder.builder().feeEstimator(estimator).feeBumper(wallet, 20_000));
    Breach breach = Tower.builder(dispute, penalty, disputeBlock).disputeRawTx(dispute.hex()).toSelfDelay(14).build();
    assertTrue(tower.handle(breach).broadcast() instanceof BroadcastResult.Accepted); // 13 blocks left

    FeeRate estimate = FeeRate.ofBtcPerKvB((BigDecimal) node.rpc().object("estimatesmartfee", 12, "conservative").get("feerate"));
    assertTrue(estimate.compareTo(estimator.minimum()) > 0, "an estimate above the minimum: " + estimate);
    assertEquals(1, wallet.offers().size(), "the penalty pays less than the estimate: the child goes with the first send");
    WalletBumper.Offer offer = wallet.offers().get(0);
    assertEquals(estimate, offer.asked(), "the child is asked for the node's estimate for the blocks left");
    assertEquals(List.of(new FeeEvents.Bumped(breach.uuid(), penalty.txid(), offer.child().txid(), estimate, offer.feeSats(),
        new BroadcastResult.Accepted())), tower.fees.of(FeeEvents.Bumped.class));
    Map<String, Object> child = chain.mempoolEntry(offer.child().txid());
    long packageVsize = offer.parentVsize() + offer.childVsize();
    assertEquals(packageVsize, child.get("ancestorsize"));
    FeesIT.assertPaysAbout(estimate, packageVsize, fee(child, "ancestor"));

    chain.mineEmpty(); // 12 blocks left: at risk; the child in the node's mempool still meets the estimate
    tower.poll();
    assertEquals(1, wallet.offers().size(), "the wallet is not asked again while its child is in the mempool");

    BlockHash mined = chain.mine(1).get(0);
    tower.poll();
    assertTrue(chain.txidsOf(mined).containsAll(List.of(penalty.txid(), offer.child().txid())));
    assertEquals(new TrackerStatus.Confirmed(new BlockRef(mined, disputeHeight + 2)), tower.status(breach.uuid()));
    assertFalse(chain.inMempool(offer.child().txid()));
    tower.responder.checkConsistency();
  }

  /**
   * Five blocks, each with three wallet transactions at {@value #HISTORY_SAT_VB} sat/vB, each spending
   * a confirmed coin (bitcoind's estimator ignores transactions that spend from its mempool): the
   * least history after which this version answers (recorded in the fee fixtures' INDEX).
   */
  private static void makeFeeHistory(Chain chain) {
    NodeRpc rpc = node.rpc();
    Map<String, Object> coins = new LinkedHashMap<>();
    for (int i = 0; i < 15; i++) {
      coins.put(rpc.string("getnewaddress"), new BigDecimal("0.1"));
    }
    rpc.call("sendmany", "", coins);
    chain.mine(1);
    String payee = Chain.addressOf(rpc, Chain.TOWER_KEY);
    for (int block = 0; block < 5; block++) {
      for (int i = 0; i < 3; i++) {
        rpc.call("sendtoaddress", payee, new BigDecimal("0.01"), "", "", false, true, null, "unset", false,
            HISTORY_SAT_VB);
      }
      chain.mine(1);
    }
  }

  @SuppressWarnings("unchecked")
  private static long fee(Map<String, Object> entry, String which) {
    return Chain.sats(((Map<String, Object>) entry.get("fees")).get(which));
  }
}
