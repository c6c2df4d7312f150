package io.responder.core;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * A feerate in satoshis per 1,000 virtual bytes (sat/kvB), the precision bitcoind's fee policy works
 * in: 1 sat/vB is 1,000 sat/kvB, and bitcoind's default minimum relay feerate, 0.1 sat/vB, is 100.
 *
 * <p>Values are not negative and at most {@link #MAX_SAT_PER_KVB}. Ordered from the lowest feerate
 * to the highest; equal when the sat/kvB are. Instances are immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class FeeRate implements Comparable<FeeRate> {
  /**
   * The highest feerate a value may hold: 1 BTC per virtual byte. No transaction pays that much, and
   * the bound keeps {@link #feeFor(long)} within a {@code long} for any transaction size.
   */
  public static final long MAX_SAT_PER_KVB = 100_000_000_000L;

  /** No fee at all. */
  public static final FeeRate ZERO = new FeeRate(0);

  /** Virtual bytes per kvB. */
  private static final int VBYTES_PER_KVB = 1000;
  /** The largest virtual size of any transaction: a whole block (4,000,000 weight units / 4). */
  private static final long MAX_VSIZE = 1_000_000;

  private final long satPerKvB;

  private FeeRate(long satPerKvB) {
    this.satPerKvB = satPerKvB;
  }

  /**
   * A feerate in sat/kvB.
   *
   * @param satPerKvB satoshis per 1,000 virtual bytes
   * @return the feerate
   * @throws InvalidInputException if negative or above {@link #MAX_SAT_PER_KVB}
   */
  public static FeeRate ofSatPerKvB(long satPerKvB) {
    if (satPerKvB < 0 || satPerKvB > MAX_SAT_PER_KVB) {
      throw new InvalidInputException("feeRate",
          "must be between 0 and " + MAX_SAT_PER_KVB + " sat/kvB, got " + satPerKvB);
    }
    return satPerKvB == 0 ? ZERO : new FeeRate(satPerKvB);
  }

  /**
   * A feerate in whole sat/vB.
   *
   * @param satPerVbyte satoshis per virtual byte
   * @return the feerate
   * @throws InvalidInputException if negative or above {@link #MAX_SAT_PER_KVB} / 1,000
   */
  public static FeeRate ofSatPerVbyte(long satPerVbyte) {
    if (satPerVbyte < 0 || satPerVbyte > MAX_SAT_PER_KVB / VBYTES_PER_KVB) {
      throw new InvalidInputException("feeRate",
          "must be between 0 and " + MAX_SAT_PER_KVB / VBYTES_PER_KVB + " sat/vB, got " + satPerVbyte);
    }
    return ofSatPerKvB(satPerVbyte * VBYTES_PER_KVB);
  }

  /**
   * A feerate given in BTC/kvB, as bitcoind's RPC prints them ({@code 0.00001000} is 1 sat/vB).
   * Fractions of a satoshi per kvB are rounded up, so that the feerate is never below the one given.
   *
   * @param btcPerKvB bitcoins per 1,000 virtual bytes
   * @return the feerate
   * @throws InvalidInputException if null, negative or above {@link #MAX_SAT_PER_KVB}
   */
  public static FeeRate ofBtcPerKvB(BigDecimal btcPerKvB) {
    if (btcPerKvB == null) {
      throw new InvalidInputException("feeRate", "must not be null");
    }
    if (btcPerKvB.signum() < 0 || btcPerKvB.compareTo(BigDecimal.valueOf(MAX_SAT_PER_KVB).movePointLeft(8)) > 0) {
      throw new InvalidInputException("feeRate",
          "must be between 0 and " + BigDecimal.valueOf(MAX_SAT_PER_KVB).movePointLeft(8).toPlainString()
              + " BTC/kvB, got " + btcPerKvB.toPlainString());
    }
    return ofSatPerKvB(btcPerKvB.movePointRight(8).setScale(0, RoundingMode.CEILING).longValueExact());
  }

  /**
   * The feerate of a transaction paying {@code fee} satoshis for {@code vsize} virtual bytes, rounded
   * down to a whole sat/kvB (so a transaction that pays exactly some feerate is never shown above it).
   *
   * @param feeSat the fee in satoshis, not negative
   * @param vsize the virtual size, 1 to 1,000,000
   * @return the feerate
   * @throws InvalidInputException if a value is out of range or the feerate above the maximum
   */
  public static FeeRate ofFee(long feeSat, long vsize) {
    if (vsize < 1 || vsize > MAX_VSIZE) {
      throw new InvalidInputException("vsize", "must be between 1 and " + MAX_VSIZE + ", got " + vsize);
    }
    if (feeSat < 0 || feeSat > MAX_SAT_PER_KVB) {
      throw new InvalidInputException("fee", "must be between 0 and " + MAX_SAT_PER_KVB + " sat, got " + feeSat);
    }
    return ofSatPerKvB(feeSat * VBYTES_PER_KVB / vsize);
  }

  /**
   * Returns the feerate in sat/kvB.
   *
   * @return satoshis per 1,000 virtual bytes
   */
  public long satPerKvB() {
    return satPerKvB;
  }

  /**
   * Returns the feerate in sat/vB, with its fraction.
   *
   * @return satoshis per virtual byte, exact to three decimals
   */
  public BigDecimal satPerVbyte() {
    return BigDecimal.valueOf(satPerKvB, 3);
  }

  /**
   * Returns the fee this feerate asks of a transaction of {@code vsize} virtual bytes, rounded up to a
   * whole satoshi (as bitcoind's mempool does when it compares a fee with a minimum: 0.1 sat/vB of
   * 110 vB is 11 sat).
   *
   * @param vsize the virtual size, 0 to 1,000,000
   * @return the fee in satoshis
   * @throws InvalidInputException if {@code vsize} is out of range
   */
  public long feeFor(long vsize) {
    if (vsize < 0 || vsize > MAX_VSIZE) {
      throw new InvalidInputException("vsize", "must be between 0 and " + MAX_VSIZE + ", got " + vsize);
    }
    return (satPerKvB * vsize + VBYTES_PER_KVB - 1) / VBYTES_PER_KVB;
  }

  /**
   * Returns the higher of this feerate and {@code other}.
   *
   * @param other another feerate
   * @return this one if it is at least {@code other}, else {@code other}
   */
  public FeeRate max(FeeRate other) {
    return compareTo(other) >= 0 ? this : other;
  }

  @Override
  public int compareTo(FeeRate other) {
    return Long.compare(satPerKvB, other.satPerKvB);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FeeRate f && f.satPerKvB == satPerKvB;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(satPerKvB);
  }

  /** Shows the feerate in sat/vB, for example {@code 10.001 sat/vB}. */
  @Override
  public String toString() {
    return satPerVbyte().stripTrailingZeros().toPlainString() + " sat/vB";
  }
}
