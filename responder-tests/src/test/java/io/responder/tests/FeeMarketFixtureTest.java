package io.responder.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.BroadcastResult;
import io.responder.core.BroadcastResult.Accepted;
import io.responder.core.BroadcastResult.AlreadyConfirmed;
import io.responder.core.BroadcastResult.Rejected;
import io.responder.core.BroadcastResult.RejectedForNow;
import io.responder.core.Txid;
import io.responder.testkit.FakeChain;
import io.responder.testkit.TestTransaction;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fee market of {@link FakeChain} fed the transactions a real regtest bitcoind judged (the
 * bitcoind-regtest-fees fixtures): it measures the fees and sizes the node reported, and answers
 * what the node answered, message for message. Each test names the exchange it replays.
 */
class FeeMarketFixtureTest {
  /** The node's {@code mempoolminfee} under {@code -maxmempool=5} pressure: 0.00002099 BTC/kvB. */
  private static final double PRESSURE_MEMPOOL_MIN = 2.099;
  private static final String TOPOLOGY =
      "package topology disallowed. not child-with-parents or parents depend on each other.";

  record Recorded(String label, Txid txid, long fee, int vsize, byte[] raw) {}

  static final Map<String, Recorded> STORY = new HashMap<>();
  static final List<String[]> FUNDING = new ArrayList<>();

  static {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(
        Objects.requireNonNull(FeeMarketFixtureTest.class.getResourceAsStream("/fee-story-transactions.txt")),
        StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith("#") || line.isBlank()) {
          continue;
        }
        String[] f = line.split(" ");
        if (f[0].equals("funding")) {
          FUNDING.add(f);
        } else {
          STORY.put(f[0], new Recorded(f[0], Txid.fromHex(f[1]), Long.parseLong(f[2]), Integer.parseInt(f[3]),
              HexFormat.of().parseHex(f[4])));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  FakeChain chain = FakeChain.atHeight(200);

  @BeforeEach
  void wallet() {
    Set<String> told = new HashSet<>();
    for (String[] f : FUNDING) {
      if (told.add(f[1] + ":" + f[2])) {
        chain.fundingOutput(Txid.fromHex(f[1]), Integer.parseInt(f[2]), Long.parseLong(f[3]));
      }
    }
    chain.enableFeeMarket();
  }

  static Recorded tx(String label) {
    return Objects.requireNonNull(STORY.get(label), label);
  }

  BroadcastResult send(String label) {
    Recorded t = tx(label);
    return chain.broadcast(t.txid(), t.raw());
  }

  List<BroadcastResult> submit(String parent, String child) {
    return chain.submitPackage(List.of(tx(parent).raw(), tx(child).raw()));
  }

  boolean inMempool(String label) {
    return chain.inMempool(tx(label).txid());
  }

  @Test
  void feesAndVsizesAreTheNodes() {
    // Every parent is sent or mined first, so each transaction's inputs are known when it arrives.
    for (String label : List.of("rbf/original", "zero_v2/parent", "dispute/dispute", "confirmed_parent/dispute")) {
      Recorded t = tx(label);
      chain.mineTransactions(testTransaction(t));
      assertEquals(OptionalLong.of(t.fee()), chain.fee(t.txid()), label);
      assertEquals(OptionalInt.of(t.vsize()), chain.vsize(t.txid()), label);
    }
    for (String label : List.of("zero_v2/child", "dispute/penalty", "confirmed_parent/penalty")) {
      Recorded t = tx(label);
      assertEquals(new Accepted(), send(label), label);
      assertEquals(OptionalLong.of(t.fee()), chain.fee(t.txid()), label);
      assertEquals(OptionalInt.of(t.vsize()), chain.vsize(t.txid()), label);
    }
  }

  /** sendrawtransaction_rbf_original, _replacement, _less_fees, _not_enough_additional, _min_increment. */
  @Test
  void replacementsAreJudgedAsTheNodeJudgedThem() {
    assertEquals(new Accepted(), send("rbf/original"));
    assertEquals(new Accepted(), send("rbf/replacement"));
    assertFalse(inMempool("rbf/original")); // getmempoolentry_rbf_replaced: -5 not in mempool
    assertEquals(new RejectedForNow(-26, "insufficient fee, rejecting replacement "
        + "117d3106bab43da8fd42563192e142292b2707084ea47e1b1ef457e52f34bb8d, less fees than conflicting txs; "
        + "0.0000165 < 0.000022"), send("rbf/less_fees"));
    assertEquals(new RejectedForNow(-26, "insufficient fee, rejecting replacement "
        + "c8e01942ca6dede225a86a9661b949570603852a2838b60526157345d85b23b3, not enough additional fees to relay; "
        + "0.00000005 < 0.00000011"), send("rbf/not_enough_additional"));
    assertTrue(inMempool("rbf/replacement"));
    assertEquals(new Accepted(), send("rbf/min_increment"));
    assertEquals(List.of(tx("rbf/min_increment").txid()), chain.mempoolTxids());
  }

  /** sendrawtransaction_zero_fee_v2_parent and submitpackage_zero_fee_v2_parent. */
  @Test
  void aZeroFeeParentIsRefusedAloneAndTakenWithItsChild() {
    assertEquals(new RejectedForNow(-26, "min relay fee not met, 0 < 11"), send("zero_v2/parent"));
    assertEquals(List.of(new Accepted(), new Accepted()), submit("zero_v2/parent", "zero_v2/child"));
    assertTrue(inMempool("zero_v2/parent"));
    assertTrue(inMempool("zero_v2/child"));
  }

  /** sendrawtransaction_below_mempool_min_parent and submitpackage_below_mempool_min_parent. */
  @Test
  void aParentBelowTheMempoolMinimumIsCarriedByItsChild() {
    chain.mempoolMinFeerate(PRESSURE_MEMPOOL_MIN);
    assertEquals(new RejectedForNow(-26, "mempool min fee not met, 110 < 231"), send("below_min/parent"));
    assertEquals(List.of(new Accepted(), new Accepted()), submit("below_min/parent", "below_min/child"));
  }

  /** submitpackage_package_feerate_below_mempool_min: nothing enters the mempool. */
  @Test
  void aPackageBelowTheMempoolMinimumFailsWithBothMembersNumbers() {
    chain.mempoolMinFeerate(PRESSURE_MEMPOOL_MIN);
    assertEquals(List.of(
        new RejectedForNow(-26, "mempool min fee not met, 0 < 231"),
        new RejectedForNow(-26, "mempool min fee not met, 330 < 462")),
        submit("too_low_pressure/parent", "too_low_pressure/child"));
    assertEquals(List.of(), chain.mempoolTxids());
  }

  /**
   * submitpackage_dispute_penalty, _already_in_mempool, _child_replaces_child and
   * _child_replacement_too_low: a package whose overall answer failed still has its parent in.
   */
  @Test
  void aPenaltyChildReplacesItsOlderVariantInsideAPackage() {
    assertEquals(List.of(new Accepted(), new Accepted()), submit("dispute/dispute", "dispute/penalty"));
    assertEquals(List.of(new Accepted(), new Accepted()), submit("dispute/dispute", "dispute/penalty"));
    assertEquals(List.of(new Accepted(), new Accepted()), submit("dispute/dispute", "dispute/penalty_bumped"));
    assertFalse(inMempool("dispute/penalty"));
    assertEquals(List.of(new Accepted(), new RejectedForNow(-26, "insufficient fee, rejecting replacement "
        + "60a08d1d7b7f06497d0e4f2210ece13cefb75e8d4ad01bd937b8b372d3e440ed, less fees than conflicting txs; "
        + "0.00008 < 0.00011")), submit("dispute/dispute", "dispute/penalty_too_low"));
    assertEquals(List.of(tx("dispute/dispute").txid(), tx("dispute/penalty_bumped").txid()), chain.mempoolTxids());
  }

  /** submitpackage_package_rbf: a new zero-fee parent and its richer child replace the old pair. */
  @Test
  void aPackageReplacesAParentAndChild() {
    assertEquals(List.of(new Accepted(), new Accepted()), submit("zero_truc/parent", "zero_truc/child"));
    assertEquals(List.of(new Accepted(), new Accepted()), submit("zero_truc/parent_conflict", "zero_truc/child_conflict"));
    assertEquals(List.of(tx("zero_truc/parent_conflict").txid(), tx("zero_truc/child_conflict").txid()),
        chain.mempoolTxids());
  }

  /** submitpackage_not_sorted: the child first is refused before any judgement. */
  @Test
  void aChildBeforeItsParentIsRefusedWhole() {
    assertEquals(List.of(new Rejected(-25, TOPOLOGY), new Rejected(-25, TOPOLOGY)),
        submit("unsorted/penalty", "unsorted/dispute"));
    assertEquals(List.of(), chain.mempoolTxids());
  }

  /** submitpackage_child_missing_output: the dispute is taken, the penalty spending no output is not. */
  @Test
  void aChildSpendingAMissingOutputIsRefusedAndItsParentTaken() {
    assertEquals(List.of(new Accepted(), new Rejected(-25, "bad-txns-inputs-missingorspent")),
        submit("missing/dispute", "missing/penalty_wrong_vout"));
    assertTrue(inMempool("missing/dispute"));
  }

  /** submitpackage_parent_confirmed: the confirmed parent is reported, the penalty taken. */
  @Test
  void aPenaltyOfAConfirmedDisputeIsTakenFromAPackage() {
    chain.mineTransactions(testTransaction(tx("confirmed_parent/dispute")));
    List<BroadcastResult> results = submit("confirmed_parent/dispute", "confirmed_parent/penalty");
    assertEquals(new AlreadyConfirmed(OptionalInt.empty()), results.get(0));
    assertEquals(new Accepted(), results.get(1));
    assertTrue(inMempool("confirmed_parent/penalty"));
  }

  /** The off switch: with no fee knob, the same replacement is a plain mempool conflict, as before. */
  @Test
  void withoutTheFeeMarketAConflictIsRefusedAsBefore() {
    FakeChain plain = FakeChain.atHeight(200);
    assertEquals(new Accepted(), plain.broadcast(tx("rbf/original").txid(), tx("rbf/original").raw()));
    assertEquals(new RejectedForNow(-26, "txn-mempool-conflict"),
        plain.broadcast(tx("rbf/replacement").txid(), tx("rbf/replacement").raw()));
    assertEquals(new Accepted(), plain.broadcast(tx("zero_v2/parent").txid(), tx("zero_v2/parent").raw()));
    assertFalse(plain.feeMarketEnabled());
  }

  private static TestTransaction testTransaction(Recorded t) {
    return TestTransaction.fromRaw(t.raw());
  }
}
