package io.responder.benchmarks;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Real disputes and penalties, made in bulk on the regtest node: the wallet funds channel outputs
 * with a few transactions of {@value #OUTPUTS_PER_FUNDING} outputs each (one output per channel key
 * in each, since a transaction cannot pay one address twice), each dispute spends one channel output
 * to the dispute key, and each penalty spends its dispute's output to the tower's key (as does a
 * variant paying a higher fee, a fee ladder's second rung). Disputes and penalties are built here
 * (version 2, one input, one output) and signed by the node with
 * {@code signrawtransactionwithkey} in JSON-RPC batches, with keys the wallet does not own, so a node
 * that lost its mempool gets a penalty back only from the Responder. The disputes are mined; the
 * penalties are returned unsent.
 *
 * <p>Not thread-safe.
 */
final class RegtestPenalties {
  /** A signed transaction: its id and raw hex. */
  record Signed(String txid, String hex) {}

  /**
   * A dispute (mined), its penalty (not sent), and a variant of the penalty paying a higher fee (the
   * second rung of a fee ladder; not sent).
   */
  record Pair(Signed dispute, Signed penalty, Signed variant) {}

  static final int OUTPUTS_PER_FUNDING = 500;
  private static final int RPC_BATCH = 500;
  private static final long CHANNEL_SATS = 100_000;
  private static final long FEE_SATS = 1_000;
  private static final HexFormat HEX = HexFormat.of();

  private final RegtestRpc rpc;
  private final String minerAddress;

  private RegtestPenalties(RegtestRpc rpc, String minerAddress) {
    this.rpc = rpc;
    this.minerAddress = minerAddress;
  }

  /** Where the benchmark mines: a key the wallet does not own, so mining costs the wallet nothing. */
  String minerAddress() {
    return minerAddress;
  }

  /**
   * Prepares a fresh node: a wallet with one mature coinbase, the rest mined to a key of no one's.
   */
  static RegtestPenalties prepare(RegtestRpc rpc) {
    rpc.call("createwallet", "bench");
    rpc.call("generatetoaddress", 1, rpc.call("getnewaddress"));
    String miner = addresses(rpc, List.of(wif(key(0x44, 0)))).get(0);
    rpc.call("generatetoaddress", 100, miner);
    return new RegtestPenalties(rpc, miner);
  }

  /** Makes {@code n} disputes, mined, and their penalties, signed and not sent. */
  List<Pair> make(int n) {
    int keys = Math.min(OUTPUTS_PER_FUNDING, n);
    List<String> channelKeys = new ArrayList<>(keys);
    for (int i = 0; i < keys; i++) {
      channelKeys.add(wif(key(0x11, i + 1)));
    }
    List<String> channelAddresses = addresses(rpc, channelKeys);
    List<String> channelScripts = scripts(channelAddresses);
    String disputeKey = wif(key(0x22, 0));
    String disputeScript = scripts(addresses(rpc, List.of(disputeKey))).get(0);
    String towerScript = scripts(addresses(rpc, List.of(wif(key(0x33, 0))))).get(0);

    // Funding: a wallet transaction of one output per channel key, mined before the next (its
    // change funds the next one).
    List<String[]> channels = new ArrayList<>(n); // {txid, vout, key index}
    BigDecimal amount = BigDecimal.valueOf(CHANNEL_SATS, 8);
    while (channels.size() < n) {
      int outputs = Math.min(keys, n - channels.size());
      Map<String, Object> pay = new java.util.LinkedHashMap<>();
      for (int i = 0; i < outputs; i++) {
        pay.put(channelAddresses.get(i), amount);
      }
      String txid = (String) rpc.call("sendmany", "", pay);
      @SuppressWarnings("unchecked")
      List<Object> vouts = (List<Object>) rpc.object("getrawtransaction", txid, true).get("vout");
      for (Object o : vouts) {
        @SuppressWarnings("unchecked")
        Map<String, Object> out = (Map<String, Object>) o;
        @SuppressWarnings("unchecked")
        String address = (String) ((Map<String, Object>) out.get("scriptPubKey")).get("address");
        int k = channelAddresses.indexOf(address);
        if (k >= 0 && k < outputs) {
          channels.add(new String[] {txid, String.valueOf(out.get("n")), String.valueOf(k)});
        }
      }
      rpc.call("generatetoaddress", 1, minerAddress);
    }

    List<Unsigned> disputes = new ArrayList<>(n);
    for (String[] c : channels) {
      int k = Integer.parseInt(c[2]);
      disputes.add(new Unsigned(c[0], Integer.parseInt(c[1]), channelScripts.get(k), CHANNEL_SATS,
          disputeScript, CHANNEL_SATS - FEE_SATS, channelKeys.get(k)));
    }
    List<Signed> signedDisputes = sign(disputes);
    List<Unsigned> penalties = new ArrayList<>(n);
    for (Signed d : signedDisputes) {
      penalties.add(new Unsigned(d.txid(), 0, disputeScript, CHANNEL_SATS - FEE_SATS,
          towerScript, CHANNEL_SATS - 2 * FEE_SATS, disputeKey));
    }
    List<Signed> signedPenalties = sign(penalties);
    List<Unsigned> variants = new ArrayList<>(n);
    for (Signed d : signedDisputes) {
      variants.add(new Unsigned(d.txid(), 0, disputeScript, CHANNEL_SATS - FEE_SATS,
          towerScript, CHANNEL_SATS - 3 * FEE_SATS, disputeKey));
    }
    List<Signed> signedVariants = sign(variants);

    // The disputes go to the node and are mined (a block holds about 9,000 of them).
    List<List<Object>> sends = new ArrayList<>(n);
    for (Signed d : signedDisputes) {
      sends.add(List.of(d.hex()));
    }
    rpc.batch("sendrawtransaction", sends, RPC_BATCH);
    while (((Number) rpc.object("getmempoolinfo").get("size")).longValue() > 0) {
      rpc.call("generatetoaddress", 1, minerAddress);
    }
    List<Pair> pairs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      pairs.add(new Pair(signedDisputes.get(i), signedPenalties.get(i), signedVariants.get(i)));
    }
    return pairs;
  }

  /** A one-input one-output transaction to sign. */
  private record Unsigned(String spentTxid, int vout, String spentScript, long spentSats, String toScript,
      long sats, String key) {
    byte[] serialize() {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      writeLe(out, 2, 4); // version
      out.write(1); // one input
      byte[] prev = HEX.parseHex(spentTxid);
      for (int i = prev.length - 1; i >= 0; i--) {
        out.write(prev[i]);
      }
      writeLe(out, vout, 4);
      out.write(0); // empty scriptSig: a segwit spend
      writeLe(out, 0xffffffffL, 4); // sequence
      out.write(1); // one output
      writeLe(out, sats, 8);
      byte[] script = HEX.parseHex(toScript);
      out.write(script.length);
      out.write(script, 0, script.length);
      writeLe(out, 0, 4); // locktime
      return out.toByteArray();
    }
  }

  private List<Signed> sign(List<Unsigned> txs) {
    List<List<Object>> params = new ArrayList<>(txs.size());
    List<String> txids = new ArrayList<>(txs.size());
    for (Unsigned u : txs) {
      byte[] raw = u.serialize();
      txids.add(txid(raw)); // a segwit spend's txid does not cover its witness
      params.add(List.of(HEX.formatHex(raw), List.of(u.key()), List.of(Map.of("txid", u.spentTxid(), "vout", u.vout(),
          "scriptPubKey", u.spentScript(), "amount", BigDecimal.valueOf(u.spentSats(), 8)))));
    }
    List<Object> answers = rpc.batch("signrawtransactionwithkey", params, RPC_BATCH);
    List<Signed> signed = new ArrayList<>(txs.size());
    for (int i = 0; i < answers.size(); i++) {
      @SuppressWarnings("unchecked")
      Map<String, Object> a = (Map<String, Object>) answers.get(i);
      if (!Boolean.TRUE.equals(a.get("complete"))) {
        throw new IllegalStateException("signing failed: " + a.get("errors"));
      }
      signed.add(new Signed(txids.get(i), (String) a.get("hex")));
    }
    return signed;
  }

  private List<String> scripts(List<String> addresses) {
    List<List<Object>> params = new ArrayList<>();
    for (String a : addresses) {
      params.add(List.of(a));
    }
    List<String> scripts = new ArrayList<>();
    for (Object o : rpc.batch("validateaddress", params, RPC_BATCH)) {
      @SuppressWarnings("unchecked")
      Map<String, Object> m = (Map<String, Object>) o;
      scripts.add((String) m.get("scriptPubKey"));
    }
    return scripts;
  }

  /** P2WPKH addresses of keys, as the node derives them from {@code wpkh(WIF)} descriptors. */
  private static List<String> addresses(RegtestRpc rpc, List<String> wifs) {
    List<List<Object>> info = new ArrayList<>();
    for (String w : wifs) {
      info.add(List.of("wpkh(" + w + ")"));
    }
    List<List<Object>> derive = new ArrayList<>();
    for (Object o : rpc.batch("getdescriptorinfo", info, RPC_BATCH)) {
      @SuppressWarnings("unchecked")
      Map<String, Object> m = (Map<String, Object>) o;
      derive.add(List.of(m.get("descriptor")));
    }
    List<String> addresses = new ArrayList<>();
    for (Object o : rpc.batch("deriveaddresses", derive, RPC_BATCH)) {
      addresses.add((String) ((List<?>) o).get(0));
    }
    return addresses;
  }

  /** A fixed test secret: 28 bytes of {@code fill}, then {@code index} (worthless anywhere). */
  private static byte[] key(int fill, int index) {
    byte[] k = new byte[32];
    Arrays.fill(k, 0, 28, (byte) fill);
    k[28] = (byte) (index >>> 24);
    k[29] = (byte) (index >>> 16);
    k[30] = (byte) (index >>> 8);
    k[31] = (byte) index;
    return k;
  }

  /** A regtest private key in wallet import format, compressed. */
  private static String wif(byte[] secret) {
    byte[] payload = new byte[34];
    payload[0] = (byte) 0xef; // testnet and regtest
    System.arraycopy(secret, 0, payload, 1, 32);
    payload[33] = 0x01; // compressed public key
    byte[] check = sha256(sha256(payload));
    byte[] full = Arrays.copyOf(payload, payload.length + 4);
    System.arraycopy(check, 0, full, payload.length, 4);
    String alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    BigInteger v = new BigInteger(1, full);
    StringBuilder s = new StringBuilder();
    BigInteger base = BigInteger.valueOf(58);
    while (v.signum() > 0) {
      BigInteger[] qr = v.divideAndRemainder(base);
      s.append(alphabet.charAt(qr[1].intValue()));
      v = qr[0];
    }
    for (int i = 0; i < full.length && full[i] == 0; i++) {
      s.append('1');
    }
    return s.reverse().toString();
  }

  private static String txid(byte[] raw) {
    byte[] h = sha256(sha256(raw));
    for (int i = 0; i < h.length / 2; i++) {
      byte t = h[i];
      h[i] = h[h.length - 1 - i];
      h[h.length - 1 - i] = t;
    }
    return HEX.formatHex(h);
  }

  private static void writeLe(ByteArrayOutputStream out, long v, int bytes) {
    for (int i = 0; i < bytes; i++) {
      out.write((int) (v >>> (8 * i)) & 0xff);
    }
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
