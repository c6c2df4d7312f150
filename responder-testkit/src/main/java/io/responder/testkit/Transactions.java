package io.responder.testkit;

import io.responder.core.Txid;
import io.responder.core.internal.TransactionParser;
import java.io.ByteArrayOutputStream;
import java.util.Random;

/**
 * Makes real, legacy-serialised Bitcoin transactions for tests: they parse, hash to their txid, and
 * spend the outpoints they are told to, so a {@link FakeChain} can check inputs and conflicts.
 * Signatures are random bytes; nothing here is valid for a real node. Deterministic for a given
 * {@link Random}. Thread-safe as long as each thread uses its own {@code Random}.
 *
 * @since 0.1.0
 */
public final class Transactions {
  private Transactions() {}

  /**
   * Returns a transaction spending {@code prevTxid:vout} with one output.
   *
   * @param rng the source of the random script bytes and amount
   * @param prevTxid the transaction whose output is spent
   * @param vout the output index
   * @return the transaction
   */
  public static TestTransaction spending(Random rng, Txid prevTxid, int vout) {
    return spending(rng, prevTxid, vout, 1);
  }

  /**
   * Returns a transaction spending {@code prevTxid:vout} with {@code outputs} outputs.
   *
   * @param rng the source of the random script bytes and amounts
   * @param prevTxid the transaction whose output is spent
   * @param vout the output index
   * @param outputs how many outputs, at least 1
   * @return the transaction
   */
  public static TestTransaction spending(Random rng, Txid prevTxid, int vout, int outputs) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(200);
    le32(out, 2);
    out.write(1);
    byte[] prev = prevTxid.toDisplayBytes();
    for (int i = 31; i >= 0; i--) {
      out.write(prev[i]);
    }
    le32(out, vout);
    byte[] scriptSig = new byte[107];
    rng.nextBytes(scriptSig);
    out.write(scriptSig.length);
    out.writeBytes(scriptSig);
    le32(out, 0xfffffffd);
    out.write(outputs);
    for (int i = 0; i < outputs; i++) {
      long value = 1_000 + (rng.nextLong() & 0xffffff);
      for (int b = 0; b < 8; b++) {
        out.write((int) (value >>> (8 * b)));
      }
      byte[] script = new byte[22];
      rng.nextBytes(script);
      script[0] = 0x00;
      script[1] = 0x14;
      out.write(script.length);
      out.writeBytes(script);
    }
    le32(out, 0);
    byte[] raw = out.toByteArray();
    return new TestTransaction(TransactionParser.txid("raw", raw), raw);
  }

  /**
   * Returns a transaction spending an outpoint of a random, unknown transaction: to a
   * {@link FakeChain} that is an output confirmed long ago (a channel's funding output, say).
   *
   * @param rng the source of randomness
   * @return the transaction
   */
  public static TestTransaction spendingExternalOutput(Random rng) {
    byte[] prev = new byte[32];
    rng.nextBytes(prev);
    return spending(rng, Txid.fromDisplayBytes(prev), 0, 2);
  }

  private static void le32(ByteArrayOutputStream out, int v) {
    out.write(v);
    out.write(v >>> 8);
    out.write(v >>> 16);
    out.write(v >>> 24);
  }
}
