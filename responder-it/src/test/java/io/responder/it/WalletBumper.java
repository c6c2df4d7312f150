package io.responder.it;

import io.responder.core.FeeBumper;
import io.responder.core.FeeRate;
import io.responder.core.RawTransaction;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A host's CPFP from the regtest wallet: the penalty pays an output to a wallet address, and the
 * child spends it to another wallet address, built with {@code createrawtransaction} and signed with
 * {@code signrawtransactionwithwallet}. The child pays what brings the package (penalty and child)
 * to the feerate asked: the penalty's own fee is read from the node (the outputs it spends, with
 * {@code gettxout}, less the outputs it pays), its size and the child's from
 * {@code decoderawtransaction}.
 *
 * <p>{@link #overpayNext} makes the next child pay a multiple of that, to show what the Responder
 * does with a child above its cap. The declared fee is always the fee the child really pays.
 * Records every child it offered. Not thread-safe (the Responder calls it one call at a time).
 */
final class WalletBumper implements FeeBumper {
  /** A child the bumper offered: its fee, the package feerate asked, and the sizes and fees behind it. */
  record Offer(RawTransaction child, long feeSats, FeeRate asked, long maxFeeSats, long parentFeeSats,
      long parentVsize, long childVsize) {}

  private static final HexFormat HEX = HexFormat.of();

  private final NodeRpc rpc;
  private final String walletAddress;
  private final List<Offer> offers = new ArrayList<>();
  private int overpay = 1;

  /** @param walletAddress the wallet address the penalty pays (from {@code getnewaddress}) */
  WalletBumper(NodeRpc rpc, String walletAddress) {
    this.rpc = rpc;
    this.walletAddress = walletAddress;
  }

  /** The next child pays {@code times} what the package needs (and declares it). */
  void overpayNext(int times) {
    this.overpay = times;
  }

  List<Offer> offers() {
    return List.copyOf(offers);
  }

  @Override
  @SuppressWarnings("unchecked")
  public Optional<Bump> childFor(RawTransaction penalty, FeeRate packageFeeRate, long maxFeeSats) {
    Map<String, Object> parent = rpc.object("decoderawtransaction", HEX.formatHex(penalty.bytes()));
    long parentVsize = ((Number) parent.get("vsize")).longValue();
    long parentFee = 0;
    for (Object in : (List<Object>) parent.get("vin")) {
      Map<String, Object> input = (Map<String, Object>) in;
      // The confirmed coin the penalty spends (not the mempool's view, where the penalty may spend it).
      Map<String, Object> coin = rpc.object("gettxout", input.get("txid"), input.get("vout"), false);
      if (coin == null) {
        return Optional.empty(); // the dispute's output is not in the UTXO set: nothing to pay for
      }
      parentFee += Chain.sats(coin.get("value"));
    }
    Map<String, Object> ours = null;
    for (Object o : (List<Object>) parent.get("vout")) {
      Map<String, Object> out = (Map<String, Object>) o;
      parentFee -= Chain.sats(out.get("value"));
      if (walletAddress.equals(((Map<String, Object>) out.get("scriptPubKey")).get("address"))) {
        ours = out;
      }
    }
    if (ours == null) {
      return Optional.empty(); // a penalty that pays this wallet nothing cannot be bumped by it
    }
    long value = Chain.sats(ours.get("value"));
    Map<String, Object> spent = Map.of("txid", penalty.txid().toHex(), "vout", ours.get("n"),
        "scriptPubKey", ((Map<String, Object>) ours.get("scriptPubKey")).get("hex"), "amount", ours.get("value"));
    String to = rpc.string("getnewaddress");

    // Signed at a trial fee to learn the child's size, then at the fee that size asks for. A new
    // signature can change the size by a byte either way: a larger child is priced again at its new
    // size (so the package never pays less than asked), a smaller one keeps its fee (at most one
    // vbyte's worth more). The priced size only grows, so this ends.
    long pricedAt = vsizeOf(signed(spent, to, value - 1000));
    int factor = overpay;
    overpay = 1;
    long fee;
    String hex;
    long childVsize;
    while (true) {
      fee = Math.max(packageFeeRate.feeFor(parentVsize + pricedAt) - parentFee, 0) * factor;
      hex = signed(spent, to, value - fee);
      childVsize = vsizeOf(hex);
      if (childVsize <= pricedAt) {
        break;
      }
      pricedAt = childVsize;
    }
    RawTransaction child = RawTransaction.of(HEX.parseHex(hex));
    offers.add(new Offer(child, fee, packageFeeRate, maxFeeSats, parentFee, parentVsize, childVsize));
    return Optional.of(new Bump(child, fee));
  }

  private long vsizeOf(String hex) {
    return ((Number) rpc.object("decoderawtransaction", hex).get("vsize")).longValue();
  }

  private String signed(Map<String, Object> spent, String to, long valueSats) {
    String unsigned = rpc.string("createrawtransaction",
        List.of(Map.of("txid", spent.get("txid"), "vout", spent.get("vout"))),
        List.of(Map.of(to, Chain.btc(valueSats))));
    Map<String, Object> signed = rpc.object("signrawtransactionwithwallet", unsigned, List.of(spent));
    if (!Boolean.TRUE.equals(signed.get("complete"))) {
      throw new IllegalStateException("the wallet could not sign the child: " + signed.get("errors"));
    }
    return (String) signed.get("hex");
  }

  /** Unused by the Responder; shown in failure messages. */
  @Override
  public String toString() {
    return "WalletBumper{offers=" + offers.size() + "}";
  }
}
