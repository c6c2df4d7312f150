package io.responder.testkit;

import io.responder.core.Txid;
import java.util.Arrays;
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
