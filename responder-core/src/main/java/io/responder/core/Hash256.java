package io.responder.core;

import io.responder.core.internal.Hex;

/**
 * A 32-byte hash shown as 64 hex characters in Bitcoin's usual display order (byte-reversed relative
 * to the serialised form), as bitcoind's RPC and block explorers print it.
 *
 * <p>The bytes are held as four {@code long}s so that equality and hashing cost no array walk and a
 * tracked txid costs 48 bytes of heap. Instances are immutable and thread-safe. Two hashes are equal
 * only when they are of the same kind and hold the same bytes.
 *
 * @since 0.1.0
 */
public abstract sealed class Hash256 permits Txid, BlockHash {
  private final long w0;
  private final long w1;
  private final long w2;
  private final long w3;

  Hash256(long[] words) {
    this(words[0], words[1], words[2], words[3]);
  }

  Hash256(long w0, long w1, long w2, long w3) {
    this.w0 = w0;
    this.w1 = w1;
    this.w2 = w2;
    this.w3 = w3;
  }

  static long[] parse(String field, String hex) {
    return Hex.parseWords(field, hex, 4);
  }

  static long[] fromDisplayBytes(String field, byte[] bytes) {
    if (bytes == null) {
      throw new InvalidInputException(field, "must not be null");
    }
    if (bytes.length != 32) {
      throw new InvalidInputException(field, "must be 32 bytes, got " + bytes.length);
    }
    return Hex.bytesToWords(bytes, 0, 4);
  }

  static long[] fromInternalBytes(String field, byte[] bytes) {
    if (bytes == null || bytes.length != 32) {
      throw new InvalidInputException(field, "must be 32 bytes");
    }
    byte[] reversed = new byte[32];
    for (int i = 0; i < 32; i++) {
      reversed[i] = bytes[31 - i];
    }
    return Hex.bytesToWords(reversed, 0, 4);
  }

  /**
   * Returns the 32 bytes in display order; the array is a fresh copy.
   *
   * @return a new 32-byte array
   */
  public final byte[] toDisplayBytes() {
    return Hex.wordsToBytes(new long[] {w0, w1, w2, w3});
  }

  /**
   * Returns the 64 lower-case hex characters in display order.
   *
   * @return the hex form, as bitcoind prints it
   */
  public final String toHex() {
    return Hex.wordsToHex(new long[] {w0, w1, w2, w3});
  }

  /**
   * Orders by the display-order bytes read as an unsigned number: the order of {@link #toHex()}
   * strings, and of the lowercase hex a database sorts.
   */
  final int compareWords(Hash256 other) {
    for (int i = 0; i < 4; i++) {
      int c = Long.compareUnsigned(word(i), other.word(i));
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  /**
   * Returns eight of the 32 display-order bytes as one big-endian {@code long}: word 0 holds bytes 0
   * to 7 (the first two hex characters of {@link #toHex()} are its top byte), word 3 bytes 24 to 31.
   * Four words are the whole hash, for a caller that keeps many hashes without an object each (see
   * {@link Txid#fromWords}).
   *
   * @param index 0 to 3
   * @return that word
   * @throws IndexOutOfBoundsException if {@code index} is not 0 to 3
   * @since 0.1.0
   */
  public final long word(int index) {
    switch (index) {
      case 0: return w0;
      case 1: return w1;
      case 2: return w2;
      case 3: return w3;
      default: throw new IndexOutOfBoundsException(index);
    }
  }

  @Override
  public final boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (o == null || o.getClass() != getClass()) {
      return false;
    }
    Hash256 h = (Hash256) o;
    return w0 == h.w0 && w1 == h.w1 && w2 == h.w2 && w3 == h.w3;
  }

  @Override
  public final int hashCode() {
    // The words are already uniformly distributed hash output; fold them.
    long x = w0 ^ w1 ^ w2 ^ w3;
    return (int) (x ^ (x >>> 32));
  }

  /** Returns {@link #toHex()}. */
  @Override
  public final String toString() {
    return toHex();
  }
}
