package io.responder.core;

/**
 * A transaction id: 32 bytes, shown in display order (as {@code bitcoind} prints it).
 *
 * <p>Instances are immutable and thread-safe; factories validate and throw
 * {@link InvalidInputException} naming the field. Ordered by their display-order bytes read as an
 * unsigned number, which is the order of their {@link #toHex()} strings (consistent with equals).
 *
 * @since 0.1.0
 */
public final class Txid extends Hash256 implements Comparable<Txid> {
  private Txid(long[] words) {
    super(words);
  }

  private Txid(long w0, long w1, long w2, long w3) {
    super(w0, w1, w2, w3);
  }

  /**
   * Parses 64 hex characters (either case) in display order.
   *
   * @param hex the txid as bitcoind prints it
   * @return the txid
   * @throws InvalidInputException if {@code hex} is null, not 64 characters long, or not hex
   */
  public static Txid fromHex(String hex) {
    return fromHex("txid", hex);
  }

  /**
   * Parses 64 hex characters, naming {@code field} in any error.
   *
   * @param field the caller's name for the value, used in error messages
   * @param hex the txid as bitcoind prints it
   * @return the txid
   * @throws InvalidInputException if {@code hex} is null, not 64 characters long, or not hex
   */
  public static Txid fromHex(String field, String hex) {
    return new Txid(parse(field, hex));
  }

  /**
   * Wraps 32 bytes given in display order; the array is copied.
   *
   * @param displayBytes 32 bytes, display order
   * @return the txid
   * @throws InvalidInputException if the array is null or not 32 bytes long
   */
  public static Txid fromDisplayBytes(byte[] displayBytes) {
    return new Txid(fromDisplayBytes("txid", displayBytes));
  }

  /**
   * Makes the txid whose {@linkplain #word(int) words} are these: the inverse of reading its four
   * words. Every value is a txid, so nothing is checked.
   *
   * @param w0 display-order bytes 0 to 7, big-endian
   * @param w1 bytes 8 to 15
   * @param w2 bytes 16 to 23
   * @param w3 bytes 24 to 31
   * @return the txid
   * @since 0.1.0
   */
  public static Txid fromWords(long w0, long w1, long w2, long w3) {
    return new Txid(w0, w1, w2, w3);
  }

  /**
   * Wraps the 32 bytes of a double-SHA256 digest as serialised inside transactions (internal order).
   *
   * @param internalBytes 32 bytes, internal (little-endian) order
   * @return the txid
   * @throws InvalidInputException if the array is null or not 32 bytes long
   */
  public static Txid fromInternalBytes(byte[] internalBytes) {
    return new Txid(fromInternalBytes("txid", internalBytes));
  }

  /**
   * Returns the locator of this txid when it is a dispute txid: its first 16 display-order bytes.
   *
   * @return the locator a watcher derives from this dispute txid
   */
  public Locator locator() {
    return Locator.of(word(0), word(1));
  }

  /**
   * Compares in display order, as {@link #toHex()} strings compare.
   *
   * @param other the txid to compare with
   * @return negative, zero or positive as this one sorts before, with or after {@code other}
   */
  @Override
  public int compareTo(Txid other) {
    return compareWords(other);
  }
}
