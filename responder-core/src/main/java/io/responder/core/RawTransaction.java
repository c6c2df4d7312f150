package io.responder.core;

import io.responder.core.internal.TransactionParser;
import java.util.Arrays;

/**
 * A serialised Bitcoin transaction (legacy or segwit) with its txid, as handed to a {@link Carrier}.
 *
 * <p>Valid by construction: the factories parse the bytes and check or compute the txid, and throw
 * {@link InvalidInputException} naming what is wrong (never quoting the bytes). Two values are equal
 * when their bytes are, so a transaction and a copy with another witness (same txid) differ.
 * Instances are immutable and thread-safe; the bytes are copied in and out. {@link #toString()}
 * shows the txid and size only.
 *
 * @since 0.1.0
 */
public final class RawTransaction {
  private final Txid txid;
  private final byte[] bytes;

  private RawTransaction(Txid txid, byte[] bytes) {
    this.txid = txid;
    this.bytes = bytes;
  }

  /**
   * Parses a raw transaction and computes its txid.
   *
   * @param rawTransaction the serialised transaction; copied
   * @return the transaction
   * @throws InvalidInputException if null or not exactly one well-formed transaction
   */
  public static RawTransaction of(byte[] rawTransaction) {
    byte[] copy = copy(rawTransaction);
    return new RawTransaction(TransactionParser.txid("rawTransaction", copy), copy);
  }

  /**
   * Parses a raw transaction and checks that its txid is {@code txid}.
   *
   * @param txid the txid the caller knows the transaction by
   * @param rawTransaction the serialised transaction; copied
   * @return the transaction
   * @throws InvalidInputException if either is null, the bytes are not one well-formed transaction,
   *     or they hash to another txid
   */
  public static RawTransaction of(Txid txid, byte[] rawTransaction) {
    if (txid == null) {
      throw new InvalidInputException("txid", "must not be null");
    }
    RawTransaction parsed = of(rawTransaction);
    if (!parsed.txid.equals(txid)) {
      throw new InvalidInputException("txid", "does not match the txid of rawTransaction (" + parsed.txid + ")");
    }
    return parsed;
  }

  /**
   * Wraps bytes whose txid the caller has already checked (the Responder checks every raw
   * transaction when it takes a breach, and does not hash it again for every broadcast). The bytes
   * are not copied either: callers hand over arrays nothing ever writes (a tracker's own, read with
   * its {@code ...Unsafe} accessors), and {@link #bytes()} copies them out, so the value stays
   * immutable; a rebroadcast storm does not copy every penalty once more.
   */
  static RawTransaction trusted(Txid txid, byte[] rawTransaction) {
    return new RawTransaction(txid, rawTransaction);
  }

  private static byte[] copy(byte[] rawTransaction) {
    if (rawTransaction == null) {
      throw new InvalidInputException("rawTransaction", "must not be null");
    }
    return rawTransaction.clone();
  }

  /**
   * Returns the transaction's id.
   *
   * @return the txid
   */
  public Txid txid() {
    return txid;
  }

  /**
   * Returns the serialised transaction.
   *
   * @return a fresh copy of the bytes
   */
  public byte[] bytes() {
    return bytes.clone();
  }

  /**
   * Returns the serialised size.
   *
   * @return the number of bytes
   */
  public int size() {
    return bytes.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RawTransaction r && r.txid.equals(txid) && Arrays.equals(r.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return txid.hashCode();
  }

  /** Names the transaction by txid and size, never by its bytes. */
  @Override
  public String toString() {
    return "RawTransaction{" + txid + ", " + bytes.length + " bytes}";
  }
}
