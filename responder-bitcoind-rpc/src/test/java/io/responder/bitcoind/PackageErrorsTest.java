package io.responder.bitcoind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.BroadcastResult;
import io.responder.core.FeeEstimatorException;
import io.responder.core.Txid;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every row of the package table of {@link BitcoindErrors}, and the fee estimator's failures. */
class PackageErrorsTest {
  static final Txid TXID = Txid.fromHex("8fefd383cd8a66b9a28aac2e312628ff8b83302c6d5d96de0c1aff3b541e8eb5");

  static FeeAnswers.Member failed(String error) {
    return new FeeAnswers.Member(TXID, null, false, error);
  }

  static Stream<Arguments> memberErrors() {
    return Stream.of(
        Arguments.of("txn-already-in-mempool", new BroadcastResult.Accepted()),
        Arguments.of("txn-same-nonwitness-data-in-mempool", new BroadcastResult.Accepted()),
        Arguments.of("txn-already-known", new BroadcastResult.AlreadyConfirmed(OptionalInt.empty())),
        Arguments.of("bad-txns-inputs-missingorspent", new BroadcastResult.Rejected(-25, "bad-txns-inputs-missingorspent")),
        Arguments.of("missing-inputs", new BroadcastResult.Rejected(-25, "missing-inputs")),
        Arguments.of("mempool-script-verify-flag-failed (Signature must be zero for failed CHECK(MULTI)SIG operation)",
            new BroadcastResult.Rejected(-26, "mempool-script-verify-flag-failed (Signature must be zero for failed CHECK(MULTI)SIG operation)")),
        Arguments.of("mandatory-script-verify-flag-failed (Script failed an OP_EQUALVERIFY operation)",
            new BroadcastResult.Rejected(-26, "mandatory-script-verify-flag-failed (Script failed an OP_EQUALVERIFY operation)")),
        Arguments.of("non-mandatory-script-verify-flag (Non-canonical signature: S value is unnecessarily high)",
            new BroadcastResult.Rejected(-26, "non-mandatory-script-verify-flag (Non-canonical signature: S value is unnecessarily high)")),
        Arguments.of("max-fee-exceeded", new BroadcastResult.RejectedForNow(-25, "max-fee-exceeded")),
        Arguments.of("min relay fee not met, 0 < 11", new BroadcastResult.RejectedForNow(-26, "min relay fee not met, 0 < 11")),
        Arguments.of("mempool min fee not met, 110 < 231", new BroadcastResult.RejectedForNow(-26, "mempool min fee not met, 110 < 231")),
        Arguments.of("insufficient fee, rejecting replacement x, less fees than conflicting txs; 0.00008 < 0.00011",
            new BroadcastResult.RejectedForNow(-26, "insufficient fee, rejecting replacement x, less fees than conflicting txs; 0.00008 < 0.00011")),
        Arguments.of("TRUC-violation, version=3 tx x cannot spend from non-version=3 tx y",
            new BroadcastResult.RejectedForNow(-26, "TRUC-violation, version=3 tx x cannot spend from non-version=3 tx y")),
        Arguments.of("non-BIP68-final", new BroadcastResult.RejectedForNow(-26, "non-BIP68-final")),
        Arguments.of("package-not-validated", new BroadcastResult.RejectedForNow(-26, "package-not-validated")),
        Arguments.of("something a later version says", new BroadcastResult.RejectedForNow(-26, "something a later version says")));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("memberErrors")
  void memberErrorStrings(String error, BroadcastResult expected) {
    assertEquals(expected, BitcoindErrors.packageMember(failed(error)));
  }

  @Test
  void membersWithoutAnError() {
    assertEquals(new BroadcastResult.Accepted(), BitcoindErrors.packageMember(new FeeAnswers.Member(TXID, null, true, null)));
    assertEquals(new BroadcastResult.Accepted(), BitcoindErrors.packageMember(new FeeAnswers.Member(TXID, "ab".repeat(32), false, null)));
    assertEquals(new BroadcastResult.RejectedForNow(-26, "package-not-validated"), BitcoindErrors.packageMember(null));
  }

  static Stream<Arguments> wholeCallFailures() {
    return Stream.of(
        Arguments.of(new BitcoindException.Transport(BitcoindException.Transport.Kind.CONNECTION_REFUSED, "refused", null),
            new BroadcastResult.NodeUnavailable("refused")),
        Arguments.of(BitcoindErrors.fromRpcError(-28, "Loading block index", "submitpackage"),
            new BroadcastResult.NodeUnavailable("bitcoind submitpackage: node warming up (-28 Loading block index)")),
        Arguments.of(new BitcoindException.MalformedResponse("unreadable"), new BroadcastResult.NodeUnavailable("unreadable")),
        Arguments.of(BitcoindErrors.fromRpcError(-25, "package topology disallowed. not child-with-parents or parents depend on each other.", "submitpackage"),
            new BroadcastResult.RejectedForNow(-25, "package topology disallowed. not child-with-parents or parents depend on each other.")),
        Arguments.of(BitcoindErrors.fromRpcError(-22, "TX decode failed for tx 1. Make sure the tx has at least one input.", "submitpackage"),
            new BroadcastResult.RejectedForNow(-22, "TX decode failed for tx 1. Make sure the tx has at least one input.")));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("wholeCallFailures")
  void aFailureOfTheWholeCallSaysNothingFinalAboutAnyMember(BitcoindException e, BroadcastResult expected) {
    assertEquals(expected, BitcoindErrors.packageFailure(e));
  }

  @Test
  void onlyMethodNotFoundFallsBackToOneByOne() {
    assertTrue(BitcoindErrors.isMethodNotFound(BitcoindErrors.fromRpcError(-32601, "Method not found", "submitpackage")));
    assertFalse(BitcoindErrors.isMethodNotFound(BitcoindErrors.fromRpcError(-25, "package topology disallowed", "submitpackage")));
    assertFalse(BitcoindErrors.isMethodNotFound(new BitcoindException.MalformedResponse("x")));
  }

  @Test
  void feeEstimatorFailuresAreTransientExactlyWhenTheNodeFaultIs() {
    BitcoindException down = new BitcoindException.Transport(BitcoindException.Transport.Kind.TIMEOUT, "timed out", null);
    FeeEstimatorException transientFailure = BitcoindErrors.feeEstimatorFailure(down);
    assertTrue(transientFailure.isTransient());
    assertSame(down, transientFailure.getCause());
    assertEquals("timed out", transientFailure.getMessage());
    assertFalse(BitcoindErrors.feeEstimatorFailure(BitcoindErrors.fromRpcError(-8, "Invalid conf_target", "estimatesmartfee")).isTransient());
    assertFalse(BitcoindErrors.feeEstimatorFailure(new BitcoindException.MalformedResponse("x")).isTransient());
    assertTrue(BitcoindErrors.feeEstimatorFailure(BitcoindErrors.fromRpcError(-28, "Loading", "estimatesmartfee")).isTransient());
  }

  @Test
  void nodeTextIsCutAndCleaned() {
    assertEquals("a?b", FeeAnswers.nodeText("a\nb"));
    String long1 = "x".repeat(FeeAnswers.MAX_NODE_TEXT + 5);
    assertEquals("x".repeat(FeeAnswers.MAX_NODE_TEXT) + "... (5 more characters)", FeeAnswers.nodeText(long1));
    String surrogateAtTheCut = "x".repeat(FeeAnswers.MAX_NODE_TEXT - 1) + "\uD83D\uDE00" + "yz";
    assertEquals("x".repeat(FeeAnswers.MAX_NODE_TEXT - 1) + "... (4 more characters)", FeeAnswers.nodeText(surrogateAtTheCut));
  }
}
