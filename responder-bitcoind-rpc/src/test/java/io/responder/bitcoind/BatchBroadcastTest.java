package io.responder.bitcoind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import io.responder.core.BroadcastResult;
import io.responder.core.RawTransaction;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code broadcastAll} over real HTTP against a scripted node that answers batches in bitcoind's
 * recorded shape (an array of {@code result}/{@code error}/{@code id} objects with HTTP 200, as
 * {@code batch_mixed.json} shows), with the error codes and messages recorded for
 * {@code sendrawtransaction}. The node records the order in which it was handed the transactions.
 */
class BatchBroadcastTest {
  /** A scripted refusal: code and message as bitcoind sends them. */
  record Refusal(int code, String message) {}

  static final Refusal MIN_RELAY_FEE = new Refusal(-26, "min relay fee not met, 0 < 11");
  static final Refusal SPENT = new Refusal(-25, "bad-txns-inputs-missingorspent");
  static final Refusal IN_CHAIN = new Refusal(-27, "Transaction outputs already in utxo set");

  final Map<String, Refusal> refusals = new ConcurrentHashMap<>();
  final List<String> sentHex = java.util.Collections.synchronizedList(new ArrayList<>());
  final List<Integer> requestSizes = java.util.Collections.synchronizedList(new ArrayList<>());
  final java.util.concurrent.atomic.AtomicInteger httpRequests = new java.util.concurrent.atomic.AtomicInteger();
  volatile boolean down;
  final TestHttpServer node = new TestHttpServer(this::handle);

  @AfterEach
  void stop() {
    node.close();
  }

  private void handle(HttpExchange exchange) throws Exception {
    byte[] body = exchange.getRequestBody().readAllBytes();
    httpRequests.incrementAndGet();
    if (down) {
      return; // closes without an answer, like a node that went away
    }
    RpcRequest.Parsed parsed = RpcRequest.parse(body).orElseThrow();
    requestSizes.add(parsed.calls().size());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = RpcRequest.JSON.createGenerator(out)) {
      if (parsed.batch()) {
        g.writeStartArray();
      }
      for (RpcRequest call : parsed.calls()) {
        String hex = call.param(0);
        sentHex.add(hex);
        Refusal refusal = refusals.get(hex);
        g.writeStartObject();
        if (refusal == null) {
          g.writeStringField("result", RawTransaction.of(HexFormat.of().parseHex(hex)).txid().toHex());
          g.writeNullField("error");
        } else {
          g.writeNullField("result");
          g.writeObjectFieldStart("error");
          g.writeNumberField("code", refusal.code());
          g.writeStringField("message", refusal.message());
          g.writeEndObject();
        }
        g.writeFieldName("id");
        g.writeRawValue(call.idJson());
        g.writeEndObject();
      }
      if (parsed.batch()) {
        g.writeEndArray();
      }
    }
    int status = parsed.batch() || refusals.get(parsed.calls().get(0).param(0)) == null ? 200 : 500;
    TestHttpServer.respond(exchange, status, "application/json", out.toByteArray());
  }

  BitcoindCarrier carrier(int maxCalls, int maxBytes) {
    BitcoindConfig config = node.config().userPassword("user", "password").build();
    return new BitcoindCarrier(new JsonRpcClient(config), BigDecimal.ZERO, maxCalls, maxBytes);
  }

  static List<RawTransaction> transactions(int n) {
    return IntStream.range(0, n).mapToObj(i -> LegacyTx.spending(i, LegacyTx.coin(i))).toList();
  }

  static String hex(RawTransaction tx) {
    return HexFormat.of().formatHex(tx.bytes());
  }

  @Test
  void eachTransactionIsMappedAsBroadcastMapsItInTheOrderGiven() {
    List<RawTransaction> txs = transactions(5);
    refusals.put(hex(txs.get(1)), MIN_RELAY_FEE);
    refusals.put(hex(txs.get(2)), SPENT);
    refusals.put(hex(txs.get(3)), IN_CHAIN);

    List<BroadcastResult> results = carrier(250, 4_000_000).broadcastAll(txs);

    assertEquals(List.of(new BroadcastResult.Accepted(), new BroadcastResult.RejectedForNow(-26, "min relay fee not met, 0 < 11"),
        new BroadcastResult.Rejected(-25, "bad-txns-inputs-missingorspent"), new BroadcastResult.AlreadyConfirmed(OptionalInt.empty()),
        new BroadcastResult.Accepted()), results);
    assertEquals(txs.stream().map(BatchBroadcastTest::hex).toList(), sentHex, "in the order given");
    assertEquals(List.of(5), requestSizes, "one request");
  }

  @Test
  void batchesAreBoundedInCallsAndKeepTheOrder() {
    List<RawTransaction> txs = transactions(7);

    List<BroadcastResult> results = carrier(3, 4_000_000).broadcastAll(txs);

    assertEquals(7, results.size());
    results.forEach(r -> assertEquals(new BroadcastResult.Accepted(), r));
    assertEquals(List.of(3, 3, 1), requestSizes);
    assertEquals(txs.stream().map(BatchBroadcastTest::hex).toList(), sentHex);
  }

  @Test
  void batchesAreBoundedInBytesAndATransactionLargerThanTheBoundGoesAlone() {
    List<RawTransaction> txs = transactions(5);
    int size = txs.get(0).size();

    carrier(250, 2 * size).broadcastAll(txs);
    assertEquals(List.of(2, 2, 1), requestSizes);

    requestSizes.clear();
    carrier(250, size - 1).broadcastAll(txs.subList(0, 2));
    assertEquals(List.of(1, 1), requestSizes);
  }

  @Test
  void noneOrOneTransactionNeedsNoBatch() {
    List<RawTransaction> one = transactions(1);
    assertEquals(List.of(), carrier(250, 4_000_000).broadcastAll(List.of()));
    assertEquals(List.of(), requestSizes);
    assertEquals(List.of(new BroadcastResult.Accepted()), carrier(250, 4_000_000).broadcastAll(one));
    assertEquals(List.of(1), requestSizes);
  }

  @Test
  void aNodeThatIsDownCostsOneRequestAndLeavesEveryTransactionPending() {
    List<RawTransaction> txs = transactions(7);
    down = true;

    List<BroadcastResult> results = carrier(3, 4_000_000).broadcastAll(txs);

    assertEquals(7, results.size());
    for (int i = 0; i < 7; i++) {
      BroadcastResult.NodeUnavailable u = assertInstanceOf(BroadcastResult.NodeUnavailable.class, results.get(i));
      assertEquals(i >= 3, u.reason().startsWith("not sent after an earlier batch failed"), u.reason());
    }
    assertEquals(List.of(), sentHex, "nothing was answered");
    assertEquals(1, httpRequests.get(), "the batches after the failed one are not sent");
  }

  @Test
  void nullsAreRefusedBeforeAnythingIsSent() {
    BitcoindCarrier carrier = carrier(250, 4_000_000);
    assertThrows(NullPointerException.class, () -> carrier.broadcastAll(null));
    assertThrows(NullPointerException.class, () -> carrier.broadcastAll(Arrays.asList(transactions(1).get(0), null)));
    assertTrue(requestSizes.isEmpty());
  }
}
