package io.responder.testkit;

import io.responder.core.Txid;
import io.responder.core.internal.TransactionParser;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * Makes real Bitcoin transactions for tests: they parse, hash to their txid, and spend the outpoints
 * they are told to, so a {@link FakeChain} can check inputs and conflicts. Signatures are random
 * bytes; nothing here is valid for a real node. Deterministic for a given {@link Random}. Thread-safe
 * as long as each thread uses its own {@code Random}.
 *
 * <h2>Two kinds</h2>
 * {@link #spending} and {@link #spendingExternalOutput} make legacy transactions with arbitrary
 * output values: their fees mean nothing, which is fine while the fee market is off. The fee-aware
 * builders ({@link #funding}, {@link #spendingWithFee}, {@link #spendingAtFeerate}, {@link #ladder},
 * {@link #childForPackage}) make segwit transactions shaped like P2WPKH spends (one input, a 71-byte
 * signature and a 33-byte key as witness, P2WPKH outputs: 110 vB with one output, 141 vB with two, as
 * bitcoind measures such transactions) whose output values are chosen so that the fee, the value of
 * the spent output less the outputs, is exactly what was asked. Feerates are in sat/vB with
 * bitcoind's resolution (0.001 sat/vB) and its rounding: the fee is the feerate times the vsize,
 * rounded up.
 *
 * @since 0.1.0
 */
public final class Transactions {
  /** A DER signature with its sighash byte is 71 or 72 bytes; 71 gives bitcoind's usual 110 vB. */
  private static final int SIGNATURE_BYTES = 71;
  /** A compressed public key. */
  private static final int PUBKEY_BYTES = 33;
  /** A P2WPKH output script: OP_0, push 20, the key hash. */
  private static final int P2WPKH_SCRIPT_BYTES = 22;
  /** Opts in to replacement (BIP 125) and allows relative timelocks, as Lightning transactions do. */
  private static final int SEQUENCE = 0xfffffffd;

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

  /**
   * Returns a segwit transaction spending an outpoint of a random, unknown transaction with outputs of
   * the given values: a coin to build fee-aware transactions on. Its own fee is unknown to a
   * {@link FakeChain} (the value of what it spends is not known), but once the chain has seen it (mined
   * with {@link FakeChain#mineTransactions}, or broadcast) the fees of its spenders are known.
   *
   * @param rng the source of randomness
   * @param outputValues the values of its outputs in satoshis, at least one, none negative
   * @return the transaction
   * @throws IllegalArgumentException if there is no output or a value is negative
   */
  public static TestTransaction funding(Random rng, long... outputValues) {
    Objects.requireNonNull(rng, "rng");
    Objects.requireNonNull(outputValues, "outputValues");
    if (outputValues.length == 0) {
      throw new IllegalArgumentException("outputValues must hold at least one value");
    }
    for (long v : outputValues) {
      if (v < 0) {
        throw new IllegalArgumentException("outputValues must not be negative, got " + v);
      }
    }
    byte[] prev = new byte[32];
    rng.nextBytes(prev);
    Shape shape = Shape.random(rng, outputValues.length);
    return shape.build(Txid.fromDisplayBytes(prev), 0, outputValues.clone());
  }

  /**
   * Returns a segwit transaction spending {@code parent}'s output {@code vout} with {@code outputs}
   * outputs that pay exactly {@code feeSat} in fees (zero included: a zero-fee parent for a package).
   * The first output takes what does not divide evenly.
   *
   * @param rng the source of randomness
   * @param parent the transaction whose output is spent
   * @param vout the output index
   * @param feeSat the fee in satoshis, at least 0
   * @param outputs how many outputs, from 1 to 252
   * @return the transaction
   * @throws IllegalArgumentException if the output does not exist or holds less than the fee, or an
   *     argument is out of range
   */
  public static TestTransaction spendingWithFee(Random rng, TestTransaction parent, int vout, long feeSat, int outputs) {
    Objects.requireNonNull(rng, "rng");
    Objects.requireNonNull(parent, "parent");
    if (feeSat < 0) {
      throw new IllegalArgumentException("feeSat must be at least 0, got " + feeSat);
    }
    Shape shape = Shape.random(rng, checkOutputs(outputs));
    return shape.build(parent.txid(), vout, split(spendable(parent, vout, feeSat), outputs));
  }

  /**
   * Returns a segwit transaction with one output spending {@code parent}'s output {@code vout} at
   * {@code satPerVbyte}: its fee is the feerate times its vsize (110 vB), rounded up.
   *
   * @param rng the source of randomness
   * @param parent the transaction whose output is spent
   * @param vout the output index
   * @param satPerVbyte the feerate in sat/vB, at least 0
   * @return the transaction
   * @throws IllegalArgumentException if the output does not exist or holds less than the fee, or the
   *     feerate is negative or not finite
   */
  public static TestTransaction spendingAtFeerate(Random rng, TestTransaction parent, int vout, double satPerVbyte) {
    return spendingAtFeerate(rng, parent, vout, satPerVbyte, 1);
  }

  /**
   * Returns a segwit transaction with {@code outputs} outputs spending {@code parent}'s output
   * {@code vout} at {@code satPerVbyte}: its fee is the feerate times its vsize, rounded up. The
   * first output takes what does not divide evenly.
   *
   * @param rng the source of randomness
   * @param parent the transaction whose output is spent
   * @param vout the output index
   * @param satPerVbyte the feerate in sat/vB, at least 0
   * @param outputs how many outputs, from 1 to 252
   * @return the transaction
   * @throws IllegalArgumentException if the output does not exist or holds less than the fee, or an
   *     argument is out of range
   */
  public static TestTransaction spendingAtFeerate(Random rng, TestTransaction parent, int vout, double satPerVbyte,
      int outputs) {
    Objects.requireNonNull(rng, "rng");
    Objects.requireNonNull(parent, "parent");
    long perKvb = Fees.perKvb("satPerVbyte", satPerVbyte);
    Shape shape = Shape.random(rng, checkOutputs(outputs));
    long fee = Fees.feeFor(perKvb, shape.vsize());
    return shape.build(parent.txid(), vout, split(spendable(parent, vout, fee), outputs));
  }

  /**
   * Returns a fee ladder: variants of one transaction, each spending {@code parent}'s output
   * {@code vout} to the same output script, at increasing feerates; each has its own txid, and any two
   * conflict (a node replaces the lower by the higher when the step pays the incremental relay fee).
   *
   * @param rng the source of randomness
   * @param parent the transaction whose output every variant spends
   * @param vout the output index
   * @param satPerVbyte the feerates in sat/vB, at least one, strictly increasing, each giving a
   *     higher fee than the one before
   * @return the variants, lowest feerate first
   * @throws IllegalArgumentException if the feerates are missing, not increasing, or ask more than the
   *     output holds
   */
  public static List<TestTransaction> ladder(Random rng, TestTransaction parent, int vout, double... satPerVbyte) {
    Objects.requireNonNull(rng, "rng");
    Objects.requireNonNull(parent, "parent");
    Objects.requireNonNull(satPerVbyte, "satPerVbyte");
    if (satPerVbyte.length == 0) {
      throw new IllegalArgumentException("satPerVbyte must hold at least one feerate");
    }
    Shape shape = Shape.random(rng, 1);
    List<TestTransaction> out = new ArrayList<>();
    long previousFee = -1;
    for (double rate : satPerVbyte) {
      long fee = Fees.feeFor(Fees.perKvb("satPerVbyte", rate), shape.vsize());
      if (fee <= previousFee) {
        throw new IllegalArgumentException("satPerVbyte must increase, and each step raise the fee: " + rate
            + " sat/vB gives " + fee + " sat after " + previousFee + " sat");
      }
      previousFee = fee;
      out.add(shape.resigned(rng).build(parent.txid(), vout, new long[] {spendable(parent, vout, fee)}));
    }
    return out;
  }

  /**
   * Returns a child with one output spending {@code parent}'s output {@code vout} that brings the
   * package (parent and child) to {@code packageSatPerVbyte}: its fee is the package feerate times
   * both vsizes, rounded up, less what the parent pays (never below zero).
   *
   * @param rng the source of randomness
   * @param parent the transaction whose output is spent
   * @param parentFeeSat the parent's own fee in satoshis (see {@link FakeChain#fee})
   * @param vout the output index
   * @param packageSatPerVbyte the package feerate in sat/vB, at least 0
   * @return the child
   * @throws IllegalArgumentException if the output does not exist or holds less than the fee, or an
   *     argument is out of range
   */
  public static TestTransaction childForPackage(Random rng, TestTransaction parent, long parentFeeSat, int vout,
      double packageSatPerVbyte) {
    Objects.requireNonNull(rng, "rng");
    Objects.requireNonNull(parent, "parent");
    if (parentFeeSat < 0) {
      throw new IllegalArgumentException("parentFeeSat must be at least 0, got " + parentFeeSat);
    }
    long perKvb = Fees.perKvb("packageSatPerVbyte", packageSatPerVbyte);
    Shape shape = Shape.random(rng, 1);
    long fee = Math.max(0, Fees.feeFor(perKvb, (long) parent.vsize() + shape.vsize()) - parentFeeSat);
    return shape.build(parent.txid(), vout, new long[] {spendable(parent, vout, fee)});
  }

  private static int checkOutputs(int outputs) {
    if (outputs < 1 || outputs > 252) {
      throw new IllegalArgumentException("outputs must be from 1 to 252, got " + outputs);
    }
    return outputs;
  }

  /** What the outputs of a spender of {@code parent:vout} may hold after paying {@code fee}. */
  private static long spendable(TestTransaction parent, int vout, long fee) {
    List<Long> values = parent.outputValues();
    if (vout < 0 || vout >= values.size()) {
      throw new IllegalArgumentException("vout " + vout + " does not exist: " + parent + " has " + values.size()
          + " outputs");
    }
    long value = values.get(vout);
    if (value < fee) {
      throw new IllegalArgumentException("output " + vout + " of " + parent + " holds " + value
          + " sat, less than the fee of " + fee + " sat");
    }
    return value - fee;
  }

  private static long[] split(long total, int outputs) {
    long[] values = new long[outputs];
    Arrays.fill(values, total / outputs);
    values[0] += total % outputs;
    return values;
  }

  /**
   * The random parts of a P2WPKH-shaped spend, fixed before the values are chosen so that the size
   * (which values do not change) is known first.
   */
  private record Shape(byte[] signature, byte[] pubkey, byte[][] scripts) {
    static Shape random(Random rng, int outputs) {
      byte[][] scripts = new byte[outputs][];
      for (int i = 0; i < outputs; i++) {
        scripts[i] = new byte[P2WPKH_SCRIPT_BYTES];
        rng.nextBytes(scripts[i]);
        scripts[i][0] = 0x00;
        scripts[i][1] = 0x14;
      }
      return new Shape(randomBytes(rng, SIGNATURE_BYTES), randomBytes(rng, PUBKEY_BYTES), scripts);
    }

    /** The same outputs under a new signature. */
    Shape resigned(Random rng) {
      return new Shape(randomBytes(rng, SIGNATURE_BYTES), pubkey, scripts);
    }

    int vsize() {
      return TransactionParser.parse("raw", serialise(Txid.fromDisplayBytes(new byte[32]), 0, new long[scripts.length]))
          .vsize();
    }

    TestTransaction build(Txid prevTxid, int vout, long[] values) {
      byte[] raw = serialise(prevTxid, vout, values);
      return new TestTransaction(TransactionParser.txid("raw", raw), raw);
    }

    private byte[] serialise(Txid prevTxid, int vout, long[] values) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(256);
      le32(out, 2);
      out.write(0x00); // BIP 144 marker
      out.write(0x01); // and flag
      out.write(1);
      byte[] prev = prevTxid.toDisplayBytes();
      for (int i = 31; i >= 0; i--) {
        out.write(prev[i]);
      }
      le32(out, vout);
      out.write(0); // empty scriptSig: the witness carries the signature
      le32(out, SEQUENCE);
      out.write(scripts.length);
      for (int i = 0; i < scripts.length; i++) {
        le64(out, values[i]);
        out.write(scripts[i].length);
        out.writeBytes(scripts[i]);
      }
      out.write(2); // witness items: signature and key
      out.write(signature.length);
      out.writeBytes(signature);
      out.write(pubkey.length);
      out.writeBytes(pubkey);
      le32(out, 0);
      return out.toByteArray();
    }
  }

  private static byte[] randomBytes(Random rng, int n) {
    byte[] b = new byte[n];
    rng.nextBytes(b);
    return b;
  }

  private static void le64(ByteArrayOutputStream out, long v) {
    for (int b = 0; b < 8; b++) {
      out.write((int) (v >>> (8 * b)));
    }
  }

  private static void le32(ByteArrayOutputStream out, int v) {
    out.write(v);
    out.write(v >>> 8);
    out.write(v >>> 16);
    out.write(v >>> 24);
  }
}
