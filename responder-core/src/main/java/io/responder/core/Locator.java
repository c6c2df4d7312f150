package io.responder.core;

import io.responder.core.internal.Hex;

/**
 * An appointment locator: the first 16 bytes (32 hex characters, display order) of the dispute txid.
 * A watcher finds breaches by matching locators against the txids of each block.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class Locator {
  private final long w0;
  private final long w1;

  private Locator(long w0, long w1) {
    this.w0 = w0;
    this.w1 = w1;
  }

  static Locator of(long w0, long w1) {
    return new Locator(w0, w1);
  }

  /**
   * Parses 32 hex characters (either case).
   *
   * @param hex the locator
   * @return the locator
   * @throws InvalidInputException if {@code hex} is null, not 32 characters long, or not hex
   */
  public static Locator fromHex(String hex) {
    long[] words = Hex.parseWords("locator", hex, 2);
    return new Locator(words[0], words[1]);
  }

  /**
   * Returns the locator of a dispute txid; same as {@link Txid#locator()}.
   *
   * @param disputeTxid the dispute txid
   * @return its locator
   */
  public static Locator of(Txid disputeTxid) {
    return disputeTxid.locator();
  }

  /**
   * Returns the 32 lower-case hex characters.
   *
   * @return the hex form
   */
  public String toHex() {
    return Hex.wordsToHex(new long[] {w0, w1});
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Locator l && l.w0 == w0 && l.w1 == w1;
  }

  @Override
  public int hashCode() {
    long x = w0 ^ w1;
    return (int) (x ^ (x >>> 32));
  }

  /** Returns {@link #toHex()}. */
  @Override
  public String toString() {
    return toHex();
  }
}
