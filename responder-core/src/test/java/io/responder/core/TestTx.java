package io.responder.core;

import java.io.ByteArrayOutputStream;

/** Hand-built legacy transactions for value tests: given inputs, one output, a tag in the lock time. */
final class TestTx {
  private TestTx() {}

  /** An output of a transaction. */
  record Out(Txid txid, int vout) {}

  /** A coin outside any package, distinct per {@code n}. */
  static Out coin(int n) {
    byte[] display = new byte[32];
    display[0] = (byte) 0xc0;
    display[31] = (byte) n;
    display[30] = (byte) (n >> 8);
    return new Out(Txid.fromDisplayBytes(display), 0);
  }

  /** Output {@code vout} of {@code tx}. */
  static Out out(RawTransaction tx, int vout) {
    return new Out(tx.txid(), vout);
  }

  /** A transaction spending {@code inputs}, with two outputs and {@code tag} as its lock time. */
  static RawTransaction spending(int tag, Out... inputs) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    le(b, 2, 4); // version
    b.write(inputs.length);
    for (Out in : inputs) {
      byte[] display = in.txid().toDisplayBytes();
      for (int i = 31; i >= 0; i--) {
        b.write(display[i]); // internal byte order
      }
      le(b, in.vout(), 4);
      b.write(0); // empty scriptSig
      le(b, 0xffffffffL, 4);
    }
    b.write(2);
    for (int i = 0; i < 2; i++) {
      le(b, 10_000, 8);
      b.write(1);
      b.write(0x51); // OP_TRUE
    }
    le(b, tag, 4);
    return RawTransaction.of(b.toByteArray());
  }

  private static void le(ByteArrayOutputStream b, long v, int bytes) {
    for (int i = 0; i < bytes; i++) {
      b.write((int) (v >>> (8 * i)) & 0xff);
    }
  }
}
