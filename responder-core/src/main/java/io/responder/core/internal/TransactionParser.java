package io.responder.core.internal;

import io.responder.core.InvalidInputException;
import io.responder.core.Txid;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses a serialised Bitcoin transaction, legacy or segwit (BIP 144), far enough to compute its txid,
 * list the outpoints it spends and the values it pays, and weigh it. The txid is the double SHA-256 of
 * the serialisation without the marker, flag and witnesses. Not published API.
 */
public final class TransactionParser {
  /** A transaction can not be larger than a block's weight allows (4,000,000 weight units). */
  private static final int MAX_TRANSACTION_BYTES = 4_000_000;
  /** 21 million bitcoin, in satoshis: no output, nor their sum, can be worth more (bitcoind's MAX_MONEY). */
  private static final long MAX_MONEY_SATS = 21_000_000L * 100_000_000L;
  /** BIP 144's only defined flag: witnesses follow the outputs. */
  private static final int SEGWIT_FLAG = 1;
  /** BIP 141: a non-witness byte weighs 4 units, a witness byte 1. */
  private static final int WITNESS_SCALE_FACTOR = 4;

  /** An outpoint spent by a transaction input. */
  public record Outpoint(Txid txid, long vout) {}

  /**
   * What the parser learnt.
   *
   * @param txid the txid
   * @param inputs the spent outpoints, in input order
   * @param outputValues the value of each output in satoshis, in output order
   * @param weight the BIP 141 weight: the size without witness data times 3 plus the total size
   */
  public record Parsed(Txid txid, List<Outpoint> inputs, List<Long> outputValues, int weight) {
    /**
     * Returns the virtual size, as bitcoind counts it for fees: the weight divided by 4, rounded up.
     *
     * @return the virtual size in vbytes
     */
    public int vsize() {
      return (weight + WITNESS_SCALE_FACTOR - 1) / WITNESS_SCALE_FACTOR;
    }
  }


  private final String field;
  private final byte[] raw;
  private int pos;

  private TransactionParser(String field, byte[] raw) {
    this.field = field;
    this.raw = raw;
  }

  /**
   * Computes the txid of a raw transaction.
   *
   * @param field the field name for errors
   * @param raw the serialised transaction
   * @return its txid
   * @throws InvalidInputException if the bytes are not exactly one well-formed transaction
   */
  public static Txid txid(String field, byte[] raw) {
    return parse(field, raw).txid();
  }

  /**
   * Sums the values of a raw transaction's outputs.
   *
   * @param field the field name for errors
   * @param raw the serialised transaction
   * @return the total in satoshis
   * @throws InvalidInputException if the bytes are not exactly one well-formed transaction
   */
  public static long outputTotal(String field, byte[] raw) {
    long total = 0;
    for (long v : parse(field, raw).outputValues()) {
      total += v; // no overflow: the parser refuses a total above all bitcoin there can be
    }
    return total;
  }

  /**
   * Parses a raw transaction.
   *
   * @param field the field name for errors
   * @param raw the serialised transaction
   * @return its txid and inputs
   * @throws InvalidInputException if the bytes are not exactly one well-formed transaction
   */
  public static Parsed parse(String field, byte[] raw) {
    if (raw == null) {
      throw new InvalidInputException(field, "must not be null");
    }
    if (raw.length > MAX_TRANSACTION_BYTES) {
      throw new InvalidInputException(field, "is larger than any valid transaction");
    }
    return new TransactionParser(field, raw).run();
  }

  private Parsed run() {
    take(4); // version
    boolean segwit = false;
    int bodyStart = pos;
    long inputCount = varInt();
    if (inputCount == 0) {
      // BIP 144: marker 0x00 followed by a flag. A legacy transaction never has zero inputs.
      int flag = u8();
      if (flag == 0) {
        throw bad("has no inputs");
      }
      if (flag != SEGWIT_FLAG) {
        // bitcoind: "Unknown transaction optional data".
        throw bad("has the unknown segwit flag " + flag + " (only " + SEGWIT_FLAG + " is defined)");
      }
      segwit = true;
      bodyStart = pos;
      inputCount = varInt();
      if (inputCount == 0) {
        throw bad("has no inputs");
      }
    }
    List<Outpoint> inputs = new ArrayList<>((int) Math.min(inputCount, 1024));
    for (long i = 0; i < inputCount; i++) {
      byte[] prev = take(32);
      long vout = u32();
      inputs.add(new Outpoint(Txid.fromInternalBytes(prev), vout));
      take(checkedLength(varInt())); // scriptSig
      take(4); // sequence
    }
    long outputCount = varInt();
    List<Long> values = new ArrayList<>((int) Math.min(outputCount, 1024));
    long outputTotal = 0;
    for (long i = 0; i < outputCount; i++) {
      long value = u64();
      if (value < 0 || value > MAX_MONEY_SATS || (outputTotal += value) > MAX_MONEY_SATS) {
        throw bad("pays more than all bitcoin there can be");
      }
      values.add(value);
      take(checkedLength(varInt())); // scriptPubKey
    }
    int bodyEnd = pos;
    if (segwit) {
      boolean anyWitness = false;
      for (long i = 0; i < inputCount; i++) {
        long items = varInt();
        anyWitness |= items > 0;
        for (long j = 0; j < items; j++) {
          take(checkedLength(varInt()));
        }
      }
      if (!anyWitness) {
        // bitcoind: "Superfluous witness record". The same transaction without marker and flag is
        // the only valid encoding, and the txid must not stand for two different byte strings.
        throw bad("has a segwit marker but every witness is empty");
      }
    }
    int lockTimeStart = pos;
    take(4);
    if (pos != raw.length) {
      throw bad("has " + (raw.length - pos) + " bytes after the end of the transaction");
    }
    MessageDigest sha = sha256();
    sha.update(raw, 0, 4);
    sha.update(raw, bodyStart, bodyEnd - bodyStart);
    sha.update(raw, lockTimeStart, 4);
    byte[] once = sha.digest();
    byte[] twice = sha.digest(once);
    // Without witness data: version, body and lock time; the marker, flag and witnesses only count once.
    int strippedSize = 4 + (bodyEnd - bodyStart) + 4;
    int weight = strippedSize * (WITNESS_SCALE_FACTOR - 1) + raw.length;
    return new Parsed(Txid.fromInternalBytes(twice), List.copyOf(inputs), List.copyOf(values), weight);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform provides SHA-256", e);
    }
  }

  private int checkedLength(long length) {
    if (length > raw.length - pos) {
      throw bad("is truncated");
    }
    return (int) length;
  }

  private byte[] take(int n) {
    if (n > raw.length - pos) {
      throw bad("is truncated");
    }
    byte[] out = new byte[n];
    System.arraycopy(raw, pos, out, 0, n);
    pos += n;
    return out;
  }

  private int u8() {
    if (pos >= raw.length) {
      throw bad("is truncated");
    }
    return raw[pos++] & 0xff;
  }

  private long u32() {
    byte[] b = take(4);
    return (b[0] & 0xffL) | (b[1] & 0xffL) << 8 | (b[2] & 0xffL) << 16 | (b[3] & 0xffL) << 24;
  }

  private long u64() {
    byte[] b = take(8);
    long v = 0;
    for (int i = 7; i >= 0; i--) {
      v = (v << 8) | (b[i] & 0xffL);
    }
    return v;
  }

  /** Bitcoin's CompactSize, which bitcoind accepts only in its shortest form. */
  private long varInt() {
    int first = u8();
    if (first < 0xfd) {
      return first;
    }
    int size = first == 0xfd ? 2 : first == 0xfe ? 4 : 8;
    byte[] b = take(size);
    long v = 0;
    for (int i = size - 1; i >= 0; i--) {
      v = (v << 8) | (b[i] & 0xffL);
    }
    long smallestForSize = size == 2 ? 0xfd : size == 4 ? 0x1_0000L : 0x1_0000_0000L;
    if (Long.compareUnsigned(v, smallestForSize) < 0) {
      // bitcoind: "non-canonical ReadCompactSize()".
      throw bad("has a count not in its shortest encoding");
    }
    if (v < 0 || v > MAX_TRANSACTION_BYTES) {
      throw bad("has an impossible count");
    }
    return v;
  }

  private InvalidInputException bad(String problem) {
    return new InvalidInputException(field, "is not a valid Bitcoin transaction: it " + problem);
  }
}
