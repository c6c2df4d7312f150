package io.responder.benchmarks;

import io.responder.core.BlockHash;
import io.responder.core.Breach;
import io.responder.core.Txid;
import io.responder.core.UserId;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * Makes breaches by index, deterministically and without keeping any: breach {@code i} of a seed is
 * always the same, so a benchmark can hand the same breach again after its tracker completed, and
 * generating a million of them holds no more memory than one. Each penalty is a real legacy
 * transaction (189 bytes, the size of the trace generator's penalties) whose txid is computed here,
 * so {@link Breach.Builder#build()} accepts it. No raw dispute is given: the Responder only keeps a
 * flag for it. Not thread-safe: one instance per thread.
 */
public final class SyntheticBreaches {
  private static final int SCRIPT_SIG_BYTES = 107;
  private static final int PREV_TXID_OFFSET = 5; // after version (4) and the input count (1)
  private static final int VALUE_OFFSET = PREV_TXID_OFFSET + 32 + 4 + 1 + SCRIPT_SIG_BYTES + 4 + 1;

  private final long seed;
  private final UserId user;
  private final byte[] template;
  private final MessageDigest sha;

  /**
   * Creates a generator.
   *
   * @param seed which family of breaches; two seeds never share a uuid or a txid
   */
  public SyntheticBreaches(long seed) {
    this.seed = seed;
    this.user = UserId.fromHex("02" + hex(mix(seed, -1, 0)) + hex(mix(seed, -1, 1)) + hex(mix(seed, -1, 2))
        + hex(mix(seed, -1, 3)));
    this.template = template();
    try {
      this.sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Returns the uuid of breach {@code i}.
   *
   * @param i the index
   * @return its uuid
   */
  public UUID uuid(long i) {
    return new UUID(mix(seed, i, 10), mix(seed, i, 11));
  }

  /**
   * Returns the raw penalty of breach {@code i}: it spends output 0 of the breach's dispute.
   *
   * @param i the index
   * @return a fresh array
   */
  public byte[] penaltyRaw(long i) {
    byte[] raw = template.clone();
    byte[] dispute = disputeTxid(i).toDisplayBytes();
    for (int k = 0; k < 32; k++) {
      raw[PREV_TXID_OFFSET + k] = dispute[31 - k]; // outpoints are serialised in internal order
    }
    long value = 1_000 + (mix(seed, i, 20) & 0xffffff);
    for (int k = 0; k < 8; k++) {
      raw[VALUE_OFFSET + k] = (byte) (value >>> (8 * k));
    }
    return raw;
  }

  /**
   * Returns the txid of breach {@code i}'s penalty.
   *
   * @param i the index
   * @return the txid
   */
  public Txid penaltyTxid(long i) {
    return txidOf(penaltyRaw(i));
  }

  /**
   * Returns the dispute txid of breach {@code i}.
   *
   * @param i the index
   * @return the txid
   */
  public Txid disputeTxid(long i) {
    byte[] b = new byte[32];
    for (int w = 0; w < 4; w++) {
      long v = mix(seed, i, 30 + w);
      for (int k = 0; k < 8; k++) {
        b[w * 8 + k] = (byte) (v >>> (56 - 8 * k));
      }
    }
    return Txid.fromDisplayBytes(b);
  }

  /**
   * Builds breach {@code i}.
   *
   * @param i the index
   * @param seenIn the block the dispute was seen in
   * @param subscriptionEnd the height the subscription ends at, or -1 for none
   * @return the breach
   */
  public Breach breach(long i, BlockHash seenIn, int subscriptionEnd) {
    byte[] raw = penaltyRaw(i);
    Txid dispute = disputeTxid(i);
    Breach.Builder b = Breach.builder()
        .uuid(uuid(i))
        .locator(dispute.locator())
        .disputeTxid(dispute)
        .penaltyTxid(txidOf(raw))
        .penaltyRawTx(raw)
        .userId(user)
        .seenInBlock(seenIn);
    if (subscriptionEnd >= 0) {
      b.subscriptionEndHeight(subscriptionEnd);
    }
    return b.build();
  }

  /**
   * Returns a random-looking txid that no breach of any seed uses: block filler.
   *
   * @param stream which filler stream
   * @param i the index in it
   * @return the txid
   */
  public static Txid fillerTxid(long stream, long i) {
    byte[] b = new byte[32];
    for (int w = 0; w < 4; w++) {
      long v = mix(~stream, i, 100 + w);
      for (int k = 0; k < 8; k++) {
        b[w * 8 + k] = (byte) (v >>> (56 - 8 * k));
      }
    }
    return Txid.fromDisplayBytes(b);
  }

  /**
   * Returns a random-looking block hash.
   *
   * @param stream which stream
   * @param i the index in it
   * @return the hash
   */
  public static BlockHash blockHash(long stream, long i) {
    byte[] b = new byte[32];
    for (int w = 0; w < 4; w++) {
      long v = mix(stream ^ 0x5bd1e995L, i, 200 + w);
      for (int k = 0; k < 8; k++) {
        b[w * 8 + k] = (byte) (v >>> (56 - 8 * k));
      }
    }
    return BlockHash.fromDisplayBytes(b);
  }

  private Txid txidOf(byte[] raw) {
    sha.reset();
    byte[] once = sha.digest(raw);
    return Txid.fromInternalBytes(sha.digest(once));
  }

  private static byte[] template() {
    byte[] raw = new byte[VALUE_OFFSET + 8 + 1 + 22 + 4];
    int p = 0;
    raw[p++] = 2; // version 2, little-endian
    p += 3;
    raw[p++] = 1; // one input
    p += 32 + 4; // previous txid (filled per breach), vout 0
    raw[p++] = (byte) SCRIPT_SIG_BYTES;
    for (int k = 0; k < SCRIPT_SIG_BYTES; k++) {
      raw[p++] = (byte) (0x30 + k); // a stand-in signature: the Responder never checks it
    }
    raw[p++] = (byte) 0xfd; // sequence 0xfffffffd
    raw[p++] = (byte) 0xff;
    raw[p++] = (byte) 0xff;
    raw[p++] = (byte) 0xff;
    raw[p++] = 1; // one output
    p += 8; // value (filled per breach)
    raw[p++] = 22;
    raw[p++] = 0x00; // P2WPKH
    raw[p++] = 0x14;
    for (int k = 0; k < 20; k++) {
      raw[p++] = (byte) (0xa0 + k);
    }
    // lock time 0: the last four bytes stay zero
    return raw;
  }

  private static String hex(long v) {
    return String.format("%016x", v);
  }

  /** SplitMix64's finaliser over (seed, index, lane): cheap, well mixed, reproducible. */
  static long mix(long seed, long index, long lane) {
    long z = seed * 0x9E3779B97F4A7C15L + index * 0xBF58476D1CE4E5B9L + lane * 0x94D049BB133111EBL;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
