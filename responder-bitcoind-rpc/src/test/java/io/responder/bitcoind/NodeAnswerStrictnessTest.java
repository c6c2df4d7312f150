package io.responder.bitcoind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.BlockHash;
import io.responder.core.BlockSourceException;
import io.responder.core.BroadcastResult;
import io.responder.core.TxStatus;
import io.responder.core.Txid;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Answers no honest bitcoind gives, served over real loopback HTTP: about another block than the one
 * asked for, with digits outside ASCII, with an error message of a megabyte. Each is refused as
 * malformed (or cut to size) rather than believed.
 */
class NodeAnswerStrictnessTest {
  static final BlockHash ASKED = BlockHash.fromHex("11".repeat(32));
  static final BlockHash OTHER = BlockHash.fromHex("22".repeat(32));
  static final BlockHash PARENT = BlockHash.fromHex("33".repeat(32));
  static final Txid TXID = Txid.fromHex("0a24a98bee36300bd6f71068facf6494963420aeddcfbbed6948a626f434734d");
  /** FULLWIDTH DIGIT ZERO, which Character.digit reads as 0. */
  static final char FULLWIDTH_ZERO = '\uff10';

  /** The result (JSON) or error (code and message) each method answers, by method name. */
  private final Map<String, String> results = new ConcurrentHashMap<>();
  private final Map<String, String> errors = new ConcurrentHashMap<>();
  private final TestHttpServer server = new TestHttpServer(exchange -> {
    RpcRequest.Parsed request = RpcRequest.parse(exchange.getRequestBody().readAllBytes()).orElseThrow();
    List<String> answers = new ArrayList<>();
    boolean failed = false;
    for (int i = 0; i < request.calls().size(); i++) {
      RpcRequest call = request.calls().get(i);
      String error = errors.get(call.method());
      String result = error == null ? results.getOrDefault(call.method(), "null") : "null";
      failed |= error != null;
      answers.add("{\"result\":" + result + ",\"error\":" + (error == null ? "null" : error) + ",\"id\":" + call.idJson() + "}");
    }
    String body = request.batch() ? "[" + String.join(",", answers) + "]" : answers.get(0);
    TestHttpServer.respond(exchange, failed && !request.batch() ? 500 : 200, "application/json",
        body.getBytes(StandardCharsets.UTF_8));
  });
  private final BitcoindRpc rpc = BitcoindRpc.create(server.config().userPassword("u", "p").build());

  @AfterEach
  void stop() {
    server.close();
  }

  private static String block(BlockHash hash, String txidHex) {
    return "{\"hash\":\"" + hash.toHex() + "\",\"confirmations\":3,\"height\":7,\"previousblockhash\":\""
        + PARENT.toHex() + "\",\"tx\":[\"" + txidHex + "\"]}";
  }

  private static String header(BlockHash hash) {
    return "{\"hash\":\"" + hash.toHex() + "\",\"confirmations\":3,\"height\":7}";
  }

  private static BitcoindException.MalformedResponse malformedCause(BlockSourceException e) {
    assertFalse(e.isTransient());
    return assertInstanceOf(BitcoindException.MalformedResponse.class, e.getCause(),
        "a BlockSourceException from this module carries the BitcoindException as its cause");
  }

  // -----------------------------------------------------------------------------------------------
  // Answers about another block

  @Test
  void getblockAnsweringAnotherHashFailsWithTheBitcoindExceptionAsCause() {
    results.put("getblock", block(OTHER, TXID.toHex()));

    BlockSourceException one = assertThrows(BlockSourceException.class, () -> rpc.blockSource().block(ASKED));
    assertTrue(malformedCause(one).getMessage().contains(OTHER.toHex()), one.getMessage());
    BlockSourceException batch = assertThrows(BlockSourceException.class,
        () -> rpc.blockSource().blocks(List.of(ASKED, ASKED)));
    malformedCause(batch);
  }

  @Test
  void getblockheaderAnsweringAnotherHashIsNotBelievedAboutTheBestChain() {
    results.put("getblockheader", header(OTHER));
    malformedCause(assertThrows(BlockSourceException.class, () -> rpc.blockSource().isOnBestChain(ASKED)));

    results.put("getblockheader", header(ASKED));
    assertTrue(rpc.blockSource().isOnBestChain(ASKED));
  }

  @Test
  void statusChecksThatTheHeaderItReadIsOfTheTransactionsBlock() {
    results.put("getrawtransaction", "{\"txid\":\"" + TXID.toHex() + "\",\"blockhash\":\"" + ASKED.toHex()
        + "\",\"confirmations\":3}");
    results.put("getblockheader", header(OTHER));

    TxStatus s = rpc.carrier().status(TXID, Optional.empty());

    TxStatus.Unknown unknown = assertInstanceOf(TxStatus.Unknown.class, s, "a height read from another block must not place the confirmation");
    assertTrue(unknown.reason().contains("getblockheader"), unknown.reason());

    results.put("getblockheader", header(ASKED));
    assertEquals(new TxStatus.Confirmed(new io.responder.core.BlockRef(ASKED, 7)), rpc.carrier().status(TXID, Optional.empty()));
  }

  @Test
  void statusRefusesATransactionPlacedInAnotherBlockThanTheOneNamed() {
    results.put("getrawtransaction", "{\"txid\":\"" + TXID.toHex() + "\",\"blockhash\":\"" + OTHER.toHex()
        + "\",\"confirmations\":3,\"in_active_chain\":true}");
    results.put("getblockheader", header(OTHER));

    TxStatus s = rpc.carrier().status(TXID, Optional.of(ASKED));

    assertInstanceOf(TxStatus.Unknown.class, s);
  }

  // -----------------------------------------------------------------------------------------------
  // ASCII digits only

  @Test
  void hashesWithNonAsciiDigitsAreMalformedAnswers() {
    String fullwidth = FULLWIDTH_ZERO + TXID.toHex().substring(1);
    assertEquals('0', TXID.toHex().charAt(0), "the digit replaced is a zero");

    results.put("getbestblockhash", "\"" + FULLWIDTH_ZERO + "0" + ASKED.toHex().substring(2) + "\"");
    malformedCause(assertThrows(BlockSourceException.class, () -> rpc.blockSource().bestBlockHash()));

    results.put("getblock", block(ASKED, fullwidth));
    malformedCause(assertThrows(BlockSourceException.class, () -> rpc.blockSource().block(ASKED)));

    // sendrawtransaction answering the txid in fullwidth digits is not an acceptance of that txid.
    results.put("sendrawtransaction", "\"" + fullwidth + "\"");
    assertInstanceOf(BroadcastResult.NodeUnavailable.class, rpc.carrier().broadcast(TXID, new byte[] {1}));
  }

  // -----------------------------------------------------------------------------------------------
  // The node's text, cut to size

  private static final String HUGE = "bad-txns-inputs-missingorspent\nFORGED LOG LINE " + "x".repeat(1 << 20);

  private static String error(int code, String message) {
    StringBuilder json = new StringBuilder("{\"code\":").append(code).append(",\"message\":\"");
    json.append(message.replace("\n", "\\n")).append("\"}");
    return json.toString();
  }

  private static void assertCut(String text) {
    assertTrue(text.length() < BitcoindErrors.MAX_NODE_TEXT + 200, () -> "carries " + text.length() + " characters");
    assertFalse(text.contains("\n"), "no line breaks from the node");
  }

  @Test
  void aMegabyteErrorMessageIsCutInResultsAndExceptions() {
    errors.put("sendrawtransaction", error(-25, HUGE));
    BroadcastResult.Rejected rejected = assertInstanceOf(BroadcastResult.Rejected.class,
        rpc.carrier().broadcast(TXID, new byte[] {1}), "the reason at its start still classifies the answer");
    assertCut(rejected.message());
    assertTrue(rejected.message().startsWith("bad-txns-inputs-missingorspent?FORGED"), rejected.message());
    assertTrue(rejected.message().endsWith("more characters)"), rejected.message());

    errors.put("sendrawtransaction", error(-26, HUGE));
    assertCut(assertInstanceOf(BroadcastResult.RejectedForNow.class, rpc.carrier().broadcast(TXID, new byte[] {1})).message());

    errors.put("getrawtransaction", error(-1, HUGE));
    assertCut(assertInstanceOf(TxStatus.Unknown.class, rpc.carrier().status(TXID, Optional.empty())).reason());

    errors.put("getbestblockhash", error(-1, HUGE));
    BlockSourceException e = assertThrows(BlockSourceException.class, () -> rpc.blockSource().bestBlockHash());
    assertCut(e.getMessage());
    BitcoindException.RpcError cause = assertInstanceOf(BitcoindException.RpcError.class, e.getCause());
    assertCut(cause.getMessage());
    assertCut(cause.rpcMessage());

    errors.put("getblockhash", error(-1, HUGE));
    assertCut(assertThrows(BlockSourceException.class, () -> rpc.blockSource().blockHashesAt(1, 2)).getMessage());
  }

  @Test
  void aMegabyteIdInABatchAnswerIsCut() {
    try (TestHttpServer lying = new TestHttpServer(exchange -> {
      exchange.getRequestBody().readAllBytes();
      String id = "\"" + "9".repeat(1 << 20) + "\"";
      String a = "{\"result\":\"" + "aa".repeat(32) + "\",\"error\":null,\"id\":" + id + "}";
      TestHttpServer.respond(exchange, 200, "application/json", ("[" + a + "," + a + "]").getBytes(StandardCharsets.US_ASCII));
    })) {
      BitcoindBlockSource s = BitcoindRpc.create(lying.config().userPassword("u", "p").build()).blockSource();
      BlockSourceException e = assertThrows(BlockSourceException.class, () -> s.blockHashesAt(1, 2));
      assertCut(malformedCause(e).getMessage());
    }
  }

  @Test
  void nodeTextKeepsShortMessagesAndNeverSplitsACharacter() {
    assertEquals("Block not found", BitcoindErrors.nodeText("Block not found"));
    String emoji = "\ud83d\ude00";
    String cut = BitcoindErrors.nodeText("a".repeat(BitcoindErrors.MAX_NODE_TEXT - 1) + emoji + "tail");
    assertTrue(cut.startsWith("a".repeat(BitcoindErrors.MAX_NODE_TEXT - 1) + "..."), cut);
    assertEquals("tab?nul?", BitcoindErrors.nodeText("tab\tnul\0"));
  }
}
