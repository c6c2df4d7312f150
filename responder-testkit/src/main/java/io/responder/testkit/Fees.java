package io.responder.testkit;

/**
 * Feerate arithmetic as bitcoind does it, shared by {@link FakeChain} and {@link Transactions}:
 * feerates are held in satoshis per 1000 virtual bytes (bitcoind's resolution, 0.001 sat/vB), the fee
 * a feerate asks of a size is rounded up, and amounts in messages are written as bitcoind writes BTC.
 * Stateless; thread-safe.
 */
final class Fees {
  /** Satoshis in one bitcoin. */
  static final long COIN = 100_000_000L;
  /** Feerates are per 1000 vbytes, as bitcoind's {@code CFeeRate}. */
  private static final long PER_KVB = 1000;
  /** No sane test asks for more than 1 BTC per vbyte; the bound keeps every product inside a long. */
  private static final double MAX_SAT_PER_VB = 100_000_000;

  private Fees() {}

  /**
   * Converts a feerate in sat/vB to sat/kvB.
   *
   * @throws IllegalArgumentException if it is negative, not finite or absurdly high
   */
  static long perKvb(String name, double satPerVbyte) {
    if (!Double.isFinite(satPerVbyte) || satPerVbyte < 0 || satPerVbyte > MAX_SAT_PER_VB) {
      throw new IllegalArgumentException(name + " must be a feerate from 0 to " + (long) MAX_SAT_PER_VB
          + " sat/vB, got " + satPerVbyte);
    }
    return Math.round(satPerVbyte * PER_KVB);
  }

  /** The fee a feerate asks of {@code vsize} vbytes, rounded up as bitcoind's {@code GetFee} does. */
  static long feeFor(long satPerKvb, long vsize) {
    return Math.floorDiv(satPerKvb * vsize + PER_KVB - 1, PER_KVB);
  }

  /** Whether {@code fee} over {@code vsize} is strictly below the feerate. */
  static boolean below(long fee, long vsize, long satPerKvb) {
    return fee * PER_KVB < satPerKvb * vsize;
  }

  /** Compares fee1/vsize1 with fee2/vsize2 exactly (no division). */
  static int compareFeerates(long fee1, long vsize1, long fee2, long vsize2) {
    return Long.compare(fee1 * vsize2, fee2 * vsize1);
  }

  /**
   * Writes satoshis as bitcoind's {@code FormatMoney} writes BTC: eight decimals with trailing zeros
   * dropped down to two ("0.0000165", "0.00000005", "1.00").
   */
  static String btc(long sat) {
    String sign = sat < 0 ? "-" : "";
    long abs = Math.abs(sat);
    String s = sign + (abs / COIN) + "." + String.format("%08d", abs % COIN);
    int end = s.length();
    while (s.charAt(end - 1) == '0' && s.charAt(end - 3) != '.') {
      end--;
    }
    return s.substring(0, end);
  }
}
