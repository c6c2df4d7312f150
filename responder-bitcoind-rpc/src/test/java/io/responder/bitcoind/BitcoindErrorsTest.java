package io.responder.bitcoind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import io.responder.bitcoind.BitcoindException.Transport.Kind;
import io.responder.core.BlockSourceException;
import io.responder.core.BroadcastResult;
import io.responder.core.TxStatus;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Every row of the one mapping from bitcoind's answers to typed outcomes. */
class BitcoindErrorsTest {
  static final URI URL = URI.create("http://127.0.0.1:18443/");

  static BitcoindException rpc(int code, String message) {
    return BitcoindErrors.fromRpcError(code, message, "sendrawtransaction");
  }

  static Stream<Arguments> broadcastTable() {
    return Stream.of(
        Arguments.of(-27, "Transaction outputs already in utxo set", new BroadcastResult.AlreadyConfirmed(OptionalInt.empty())),
        Arguments.of(-27, "Transaction already in block chain", new BroadcastResult.AlreadyConfirmed(OptionalInt.empty())),
        Arguments.of(-22, "TX decode failed. Make sure the tx has at least one input.",
            new BroadcastResult.Rejected(-22, "TX decode failed. Make sure the tx has at least one input.")),
        Arguments.of(-25, "bad-txns-inputs-missingorspent", new BroadcastResult.Rejected(-25, "bad-txns-inputs-missingorspent")),
        Arguments.of(-25, "Missing inputs", new BroadcastResult.Rejected(-25, "Missing inputs")),
        Arguments.of(-25, "Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)",
            new BroadcastResult.RejectedForNow(-25, "Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)")),
        Arguments.of(-25, "Unspendable output exceeds maximum configured by user (maxburnamount)",
            new BroadcastResult.RejectedForNow(-25, "Unspendable output exceeds maximum configured by user (maxburnamount)")),
        Arguments.of(-26, "min relay fee not met, 0 < 11", new BroadcastResult.RejectedForNow(-26, "min relay fee not met, 0 < 11")),
        Arguments.of(-26, "non-final", new BroadcastResult.RejectedForNow(-26, "non-final")),
        Arguments.of(-26, "txn-mempool-conflict", new BroadcastResult.RejectedForNow(-26, "txn-mempool-conflict")),
        Arguments.of(-26, "mempool full", new BroadcastResult.RejectedForNow(-26, "mempool full")),
        Arguments.of(-26, "scriptpubkey", new BroadcastResult.RejectedForNow(-26, "scriptpubkey")),
        Arguments.of(-26, "txn-already-in-mempool", new BroadcastResult.Accepted()),
        Arguments.of(-26, "txn-already-known", new BroadcastResult.Accepted()),
        Arguments.of(-1, "unexpected", new BroadcastResult.RejectedForNow(-1, "unexpected")),
        Arguments.of(-32601, "Method not found", new BroadcastResult.RejectedForNow(-32601, "Method not found")));
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @MethodSource("broadcastTable")
  void rpcErrorsOfABroadcast(int code, String message, BroadcastResult expected) {
    assertEquals(expected, BitcoindErrors.broadcastResult(rpc(code, message)));
  }

  @Test
  void warmUpIsItsOwnTypeAndTheNodeIsUnavailable() {
    BitcoindException e = rpc(-28, "Loading P2P addresses\u2026");
    assertInstanceOf(BitcoindException.WarmingUp.class, e);
    assertTrue(e.isTransient());
    assertInstanceOf(BroadcastResult.NodeUnavailable.class, BitcoindErrors.broadcastResult(e));
  }

  static Stream<Arguments> ioTable() {
    return Stream.of(
        Arguments.of(new ConnectException(), Kind.CONNECTION_REFUSED),
        Arguments.of(new IOException("wrapped", new ConnectException("Connection refused")), Kind.CONNECTION_REFUSED),
        Arguments.of(new HttpConnectTimeoutException("HTTP connect timed out"), Kind.TIMEOUT),
        Arguments.of(new HttpTimeoutException("request timed out"), Kind.TIMEOUT),
        Arguments.of(new SocketTimeoutException("Read timed out"), Kind.TIMEOUT),
        Arguments.of(new InterruptedIOException("interrupted"), Kind.INTERRUPTED),
        Arguments.of(new SocketException("Connection reset"), Kind.CONNECTION_LOST),
        Arguments.of(new EOFException("EOF reached while reading"), Kind.CONNECTION_LOST),
        Arguments.of(new IOException("HTTP/1.1 header parser received no bytes"), Kind.CONNECTION_LOST),
        Arguments.of(new IOException("fixed content-length: 1000, bytes received: 10"), Kind.CONNECTION_LOST),
        Arguments.of(new JsonEOFException(null, null, "Unexpected end-of-input"), Kind.CONNECTION_LOST));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("ioTable")
  void ioFailuresAreTransportFailures(IOException e, Kind kind) {
    BitcoindException mapped = BitcoindErrors.fromIo(e, "getblockcount", URL, 0);
    assertEquals(kind, assertInstanceOf(BitcoindException.Transport.class, mapped).kind());
    assertTrue(mapped.isTransient());
    assertInstanceOf(BroadcastResult.NodeUnavailable.class, BitcoindErrors.broadcastResult(mapped));
    assertInstanceOf(TxStatus.Unknown.class, BitcoindErrors.unknownStatus(mapped));
    assertTrue(BitcoindErrors.blockSourceFailure(mapped).isTransient());
  }

  static Stream<IOException> malformedTable() {
    return Stream.of(
        new BadAnswerException("answer has no result"),
        new ResponseTooLargeException(1024),
        new JsonParseException(null, "Unrecognized token 'secretstuff'", new JsonLocation(null, 5, 1, 6)));
  }

  @ParameterizedTest
  @MethodSource("malformedTable")
  void answersThatCannotBeReadAreMalformed(IOException e) {
    BitcoindException mapped = BitcoindErrors.fromIo(e, "getblock", URL, 500);
    assertInstanceOf(BitcoindException.MalformedResponse.class, mapped);
    assertFalse(mapped.isTransient());
    assertTrue(mapped.getMessage().contains("HTTP 500"), mapped.getMessage());
    assertFalse(mapped.getMessage().contains("secretstuff"), "Jackson's message may quote the body");
    assertInstanceOf(BroadcastResult.NodeUnavailable.class, BitcoindErrors.broadcastResult(mapped));
    assertFalse(BitcoindErrors.blockSourceFailure(mapped).isTransient());
  }

  @ParameterizedTest(name = "HTTP {0} -> {1}")
  @CsvSource({
      "401, Authentication",
      "403, Authentication",
      "502, Transport",
      "503, Transport",
      "504, Transport",
      "200, ",
      "400, ",
      "404, ",
      "500, "})
  void httpStatuses(int status, String type) {
    BitcoindException e = BitcoindErrors.fromHttpStatus(status, "getblockcount", URL);
    if (type == null) {
      assertNull(e, "the body is read: bitcoind sends its errors with these");
    } else {
      assertEquals(type, e.getClass().getSimpleName());
      assertTrue(e.isTransient());
      assertInstanceOf(BroadcastResult.NodeUnavailable.class, BitcoindErrors.broadcastResult(e));
    }
  }

  @Test
  void rpcErrorsArePersistentForTheBlockSourceAndKeepTheirCause() {
    BitcoindException e = BitcoindErrors.fromRpcError(-5, "Block not found", "getblock");
    BlockSourceException b = BitcoindErrors.blockSourceFailure(e);
    assertFalse(b.isTransient());
    assertSame(e, b.getCause());
    assertTrue(BitcoindErrors.isNotFound(e));
    assertFalse(BitcoindErrors.isHeightOutOfRange(e));
  }

  @Test
  void aTransactionFoundNowhereIsNotFoundOnlyWhenABlockWasNamed() {
    assertEquals(new TxStatus.NotFound(), BitcoindErrors.missingTransaction(true));
    assertInstanceOf(TxStatus.Unknown.class, BitcoindErrors.missingTransaction(false));
  }

  @Test
  void heightOutOfRangeIsMinus8() {
    BitcoindException e = BitcoindErrors.fromRpcError(-8, "Block height out of range", "getblockhash");
    assertTrue(BitcoindErrors.isHeightOutOfRange(e));
    assertFalse(BitcoindErrors.isNotFound(e));
    assertFalse(BitcoindErrors.isNotFound(new BitcoindException.MalformedResponse("x")));
  }
}
