package io.responder.core;

/**
 * A block hash: 32 bytes, shown in display order (as {@code bitcoind} prints it).
 *
 * <p>Instances are immutable and thread-safe; factories validate and throw
 * {@link InvalidInputException} naming the field. Ordered by their display-order bytes read as an
 * unsigned number, which is the order of their {@link #toHex()} strings (consistent with equals).
 *
 * @since 0.1.0
 */
public final class BlockHash extends Hash256 implements Comparable<BlockHash> {
  private BlockHash(long[] words) {
    super(words);
  }

  /**
   * Parses 64 hex characters (either case) in display order.
   *
   * @param hex the block hash as bitcoind prints it
   * @return the block hash
   * @throws InvalidInputException if {@code hex} is null, not 64 characters long, or not hex
   */
  public static BlockHash fromHex(String hex) {
    return fromHex("blockHash", hex);
  }

  /**
   * Parses 64 hex characters, naming {@code field} in any error.
   *
   * @param field the caller's name for the value, used in error messages
   * @param hex the block hash as bitcoind prints it
   * @return the block hash
   * @throws InvalidInputException if {@code hex} is null, not 64 characters long, or not hex
   */
  public static BlockHash fromHex(String field, String hex) {
    return new BlockHash(parse(field, hex));
  }

  /**
   * Wraps 32 bytes given in display order; the array is copied.
   *
   * @param displayBytes 32 bytes, display order
   * @return the block hash
   * @throws InvalidInputException if the array is null or not 32 bytes long
   */
  public static BlockHash fromDisplayBytes(byte[] displayBytes) {
    return new BlockHash(fromDisplayBytes("blockHash", displayBytes));
  }

  /**
   * Compares in display order, as {@link #toHex()} strings compare.
   *
   * @param other the block hash to compare with
   * @return negative, zero or positive as this one sorts before, with or after {@code other}
   */
  @Override
  public int compareTo(BlockHash other) {
    return compareWords(other);
  }
}
