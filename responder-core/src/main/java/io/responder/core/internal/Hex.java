package io.responder.core.internal;

import io.responder.core.InvalidInputException;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;

/**
 * Hex parsing and formatting that names the offending field in its errors, over the JDK's
 * {@link HexFormat} (which accepts ASCII hex digits only, either case, and formats lower case). Not
 * published API.
 */
public final class Hex {
  private static final HexFormat HEX = HexFormat.of();

  private Hex() {}

  /**
   * Parses hex of an exact byte length.
   *
   * @param field the field name for errors
   * @param hex the hex text
   * @param length the required number of bytes
   * @return the bytes
   */
  public static byte[] parseBytes(String field, @Nullable String hex, int length) {
    checkLength(field, hex, length);
    return decode(field, hex);
  }

  /**
   * Parses hex of any even length (at least one byte).
   *
   * @param field the field name for errors
   * @param hex the hex text
   * @return the bytes
   */
  public static byte[] decode(String field, @Nullable String hex) {
    if (hex == null) {
      throw new InvalidInputException(field, "must not be null");
    }
    if (hex.isEmpty() || (hex.length() & 1) != 0) {
      throw new InvalidInputException(
          field, "must be a non-empty, even number of hex characters, got " + hex.length());
    }
    checkDigits(field, hex);
    return HEX.parseHex(hex);
  }

  private static void checkLength(String field, @Nullable String hex, int length) {
    if (hex == null) {
      throw new InvalidInputException(field, "must not be null");
    }
    if (hex.length() != 2 * length) {
      throw new InvalidInputException(
          field, "must be " + (2 * length) + " hex characters, got " + hex.length());
    }
  }

  /** Refuses the first character that is not an ASCII hex digit, naming the field and the position. */
  private static void checkDigits(String field, String hex) {
    for (int i = 0; i < hex.length(); i++) {
      if (!HexFormat.isHexDigit(hex.charAt(i))) {
        throw new InvalidInputException(field, "is not hex (bad character at position " + i + ")");
      }
    }
  }

  /**
   * Returns the value of an ASCII hex digit (either case), or -1 for any other character.
   * {@link Character#digit(char, int)} is not used: it also accepts other scripts' digits and the
   * fullwidth forms (U+FF10, U+FF21), which bitcoind rejects, and two different texts must not
   * parse to the same value.
   *
   * @param c the character
   * @return 0 to 15, or -1
   */
  public static int asciiHexDigit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  /**
   * Encodes bytes as lower-case hex.
   *
   * @param bytes the bytes
   * @return the hex text
   */
  public static String encode(byte[] bytes) {
    return HEX.formatHex(bytes);
  }

  /**
   * Parses {@code words * 8} bytes of hex into big-endian words.
   *
   * @param field the field name for errors
   * @param hex the hex text
   * @param words how many 64-bit words
   * @return the words
   */
  public static long[] parseWords(String field, @Nullable String hex, int words) {
    checkLength(field, hex, words * 8);
    checkDigits(field, hex);
    long[] out = new long[words];
    for (int w = 0; w < words; w++) {
      out[w] = HexFormat.fromHexDigitsToLong(hex, 16 * w, 16 * w + 16);
    }
    return out;
  }

  /**
   * Packs bytes into big-endian words.
   *
   * @param bytes the source
   * @param offset where to start
   * @param words how many words
   * @return the words
   */
  public static long[] bytesToWords(byte[] bytes, int offset, int words) {
    long[] out = new long[words];
    for (int w = 0; w < words; w++) {
      long v = 0;
      for (int i = 0; i < 8; i++) {
        v = (v << 8) | (bytes[offset + w * 8 + i] & 0xffL);
      }
      out[w] = v;
    }
    return out;
  }

  /**
   * Unpacks big-endian words into bytes.
   *
   * @param words the words
   * @return the bytes
   */
  public static byte[] wordsToBytes(long[] words) {
    byte[] out = new byte[words.length * 8];
    for (int w = 0; w < words.length; w++) {
      for (int i = 0; i < 8; i++) {
        out[w * 8 + i] = (byte) (words[w] >>> (56 - 8 * i));
      }
    }
    return out;
  }

  /**
   * Formats big-endian words as lower-case hex.
   *
   * @param words the words
   * @return the hex text
   */
  public static String wordsToHex(long[] words) {
    StringBuilder out = new StringBuilder(words.length * 16);
    for (long w : words) {
      out.append(HEX.toHexDigits(w));
    }
    return out.toString();
  }
}
