package io.responder.it;

import io.responder.core.BlockHash;
import io.responder.core.Txid;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Real regtest transactions and blocks for the scenarios, made on the node: the wallet funds a
 * channel output to a fixed test key, and the dispute and the penalty are signed with
 * {@code signrawtransactionwithkey} by keys the wallet does not own, so the wallet never rebroadcasts
 * them and a node that lost its mempool gets them back only from the Responder.
 *
 * <p>Not thread-safe.
 */
final class Chain {
  /** The channel's key: the funding output pays it, the dispute spends it. */
  static final String CHANNEL_KEY = wif(0x11);
  /** The dispute's output key: the penalty (and a cheater's conflicting sweep) spend it. */
  static final String DISPUTE_OUTPUT_KEY = wif(0x22);
  /** Where penalties pay: the tower's key, not the wallet's. */
  static final String TOWER_KEY = wif(0x33);
  /**
   * Where mined coins go after the wallet's one mature coinbase: a key the wallet does not own, so
   * mining a block costs the node no wallet write (100 blocks take a quarter of a second instead of
   * ten on a loaded machine).
   */
  static final String MINER_KEY = wif(0x44);

  private static final BigDecimal FUNDING = new BigDecimal("1.00000000");
  private static final BigDecimal DISPUTE_VALUE = new BigDecimal("0.99990000");
  private static final BigDecimal PENALTY_VALUE = new BigDecimal("0.99980000");
  private static final BigDecimal CONFLICT_VALUE = new BigDecimal("0.99970000");

  /**
   * A signed transaction and its virtual size as the node computes it. The size is read, not
   * assumed: an ECDSA signature is 71 bytes in most signings but sometimes shorter, so the same
   * shape of transaction is not always the same size.
   */
  record Tx(Txid txid, String hex, long vsize) {}

  /** An output to spend: where it is, its script and its value. */
  private record Output(String txid, int vout, String scriptPubKey, BigDecimal amount) {}

  private final RegtestNode node;
  private final NodeRpc rpc;
  private final String channelAddress;
  private final String disputeOutputAddress;
  private final String towerAddress;

  Chain(RegtestNode node) {
    this.node = node;
    this.rpc = node.rpc();
    this.channelAddress = addressOf(rpc, CHANNEL_KEY);
    this.disputeOutputAddress = addressOf(rpc, DISPUTE_OUTPUT_KEY);
    this.towerAddress = addressOf(rpc, TOWER_KEY);
  }

  // --- transactions ----------------------------------------------------------------------------

  /**
   * Funds a new channel from the wallet and mines the funding, then signs (but does not send) a
   * dispute spending it: a new dispute each call.
   */
  Tx newDispute() {
    String funding = rpc.string("sendtoaddress", channelAddress, FUNDING);
    Output channel = outputTo(funding, channelAddress);
    mine(1);
    return sign(channel, disputeOutputAddress, DISPUTE_VALUE, 0, CHANNEL_KEY);
  }

  /**
   * Funds a new channel from the wallet and mines the funding, then signs (but does not send) a
   * dispute spending it that pays exactly {@code feeSats} (0 for a zero-fee commitment).
   */
  Tx newDispute(long feeSats) {
    String funding = rpc.string("sendtoaddress", channelAddress, FUNDING);
    Output channel = outputTo(funding, channelAddress);
    mine(1);
    return sign(channel, List.of(Map.of(disputeOutputAddress, FUNDING.subtract(btc(feeSats)))), 0, CHANNEL_KEY);
  }

  /** A penalty spending the dispute's output to the tower, paying exactly {@code feeSats}. */
  Tx penaltyPaying(Tx dispute, long feeSats) {
    Output spent = outputOf(dispute, 0);
    return sign(spent, List.of(Map.of(towerAddress, spent.amount().subtract(btc(feeSats)))), 0, DISPUTE_OUTPUT_KEY);
  }

  /**
   * A fee ladder: the same spend of the dispute's output paying each of these fees, lowest first
   * (the first is the penalty itself, the others its variants).
   */
  List<Tx> penaltyLadder(Tx dispute, long... feesSats) {
    List<Tx> ladder = new ArrayList<>();
    for (long fee : feesSats) {
      ladder.add(penaltyPaying(dispute, fee));
    }
    return ladder;
  }

  /**
   * A penalty with two outputs, the tower's and {@code toAddress}'s (a host's wallet, which can
   * spend it to pay for the penalty), paying exactly {@code feeSats}.
   */
  Tx penaltyWithOutputTo(Tx dispute, String toAddress, long toAddressSats, long feeSats) {
    Output spent = outputOf(dispute, 0);
    BigDecimal toTower = spent.amount().subtract(btc(toAddressSats)).subtract(btc(feeSats));
    return sign(spent, List.of(Map.of(towerAddress, toTower), Map.of(toAddress, btc(toAddressSats))), 0,
        DISPUTE_OUTPUT_KEY);
  }

  /** Satoshis as the node's BTC amounts. */
  static BigDecimal btc(long sats) {
    return BigDecimal.valueOf(sats, 8);
  }

  /** BTC amounts as satoshis. */
  static long sats(Object btc) {
    return ((BigDecimal) btc).movePointRight(8).longValueExact();
  }

  /** A penalty spending the dispute's output to the tower, final now. */
  Tx penalty(Tx dispute) {
    return penalty(dispute, 0);
  }

  /** A penalty spending the dispute's output to the tower, not final before {@code lockHeight}. */
  Tx penalty(Tx dispute, int lockHeight) {
    return sign(disputeOutput(dispute), towerAddress, PENALTY_VALUE, lockHeight, DISPUTE_OUTPUT_KEY);
  }

  /** Another spend of the dispute's output (the cheater's sweep): conflicts with the penalty. */
  Tx conflict(Tx dispute) {
    return sign(disputeOutput(dispute), disputeOutputAddress, CONFLICT_VALUE, 0, DISPUTE_OUTPUT_KEY);
  }

  /** Sends a transaction to the node directly, as the cheater or someone else would. */
  void send(Tx tx) {
    rpc.call("sendrawtransaction", tx.hex());
  }

  // --- blocks ----------------------------------------------------------------------------------

  /** Mines {@code n} blocks with whatever the mempool holds. */
  List<BlockHash> mine(int n) {
    return rpc.array("generatetoaddress", n, node.miningAddress()).stream()
        .map(h -> BlockHash.fromHex((String) h)).toList();
  }

  /** Mines one block holding exactly these transactions (txids from the mempool, or raw hex). */
  BlockHash mineWith(Tx... txs) {
    List<Object> hexes = Arrays.stream(txs).map(t -> (Object) t.hex()).toList();
    return BlockHash.fromHex((String) rpc.object("generateblock", node.miningAddress(), hexes).get("hash"));
  }

  /** Mines one block with no transaction; the mempool keeps what it holds. */
  BlockHash mineEmpty() {
    return BlockHash.fromHex((String) rpc.object("generateblock", node.miningAddress(), List.of()).get("hash"));
  }

  /** A block holding these transactions, built on the node's tip but not given to it: the watcher's view. */
  Map<String, Object> blockNotSubmitted(Tx... txs) {
    List<Object> hexes = Arrays.stream(txs).map(t -> (Object) t.hex()).toList();
    return rpc.object("generateblock", node.miningAddress(), hexes, false);
  }

  /** Gives the node a block made by {@link #blockNotSubmitted}: it catches up with the watcher. */
  void submit(Map<String, Object> block) {
    Object refused = rpc.call("submitblock", block.get("hex"));
    if (refused != null) {
      throw new IllegalStateException("the node refused the block: " + refused);
    }
  }

  /** Makes the node's best chain drop {@code block} and everything above it. */
  void invalidate(BlockHash block) {
    rpc.call("invalidateblock", block.toHex());
  }

  int height() {
    return ((Number) rpc.call("getblockcount")).intValue();
  }

  BlockHash bestHash() {
    return BlockHash.fromHex(rpc.string("getbestblockhash"));
  }

  // --- what the node holds ---------------------------------------------------------------------

  /** The node's mempool entry for the transaction ({@code getmempoolentry}); fails when it has none. */
  Map<String, Object> mempoolEntry(Txid txid) {
    return rpc.object("getmempoolentry", txid.toHex());
  }

  /** The txids of a block, coinbase first ({@code getblock} with verbosity 1). */
  @SuppressWarnings("unchecked")
  List<Txid> txidsOf(BlockHash block) {
    return ((List<Object>) rpc.object("getblock", block.toHex(), 1).get("tx")).stream()
        .map(t -> Txid.fromHex((String) t)).toList();
  }

  /** Whether the node's mempool holds the transaction ({@code getmempoolentry}). */
  boolean inMempool(Txid txid) {
    try {
      rpc.call("getmempoolentry", txid.toHex());
      return true;
    } catch (NodeRpc.RpcError e) {
      if (e.code() == -5) {
        return false;
      }
      throw e;
    }
  }

  /**
   * The transaction's confirmations on the node's best chain when it is in {@code block}
   * ({@code getrawtransaction} with the block, since the node has no -txindex); 0 when the block is
   * not on the best chain, -1 when the transaction is not in that block.
   */
  int confirmationsIn(Txid txid, BlockHash block) {
    try {
      Map<String, Object> tx = rpc.object("getrawtransaction", txid.toHex(), true, block.toHex());
      if (!Boolean.TRUE.equals(tx.get("in_active_chain"))) {
        return 0;
      }
      return ((Number) tx.get("confirmations")).intValue();
    } catch (NodeRpc.RpcError e) {
      if (e.code() == -5) {
        return -1;
      }
      throw e;
    }
  }

  // --- helpers ---------------------------------------------------------------------------------

  private Tx sign(Output spent, String to, BigDecimal value, int lockTime, String key) {
    return sign(spent, List.of(Map.of(to, value)), lockTime, key);
  }

  private Tx sign(Output spent, List<Map<String, BigDecimal>> outputs, int lockTime, String key) {
    String unsigned = rpc.string("createrawtransaction",
        List.of(Map.of("txid", spent.txid(), "vout", spent.vout())),
        outputs,
        lockTime);
    Map<String, Object> signed = rpc.object("signrawtransactionwithkey", unsigned, List.of(key),
        List.of(Map.of("txid", spent.txid(), "vout", spent.vout(), "scriptPubKey", spent.scriptPubKey(),
            "amount", spent.amount())));
    if (!Boolean.TRUE.equals(signed.get("complete"))) {
      throw new IllegalStateException("signing failed: " + signed.get("errors"));
    }
    String hex = (String) signed.get("hex");
    Map<String, Object> decoded = rpc.object("decoderawtransaction", hex);
    return new Tx(Txid.fromHex((String) decoded.get("txid")), hex, ((Number) decoded.get("vsize")).longValue());
  }

  /** Output {@code n} of a signed transaction, read from its bytes. */
  @SuppressWarnings("unchecked")
  private Output outputOf(Tx tx, int n) {
    List<Object> outs = (List<Object>) rpc.object("decoderawtransaction", tx.hex()).get("vout");
    Map<String, Object> out = (Map<String, Object>) outs.get(n);
    Map<String, Object> script = (Map<String, Object>) out.get("scriptPubKey");
    return new Output(tx.txid().toHex(), n, (String) script.get("hex"), (BigDecimal) out.get("value"));
  }

  private Output disputeOutput(Tx dispute) {
    return new Output(dispute.txid().toHex(), 0, scriptOf(disputeOutputAddress), DISPUTE_VALUE);
  }

  /** The output of a wallet transaction still in the mempool that pays {@code address}. */
  @SuppressWarnings("unchecked")
  private Output outputTo(String txid, String address) {
    Map<String, Object> tx = rpc.object("getrawtransaction", txid, true);
    for (Object o : (List<Object>) tx.get("vout")) {
      Map<String, Object> out = (Map<String, Object>) o;
      Map<String, Object> script = (Map<String, Object>) out.get("scriptPubKey");
      if (address.equals(script.get("address"))) {
        return new Output(txid, ((Number) out.get("n")).intValue(), (String) script.get("hex"),
            (BigDecimal) out.get("value"));
      }
    }
    throw new IllegalStateException("transaction " + txid + " pays nothing to " + address);
  }

  private String scriptOf(String address) {
    return (String) rpc.object("validateaddress", address).get("scriptPubKey");
  }

  /** The P2WPKH address of a key, as the node derives it from the descriptor {@code wpkh(WIF)}. */
  static String addressOf(NodeRpc rpc, String wif) {
    String descriptor = (String) rpc.object("getdescriptorinfo", "wpkh(" + wif + ")").get("descriptor");
    return (String) rpc.array("deriveaddresses", descriptor).get(0);
  }

  /**
   * A regtest private key in wallet import format, the 32 bytes all {@code b}, compressed: fixed
   * test keys, worthless anywhere, and the same on every run.
   */
  static String wif(int b) {
    byte[] payload = new byte[34];
    payload[0] = (byte) 0xef; // testnet and regtest
    Arrays.fill(payload, 1, 33, (byte) b);
    payload[33] = 0x01; // compressed public key
    byte[] check = sha256(sha256(payload));
    byte[] full = Arrays.copyOf(payload, payload.length + 4);
    System.arraycopy(check, 0, full, payload.length, 4);
    return base58(full);
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String base58(byte[] data) {
    String alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    BigInteger n = new BigInteger(1, data);
    StringBuilder out = new StringBuilder();
    BigInteger base = BigInteger.valueOf(58);
    while (n.signum() > 0) {
      BigInteger[] qr = n.divideAndRemainder(base);
      out.append(alphabet.charAt(qr[1].intValue()));
      n = qr[0];
    }
    for (int i = 0; i < data.length && data[i] == 0; i++) {
      out.append('1');
    }
    return out.reverse().toString();
  }
}
