package io.responder.bitcoind;

import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import io.responder.core.BroadcastResult;
import io.responder.core.Carrier;
import io.responder.core.TxStatus;
import io.responder.core.Txid;
import java.math.BigDecimal;
import java.util.Objects;
import java.util.Optional;
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
 * <h2>Threading</h2>
 * Instances are thread-safe. Calls block for at most about the configured request timeout (twice,
 * when a rotated cookie forces one retry; {@link #status} makes up to three calls). They never call
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

  private final JsonRpcClient rpc;
  private final BigDecimal maxFeeRate;

  BitcoindCarrier(JsonRpcClient rpc, BigDecimal maxFeeRate) {
    this.rpc = Objects.requireNonNull(rpc, "rpc");
    this.maxFeeRate = Objects.requireNonNull(maxFeeRate, "maxFeeRate");
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
   *   <li>Any failure to ask: {@code Unknown}.
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
      if (where.confirmedOnBestChain()) {
        Answers.Header header = rpc.call("getblockheader", g -> {
          g.writeString(where.block().toHex());
          g.writeBoolean(true);
        }, Answers.HEADER);
        if (header.onBestChain()) {
          return new TxStatus.Confirmed(new BlockRef(where.block(), header.height()));
        }
      }
      return mempoolOr(txid, notInMempool);
    } catch (BitcoindException e) {
      return BitcoindErrors.unknownStatus(e);
    }
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
