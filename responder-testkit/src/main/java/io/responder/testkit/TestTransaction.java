package io.responder.testkit;

import io.responder.core.Txid;
import io.responder.core.internal.TransactionParser;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A real, parseable Bitcoin transaction made for tests, with its txid. Instances are immutable and
 * thread-safe; the raw bytes are copied out.
 *
 * @since 0.1.0
 */
public final class TestTransaction {
  private final Txid txid;
  private final byte[] raw;

  TestTransaction(Txid txid, byte[] raw) {
    this.txid = Objects.requireNonNull(txid, "txid");
    this.raw = raw.clone();
  }

  /**
   * Wraps a serialised transaction made elsewhere (one recorded from a real node, say), so it can be
   * mined with {@link FakeChain#mineTransactions} or spent by the fee-aware {@link Transactions}.
   *
   * @param raw the serialised transaction, legacy or segwit; copied
   * @return the transaction with its txid
   * @throws io.responder.core.InvalidInputException if the bytes are not one well-formed transaction
   */
  public static TestTransaction fromRaw(byte[] raw) {
    Objects.requireNonNull(raw, "raw");
    byte[] copy = raw.clone();
    return new TestTransaction(TransactionParser.txid("raw", copy), copy);
  }

  /**
   * Returns the txid.
   *
   * @return the txid
   */
  public Txid txid() {
    return txid;
  }

  /**
   * Returns a copy of the serialised transaction.
   *
   * @return the raw bytes
   */
  public byte[] raw() {
    return raw.clone();
  }

  /**
   * Returns the values of the outputs, in satoshis.
   *
   * @return one value per output, in output order
   */
  public List<Long> outputValues() {
    return TransactionParser.parse("raw", raw).outputValues();
  }

  /**
   * Returns the BIP 141 weight: the size without witness data times 3 plus the full size.
   *
   * @return the weight in weight units
   */
  public int weight() {
    return TransactionParser.parse("raw", raw).weight();
  }

  /**
   * Returns the virtual size, as bitcoind counts it for fees: the weight divided by 4, rounded up.
   *
   * @return the vsize in vbytes
   */
  public int vsize() {
    return TransactionParser.parse("raw", raw).vsize();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TestTransaction t && t.txid.equals(txid) && Arrays.equals(t.raw, raw);
  }

  @Override
  public int hashCode() {
    return txid.hashCode();
  }

  @Override
  public String toString() {
    return "TestTransaction{" + txid + "}";
  }
}
