package io.responder.benchmarks;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Writes a workload trace for {@link TraceReplay}: a JSON Lines file, one event a line, made
 * deterministically from a seed (the same options give the same bytes).
 *
 * <p>The lines, in order:
 *
 * <ul>
 *   <li>{@code {"op": "start", "height": H, "hash": B}}: the tip the Responder starts from.
 *   <li>{@code {"op": "confirmed", "txid": T, "height": H}}, zero or more: penalty {@code T} was mined
 *       at {@code H}, at most 99 blocks below the start, so it reaches 100 confirmations (and
 *       completes) during the trace; broadcasting it is answered "already confirmed".
 *   <li>{@code {"op": "breach", "uuid": U, "locator": L, "dispute_txid": D, "dispute_rawtx": DR,
 *       "penalty_txid": P, "penalty_rawtx": PR, "user_id": K, "expiry_height": E}}, one per tracker:
 *       {@code DR} and {@code PR} are parseable legacy-serialised transactions whose txids are
 *       {@code D} and {@code P} (the penalty spends the dispute's first output), {@code L} is the
 *       first 32 hex digits of {@code D}, {@code K} a 33-byte key starting 02 or 03, and {@code E}
 *       the height at which the subscription ends, or {@code null}. Some breaches share the penalty
 *       of an earlier one under another uuid and user. Every dispute is mined at or below the start.
 *   <li>{@code {"op": "block", "hash": B, "prev": PB, "height": H, "txids": [...]}}, one per block
 *       handed to {@code onBlock}. A block whose {@code prev} is not the block before it starts a
 *       reorganisation; the replaced blocks stay in the trace, so a block source built from all
 *       block lines can answer any lookup by hash.
 * </ul>
 *
 * <p>Txids and hashes are 64 hex digits in display (byte-reversed) order. Not thread-safe; one
 * generator writes one trace.
 */
public final class TraceGenerator {
  /** The knobs of a trace; {@link #defaults()} gives a 10,000-tracker, 20-block trace. */
  public record Options(
      int trackers,
      int blocks,
      int txidsPerBlock,
      double confirmFraction,
      double sharedFraction,
      double expiryFraction,
      double preconfirmedFraction,
      int reorgDepth,
      int startHeight,
      long seed) {
    /** Checks the ranges. */
    public Options {
      if (trackers < 0 || blocks < 1 || txidsPerBlock < 0 || reorgDepth < 0 || startHeight < 100) {
        throw new IllegalArgumentException("trackers, txids per block and reorg depth must not be negative, "
            + "blocks must be positive and the start height at least 100, got " + this);
      }
      for (double f : new double[] {confirmFraction, sharedFraction, expiryFraction, preconfirmedFraction}) {
        if (!(f >= 0 && f <= 1)) {
          throw new IllegalArgumentException("fractions must be between 0 and 1, got " + this);
        }
      }
    }

    /**
     * Returns the default options.
     *
     * @return 10,000 trackers, 20 blocks of 4,000 txids, 1% of the unconfirmed penalties confirmed a
     *     block, 5% shared penalties, 5% expiring subscriptions, 2% mined before the start, no
     *     reorganisation, start height 800,000, seed 1
     */
    public static Options defaults() {
      return new Options(10_000, 20, 4_000, 0.01, 0.05, 0.05, 0.02, 0, 800_000, 1);
    }
  }

  private static final HexFormat HEX = HexFormat.of();
  /** The depth at which a confirmed penalty completes. */
  private static final int IRREVOCABLE = 100;

  private final Options o;
  private final Random rng;
  private final Writer out;
  private final MessageDigest sha256;

  private TraceGenerator(Options options, Writer out) {
    this.o = options;
    this.rng = new Random(options.seed());
    this.out = out;
    try {
      this.sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /**
   * Writes a trace.
   *
   * @param options its knobs
   * @param out where the lines go; flushed, not closed
   * @throws IOException if writing fails
   */
  public static void write(Options options, Writer out) throws IOException {
    try {
      new TraceGenerator(options, out).generate();
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    out.flush();
  }

  /**
   * Writes a trace to a file or standard output.
   *
   * @param args {@code [--trackers N] [--blocks N] [--txids-per-block N] [--confirm-fraction F]
   *     [--shared-fraction F] [--expiry-fraction F] [--preconfirmed-fraction F] [--reorg-depth N]
   *     [--start-height N] [--seed N] [--out FILE]}
   * @throws IOException if writing fails
   */
  public static void main(String[] args) throws IOException {
    Options d = Options.defaults();
    int trackers = d.trackers();
    int blocks = d.blocks();
    int txidsPerBlock = d.txidsPerBlock();
    double confirm = d.confirmFraction();
    double shared = d.sharedFraction();
    double expiry = d.expiryFraction();
    double preconfirmed = d.preconfirmedFraction();
    int reorgDepth = d.reorgDepth();
    int startHeight = d.startHeight();
    long seed = d.seed();
    Path file = null;
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      if (flag.equals("--help")) {
        System.out.println("usage: TraceGenerator [--trackers N] [--blocks N] [--txids-per-block N]"
            + " [--confirm-fraction F] [--shared-fraction F] [--expiry-fraction F] [--preconfirmed-fraction F]"
            + " [--reorg-depth N] [--start-height N] [--seed N] [--out FILE]");
        return;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(flag + " needs a value");
      }
      String v = args[++i];
      switch (flag) {
        case "--trackers" -> trackers = Integer.parseInt(v);
        case "--blocks" -> blocks = Integer.parseInt(v);
        case "--txids-per-block" -> txidsPerBlock = Integer.parseInt(v);
        case "--confirm-fraction" -> confirm = Double.parseDouble(v);
        case "--shared-fraction" -> shared = Double.parseDouble(v);
        case "--expiry-fraction" -> expiry = Double.parseDouble(v);
        case "--preconfirmed-fraction" -> preconfirmed = Double.parseDouble(v);
        case "--reorg-depth" -> reorgDepth = Integer.parseInt(v);
        case "--start-height" -> startHeight = Integer.parseInt(v);
        case "--seed" -> seed = Long.parseLong(v);
        case "--out" -> file = Path.of(v);
        default -> throw new IllegalArgumentException("unknown option " + flag + " (see --help)");
      }
    }
    Options options = new Options(trackers, blocks, txidsPerBlock, confirm, shared, expiry, preconfirmed,
        reorgDepth, startHeight, seed);
    if (file == null) {
      write(options, new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16));
    } else {
      try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
        write(options, w);
      }
    }
  }

  /** A breach line's fields; shared penalties copy the transactions of an earlier one. */
  private record BreachLine(String disputeTxid, String disputeRaw, String penaltyTxid, String penaltyRaw) {}

  /** A block of the best chain so far. */
  private record ChainBlock(String hash, int height) {}

  private void generate() {
    int height = o.startHeight();
    String tip = randomHash();
    line("{\"op\": \"start\", \"height\": " + height + ", \"hash\": " + str(tip) + "}");

    // Breaches first, kept in memory, because the "confirmed" lines that precede them name their penalties.
    List<String> breachLines = new ArrayList<>(o.trackers());
    List<BreachLine> made = new ArrayList<>();
    LinkedHashSet<String> penalties = new LinkedHashSet<>();
    for (int i = 0; i < o.trackers(); i++) {
      String userId = (rng.nextBoolean() ? "02" : "03") + randomHash();
      Integer expiry = rng.nextDouble() < o.expiryFraction() ? height + 1 + rng.nextInt(Math.max(1, o.blocks() - 1)) : null;
      BreachLine b;
      if (!made.isEmpty() && rng.nextDouble() < o.sharedFraction()) {
        b = made.get(rng.nextInt(made.size()));
      } else {
        byte[] dispute = transaction(randomHash(), 0, 2);
        String disputeTxid = txid(dispute);
        byte[] penalty = transaction(disputeTxid, 0, 1);
        b = new BreachLine(disputeTxid, HEX.formatHex(dispute), txid(penalty), HEX.formatHex(penalty));
        made.add(b);
        penalties.add(b.penaltyTxid());
      }
      breachLines.add("{\"op\": \"breach\", \"uuid\": " + str(randomHex(16))
          + ", \"locator\": " + str(b.disputeTxid().substring(0, 32))
          + ", \"dispute_txid\": " + str(b.disputeTxid()) + ", \"dispute_rawtx\": " + str(b.disputeRaw())
          + ", \"penalty_txid\": " + str(b.penaltyTxid()) + ", \"penalty_rawtx\": " + str(b.penaltyRaw())
          + ", \"user_id\": " + str(userId) + ", \"expiry_height\": " + (expiry == null ? "null" : expiry) + "}");
    }

    List<String> unconfirmed = new ArrayList<>(penalties);
    Collections.shuffle(unconfirmed, rng);
    // Mined before the start at start - 99 + j: the penalty reaches the irrevocable depth at block j.
    List<String> stillUnconfirmed = new ArrayList<>(unconfirmed.size());
    for (String txid : unconfirmed) {
      if (rng.nextDouble() < o.preconfirmedFraction()) {
        int minedAt = Math.min(height, height - (IRREVOCABLE - 1) + 1 + rng.nextInt(o.blocks()));
        line("{\"op\": \"confirmed\", \"txid\": " + str(txid) + ", \"height\": " + minedAt + "}");
      } else {
        stillUnconfirmed.add(txid);
      }
    }
    breachLines.forEach(this::line);

    List<ChainBlock> chain = new ArrayList<>();
    chain.add(new ChainBlock(tip, height));
    int reorgAfter = o.reorgDepth() > 0 ? o.blocks() / 2 : -1;
    for (int i = 0; i < o.blocks(); i++) {
      int take = Math.min(stillUnconfirmed.size(),
          Math.max(stillUnconfirmed.isEmpty() ? 0 : 1, (int) Math.round(stillUnconfirmed.size() * o.confirmFraction())));
      List<String> confirmed = stillUnconfirmed.subList(0, take);
      extend(chain, new ArrayList<>(confirmed));
      confirmed.clear();
      if (i == reorgAfter && chain.size() > o.reorgDepth()) {
        // Replace the last blocks by a branch one block longer; their penalties are not mined again.
        chain.subList(chain.size() - o.reorgDepth(), chain.size()).clear();
        for (int j = 0; j <= o.reorgDepth(); j++) {
          extend(chain, new ArrayList<>());
        }
      }
    }
  }

  /** Writes a block on top of the chain, holding {@code mined} and filler txids, and appends it. */
  private void extend(List<ChainBlock> chain, List<String> mined) {
    ChainBlock parent = chain.get(chain.size() - 1);
    List<String> txids = mined;
    while (txids.size() < o.txidsPerBlock()) {
      txids.add(randomHash());
    }
    Collections.shuffle(txids, rng);
    ChainBlock block = new ChainBlock(randomHash(), parent.height() + 1);
    StringBuilder s = new StringBuilder(80 + 68 * txids.size());
    s.append("{\"op\": \"block\", \"hash\": ").append(str(block.hash())).append(", \"prev\": ").append(str(parent.hash()))
        .append(", \"height\": ").append(block.height()).append(", \"txids\": [");
    for (int i = 0; i < txids.size(); i++) {
      s.append(i == 0 ? "" : ", ").append(str(txids.get(i)));
    }
    line(s.append("]}").toString());
    chain.add(block);
  }

  /**
   * A legacy-serialised version 2 transaction with one input spending {@code prevTxid:vout} (its
   * signature script is 107 random bytes, the size of a typical signature and key) and
   * {@code outputs} pay-to-witness-key-hash outputs with random amounts and keys.
   */
  private byte[] transaction(String prevTxid, int vout, int outputs) {
    Bytes b = new Bytes();
    b.int32(2);
    b.varint(1);
    byte[] prev = HEX.parseHex(prevTxid);
    reverse(prev);
    b.raw(prev);
    b.int32(vout);
    b.varint(107);
    b.raw(randomBytes(107));
    b.int32(0xFFFFFFFD);
    b.varint(outputs);
    for (int i = 0; i < outputs; i++) {
      b.int64(1_000 + rng.nextInt(9_999_000));
      b.varint(22);
      b.raw(new byte[] {0x00, 0x14});
      b.raw(randomBytes(20));
    }
    b.int32(0);
    return b.toByteArray();
  }

  /** Double SHA-256 of the serialisation, in display order. */
  private String txid(byte[] raw) {
    byte[] once = sha256.digest(raw);
    byte[] twice = sha256.digest(once);
    reverse(twice);
    return HEX.formatHex(twice);
  }

  private String randomHash() {
    return randomHex(32);
  }

  private String randomHex(int bytes) {
    return HEX.formatHex(randomBytes(bytes));
  }

  private byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    rng.nextBytes(b);
    return b;
  }

  private void line(String text) {
    try {
      out.write(text);
      out.write('\n');
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A JSON string of hex digits or ids, which never need escaping. */
  private static String str(String s) {
    return '"' + s + '"';
  }

  private static void reverse(byte[] b) {
    for (int i = 0, j = b.length - 1; i < j; i++, j--) {
      byte t = b[i];
      b[i] = b[j];
      b[j] = t;
    }
  }

  /** A little-endian byte sink. */
  private static final class Bytes {
    private byte[] buf = new byte[256];
    private int size;

    void raw(byte[] bytes) {
      ensure(bytes.length);
      System.arraycopy(bytes, 0, buf, size, bytes.length);
      size += bytes.length;
    }

    void int32(int v) {
      ensure(4);
      for (int i = 0; i < 4; i++) {
        buf[size++] = (byte) (v >>> (8 * i));
      }
    }

    void int64(long v) {
      ensure(8);
      for (int i = 0; i < 8; i++) {
        buf[size++] = (byte) (v >>> (8 * i));
      }
    }

    /** Bitcoin's CompactSize; the generator's counts are all below 0xFD. */
    void varint(int n) {
      if (n < 0 || n >= 0xFD) {
        throw new IllegalArgumentException(String.format(Locale.ROOT, "count %d needs a longer CompactSize", n));
      }
      ensure(1);
      buf[size++] = (byte) n;
    }

    private void ensure(int more) {
      if (size + more > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
      }
    }

    byte[] toByteArray() {
      return Arrays.copyOf(buf, size);
    }
  }
}
