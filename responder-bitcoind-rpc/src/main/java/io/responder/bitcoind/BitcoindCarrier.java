package io.responder.bitcoind;

import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import io.responder.core.BroadcastResult;
import io.responder.core.Carrier;
import io.responder.core.PackageResult;
import io.responder.core.RawTransaction;
import io.responder.core.StatusQuery;
import io.responder.core.TransactionPackage;
import io.responder.core.TxStatus;
import io.responder.core.Txid;
import io.responder.bitcoind.JsonRpcClient.Params;
import io.responder.bitcoind.JsonRpcClient.Reply;
import java.math.BigDecimal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Carrier} that hands transactions to bitcoind with {@code sendrawtransaction} and asks
 * about them with {@code getrawtransaction}, without needing {@code -txindex}. Obtain one from
 * {@link BitcoindRpc#carrier()}.
 *
 * <h2>Requirements</h2>
 * {@link #broadcast} sends {@code sendrawtransaction [hex, maxfeerate]} with the configured
 * {@link BitcoindConfig#maxFeeRate()} (0, no cap, by default) and maps every answer to a
 * {@link BroadcastResult}: accepted or already in the mempool is {@code Accepted}; -27 is
 * {@code AlreadyConfirmed} with an unknown depth; -22 (undecodable) and -25 naming missing or spent
 * inputs are {@code Rejected}; -26 (every policy refusal, since its messages mix ones that clear with
 * ones that do not), other -25 messages (local caps such as a user's maxfeerate, which must not cost
 * a pre-signed penalty its channel) and unknown codes are {@code RejectedForNow}; transport failures,
 * authentication failures, warm-up (-28) and unreadable answers are {@code NodeUnavailable}. The
 * reasons are tabled on the package's error mapping class and each row is tested. Sending the same
 * transaction twice is harmless. Nothing is thrown for node faults.
 *
 * <p>{@link #broadcastAll} sends the same {@code sendrawtransaction} calls as JSON-RPC batches of at
 * most {@value #MAX_BATCH_CALLS} calls and about {@value #MAX_BATCH_BYTES} bytes of transactions
 * each, which bitcoind runs in order; each answer is mapped exactly as {@link #broadcast} maps it.
 * {@link #broadcastPackage} sends {@code submitpackage [hexes, maxfeerate]} (a package of one goes
 * through {@code broadcast}) and reads each member's verdict from {@code tx-results}, matched by the
 * wtxid computed from the bytes sent and checked against the txid; a node without
 * {@code submitpackage} (error -32601) gets the members one by one, as a carrier without package
 * relay does. {@link #statusAll} answers as {@link #status} does for many transactions, in a few
 * batches, asking the mempool first.
 *
 * <h2>Threading</h2>
 * Instances are thread-safe. Calls block for at most about the configured request timeout (twice,
 * when a rotated cookie forces one retry; {@link #status} makes up to three calls, and
 * {@link #statusAll} up to three rounds of batches). They never call
 * back into the Responder.
 *
 * <h2>Errors</h2>
 * Only {@link NullPointerException} for null arguments. Raw transactions are never logged or kept.
 *
 * @since 0.1.0
 */
public final class BitcoindCarrier implements Carrier {
  private static final Logger log = LoggerFactory.getLogger(BitcoindCarrier.class);
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /**
   * The most calls in one batch request: a block's rebroadcast storm of 10,000 penalties is 40
   * requests, and bitcoind answers each within a typical request timeout (it runs them one by one).
   */
  static final int MAX_BATCH_CALLS = 250;

  /**
   * About the most bytes of transactions in one batch request (twice that in hex): far below
   * bitcoind's 32 MiB limit on a request body. A transaction larger than this goes alone.
   */
  static final int MAX_BATCH_BYTES = 4_000_000;

  private final JsonRpcClient rpc;
  private final BigDecimal maxFeeRate;
  private final int maxBatchCalls;
  private final int maxBatchBytes;

  BitcoindCarrier(JsonRpcClient rpc, BigDecimal maxFeeRate) {
    this(rpc, maxFeeRate, MAX_BATCH_CALLS, MAX_BATCH_BYTES);
  }

  /** With other batch bounds, so that tests can split small batches. */
  BitcoindCarrier(JsonRpcClient rpc, BigDecimal maxFeeRate, int maxBatchCalls, int maxBatchBytes) {
    this.rpc = Objects.requireNonNull(rpc, "rpc");
    this.maxFeeRate = Objects.requireNonNull(maxFeeRate, "maxFeeRate");
    if (maxBatchCalls < 1 || maxBatchBytes < 1) {
      throw new IllegalArgumentException("batch bounds must be positive");
    }
    this.maxBatchCalls = maxBatchCalls;
    this.maxBatchBytes = maxBatchBytes;
  }

  /**
   * Sends the transaction with {@code sendrawtransaction}.
   *
   * @param txid the transaction's id, used for logging and to check bitcoind's answer
   * @param rawTransaction the serialised transaction; neither modified nor kept
   * @return what bitcoind did with it
   */
  @Override
  public BroadcastResult broadcast(Txid txid, byte[] rawTransaction) {
    Objects.requireNonNull(txid, "txid");
    char[] hex = hex(Objects.requireNonNull(rawTransaction, "rawTransaction"));
    BroadcastResult result;
    try {
      Txid answered = rpc.call("sendrawtransaction", g -> {
        g.writeString(hex, 0, hex.length);
        g.writeNumber(maxFeeRate);
      }, Answers.TXID);
      if (!answered.equals(txid)) {
        log.atWarn().addKeyValue("txid", txid).addKeyValue("answeredTxid", answered)
            .log("bitcoind accepted the transaction under another txid than the one it was sent as");
      }
      result = new BroadcastResult.Accepted();
    } catch (BitcoindException e) {
      result = BitcoindErrors.broadcastResult(e);
    }
    log.atDebug().addKeyValue("txid", txid).addKeyValue("result", result).log("broadcast");
    return result;
  }

  /**
   * Sends the transactions as {@code sendrawtransaction} calls in JSON-RPC batches, in order; each
   * answer is mapped as {@link #broadcast} maps it. When a whole batch request fails (the node is
   * unreachable, or its answer unreadable), its transactions and those of the batches after it are
   * {@link BroadcastResult.NodeUnavailable}: the later batches are not sent, so a node that is down
   * costs one timeout, not one per batch. A list of one transaction is sent as {@link #broadcast}
   * sends it.
   *
   * @param transactions the transactions; the list is not kept
   * @return one result per transaction, in order
   * @throws NullPointerException if the list or an element is null
   */
  @Override
  public List<BroadcastResult> broadcastAll(List<RawTransaction> transactions) {
    List<RawTransaction> txs = List.copyOf(Objects.requireNonNull(transactions, "transactions"));
    if (txs.size() <= 1) {
      return txs.isEmpty() ? List.of() : List.of(broadcast(txs.get(0).txid(), txs.get(0).bytes()));
    }
    List<BroadcastResult> results = new ArrayList<>(txs.size());
    BitcoindException failed = null;
    int start = 0;
    while (start < txs.size()) {
      int end = batchEnd(txs, start);
      List<RawTransaction> batch = txs.subList(start, end);
      if (failed != null) {
        results.addAll(Collections.nCopies(batch.size(),
            new BroadcastResult.NodeUnavailable("not sent after an earlier batch failed: " + failed.getMessage())));
      } else {
        try {
          results.addAll(sendBatch(batch));
        } catch (BitcoindException e) {
          failed = e;
          results.addAll(Collections.nCopies(batch.size(), new BroadcastResult.NodeUnavailable(e.getMessage())));
          log.atWarn().addKeyValue("transactions", batch.size()).addKeyValue("notSent", txs.size() - end)
              .addKeyValue("reason", e.getMessage()).log("a batch of sendrawtransaction failed as a whole");
        }
      }
      start = end;
    }
    return List.copyOf(results);
  }

  /** The end (exclusive) of the batch starting at {@code start}: bounded in calls and bytes, never empty. */
  private int batchEnd(List<RawTransaction> txs, int start) {
    int end = start;
    long bytes = 0;
    while (end < txs.size() && end - start < maxBatchCalls) {
      bytes += txs.get(end).size();
      if (end > start && bytes > maxBatchBytes) {
        break;
      }
      end++;
    }
    return end;
  }

  private List<BroadcastResult> sendBatch(List<RawTransaction> batch) {
    List<Params> params = new ArrayList<>(batch.size());
    for (RawTransaction tx : batch) {
      char[] hex = hex(tx.bytes());
      params.add(g -> {
        g.writeString(hex, 0, hex.length);
        g.writeNumber(maxFeeRate);
      });
    }
    List<Reply<Txid>> replies = rpc.batch("sendrawtransaction", params, Answers.TXID);
    List<BroadcastResult> results = new ArrayList<>(batch.size());
    int accepted = 0;
    for (int i = 0; i < batch.size(); i++) {
      Reply<Txid> reply = replies.get(i);
      Txid txid = batch.get(i).txid();
      if (reply.error() != null) {
        results.add(BitcoindErrors.broadcastResult(reply.error()));
        continue;
      }
      if (!reply.value().equals(txid)) {
        log.atWarn().addKeyValue("txid", txid).addKeyValue("answeredTxid", reply.value())
            .log("bitcoind accepted the transaction under another txid than the one it was sent as");
      }
      accepted++;
      results.add(new BroadcastResult.Accepted());
    }
    log.atDebug().addKeyValue("transactions", batch.size()).addKeyValue("accepted", accepted).log("broadcast batch");
    return results;
  }

  /**
   * Sends the package with {@code submitpackage} and maps each member's verdict (see the package
   * table of the error mapping): accepted or already in the mempool is {@code Accepted}, already in
   * a block {@code AlreadyConfirmed}, and refusals as {@code sendrawtransaction}'s would be. The
   * txids bitcoind lists in {@code replaced-transactions} are the result's {@code replaced}. A failure
   * of the whole call gives every member the same result; a node that does not know
   * {@code submitpackage} gets the members one by one with {@link #broadcast}.
   *
   * @param transactionPackage the parents, then the child
   * @return one result per member, in package order, and the txids replaced
   */
  @Override
  public PackageResult broadcastPackage(TransactionPackage transactionPackage) {
    Objects.requireNonNull(transactionPackage, "transactionPackage");
    List<RawTransaction> txs = transactionPackage.transactions();
    if (txs.size() == 1) {
      return new PackageResult(List.of(broadcast(txs.get(0).txid(), txs.get(0).bytes())), List.of());
    }
    List<char[]> hexes = new ArrayList<>(txs.size());
    List<String> wtxids = new ArrayList<>(txs.size());
    List<Txid> txids = new ArrayList<>(txs.size());
    for (RawTransaction tx : txs) {
      byte[] raw = tx.bytes();
      hexes.add(hex(raw));
      wtxids.add(wtxidHex(raw));
      txids.add(tx.txid());
    }
    PackageResult result;
    try {
      FeeAnswers.SubmittedPackage answer = rpc.call("submitpackage", g -> {
        g.writeStartArray();
        for (char[] hex : hexes) {
          g.writeString(hex, 0, hex.length);
        }
        g.writeEndArray();
        g.writeNumber(maxFeeRate);
      }, FeeAnswers.submittedPackage(wtxids, txids));
      List<BroadcastResult> results = new ArrayList<>(txs.size());
      for (FeeAnswers.Member m : answer.members()) {
        results.add(BitcoindErrors.packageMember(m));
      }
      result = new PackageResult(results, answer.replaced());
      log.atDebug().addKeyValue("txids", txids).addKeyValue("packageMsg", answer.packageMsg())
          .addKeyValue("result", result).log("broadcast package");
    } catch (BitcoindException e) {
      if (BitcoindErrors.isMethodNotFound(e)) {
        log.atWarn().addKeyValue("txids", txids)
            .log("bitcoind does not know submitpackage (Bitcoin Core 28 or later relays packages); sending the package one by one");
        return Carrier.super.broadcastPackage(transactionPackage);
      }
      BroadcastResult each = BitcoindErrors.packageFailure(e);
      result = new PackageResult(Collections.nCopies(txs.size(), each), List.of());
      log.atDebug().addKeyValue("txids", txids).addKeyValue("result", each).log("broadcast package");
    }
    return result;
  }

  /**
   * The wtxid of a serialised transaction in display hex: the double SHA-256 of all its bytes,
   * witnesses included (BIP 141). For a transaction without witnesses that is its txid.
   */
  static String wtxidHex(byte[] raw) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform provides SHA-256", e);
    }
    byte[] twice = sha.digest(sha.digest(raw));
    char[] out = new char[64];
    for (int i = 0; i < 32; i++) {
      int b = twice[31 - i] & 0xff; // display order is the digest reversed
      out[2 * i] = HEX[b >> 4];
      out[2 * i + 1] = HEX[b & 0xf];
    }
    return new String(out);
  }

  /**
   * Finds where a transaction stands, without {@code -txindex}:
   *
   * <ul>
   *   <li>{@code getrawtransaction txid true [inBlock]}. An answer without a block is
   *       {@link TxStatus.InMempool}. An answer in a block of the best chain (confirmations above 0,
   *       {@code in_active_chain} not false) is {@link TxStatus.Confirmed}, at the height that
   *       {@code getblockheader} gives for that block.
   *   <li>Error -5 with a block named: the transaction is not in that block, so the mempool is asked
   *       ({@code getmempoolentry}): {@code InMempool}, else {@link TxStatus.NotFound}.
   *   <li>Error -5 with no block named: bitcoind without an index searched only its mempool, and a
   *       confirmed transaction answers the same, so the status is {@link TxStatus.Unknown}.
   *   <li>In a block that is (or became, before the header was read) off the best chain: the
   *       transaction may be back in the mempool, which is asked as above (no block named:
   *       {@code Unknown} instead of {@code NotFound}).
   *   <li>Any failure to ask, and any answer about another block than the one asked about (the
   *       named block, or the header of the block the transaction was placed in): {@code Unknown}.
   * </ul>
   *
   * @param txid the transaction
   * @param inBlock a block it may be in
   * @return what bitcoind knows
   */
  @Override
  public TxStatus status(Txid txid, Optional<BlockHash> inBlock) {
    Objects.requireNonNull(txid, "txid");
    Objects.requireNonNull(inBlock, "inBlock");
    TxStatus notInMempool = BitcoindErrors.missingTransaction(inBlock.isPresent());
    try {
      Answers.TxLocation where;
      try {
        where = rpc.call("getrawtransaction", g -> {
          g.writeString(txid.toHex());
          g.writeBoolean(true);
          if (inBlock.isPresent()) {
            g.writeString(inBlock.get().toHex());
          }
        }, Answers.TX_LOCATION);
      } catch (BitcoindException e) {
        if (!BitcoindErrors.isNotFound(e)) {
          throw e;
        }
        return inBlock.isPresent() ? mempoolOr(txid, notInMempool) : notInMempool;
      }
      if (where.block() == null) {
        return new TxStatus.InMempool();
      }
      if (inBlock.isPresent() && !where.block().equals(inBlock.get())) {
        throw BitcoindErrors.answerAboutAnotherBlock("getrawtransaction", rpc.uri(), inBlock.get(), where.block());
      }
      if (where.confirmedOnBestChain()) {
        Answers.Header header = rpc.call("getblockheader", g -> {
          g.writeString(where.block().toHex());
          g.writeBoolean(true);
        }, Answers.HEADER);
        Optional<BlockRef> at = onBestChain(where.block(), header);
        if (at.isPresent()) {
          return new TxStatus.Confirmed(at.get());
        }
      }
      return mempoolOr(txid, notInMempool);
    } catch (BitcoindException e) {
      return BitcoindErrors.unknownStatus(e);
    }
  }

  /**
   * Asks about the transactions in at most three rounds of JSON-RPC batches (of at most
   * {@value #MAX_BATCH_CALLS} calls each) instead of one to three requests per transaction, and gives
   * the answers {@link #status} gives: {@code getmempoolentry} for all of them first; then, for those
   * not in the mempool, {@code getrawtransaction} (with the block named, if any); then
   * {@code getblockheader} once per distinct block that an answer placed a transaction in.
   *
   * <p>The mempool comes first because it is where the Responder's penalties usually are, and
   * because a lookup with a block named makes bitcoind read and parse that whole block from disk,
   * even for a transaction in its mempool: on a node whose disputes share large blocks, that is
   * milliseconds per transaction where a mempool entry takes microseconds.
   *
   * <p>When a whole batch request fails (the node is unreachable, or an answer unreadable), its
   * transactions are {@link TxStatus.Unknown} and nothing more is sent: the transactions not asked
   * about yet are {@code Unknown} too, so a node that is down costs one timeout, not one per batch.
   * A list of one query is asked as {@code status} asks it.
   *
   * @param queries the transactions and the blocks they may be in; the list is not kept
   * @return one answer per query, in order
   * @throws NullPointerException if the list or an element is null
   */
  @Override
  public List<TxStatus> statusAll(List<StatusQuery> queries) {
    List<StatusQuery> qs = List.copyOf(Objects.requireNonNull(queries, "queries"));
    if (qs.size() <= 1) {
      return qs.isEmpty() ? List.of() : List.of(status(qs.get(0).txid(), qs.get(0).inBlock()));
    }
    Rounds rounds = new Rounds();
    TxStatus[] answers = new TxStatus[qs.size()];

    List<Params> mempoolCalls = new ArrayList<>(qs.size());
    for (StatusQuery q : qs) {
      mempoolCalls.add(g -> g.writeString(q.txid().toHex()));
    }
    List<Reply<Boolean>> entries = rounds.ask("getmempoolentry", mempoolCalls, Answers.PRESENT);
    List<Integer> notInMempool = new ArrayList<>();
    List<Params> lookups = new ArrayList<>();
    for (int i = 0; i < qs.size(); i++) {
      BitcoindException error = entries.get(i).error();
      if (error == null) {
        answers[i] = new TxStatus.InMempool();
      } else if (!BitcoindErrors.isNotFound(error)) {
        answers[i] = BitcoindErrors.unknownStatus(error);
      } else {
        StatusQuery q = qs.get(i);
        notInMempool.add(i);
        lookups.add(g -> {
          g.writeString(q.txid().toHex());
          g.writeBoolean(true);
          if (q.inBlock().isPresent()) {
            g.writeString(q.inBlock().get().toHex());
          }
        });
      }
    }

    // Not in the mempool: in the block named (or, on a node with -txindex, any block), or nowhere.
    List<Reply<Answers.TxLocation>> located = rounds.ask("getrawtransaction", lookups, Answers.TX_LOCATION);
    Map<BlockHash, List<Integer>> placedIn = new LinkedHashMap<>();
    for (int k = 0; k < notInMempool.size(); k++) {
      int i = notInMempool.get(k);
      StatusQuery q = qs.get(i);
      Reply<Answers.TxLocation> reply = located.get(k);
      Answers.TxLocation where = reply.value();
      if (reply.error() != null) {
        answers[i] = BitcoindErrors.isNotFound(reply.error())
            ? BitcoindErrors.missingTransaction(q.inBlock().isPresent())
            : BitcoindErrors.unknownStatus(reply.error());
      } else if (where.block() == null) {
        answers[i] = new TxStatus.InMempool(); // it arrived between the two rounds
      } else if (q.inBlock().isPresent() && !where.block().equals(q.inBlock().get())) {
        answers[i] = BitcoindErrors.unknownStatus(
            BitcoindErrors.answerAboutAnotherBlock("getrawtransaction", rpc.uri(), q.inBlock().get(), where.block()));
      } else if (where.confirmedOnBestChain()) {
        placedIn.computeIfAbsent(where.block(), b -> new ArrayList<>(1)).add(i);
      } else {
        answers[i] = BitcoindErrors.missingTransaction(q.inBlock().isPresent()); // in a stale block only
      }
    }

    List<BlockHash> blocks = new ArrayList<>(placedIn.keySet());
    List<Params> headerCalls = new ArrayList<>(blocks.size());
    for (BlockHash b : blocks) {
      headerCalls.add(g -> {
        g.writeString(b.toHex());
        g.writeBoolean(true);
      });
    }
    List<Reply<Answers.Header>> headers = rounds.ask("getblockheader", headerCalls, Answers.HEADER);
    for (int k = 0; k < blocks.size(); k++) {
      BlockHash block = blocks.get(k);
      Reply<Answers.Header> reply = headers.get(k);
      Optional<BlockRef> at;
      try {
        at = onBestChain(block, reply.get());
      } catch (BitcoindException e) {
        placedIn.get(block).forEach(i -> answers[i] = BitcoindErrors.unknownStatus(e));
        continue;
      }
      for (int i : placedIn.get(block)) {
        answers[i] = at.isPresent() ? new TxStatus.Confirmed(at.get())
            : BitcoindErrors.missingTransaction(qs.get(i).inBlock().isPresent()); // its block went stale
      }
    }
    log.atDebug().addKeyValue("transactions", qs.size()).addKeyValue("requests", rounds.requests)
        .log("status batch");
    return List.of(answers);
  }

  /**
   * The batch requests of one {@link #statusAll}: each round's calls in batches of at most
   * {@code maxBatchCalls}; after a request fails as a whole, every later call gets its error unsent.
   */
  private final class Rounds {
    private @Nullable BitcoindException failed;
    private int requests;

    <T> List<Reply<T>> ask(String method, List<Params> params, JsonRpcClient.ResultReader<T> reader) {
      List<Reply<T>> replies = new ArrayList<>(params.size());
      for (int start = 0; start < params.size(); start += maxBatchCalls) {
        List<Params> batch = params.subList(start, Math.min(params.size(), start + maxBatchCalls));
        if (failed == null) {
          try {
            requests++;
            replies.addAll(rpc.batch(method, batch, reader));
            continue;
          } catch (BitcoindException e) {
            failed = e;
            log.atWarn().addKeyValue("method", method).addKeyValue("calls", batch.size())
                .addKeyValue("notSent", params.size() - start - batch.size()).addKeyValue("reason", e.getMessage())
                .log("a batch of status lookups failed as a whole; the rest are not asked");
          }
        }
        replies.addAll(Collections.nCopies(batch.size(), new Reply<>(null, failed)));
      }
      return replies;
    }
  }

  /**
   * Where {@code block} stands by its header: on the best chain at the header's height, or empty
   * when off it.
   *
   * @throws BitcoindException if the header is another block's (its height would place the
   *     confirmation in the wrong block)
   */
  private Optional<BlockRef> onBestChain(BlockHash block, Answers.Header header) {
    if (!header.hash().equals(block)) {
      throw BitcoindErrors.answerAboutAnotherBlock("getblockheader", rpc.uri(), block, header.hash());
    }
    return header.onBestChain() ? Optional.of(new BlockRef(block, header.height())) : Optional.empty();
  }

  private TxStatus mempoolOr(Txid txid, TxStatus otherwise) {
    try {
      rpc.call("getmempoolentry", g -> g.writeString(txid.toHex()), Answers.PRESENT);
      return new TxStatus.InMempool();
    } catch (BitcoindException e) {
      if (BitcoindErrors.isNotFound(e)) {
        return otherwise;
      }
      throw e;
    }
  }

  private static char[] hex(byte[] bytes) {
    char[] out = new char[bytes.length * 2];
    for (int i = 0; i < bytes.length; i++) {
      out[2 * i] = HEX[(bytes[i] >> 4) & 0xf];
      out[2 * i + 1] = HEX[bytes[i] & 0xf];
    }
    return out;
  }

  @Override
  public String toString() {
    return "BitcoindCarrier{" + rpc.uri() + ", maxFeeRate=" + maxFeeRate.toPlainString() + "}";
  }
}
