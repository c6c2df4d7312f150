package io.responder.bitcoind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.responder.core.BroadcastResult;
import io.responder.core.FeeEstimate;
import io.responder.core.FeeEstimatorException;
import io.responder.core.FeeRate;
import io.responder.core.InvalidInputException;
import io.responder.core.PackageResult;
import io.responder.core.RawTransaction;
import io.responder.core.TransactionPackage;
import io.responder.core.Txid;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The carrier's package relay and batch sends, and the fee estimator, against the fees and package
 * exchanges recorded from a real regtest bitcoind ({@code fixtures/bitcoind-regtest-fees/INDEX.md}),
 * replayed byte for byte over loopback HTTP. Each recording is mapped to its expected outcome.
 *
 * <p>After the class, every recording of that folder must have been served by one of its tests, or
 * be on {@link #LEFT_FOR_LATER} with the reason no port of this module asks that question yet.
 */
class FeeExchangesTest {
  /**
   * Recordings of questions no port here asks yet, each with why. A recording on this list that a
   * test serves fails the class too, so the list only ever shrinks.
   */
  static final Map<String, String> LEFT_FOR_LATER = Map.ofEntries(
      left("estimaterawfee_6_fresh", "estimaterawfee: the estimator uses estimatesmartfee, which combines the horizons"),
      left("estimaterawfee_2_first_estimate", "estimaterawfee: as above"),
      left("estimaterawfee_2_after_289_blocks", "estimaterawfee: as above"),
      left("estimaterawfee_144_after_289_blocks", "estimaterawfee: as above"),
      left("getmempoolentry_truc_child", "getmempoolentry feerates: for the escalation policy (issue 14, item 6)"),
      left("getmempoolentry_zero_fee_truc_parent", "getmempoolentry feerates: as above"),
      left("getmempoolentry_penalty_child", "getmempoolentry feerates: as above"),
      left("getmempoolentry_child_of_confirmed_parent", "getmempoolentry feerates: as above"),
      left("getmempoolentry_prioritised_parent", "getmempoolentry feerates: as above"),
      left("getmempoolentry_rbf_replaced", "getmempoolentry of a replaced transaction: the carrier's status reads -5 already (main fixtures)"),
      left("getmempoolcluster_truc_package", "getmempoolcluster: for the escalation policy"),
      left("prioritisetransaction_negative_delta", "prioritisetransaction: a test lever of the real-node suite (issue 14, item 9), not a port"),
      left("prioritisetransaction_below_mempool_min", "prioritisetransaction: as above"),
      left("testmempoolaccept_single_zero_fee_v2", "testmempoolaccept: no port dry-runs; it never applies package feerates"),
      left("testmempoolaccept_package_zero_fee_v2", "testmempoolaccept: as above"),
      left("testmempoolaccept_package_zero_fee_truc", "testmempoolaccept: as above"),
      left("testmempoolaccept_single_penalty_unknown_dispute", "testmempoolaccept: as above"),
      left("testmempoolaccept_package_dispute_penalty", "testmempoolaccept: as above"),
      left("testmempoolaccept_single_ok", "testmempoolaccept: as above"),
      left("testmempoolaccept_package_below_mempool_min", "testmempoolaccept: as above"));

  private static Map.Entry<String, String> left(String fixture, String why) {
    return Map.entry(fixture, why);
  }

  static final String DIR = Fixture.FEES_DIRECTORY;

  static final BroadcastResult ACCEPTED = new BroadcastResult.Accepted();
  static final BroadcastResult CONFIRMED = new BroadcastResult.AlreadyConfirmed(OptionalInt.empty());
  static final String MISSING_OR_SPENT = "bad-txns-inputs-missingorspent";
  static final String BAD_SIGNATURE = "mempool-script-verify-flag-failed (Signature must be zero for failed CHECK(MULTI)SIG operation)";

  private static final Set<Method> testsRun = ConcurrentHashMap.newKeySet();

  ReplayServer server;

  @BeforeEach
  void startServer(TestInfo test) {
    test.getTestMethod().ifPresent(testsRun::add);
    server = new ReplayServer(DIR);
  }

  @AfterEach
  void stopServer() {
    try {
      server.verify();
    } finally {
      server.close();
    }
  }

  @AfterAll
  static void everyFeeFixtureIsServedOrLeftForLaterWithAReason() {
    if (!testsRun.containsAll(declaredTests(FeeExchangesTest.class))) {
      return; // a filtered run: coverage is only meaningful for the whole class
    }
    Set<String> served = ReplayServer.servedIn(DIR);
    Set<String> unused = new TreeSet<>(Fixture.allNames(DIR));
    unused.removeAll(served);
    unused.removeAll(LEFT_FOR_LATER.keySet());
    assertTrue(unused.isEmpty(), "fee fixtures no test used and not left for later: " + unused);
    Set<String> servedYetLeft = new TreeSet<>(LEFT_FOR_LATER.keySet());
    servedYetLeft.retainAll(served);
    assertTrue(servedYetLeft.isEmpty(), "served, so no longer left for later: " + servedYetLeft);
    Set<String> unknown = new TreeSet<>(LEFT_FOR_LATER.keySet());
    unknown.removeAll(Fixture.allNames(DIR));
    assertTrue(unknown.isEmpty(), "left for later but not a fixture: " + unknown);
  }

  private static Set<Method> declaredTests(Class<?> type) {
    Set<Method> tests = new java.util.HashSet<>();
    for (Method m : type.getDeclaredMethods()) {
      if (m.isAnnotationPresent(Test.class) || m.isAnnotationPresent(ParameterizedTest.class)) {
        tests.add(m);
      }
    }
    for (Class<?> inner : type.getDeclaredClasses()) {
      if (inner.isAnnotationPresent(Nested.class)) {
        tests.addAll(declaredTests(inner));
      }
    }
    return tests;
  }

  BitcoindRpc rpc() {
    return BitcoindRpc.create(server.config().build());
  }

  /** The raw transactions of a recorded {@code submitpackage} request, in its order. */
  static List<RawTransaction> recordedPackage(String fixture) {
    String array = Fixture.load(DIR, fixture).request().orElseThrow().calls().get(0).params().get(0);
    List<RawTransaction> txs = new ArrayList<>();
    try (JsonParser p = RpcRequest.JSON.createParser(array)) {
      if (p.nextToken() != JsonToken.START_ARRAY) {
        throw new IllegalStateException(fixture + ": the first parameter is not an array");
      }
      while (p.nextToken() == JsonToken.VALUE_STRING) {
        txs.add(RawTransaction.of(HexFormat.of().parseHex(p.getText())));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return txs;
  }

  static RawTransaction recordedTransaction(String sendRawTransactionFixture) {
    return RawTransaction.of(HexFormat.of().parseHex(Fixture.load(DIR, sendRawTransactionFixture).firstParam()));
  }

  static BroadcastResult forNow(String message) {
    return new BroadcastResult.RejectedForNow(-26, message);
  }

  static Txid txid(String hex) {
    return Txid.fromHex(hex);
  }

  @Nested
  class Packages {
    static Stream<Arguments> packageTable() {
      return Stream.of(
          // Accepted as packages: parents below the minimums carried by their child.
          Arguments.of("submitpackage_zero_fee_v2_parent", List.of(ACCEPTED, ACCEPTED), List.of()),
          Arguments.of("submitpackage_zero_fee_truc_parent", List.of(ACCEPTED, ACCEPTED), List.of()),
          Arguments.of("submitpackage_prioritised_parent", List.of(ACCEPTED, ACCEPTED), List.of()),
          Arguments.of("submitpackage_below_mempool_min_parent", List.of(ACCEPTED, ACCEPTED), List.of()),
          Arguments.of("submitpackage_prioritised_below_mempool_min", List.of(ACCEPTED, ACCEPTED), List.of()),
          Arguments.of("submitpackage_zero_fee_truc_under_pressure", List.of(ACCEPTED, ACCEPTED), List.of()),
          // The dispute the node never saw, sent with its penalty; again while both are in the mempool.
          Arguments.of("submitpackage_dispute_penalty", List.of(ACCEPTED, ACCEPTED), List.of()),
          Arguments.of("submitpackage_already_in_mempool", List.of(ACCEPTED, ACCEPTED), List.of()),
          // Replacements: the replaced txids come back.
          Arguments.of("submitpackage_child_replaces_child", List.of(ACCEPTED, ACCEPTED),
              List.of(txid("8fefd383cd8a66b9a28aac2e312628ff8b83302c6d5d96de0c1aff3b541e8eb5"))),
          Arguments.of("submitpackage_package_rbf", List.of(ACCEPTED, ACCEPTED),
              List.of(txid("deec816e361f68bf03053f6a00cc2b8e9d962dd41916036d13c8ed7d63a9574d"),
                  txid("2843b182a1e2002e0f72b9b2fc77d2956132487e395c7cfb2e3bbe8c51d1e7cb"))),
          Arguments.of("submitpackage_truc_child_replaces_child", List.of(ACCEPTED, ACCEPTED),
              List.of(txid("a6cc6eb4fc8d6714bfd7d99cb24f5c431eef2e900d7dcc24b0be29babaf2b292"))),
          // "transaction failed", yet a member is in: each member's verdict is read.
          Arguments.of("submitpackage_child_replacement_too_low", List.of(ACCEPTED, forNow(
              "insufficient fee, rejecting replacement 60a08d1d7b7f06497d0e4f2210ece13cefb75e8d4ad01bd937b8b372d3e440ed,"
                  + " less fees than conflicting txs; 0.00008 < 0.00011")), List.of()),
          Arguments.of("submitpackage_child_bad_signature", List.of(ACCEPTED, new BroadcastResult.Rejected(-26, BAD_SIGNATURE
              + ", input 0 of 489c8e67dbb13c6208308fe6e841b95fa586c18d656ab6639b44ef0098835eed"
              + " (wtxid 6734a192f2b502ded9e6eb94a9022e6f3c57b5275f1cbfe8951655c5a3cb8b7d),"
              + " spending 4afa7fe41fd372a645e345f43914a757857bd37ccc8591c6ccbd7bd56f82bbec:0")), List.of()),
          Arguments.of("submitpackage_zero_fee_parent_child_bad_signature", List.of(forNow("min relay fee not met, 0 < 11"),
              new BroadcastResult.Rejected(-26, BAD_SIGNATURE
                  + ", input 0 of a6c004cc2ac7cd23a735240eb3aa955f64f262e6e59cd699b3f41c38f3eb2334"
                  + " (wtxid 49dc0c9976f1e145e7bec096cbc3623ae5bc7934a1521d0c9f5a56cb58b4bea4),"
                  + " spending 9ab8b26f32f440dda21752b648e197af25ef75afb4d0911b7e4c93d5a5cbe116:0")), List.of()),
          Arguments.of("submitpackage_child_missing_output",
              List.of(ACCEPTED, new BroadcastResult.Rejected(-25, MISSING_OR_SPENT)), List.of()),
          Arguments.of("submitpackage_truc_child_of_v2_parent", List.of(ACCEPTED, forNow(
              "TRUC-violation, version=3 tx a68724cc7954250765d2bc5de9e787db18ce0cf347110a77ad9b7b8794da8691"
                  + " (wtxid=f7fe3c778d32b0198a6497ed5140d973b3b6e3153e341db1eff0d257fce859b8) cannot spend from"
                  + " non-version=3 tx aeed158b650d8fc764d92ae741cfcd00904bfd709a601df55299b6f4efca441f"
                  + " (wtxid=1cf19c13ee39c6d30348dc8c60aa1ab987da850cbc89cbed3bb8a6b883715c2e)")), List.of()),
          Arguments.of("submitpackage_package_feerate_below_mempool_min",
              List.of(forNow("mempool min fee not met, 0 < 231"), forNow("mempool min fee not met, 330 < 462")), List.of()),
          // Confirmed members: "txn-already-known" is in a block; a confirmed dispute whose outputs
          // are all spent looks like any missing input.
          Arguments.of("submitpackage_already_confirmed",
              List.of(new BroadcastResult.Rejected(-25, MISSING_OR_SPENT), CONFIRMED), List.of()),
          Arguments.of("submitpackage_parent_confirmed", List.of(CONFIRMED, ACCEPTED), List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("packageTable")
    void eachMembersVerdictIsRead(String fixture, List<BroadcastResult> expected, List<Txid> replaced) {
      server.expect(fixture);
      PackageResult r = rpc().carrier().broadcastPackage(TransactionPackage.of(recordedPackage(fixture)));
      assertEquals(new PackageResult(expected, replaced), r);
    }

    @Test
    void thePackageIsSentInOrderWithNoFeeCap() {
      String fixture = "submitpackage_dispute_penalty";
      server.expect(fixture);
      rpc().carrier().broadcastPackage(TransactionPackage.of(recordedPackage(fixture)));

      RpcRequest sent = server.received().get(0).calls().get(0);
      RpcRequest recorded = Fixture.load(DIR, fixture).request().orElseThrow().calls().get(0);
      assertEquals("submitpackage", sent.method());
      assertEquals(recorded.params().get(0), sent.params().get(0), "the hexes, parents first");
      assertEquals("0", sent.params().get(1), "maxfeerate 0: bitcoind's default cap must not cost a penalty");
    }

    @Test
    void theWtxidsAreThoseTheNodeKeysItsAnswerBy() {
      // Segwit: the wtxid covers the witness (INDEX.md's story table); legacy: it is the txid.
      List<RawTransaction> zeroV2 = recordedPackage("submitpackage_zero_fee_v2_parent");
      assertEquals("47543704ad106cc50776a59ad139ec17029dba4725d5e340eb96ffdc7ff618c7",
          BitcoindCarrier.wtxidHex(zeroV2.get(0).bytes()));
      assertEquals("3a9d072e2e0d7222f7fcc528164fdea4360c90e83d3c1405db992a8014ac8217",
          BitcoindCarrier.wtxidHex(zeroV2.get(1).bytes()));
      RawTransaction legacy = LegacyTx.spending(7, LegacyTx.coin(1));
      assertEquals(legacy.txid().toHex(), BitcoindCarrier.wtxidHex(legacy.bytes()));
      // The same txid with a corrupted witness has its own wtxid.
      List<RawTransaction> badSig = recordedPackage("submitpackage_child_bad_signature");
      assertEquals(txid("489c8e67dbb13c6208308fe6e841b95fa586c18d656ab6639b44ef0098835eed"), badSig.get(1).txid());
      assertEquals("6734a192f2b502ded9e6eb94a9022e6f3c57b5275f1cbfe8951655c5a3cb8b7d", BitcoindCarrier.wtxidHex(badSig.get(1).bytes()));
    }

    @Test
    void aChildBeforeItsParentIsRefusedBeforeSendingAndTheNodesTopologyErrorKeepsEveryMemberPending() {
      List<RawTransaction> childFirst = recordedPackage("submitpackage_not_sorted");
      InvalidInputException e = assertThrows(InvalidInputException.class, () -> TransactionPackage.of(childFirst));
      assertTrue(e.getMessage().contains("[0] spends an output of [1]"), e.getMessage());

      // A node whose rules differ refuses a package this library takes: -25 before validation says
      // nothing final about any member.
      server.enqueue("submitpackage_not_sorted");
      PackageResult r = rpc().carrier().broadcastPackage(TransactionPackage.of(childFirst.get(1), childFirst.get(0)));
      BroadcastResult each = new BroadcastResult.RejectedForNow(-25,
          "package topology disallowed. not child-with-parents or parents depend on each other.");
      assertEquals(new PackageResult(List.of(each, each), List.of()), r);
    }

    @Test
    void aPackageOfOneIsSentWithSendRawTransaction() {
      server.expect("sendrawtransaction_rbf_original");
      PackageResult r = rpc().carrier().broadcastPackage(TransactionPackage.of(recordedTransaction("sendrawtransaction_rbf_original")));
      assertEquals(new PackageResult(List.of(ACCEPTED), List.of()), r);
      assertEquals("sendrawtransaction", server.received().get(0).calls().get(0).method());
    }
  }

  /** Answers the recordings lack: broken nodes and older versions. */
  @Nested
  class PackageAnswersTheRecordingsLack {
    final List<RawTransaction> pkg = recordedPackage("submitpackage_dispute_penalty");
    final String disputeWtxid = BitcoindCarrier.wtxidHex(pkg.get(0).bytes());
    final String penaltyWtxid = BitcoindCarrier.wtxidHex(pkg.get(1).bytes());

    PackageResult send(String body) {
      server.expectCustom("custom submitpackage", "submitpackage", List.of(), 200, body);
      return rpc().carrier().broadcastPackage(TransactionPackage.of(pkg));
    }

    String entry(String wtxid, Txid txid, String rest) {
      return "\"" + wtxid + "\":{\"txid\":\"" + txid + "\"," + rest + "}";
    }

    String answer(String packageMsg, String entries) {
      return "{\"result\":{\"package_msg\":\"" + packageMsg + "\",\"tx-results\":{" + entries
          + "},\"replaced-transactions\":[]},\"error\":null,\"id\":1}\n";
    }

    @Test
    void aMemberWithoutAnEntryWasNotValidated() {
      PackageResult r = send(answer("package-too-large", entry(disputeWtxid, pkg.get(0).txid(), "\"error\":\"package-too-large\"")));
      assertEquals(List.of(forNow("package-too-large"), forNow("package-not-validated")), r.results());
    }

    @Test
    void anotherWitnessOfTheSameTxidInTheMempoolIsAccepted() {
      PackageResult r = send(answer("success",
          entry(disputeWtxid, pkg.get(0).txid(), "\"fees\":{\"base\":0.00002200}") + ","
              + entry(penaltyWtxid, pkg.get(1).txid(), "\"other-wtxid\":\"" + "ab".repeat(32) + "\"")));
      assertEquals(List.of(ACCEPTED, ACCEPTED), r.results());
    }

    @Test
    void anEntryAboutATransactionNotSentMakesTheAnswerUnreadable() {
      PackageResult r = send(answer("success", entry("cd".repeat(32), pkg.get(0).txid(), "\"fees\":{\"base\":0}")));
      assertUnreadable(r, "not in the package");
    }

    @Test
    void anEntryWhoseTxidDisagreesMakesTheAnswerUnreadable() {
      PackageResult r = send(answer("success", entry(disputeWtxid, pkg.get(1).txid(), "\"fees\":{\"base\":0}")));
      assertUnreadable(r, "gives member 0");
    }

    @Test
    void anEntryWithNeitherFeesNorErrorMakesTheAnswerUnreadable() {
      PackageResult r = send(answer("success", entry(disputeWtxid, pkg.get(0).txid(), "\"vsize\":110")));
      assertUnreadable(r, "neither fees, error nor other-wtxid");
    }

    private void assertUnreadable(PackageResult r, String why) {
      assertEquals(2, r.results().size());
      for (BroadcastResult each : r.results()) {
        BroadcastResult.NodeUnavailable u = assertInstanceOf(BroadcastResult.NodeUnavailable.class, each);
        assertTrue(u.reason().contains(why), u.reason());
      }
    }

    @Test
    void aHugeErrorStringIsCutAndItsControlCharactersReplaced() {
      String huge = "min relay fee not met\n" + "x".repeat(100_000);
      PackageResult r = send(answer("transaction failed",
          entry(disputeWtxid, pkg.get(0).txid(), "\"error\":\"" + huge.replace("\n", "\\n") + "\"") + ","
              + entry(penaltyWtxid, pkg.get(1).txid(), "\"error\":\"package-not-validated\"")));
      BroadcastResult.RejectedForNow first = assertInstanceOf(BroadcastResult.RejectedForNow.class, r.results().get(0));
      assertTrue(first.message().startsWith("min relay fee not met?xxx"), first.message());
      assertTrue(first.message().length() < FeeAnswers.MAX_NODE_TEXT + 40, "length " + first.message().length());
      assertTrue(first.message().endsWith("(" + (huge.length() - FeeAnswers.MAX_NODE_TEXT) + " more characters)"));
    }

    @Test
    void aNodeWithoutSubmitPackageGetsTheMembersOneByOne() {
      server.expectCustom("no submitpackage", "submitpackage", List.of(), 404,
          "{\"result\":null,\"error\":{\"code\":-32601,\"message\":\"Method not found\"},\"id\":1}\n");
      server.expectCustom("dispute alone", "sendrawtransaction", List.of(RecordedExchangesTest.quoted(HexFormat.of().formatHex(pkg.get(0).bytes()))),
          200, "{\"result\":\"" + pkg.get(0).txid() + "\",\"error\":null,\"id\":1}\n");
      server.expectCustom("penalty alone", "sendrawtransaction", List.of(RecordedExchangesTest.quoted(HexFormat.of().formatHex(pkg.get(1).bytes()))),
          500, "{\"result\":null,\"error\":{\"code\":-26,\"message\":\"min relay fee not met, 0 < 11\"},\"id\":1}\n");

      PackageResult r = rpc().carrier().broadcastPackage(TransactionPackage.of(pkg));

      assertEquals(new PackageResult(List.of(ACCEPTED, forNow("min relay fee not met, 0 < 11")), List.of()), r);
      assertEquals(List.of("submitpackage", "sendrawtransaction", "sendrawtransaction"),
          server.received().stream().map(c -> c.calls().get(0).method()).toList());
    }

    @Test
    void anUnreachableNodeLeavesEveryMemberPending() {
      BitcoindCarrier carrier = rpc().carrier();
      server.close();
      PackageResult r = carrier.broadcastPackage(TransactionPackage.of(pkg));
      assertEquals(2, r.results().size());
      r.results().forEach(each -> assertInstanceOf(BroadcastResult.NodeUnavailable.class, each));
    }
  }

  /** The fee recordings of sendrawtransaction, through the carrier's one-by-one path. */
  @Nested
  class SingleSends {
    static Stream<Arguments> sendTable() {
      return Stream.of(
          Arguments.of("sendrawtransaction_zero_fee_v2_parent", forNow("min relay fee not met, 0 < 11")),
          Arguments.of("sendrawtransaction_zero_fee_truc_parent", forNow("min relay fee not met, 0 < 11")),
          Arguments.of("sendrawtransaction_prioritised_parent", forNow("min relay fee not met, 0 < 11")),
          Arguments.of("sendrawtransaction_below_mempool_min_parent", forNow("mempool min fee not met, 110 < 231")),
          Arguments.of("sendrawtransaction_prioritised_below_mempool_min", forNow("mempool min fee not met, 110 < 231")),
          Arguments.of("sendrawtransaction_penalty_unknown_dispute", new BroadcastResult.Rejected(-25, MISSING_OR_SPENT)),
          Arguments.of("sendrawtransaction_rbf_original", ACCEPTED),
          Arguments.of("sendrawtransaction_rbf_replacement", ACCEPTED),
          Arguments.of("sendrawtransaction_rbf_min_increment", ACCEPTED),
          Arguments.of("sendrawtransaction_rbf_less_fees", forNow("insufficient fee, rejecting replacement"
              + " 117d3106bab43da8fd42563192e142292b2707084ea47e1b1ef457e52f34bb8d, less fees than conflicting txs;"
              + " 0.0000165 < 0.000022")),
          Arguments.of("sendrawtransaction_rbf_not_enough_additional", forNow("insufficient fee, rejecting replacement"
              + " c8e01942ca6dede225a86a9661b949570603852a2838b60526157345d85b23b3, not enough additional fees to relay;"
              + " 0.00000005 < 0.00000011")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sendTable")
    void mappedAsBroadcastMapsThem(String fixture, BroadcastResult expected) {
      server.expect(fixture);
      RawTransaction tx = recordedTransaction(fixture);
      // A list of one goes as a single call, so the recording answers it.
      assertEquals(List.of(expected), rpc().carrier().broadcastAll(List.of(tx)));
    }
  }

  @Nested
  class Estimates {
    static final FeeRate RELAY_MINIMUM = FeeRate.ofSatPerKvB(100);
    static final FeeRate PRESSURE_MINIMUM = FeeRate.ofSatPerKvB(2_099);

    static Stream<Arguments> estimateTable() {
      return Stream.of(
          // No history: no estimate, and the mempool is not asked.
          Arguments.of("estimatesmartfee_1_fresh", null, 1, Optional.empty()),
          Arguments.of("estimatesmartfee_6_fresh", null, 6, Optional.empty()),
          Arguments.of("estimatesmartfee_144_fresh", null, 144, Optional.empty()),
          // The first estimate: every target clamped to 2.
          Arguments.of("estimatesmartfee_1_first_estimate", "getmempoolinfo_quiet", 1, estimate(12_000, 2)),
          Arguments.of("estimatesmartfee_6_first_estimate", "getmempoolinfo_quiet", 6, estimate(12_000, 2)),
          Arguments.of("estimatesmartfee_144_first_estimate", "getmempoolinfo_quiet", 144, estimate(12_000, 2)),
          // 289 blocks of history: 1 is answered as 2, longer targets as asked.
          Arguments.of("estimatesmartfee_1_after_289_blocks", "getmempoolinfo_quiet", 1, estimate(10_001, 2)),
          Arguments.of("estimatesmartfee_6_after_289_blocks", "getmempoolinfo_quiet", 6, estimate(1_000, 6)),
          Arguments.of("estimatesmartfee_144_after_289_blocks", "getmempoolinfo_quiet", 144, estimate(1_000, 144)),
          Arguments.of("estimatesmartfee_6_conservative_after_289_blocks", "getmempoolinfo_quiet", 6, estimate(1_000, 6)),
          // A 1 sat/vB estimate while the mempool takes nothing under 2.099 sat/vB is raised to it.
          Arguments.of("estimatesmartfee_6_after_289_blocks", "getmempoolinfo_pressure", 6, estimate(2_099, 6)));
    }

    static Optional<FeeEstimate> estimate(long satPerKvB, int blocks) {
      return Optional.of(new FeeEstimate(FeeRate.ofSatPerKvB(satPerKvB), blocks));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("estimateTable")
    void estimatesAreFlooredByTheMempoolMinimum(String estimateFixture, String mempoolFixture, int blocks,
        Optional<FeeEstimate> expected) {
      server.expect(estimateFixture);
      if (mempoolFixture != null) {
        server.expect(mempoolFixture);
      }
      assertEquals(expected, rpc().feeEstimator().estimate(blocks));
      assertEquals(List.of(Integer.toString(blocks), "\"conservative\""), server.received().get(0).calls().get(0).params());
    }

    static Stream<Arguments> minimumTable() {
      return Stream.of(
          Arguments.of("getmempoolinfo_quiet", RELAY_MINIMUM),
          Arguments.of("getmempoolinfo_maxmempool5_quiet", RELAY_MINIMUM),
          Arguments.of("getmempoolinfo_pressure", PRESSURE_MINIMUM),
          Arguments.of("getmempoolinfo_pressure_after_packages", PRESSURE_MINIMUM));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("minimumTable")
    void theMinimumIsTheMempoolMinimumFlooredByTheRelayMinimum(String fixture, FeeRate expected) {
      server.expect(fixture);
      assertEquals(expected, rpc().feeEstimator().minimum());
    }

    @Test
    void aMinimumBelowTheRelayMinimumIsRaisedToIt() {
      server.expectCustom("mempoolminfee under minrelaytxfee", "getmempoolinfo", List.of(), 200,
          "{\"result\":{\"mempoolminfee\":0.00000050,\"minrelaytxfee\":0.00000100},\"error\":null,\"id\":1}\n");
      assertEquals(RELAY_MINIMUM, rpc().feeEstimator().minimum());
    }

    @Test
    void targetsBeyondTheNodesLongestAreAskedAsItsLongestAndARefusalIsAPersistentFailure() {
      // The recording asked 1009, which this node refuses with -8; the estimator asks 1008 for any
      // longer target, so the refusal is served to a node whose longest target would be shorter.
      server.enqueue("estimatesmartfee_target_out_of_range");
      FeeEstimatorException e = assertThrows(FeeEstimatorException.class, () -> rpc().feeEstimator().estimate(2016));
      assertFalse(e.isTransient());
      assertEquals(-8, assertInstanceOf(BitcoindException.RpcError.class, e.getCause()).code());
      assertEquals("1008", server.received().get(0).calls().get(0).params().get(0));
    }

    @Test
    void oneEstimatorPerEndpointThatNeverShowsTheCredentials() {
      BitcoindRpc rpc = rpc();
      assertSame(rpc.feeEstimator(), rpc.feeEstimator());
      Secrets.assertAbsent(rpc.feeEstimator().toString(), ReplayServer.PASSWORD, ReplayServer.USER);
    }

    @Test
    void aTargetBelowOneIsRefusedWithoutAsking() {
      InvalidInputException e = assertThrows(InvalidInputException.class, () -> rpc().feeEstimator().estimate(0));
      assertEquals("blocks", e.field());
      assertEquals(List.of(), server.received());
    }

    @Test
    void anUnreachableNodeIsATransientFailure() {
      BitcoindFeeEstimator estimator = rpc().feeEstimator();
      server.close();
      assertTrue(assertThrows(FeeEstimatorException.class, () -> estimator.estimate(6)).isTransient());
      FeeEstimatorException e = assertThrows(FeeEstimatorException.class, estimator::minimum);
      assertTrue(e.isTransient());
      assertInstanceOf(BitcoindException.Transport.class, e.getCause());
    }

    @Test
    void anAnswerWithoutTheFloorsIsAPersistentFailure() {
      server.expectCustom("no floors", "getmempoolinfo", List.of(), 200, "{\"result\":{\"size\":0},\"error\":null,\"id\":1}\n");
      FeeEstimatorException e = assertThrows(FeeEstimatorException.class, () -> rpc().feeEstimator().minimum());
      assertFalse(e.isTransient());
      assertInstanceOf(BitcoindException.MalformedResponse.class, e.getCause());
    }
  }
}
