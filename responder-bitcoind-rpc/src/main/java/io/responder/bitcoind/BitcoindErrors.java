package io.responder.bitcoind;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import io.responder.core.BlockHash;
import io.responder.core.BlockSourceException;
import io.responder.core.BroadcastResult;
import io.responder.core.FeeEstimatorException;
import io.responder.core.TxStatus;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.OptionalInt;
import org.jspecify.annotations.Nullable;

/**
 * The one place where bitcoind's HTTP statuses, I/O failures, RPC error codes and unreadable answers
 * become typed outcomes: first {@link BitcoindException}s, then the core's {@link BroadcastResult},
 * {@link TxStatus}, {@link BlockSourceException} and {@link FeeEstimatorException}. Every row is covered by
 * {@code BitcoindErrorsTest}.
 *
 * <h2>Broadcast outcomes</h2>
 * <table>
 *   <caption>sendrawtransaction answers</caption>
 *   <tr><th>answer</th><th>result</th><th>why</th></tr>
 *   <tr><td>transport failure, 401/403, -28 warm-up</td><td>NodeUnavailable</td>
 *       <td>nothing was learnt about the transaction</td></tr>
 *   <tr><td>malformed answer</td><td>NodeUnavailable</td>
 *       <td>the node may or may not have it; sending again is harmless</td></tr>
 *   <tr><td>-27</td><td>AlreadyConfirmed(unknown depth)</td>
 *       <td>"outputs already in utxo set": it is in a block</td></tr>
 *   <tr><td>-22</td><td>Rejected</td><td>bytes that do not decode never will</td></tr>
 *   <tr><td>-25 naming missing or spent inputs</td><td>Rejected</td>
 *       <td>the dispute's output was spent in a block by someone else (the cheater swept it). The
 *       same answer comes when this node does not know the dispute at all; the Responder only takes
 *       breaches whose dispute was seen in a block, and resends a disconnected dispute before its
 *       penalty, so that case is not expected to last</td></tr>
 *   <tr><td>-25, any other message</td><td>RejectedForNow</td>
 *       <td>-25 also carries local caps ("Fee exceeds maximum configured by user", the burn cap),
 *       which a pre-signed penalty must never lose the channel to; with maxfeerate 0 the fee cap
 *       cannot occur, and if a user sets one, the breach stays pending until they lift it</td></tr>
 *   <tr><td>-26 "txn-already-in-mempool" / "txn-already-known"</td><td>Accepted</td>
 *       <td>how older bitcoind versions answer a resend</td></tr>
 *   <tr><td>-26, any other message</td><td>RejectedForNow</td>
 *       <td>-26 mixes rejections that clear (fee too low, replacement refused, non-final, mempool
 *       full or conflicting) with policy ones that do not (non-standard script); messages are not a
 *       stable interface, and a wrong "for good" loses the channel while a wrong "for now" costs
 *       one call per block until the subscription ends</td></tr>
 *   <tr><td>any other RPC code</td><td>RejectedForNow</td>
 *       <td>the node answered, but with something this table does not know: keep the breach</td></tr>
 * </table>
 *
 * <h2>Package outcomes</h2>
 * {@code submitpackage} answers HTTP 200 for validation failures, with one entry per member in
 * {@code tx-results} (keyed by wtxid) and an error string without a code; its {@code package_msg}
 * is only informative, since members can be accepted when it reports a failure. Each member is
 * mapped to the result {@code sendrawtransaction} would have given it, with the code bitcoind uses
 * there (see {@link #packageMember}):
 * <table>
 *   <caption>submitpackage answers, per member</caption>
 *   <tr><th>entry</th><th>result</th><th>why</th></tr>
 *   <tr><td>fees, no error</td><td>Accepted</td>
 *       <td>newly accepted (with an effective feerate) or already in the mempool (without)</td></tr>
 *   <tr><td>other-wtxid</td><td>Accepted</td>
 *       <td>the same txid with another witness is in the mempool; the txid is what is tracked</td></tr>
 *   <tr><td>"txn-already-in-mempool", "txn-same-nonwitness-data-in-mempool"</td><td>Accepted</td>
 *       <td>in the mempool already</td></tr>
 *   <tr><td>"txn-already-known"</td><td>AlreadyConfirmed(unknown depth)</td>
 *       <td>inside a package this is how bitcoind reports a member with an unspent output in the
 *       UTXO set: it is in a block (recorded for a confirmed dispute and a confirmed penalty)</td></tr>
 *   <tr><td>"bad-txns-inputs-missingorspent", "missing-inputs"</td><td>Rejected -25</td>
 *       <td>as for sendrawtransaction; ambiguous the same way (a member whose parent is missing,
 *       or a confirmed member all of whose outputs are spent), which the Responder resolves</td></tr>
 *   <tr><td>"...script-verify-flag-failed...", "non-mandatory-script-verify-flag..."</td>
 *       <td>Rejected -26</td><td>a script that fails for these bytes and these spent outputs (a
 *       bad signature) fails the same way every time</td></tr>
 *   <tr><td>"max-fee-exceeded"</td><td>RejectedForNow -25</td>
 *       <td>a local cap, as the -25 caps of sendrawtransaction</td></tr>
 *   <tr><td>any other string: "min relay fee not met", "mempool min fee not met", "insufficient
 *       fee" (replacement refused), "TRUC-violation", "package-not-validated", ...</td>
 *       <td>RejectedForNow -26</td><td>fee and policy refusals can clear, as -26 does for
 *       sendrawtransaction</td></tr>
 *   <tr><td>no entry for the member</td><td>RejectedForNow -26 "package-not-validated"</td>
 *       <td>the node stopped before judging it (what newer versions say in words)</td></tr>
 * </table>
 * A failure of the whole call (see {@link #packageFailure}) gives every member the same result:
 * transport, authentication, warm-up and malformed answers are NodeUnavailable; an RPC error (such
 * as -25 "package topology disallowed", which comes before any validation) is RejectedForNow with
 * its code, because it is about the package and says nothing final about any member.
 *
 * <h2>Transaction status</h2>
 * Any failure to ask is {@code Unknown}. Not found (-5) in the named block and not in the mempool
 * is {@code NotFound}; not in the mempool with no block named is {@code Unknown} (see
 * {@link #missingTransaction}).
 *
 * <h2>Block source failures</h2>
 * Transport, authentication and warm-up are transient; RPC errors (-5 unknown block, -8 bad
 * parameter, pruned data) and malformed answers are not.
 *
 * <h2>The node's text</h2>
 * An error message (or any other text) from the node reaches results and messages only through
 * {@link #nodeText}: cut to {@value #MAX_NODE_TEXT} characters, control characters replaced. An
 * answer about another block than the one asked about is a malformed answer.
 *
 * <p>Stateless; thread-safe.
 */
final class BitcoindErrors {
  /** Unknown block or transaction. */
  static final int RPC_INVALID_ADDRESS_OR_KEY = -5;
  /** Invalid parameter, for example a block height out of range. */
  static final int RPC_INVALID_PARAMETER = -8;
  /** The transaction does not decode. */
  static final int RPC_DESERIALIZATION_ERROR = -22;
  /** Missing or spent inputs, or a local cap (maxfeerate, maxburnamount). */
  static final int RPC_VERIFY_ERROR = -25;
  /** Refused by mempool policy or consensus. */
  static final int RPC_VERIFY_REJECTED = -26;
  /** The transaction's outputs are already in the UTXO set: it is confirmed. */
  static final int RPC_VERIFY_ALREADY_IN_CHAIN = -27;
  /** The node is starting. */
  static final int RPC_IN_WARMUP = -28;
  /** JSON-RPC's "method not found". */
  static final int RPC_METHOD_NOT_FOUND = -32601;

  /**
   * The most characters of a node's text kept in results and messages: bitcoind's longest recorded
   * messages (a script verification failure naming txid, wtxid and outpoint; a TRUC violation) are
   * about 340, so this keeps every real one whole and still bounds a broken node's.
   */
  static final int MAX_NODE_TEXT = 1000;

  private BitcoindErrors() {}

  // -----------------------------------------------------------------------------------------------
  // HTTP, I/O and JSON-RPC -> BitcoindException

  /**
   * Classifies an HTTP status whose body is not worth reading. Every other status (200, 400, 404,
   * 500, ...) has its body read as a JSON-RPC answer, because bitcoind sends its errors with them.
   *
   * @return the failure, or null if the body should be read
   */
  static @Nullable BitcoindException fromHttpStatus(int status, String call, URI uri) {
    switch (status) {
      case 401:
        return new BitcoindException.Authentication(
            "bitcoind " + call + ": credentials refused (HTTP 401) at " + uri, null);
      case 403:
        return new BitcoindException.Authentication(
            "bitcoind " + call + ": call forbidden for these credentials (HTTP 403, see -rpcwhitelist) at " + uri, null);
      case 502:
      case 503:
      case 504:
        return new BitcoindException.Transport(BitcoindException.Transport.Kind.NODE_BUSY,
            "bitcoind " + call + ": node busy or unavailable (HTTP " + status + ") at " + uri, null);
      default:
        return null;
    }
  }

  /**
   * Classifies a failure while sending or reading. {@code status} is the HTTP status when headers
   * had arrived, or 0.
   */
  static BitcoindException fromIo(IOException e, String call, URI uri, int status) {
    String where = "bitcoind " + call + ": ";
    if (e instanceof BadAnswerException || e instanceof ResponseTooLargeException) {
      return malformed(where, status, e.getMessage());
    }
    if (e instanceof JsonEOFException) {
      // The document stopped in the middle: the connection ended early, not a bad document.
      return new BitcoindException.Transport(BitcoindException.Transport.Kind.CONNECTION_LOST,
          where + "answer ended before the JSON was complete (" + uri + ")", null);
    }
    if (e instanceof JsonProcessingException jpe) {
      // Jackson's own message may quote the body; only its position is kept.
      JsonLocation at = jpe.getLocation();
      String pos = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      return malformed(where, status, "answer is not valid JSON" + pos);
    }
    if (e instanceof HttpTimeoutException || e instanceof SocketTimeoutException) {
      return new BitcoindException.Transport(BitcoindException.Transport.Kind.TIMEOUT,
          where + "timed out (" + uri + ")", e);
    }
    if (e instanceof InterruptedIOException) {
      return interrupted(call, uri);
    }
    if (hasCause(e, ConnectException.class) || hasCause(e, UnresolvedAddressException.class)) {
      return new BitcoindException.Transport(BitcoindException.Transport.Kind.CONNECTION_REFUSED,
          where + "connection refused (" + uri + ")", e);
    }
    // EOF before the headers, "connection reset", a body shorter than its Content-Length: the JDK
    // reports them as plain IOExceptions with varying messages.
    return new BitcoindException.Transport(BitcoindException.Transport.Kind.CONNECTION_LOST,
        where + "connection lost before a complete answer (" + e.getClass().getSimpleName() + ", " + uri + ")", e);
  }

  static BitcoindException interrupted(String call, URI uri) {
    return new BitcoindException.Transport(BitcoindException.Transport.Kind.INTERRUPTED,
        "bitcoind " + call + ": interrupted while waiting for " + uri, null);
  }

  /**
   * Classifies an error object of a JSON-RPC answer. The node's message is first made
   * {@linkplain #nodeText safe to carry}.
   */
  static BitcoindException fromRpcError(int code, String nodeMessage, String call) {
    String message = nodeText(nodeMessage);
    if (code == RPC_IN_WARMUP) {
      return new BitcoindException.WarmingUp("bitcoind " + call + ": node warming up (" + code + " " + message + ")");
    }
    return new BitcoindException.RpcError(code, message, "bitcoind " + call + ": error " + code + ": " + message);
  }

  /**
   * A well-formed answer about another block than the one asked for: a broken or hostile node, or a
   * proxy mixing up answers. Nothing in it can be trusted.
   */
  static BitcoindException answerAboutAnotherBlock(String call, URI uri, BlockHash asked, BlockHash answered) {
    return new BitcoindException.MalformedResponse(
        "bitcoind " + call + ": asked about block " + asked + ", answered about block " + answered + " (" + uri + ")");
  }

  /**
   * Text from the node (an error message, a batch element's id) as it may be carried into results,
   * exceptions and logs: at most {@value #MAX_NODE_TEXT} characters, control characters replaced by
   * '?'. bitcoind's own messages are far shorter and have none; a broken or hostile node could send
   * megabytes, or line breaks that forge log lines.
   *
   * @param text the node's text
   * @return the text, cut and cleaned
   */
  static String nodeText(String text) {
    int keep = text.length();
    if (keep > MAX_NODE_TEXT) {
      keep = MAX_NODE_TEXT;
      if (Character.isHighSurrogate(text.charAt(keep - 1))) {
        keep--; // never split a surrogate pair
      }
    }
    StringBuilder out = new StringBuilder(keep + 40);
    for (int i = 0; i < keep; i++) {
      char c = text.charAt(i);
      out.append(Character.isISOControl(c) ? '?' : c);
    }
    if (keep < text.length()) {
      out.append("... (").append(text.length() - keep).append(" more characters)");
    }
    return out.toString();
  }

  static BitcoindException cookieUnreadable(Path cookieFile, String problem, Throwable cause) {
    return new BitcoindException.Authentication("cannot use the cookie file " + cookieFile + ": " + problem, cause);
  }

  private static BitcoindException malformed(String where, int status, String detail) {
    String http = status != 0 && status != 200 ? "HTTP " + status + ", " : "";
    return new BitcoindException.MalformedResponse(where + http + detail);
  }

  private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }

  // -----------------------------------------------------------------------------------------------
  // BitcoindException -> the core's outcomes

  /** The broadcast outcome of a failed {@code sendrawtransaction}; see the table on this class. */
  static BroadcastResult broadcastResult(BitcoindException e) {
    if (!(e instanceof BitcoindException.RpcError rpc)) {
      return new BroadcastResult.NodeUnavailable(e.getMessage());
    }
    int code = rpc.code();
    String message = rpc.rpcMessage();
    String lower = message.toLowerCase(Locale.ROOT);
    switch (code) {
      case RPC_VERIFY_ALREADY_IN_CHAIN:
        return new BroadcastResult.AlreadyConfirmed(OptionalInt.empty());
      case RPC_DESERIALIZATION_ERROR:
        return new BroadcastResult.Rejected(code, message);
      case RPC_VERIFY_ERROR:
        return lower.contains("missingorspent") || lower.contains("missing inputs")
            ? new BroadcastResult.Rejected(code, message)
            : new BroadcastResult.RejectedForNow(code, message);
      case RPC_VERIFY_REJECTED:
        return lower.contains("txn-already-in-mempool") || lower.contains("txn-already-known")
            ? new BroadcastResult.Accepted()
            : new BroadcastResult.RejectedForNow(code, message);
      default:
        return new BroadcastResult.RejectedForNow(code, message);
    }
  }

  /** A {@code BlockSourceException} for a failed call, transient exactly when the failure is. */
  static BlockSourceException blockSourceFailure(BitcoindException e) {
    return new BlockSourceException(e.getMessage(), e.isTransient(), e);
  }

  /** The status of a transaction the node could not be asked about. */
  static TxStatus.Unknown unknownStatus(BitcoindException e) {
    return new TxStatus.Unknown(e.getMessage());
  }

  /**
   * The status of a transaction that is in neither the named block nor the mempool. With a block
   * named that is {@code NotFound}; with none it is {@code Unknown}, because bitcoind without
   * {@code -txindex} searched only its mempool and answers a confirmed transaction the same way.
   */
  static TxStatus missingTransaction(boolean blockNamed) {
    return blockNamed
        ? new TxStatus.NotFound()
        : new TxStatus.Unknown("not in the mempool; without -txindex bitcoind cannot tell whether it is confirmed");
  }

  /** Whether bitcoind said the block or transaction asked about does not exist (-5). */
  static boolean isNotFound(BitcoindException e) {
    return e instanceof BitcoindException.RpcError rpc && rpc.code() == RPC_INVALID_ADDRESS_OR_KEY;
  }

  /**
   * Whether a {@code getblockhash} failed because the height is above the tip (-8). Its only
   * parameter is a non-negative int, so -8 can mean nothing else there.
   */
  static boolean isHeightOutOfRange(BitcoindException e) {
    return e instanceof BitcoindException.RpcError rpc && rpc.code() == RPC_INVALID_PARAMETER;
  }

  // -----------------------------------------------------------------------------------------------
  // submitpackage -> the core's outcomes

  /** Error strings of package members that mean "in the mempool already". */
  private static final String[] PACKAGE_IN_MEMPOOL = {"txn-already-in-mempool", "txn-same-nonwitness-data-in-mempool"};

  /** What bitcoind says, in newer versions, of members it did not judge; used when it says nothing. */
  static final String PACKAGE_NOT_VALIDATED = "package-not-validated";

  /**
   * The result for one member of a package; see the package table on this class.
   *
   * @param member the member's entry in {@code tx-results}, or null when the node gave none
   */
  static BroadcastResult packageMember(FeeAnswers.Member member) {
    if (member == null) {
      return new BroadcastResult.RejectedForNow(RPC_VERIFY_REJECTED, PACKAGE_NOT_VALIDATED);
    }
    String error = member.error();
    if (error == null) {
      return new BroadcastResult.Accepted(); // fees (new or already there) or another witness of it
    }
    String lower = error.toLowerCase(Locale.ROOT);
    for (String inMempool : PACKAGE_IN_MEMPOOL) {
      if (lower.startsWith(inMempool)) {
        return new BroadcastResult.Accepted();
      }
    }
    if (lower.startsWith("txn-already-known")) {
      return new BroadcastResult.AlreadyConfirmed(OptionalInt.empty());
    }
    if (lower.contains("missingorspent") || lower.startsWith("missing-inputs")) {
      return new BroadcastResult.Rejected(RPC_VERIFY_ERROR, error);
    }
    if (lower.contains("script-verify-flag")) {
      return new BroadcastResult.Rejected(RPC_VERIFY_REJECTED, error);
    }
    if (lower.startsWith("max-fee-exceeded")) {
      return new BroadcastResult.RejectedForNow(RPC_VERIFY_ERROR, error);
    }
    return new BroadcastResult.RejectedForNow(RPC_VERIFY_REJECTED, error);
  }

  /** The result every member of a package gets when the whole call failed; see the table. */
  static BroadcastResult packageFailure(BitcoindException e) {
    if (e instanceof BitcoindException.RpcError rpc) {
      return new BroadcastResult.RejectedForNow(rpc.code(), rpc.rpcMessage());
    }
    return new BroadcastResult.NodeUnavailable(e.getMessage());
  }

  /** Whether the node does not know the method (bitcoind before package relay, or a proxy's allow-list). */
  static boolean isMethodNotFound(BitcoindException e) {
    return e instanceof BitcoindException.RpcError rpc && rpc.code() == RPC_METHOD_NOT_FOUND;
  }

  /** The failure of a fee estimate or mempool question, transient exactly when the failure is. */
  static FeeEstimatorException feeEstimatorFailure(BitcoindException e) {
    return new FeeEstimatorException(e.getMessage(), e.isTransient(), e);
  }
}
