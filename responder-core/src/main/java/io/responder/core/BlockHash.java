package io.responder.core;

/**
 * A block hash: 32 bytes, shown in display order (as {@code bitcoind} prints it).
 *
 * <p>Instances are immutable and thread-safe; factories validate and throw
 * {@link InvalidInputException} naming the field.
 *
 * @since 0.1.0
 */
public final class BlockHash extends Hash256 {
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
}
