package io.responder.bitcoind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonToken;
import io.responder.bitcoind.JsonRpcClient.Call;
import io.responder.bitcoind.JsonRpcClient.Params;
import io.responder.bitcoind.JsonRpcClient.Reply;
import io.responder.bitcoind.JsonRpcClient.ResultReader;
import io.responder.core.Block;
import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import io.responder.core.BlockSourceException;
import io.responder.core.Breach;
import io.responder.core.BreachReceipt;
import io.responder.core.BroadcastResult;
import io.responder.core.Responder;
import io.responder.core.TrackerStatus;
import io.responder.core.TxStatus;
import io.responder.core.Txid;
import io.responder.store.inmemory.InMemoryTrackerStore;
import java.lang.reflect.Method;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The adapter against exchanges recorded from a real regtest bitcoind, replayed byte for byte over
 * loopback HTTP. The recorded chain: block 110 ({@link #TIP}) is the tip; the dispute and the penalty
 * are mined in block 111 ({@link #PENALTY_BLOCK}), which is then invalidated (the penalty returns to
 * the mempool) and reconsidered.
 *
 * <p>After the class, every fixture file must have been served by at least one of its tests.
 */
class RecordedExchangesTest {
  static final BlockHash TIP = BlockHash.fromHex("4a0cf2e6569a58bdfb1589f32a2304d09a860cfbfcb1e082f69a3667b683366a");
  static final BlockHash TIP_PARENT = BlockHash.fromHex("558e21292a014aa7b64654afe9307920f693b5b0cd2e818e75976f604d1f116c");
  static final BlockHash PENALTY_BLOCK = BlockHash.fromHex("0d93a624309bc35049aa74d943ce7cf9ee03f33808987f98adb9280d5a209c00");
  static final BlockHash HEIGHT_100 = BlockHash.fromHex("1cb42a61e3d7467d13f91aaa12801029e8627c829da1a872e7330662c75a96a3");
  static final BlockHash ZERO_HASH = BlockHash.fromHex("0".repeat(64));
  static final Txid PENALTY = Txid.fromHex("a24a98bee36300bd6f71068facf6494963420aeddcfbbed6948a626f434734d1");
  static final Txid DISPUTE = Txid.fromHex("70a6c4869cce1e5b91e2fd0367bfd957dc6d030b1f3e132ab1e41fba22c48f0b");
  static final Txid REPLACED_PENALTY = Txid.fromHex("21f234925c242583d2464c6a3b3dd61ce37106ab2236063800e5a2f0de4df711");

  private static final Set<Method> testsRun = ConcurrentHashMap.newKeySet();

  ReplayServer server;

  @BeforeEach
  void startServer(TestInfo test) {
    test.getTestMethod().ifPresent(testsRun::add);
    server = new ReplayServer();
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
  static void everyFixtureIsUsed() {
    if (!testsRun.containsAll(declaredTests(RecordedExchangesTest.class))) {
      return; // a filtered run (one test picked by hand): coverage is only meaningful for the whole class
    }
    Set<String> unused = new TreeSet<>(Fixture.allNames());
    unused.removeAll(ReplayServer.SERVED);
    assertTrue(unused.isEmpty(), "fixtures no test used: " + unused);
  }

  private static Set<Method> declaredTests(Class<?> type) {
    Set<Method> tests = new java.util.HashSet<>();
    for (Method m : type.getDeclaredMethods()) {
      if (m.isAnnotationPresent(Test.class)) {
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

  /** Sends the raw transaction of a recorded sendrawtransaction through the carrier. */
  static BroadcastResult broadcastRecorded(ReplayServer server, BitcoindCarrier carrier, String fixture) {
    Fixture f = Fixture.load(fixture);
    server.expect(fixture);
    byte[] raw = HexFormat.of().parseHex(f.firstParam());
    // The txid the node answered when it accepted the transaction; any txid will do for a refusal.
    Txid txid = f.resultString().map(Txid::fromHex).orElse(PENALTY);
    return carrier.broadcast(txid, raw);
  }

  @Nested
  class Broadcast {
    BroadcastResult send(String fixture) {
      return broadcastRecorded(server, rpc().carrier(), fixture);
    }

    @Test
    void acceptedIntoTheMempool() {
      Fixture f = Fixture.load("sendrawtransaction_ok");
      server.expect(f.name());
      BroadcastResult result = rpc().carrier().broadcast(PENALTY, HexFormat.of().parseHex(f.firstParam()));

      assertEquals(new BroadcastResult.Accepted(), result);
      RpcRequest sent = server.received().get(0).calls().get(0);
      assertEquals(List.of("\"" + f.firstParam() + "\"", "0"), sent.params(), "hex and maxfeerate 0 (no cap)");
    }

    @Test
    void alreadyInTheMempoolIsAccepted() {
      assertEquals(new BroadcastResult.Accepted(), send("sendrawtransaction_already_in_mempool"));
    }

    @Test
    void alreadyInAChainIsAlreadyConfirmedWithUnknownDepth() {
      assertEquals(new BroadcastResult.AlreadyConfirmed(OptionalInt.empty()), send("sendrawtransaction_already_in_chain"));
    }

    @Test
    void inputsSpentInABlockIsRejectedForGood() {
      assertEquals(new BroadcastResult.Rejected(-25, "bad-txns-inputs-missingorspent"), send("sendrawtransaction_inputs_spent"));
    }

    @Test
    void inputsThatNeverExistedIsRejectedForGood() {
      assertEquals(new BroadcastResult.Rejected(-25, "bad-txns-inputs-missingorspent"), send("sendrawtransaction_missing_inputs"));
    }

    @Test
    void undecodableIsRejectedForGood() {
      assertEquals(new BroadcastResult.Rejected(-22, "TX decode failed. Make sure the tx has at least one input."),
          send("sendrawtransaction_decode_failed"));
    }

    @Test
    void notHexAtAllIsRejectedForGood() {
      // The carrier always sends valid hex; ask with the recorded request and map its answer.
      server.expect("sendrawtransaction_bad_hex");
      BitcoindException e = assertThrows(BitcoindException.class,
          () -> server.client().call("sendrawtransaction", g -> g.writeString("zz"), Answers.TXID));
      assertEquals(new BroadcastResult.Rejected(-22, "TX decode failed. Make sure the tx has at least one input."),
          BitcoindErrors.broadcastResult(e));
    }

    @Test
    void lowerFeeThanTheMempoolConflictIsRejectedForNow() {
      BroadcastResult r = send("sendrawtransaction_mempool_conflict");
      assertInstanceOf(BroadcastResult.RejectedForNow.class, r);
      assertEquals(-26, ((BroadcastResult.RejectedForNow) r).code());
    }

    @Test
    void belowTheMinimumRelayFeeIsRejectedForNow() {
      assertEquals(new BroadcastResult.RejectedForNow(-26, "min relay fee not met, 0 < 11"), send("sendrawtransaction_min_relay_fee"));
    }

    @Test
    void nonFinalIsRejectedForNow() {
      assertEquals(new BroadcastResult.RejectedForNow(-26, "non-final"), send("sendrawtransaction_non_final"));
    }

    @Test
    void aReplacementOfThePenaltyIsAccepted() {
      assertEquals(new BroadcastResult.Accepted(), send("sendrawtransaction_replaces_penalty"));
    }

    @Test
    void thePenaltyAfterItsReplacementIsRejectedForNow() {
      BroadcastResult r = send("sendrawtransaction_penalty_after_replacement");
      assertInstanceOf(BroadcastResult.RejectedForNow.class, r);
      assertEquals(-26, ((BroadcastResult.RejectedForNow) r).code());
    }

    @Test
    void aHighFeePenaltyIsAcceptedWithTheDefaultNoFeeCap() {
      Fixture f = Fixture.load("sendrawtransaction_maxfeerate_zero_ok");
      server.expect(f.name()); // recorded with [hex, 0]: matches only if the carrier sends 0
      BroadcastResult r = rpc().carrier().broadcast(
          Txid.fromHex("21c022f74886aaddd04f1ec616b2bd2254e2101980af540c4f778c48dfb6d82f"), HexFormat.of().parseHex(f.firstParam()));
      assertEquals(new BroadcastResult.Accepted(), r);
    }

    @Test
    void aUserFeeCapThatRefusesThePenaltyKeepsItPendingRatherThanDroppingIt() {
      BitcoindCarrier capped = BitcoindRpc.create(server.config().maxFeeRate(new BigDecimal("0.10")).build()).carrier();
      BroadcastResult r = broadcastRecorded(server, capped, "sendrawtransaction_max_fee_exceeded");
      assertEquals(new BroadcastResult.RejectedForNow(-25, "Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)"), r);
      String sentCap = server.received().get(0).calls().get(0).params().get(1);
      assertEquals(0, new BigDecimal(sentCap).compareTo(new BigDecimal("0.10")), "maxfeerate sent: " + sentCap);
    }

    @Test
    void jsonRpc2ErrorsComeWithHttp200AndAreMappedTheSame() {
      BitcoindCarrier v2 = BitcoindRpc.create(server.config().jsonRpcVersion(BitcoindConfig.JsonRpcVersion.V2).build()).carrier();
      BroadcastResult r = broadcastRecorded(server, v2, "jsonrpc2_error");
      assertEquals(new BroadcastResult.Rejected(-22, "TX decode failed. Make sure the tx has at least one input."), r);
    }

    @Test
    void wrongPasswordIsNodeUnavailableAndNeverShowsThePassword() {
      String wrong = "not-the-password";
      BitcoindRpc badRpc = BitcoindRpc.create(server.config().userPassword(ReplayServer.USER, wrong).build());
      BroadcastResult r = badRpc.carrier().broadcast(PENALTY, new byte[] {0x00, (byte) 0xff});
      assertInstanceOf(BroadcastResult.NodeUnavailable.class, r);
      assertFalse(r.toString().contains(wrong));

      BitcoindException e = assertThrows(BitcoindException.class,
          () -> new JsonRpcClient(badRpc.config()).call("getblockcount", Params.NONE, Answers.INT));
      assertInstanceOf(BitcoindException.Authentication.class, e);
      Secrets.assertAbsent(e, wrong, ReplayServer.USER);
      Secrets.assertAbsent(badRpc.toString(), wrong, ReplayServer.USER);
      assertTrue(ReplayServer.SERVED.contains("auth_failure"));
    }
  }

  @Nested
  class Status {
    @Test
    void inTheMempool() {
      server.expect("getrawtransaction_mempool");
      assertEquals(new TxStatus.InMempool(), rpc().carrier().status(PENALTY, Optional.empty()));
    }

    @Test
    void confirmedWithoutTxindexAndNoBlockNamedIsUnknown() {
      server.expect("getrawtransaction_confirmed_no_txindex");
      assertInstanceOf(TxStatus.Unknown.class, rpc().carrier().status(PENALTY, Optional.empty()));
    }

    @Test
    void replacedPenaltyWithNoBlockNamedIsUnknown() {
      server.expect("getrawtransaction_replaced_penalty");
      assertInstanceOf(TxStatus.Unknown.class, rpc().carrier().status(REPLACED_PENALTY, Optional.empty()));
    }

    @Test
    void confirmedInTheNamedBlockAtTheHeightOfItsHeader() {
      String activeHeader = Fixture.load("getblockheader_stale").responseBody()
          .replace("\"confirmations\":-1", "\"confirmations\":1"); // the same header before the reorg
      server.expect("getrawtransaction_confirmed_with_blockhash")
          .expectCustom("header of block 111 on the best chain", "getblockheader",
              List.of(quoted(PENALTY_BLOCK.toHex()), "true"), 200, activeHeader);

      TxStatus status = rpc().carrier().status(PENALTY, Optional.of(PENALTY_BLOCK));

      assertEquals(new TxStatus.Confirmed(new BlockRef(PENALTY_BLOCK, 111)), status);
    }

    @Test
    void blockDisconnectedBetweenTheCallsSendsUsToTheMempool() {
      server.expect("getrawtransaction_confirmed_with_blockhash", "getblockheader_stale", "getmempoolentry");
      assertEquals(new TxStatus.InMempool(), rpc().carrier().status(PENALTY, Optional.of(PENALTY_BLOCK)));
    }

    @Test
    void notInTheNamedBlockNorInTheMempoolIsNotFound() {
      server.expectCustom("-5 for a transaction not in the named block", "getrawtransaction",
              List.of(quoted(PENALTY.toHex()), "true", quoted(TIP.toHex())), 500,
              "{\"result\":null,\"error\":{\"code\":-5,\"message\":\"No such transaction found in the provided block."
                  + " Use gettransaction for wallet transactions.\"},\"id\":1}\n")
          .expect("getmempoolentry_not_in_mempool");
      assertEquals(new TxStatus.NotFound(), rpc().carrier().status(PENALTY, Optional.of(TIP)));
    }

    @Test
    void backInTheMempoolAfterTheReorg() {
      server.expect("getrawtransaction_back_in_mempool");
      assertEquals(new TxStatus.InMempool(), rpc().carrier().status(PENALTY, Optional.empty()));
    }
  }

  @Nested
  class Blocks {
    @Test
    void bestBlockFromOneChainInfoSnapshot() {
      server.expect("getblockchaininfo");
      assertEquals(new BlockRef(TIP, 110), rpc().blockSource().bestBlock());
    }

    @Test
    void bestBlockHash() {
      server.expect("getbestblockhash");
      assertEquals(TIP, rpc().blockSource().bestBlockHash());
    }

    @Test
    void blockWithItsTxids() {
      server.expect("getblock_verbosity1");
      Block b = rpc().blockSource().block(TIP);
      assertEquals(new Block(TIP, TIP_PARENT, 110,
          List.of(Txid.fromHex("b28eb56054979f5bd9f10b4b2df18fd3e8638db4895f0a476a4736ac1a156ec5"))), b);
    }

    @Test
    void blockThatConfirmedThePenalty() {
      server.expect("getblock_with_penalty");
      Block b = rpc().blockSource().block(PENALTY_BLOCK);
      assertEquals(111, b.height());
      assertEquals(TIP, b.previousHash());
      assertEquals(List.of(DISPUTE, PENALTY), b.txids().subList(1, 3));
    }

    @Test
    void staleBlockIsStillServedAndReportedOffTheBestChain() {
      server.expect("getblock_stale", "getblockheader_stale", "getblockheader");
      BitcoindBlockSource source = rpc().blockSource();

      Block stale = source.block(PENALTY_BLOCK);

      assertEquals(new BlockRef(PENALTY_BLOCK, 111), stale.ref());
      assertEquals(3, stale.txids().size());
      assertFalse(source.isOnBestChain(PENALTY_BLOCK));
      assertTrue(source.isOnBestChain(TIP));
    }

    @Test
    void hashAtAHeight() {
      server.expect("getblockhash");
      assertEquals(Optional.of(HEIGHT_100), rpc().blockSource().blockHashAt(100));
    }

    @Test
    void heightAboveTheTipIsEmpty() {
      server.expect("getblockhash_out_of_range");
      assertEquals(Optional.empty(), rpc().blockSource().blockHashAt(100_000));
    }

    @Test
    void unknownBlockIsAPersistentFailure() {
      server.expect("getblock_unknown_hash");
      BlockSourceException e = assertThrows(BlockSourceException.class, () -> rpc().blockSource().block(ZERO_HASH));
      assertFalse(e.isTransient());
      BitcoindException.RpcError cause = assertInstanceOf(BitcoindException.RpcError.class, e.getCause());
      assertEquals(-5, cause.code());
      assertEquals("Block not found", cause.rpcMessage());
    }

    @Test
    void malformedHashIsAnInvalidParameterError() {
      server.expect("getblock_bad_hash");
      BitcoindException e = assertThrows(BitcoindException.class, () -> server.client().call("getblock", g -> {
        g.writeString("zz");
        g.writeNumber(1);
      }, Answers.BLOCK));
      assertEquals(-8, assertInstanceOf(BitcoindException.RpcError.class, e).code());
      assertFalse(BitcoindErrors.blockSourceFailure(e).isTransient());
    }
  }

  @Nested
  class Protocol {
    @Test
    void legacyAnswer() {
      server.expect("getblockcount");
      assertEquals(110, server.client().call("getblockcount", Params.NONE, Answers.INT));
    }

    @Test
    void jsonRpc2AnswerWithoutAnErrorMember() {
      server.expect("jsonrpc2_getblockcount");
      JsonRpcClient v2 = server.client(server.config().jsonRpcVersion(BitcoindConfig.JsonRpcVersion.V2).build());
      assertEquals(114, v2.call("getblockcount", Params.NONE, Answers.INT));
    }

    @Test
    void unknownMethodComesWith404AndABody() {
      server.expect("method_not_found");
      BitcoindException e = assertThrows(BitcoindException.class,
          () -> server.client().call("nosuchmethod", Params.NONE, JsonRpcClient.VOID));
      assertEquals(-32601, assertInstanceOf(BitcoindException.RpcError.class, e).code());
    }

    @Test
    void wrongParameterType() {
      server.expect("wrong_param_type");
      BitcoindException e = assertThrows(BitcoindException.class,
          () -> server.client().call("getblockhash", g -> g.writeString("notanumber"), Answers.BLOCK_HASH));
      assertEquals(-3, assertInstanceOf(BitcoindException.RpcError.class, e).code());
    }

    @Test
    void parseErrorOfTheRequest() {
      // This client cannot send a body that is not JSON; the recorded answer is served to a valid call.
      server.enqueue("parse_error");
      BitcoindException e = assertThrows(BitcoindException.class,
          () -> server.client().call("getblockcount", Params.NONE, Answers.INT));
      assertEquals(-32700, assertInstanceOf(BitcoindException.RpcError.class, e).code());
    }

    @Test
    void batchWithEachResultOrErrorInItsOwnMember() {
      server.expect("batch_mixed");
      List<Reply<Object>> replies = server.client().batch(List.of(
          new Call<>("getblockcount", Params.NONE, Answers.INT),
          new Call<>("getblockhash", g -> g.writeNumber(5), Answers.BLOCK_HASH),
          new Call<>("getblock", g -> {
            g.writeString(ZERO_HASH.toHex());
            g.writeNumber(1);
          }, Answers.BLOCK)));

      assertEquals(114, replies.get(0).get());
      assertEquals(BlockHash.fromHex("0399c45e0c7f9fe0803fc89819778063c7fc6d9730887c15c7bc6fe49c2dce11"), replies.get(1).get());
      assertTrue(BitcoindErrors.isNotFound(replies.get(2).error()));
    }

    @Test
    void nullResultWithoutErrorIsSuccessForCallsThatReturnNothing() {
      server.expect("invalidateblock", "reconsiderblock");
      JsonRpcClient client = server.client();
      assertNull(client.call("invalidateblock", g -> g.writeString(PENALTY_BLOCK.toHex()), JsonRpcClient.VOID));
      assertNull(client.call("reconsiderblock", g -> g.writeString(PENALTY_BLOCK.toHex()), JsonRpcClient.VOID));
    }

    @Test
    void nullResultIsMalformedForCallsThatNeedOne() {
      server.enqueue("invalidateblock");
      BitcoindException e = assertThrows(BitcoindException.class,
          () -> server.client().call("getblockcount", Params.NONE, Answers.INT));
      assertInstanceOf(BitcoindException.MalformedResponse.class, e);
    }

    @Test
    void nestedResultsAreStreamedThroughTheCallersReader() {
      // testmempoolaccept: [{txid, wtxid, allowed, reject-reason, ...}]
      ResultReader<List<String>> rejectReasons = p -> {
        List<String> reasons = new ArrayList<>();
        while (p.nextToken() == JsonToken.START_OBJECT) {
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            if (name.equals("reject-reason")) {
              reasons.add(p.getText());
            } else {
              p.skipChildren();
            }
          }
        }
        return reasons;
      };
      Fixture f = Fixture.load("testmempoolaccept_already_in_mempool");
      String hex = f.request().orElseThrow().calls().get(0).params().get(0); // ["<hex>"]
      server.expect(f.name());
      List<String> reasons = server.client().call("testmempoolaccept", g -> {
        g.writeStartArray();
        g.writeString(hex.substring(2, hex.length() - 2));
        g.writeEndArray();
      }, rejectReasons);
      assertEquals(List.of("txn-already-in-mempool"), reasons);
    }
  }

  /** The recorded regtest story told through a Responder: breach, confirmation, reorg, re-confirmation. */
  @Nested
  class RecordedStory {
    @Test
    void breachConfirmedDisconnectedAndConfirmedAgain() {
      BitcoindRpc rpc = rpc();
      server.allow("getblockchaininfo");
      Responder responder = Responder.builder().carrier(rpc.carrier()).blockSource(rpc.blockSource())
          .store(new InMemoryTrackerStore()).start();
      assertEquals(new BlockRef(TIP, 110), responder.tip());

      // Given a breach seen at the tip, the penalty goes to the mempool.
      UUID uuid = UUID.fromString("5a0f8f5e-4c1e-4f0e-9d6a-1b2c3d4e5f60");
      Breach breach = Breach.builder().uuid(uuid).locator(DISPUTE.locator()).disputeTxid(DISPUTE).penaltyTxid(PENALTY)
          .penaltyRawTx(Fixture.load("sendrawtransaction_ok").firstParam())
          .userId("02" + "11".repeat(32)).seenInBlock(TIP).build();
      server.expect("sendrawtransaction_ok");
      BreachReceipt receipt = responder.handleBreach(breach);
      assertEquals(BreachReceipt.Disposition.TRACKED, receipt.disposition());
      assertEquals(new TrackerStatus.InMempool(110), responder.tracker(uuid).orElseThrow().status());

      // When block 111 arrives, the penalty is confirmed in it.
      server.expect("getblock_with_penalty");
      Block block111 = rpc.blockSource().block(PENALTY_BLOCK);
      responder.onBlock(block111);
      assertEquals(new TrackerStatus.Confirmed(block111.ref()), responder.tracker(uuid).orElseThrow().status());

      // When the node invalidates it, the block is still served but off the best chain; the Responder
      // disconnects it, resends the penalty (already back in the mempool) and the node agrees.
      server.expect("invalidateblock", "getblockheader_stale", "getblock_stale",
          "sendrawtransaction_already_in_mempool", "getrawtransaction_back_in_mempool");
      server.client().call("invalidateblock", g -> g.writeString(PENALTY_BLOCK.toHex()), JsonRpcClient.VOID);
      assertFalse(rpc.blockSource().isOnBestChain(PENALTY_BLOCK));
      assertEquals(block111, rpc.blockSource().block(PENALTY_BLOCK));
      responder.blockDisconnected(block111.ref());
      assertEquals(new TrackerStatus.InMempool(110), responder.tracker(uuid).orElseThrow().status());
      assertEquals(new TxStatus.InMempool(), rpc.carrier().status(PENALTY, Optional.empty()));

      // When the node reconsiders, block 111 is connected again and the penalty confirmed again.
      server.expect("reconsiderblock");
      server.client().call("reconsiderblock", g -> g.writeString(PENALTY_BLOCK.toHex()), JsonRpcClient.VOID);
      responder.onBlock(block111);
      assertEquals(new TrackerStatus.Confirmed(block111.ref()), responder.tracker(uuid).orElseThrow().status());
      responder.checkConsistency();
    }
  }

  static String quoted(String s) {
    return "\"" + s + "\"";
  }
}
