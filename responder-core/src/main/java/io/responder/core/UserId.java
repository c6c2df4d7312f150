package io.responder.core;

import io.responder.core.internal.Hex;
import java.util.Arrays;

/**
 * The id of a watchtower user: a 33-byte compressed secp256k1 public key (prefix {@code 02} or
 * {@code 03}), shown as 66 hex characters.
 *
 * <p>Only the encoding is checked, not that the point is on the curve: the Responder never uses the
 * key cryptographically. Instances are immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class UserId {
  private static final int LENGTH = 33;

  private final byte[] key;

  private UserId(byte[] key) {
    this.key = key;
  }

  /**
   * Parses 66 hex characters of a compressed public key.
   *
   * @param hex the key
   * @return the user id
   * @throws InvalidInputException if {@code hex} is null, of the wrong length, not hex, or does not
   *     start with {@code 02} or {@code 03}
   */
  public static UserId fromHex(String hex) {
    byte[] bytes = Hex.parseBytes("userId", hex, LENGTH);
    if (bytes[0] != 0x02 && bytes[0] != 0x03) {
      throw new InvalidInputException("userId", "must be a compressed public key starting with 02 or 03");
    }
    return new UserId(bytes);
  }

  /**
   * Returns the 33 key bytes; the array is a fresh copy.
   *
   * @return a new 33-byte array
   */
  public byte[] toBytes() {
    return key.clone();
  }

  /**
   * Returns the 66 lower-case hex characters.
   *
   * @return the hex form
   */
  public String toHex() {
    return Hex.encode(key);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UserId u && Arrays.equals(u.key, key);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(key);
  }

  /** Returns {@link #toHex()}. */
  @Override
  public String toString() {
    return toHex();
  }
}
