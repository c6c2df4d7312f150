package io.responder.testkit;

import io.responder.core.Block;
import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import io.responder.core.BlockSource;
import io.responder.core.BlockSourceException;
import io.responder.core.BroadcastResult;
import io.responder.core.Carrier;
import io.responder.core.PackageResult;
import io.responder.core.RawTransaction;
import io.responder.core.TransactionPackage;
import io.responder.core.TxStatus;
import io.responder.core.Txid;
import io.responder.core.internal.TransactionParser;
import io.responder.core.internal.TransactionParser.Outpoint;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A deterministic, in-process Bitcoin node for tests: it mines blocks, keeps a mempool, reorganises,
 * fails on command, and serves the Responder as both its {@link Carrier} and its {@link BlockSource}.
 *
 * <h2>Mempool rules</h2>
 * A broadcast transaction is parsed for its inputs and, like bitcoind, answered:
 * <ul>
 *   <li>already in a block of the best chain: {@code AlreadyConfirmed} (without a count, as bitcoind's
 *       error -27 gives none);
 *   <li>already in the mempool: {@code Accepted};
 *   <li>an input already spent in the best chain, or created by a transaction this chain has seen but
 *       that is now neither in the chain nor in the mempool (a penalty whose dispute was reorganised
 *       out): {@code Rejected} with code -25;
 *   <li>an input spent by another mempool transaction: {@code RejectedForNow} with code -26;
 *   <li>otherwise accepted into the mempool. Inputs of transactions the chain never saw are treated
 *       as old, confirmed outputs (a channel's funding output).
 * </ul>
 * Disconnected blocks return their transactions to the mempool, as bitcoind does.
 *
 * <h2>Fee market (off by default)</h2>
 * Off, fees play no part and the rules above are all. {@link #enableFeeMarket()} or any fee knob
 * ({@link #minRelayFeerate}, {@link #mempoolMinFeerate}, {@link #incrementalRelayFeerate},
 * {@link #blockWeightLimit}, {@link #minerMinFeerate}) turns it on, with bitcoind's defaults for the
 * knobs not set (relay minimum and incremental relay fee 0.1 sat/vB, no raised mempool minimum,
 * blocks of 3,996,000 weight units, miners taking any feerate). Then:
 * <ul>
 *   <li>a transaction's fee is the value of its inputs less its outputs, when every input's value is
 *       known: from the outputs of a transaction the chain has seen (in a block or its mempool), or
 *       told by {@link #fundingOutput}. Its vsize is its BIP 141 weight (size without witnesses times 3
 *       plus full size) divided by 4, rounded up. A transaction whose fee is unknown is not judged: it
 *       is answered, replaced, evicted and mined as with the market off, and counts for nothing in
 *       the fees, sizes and weights of others;
 *   <li>a judged transaction paying out more than its inputs is refused -26 "bad-txns-in-belowout";
 *       one below the mempool or relay minimum -26 "mempool min fee not met, &lt;fee&gt; &lt;
 *       &lt;needed&gt;" or "min relay fee not met, ..." (satoshis, the needed fee rounded up);
 *   <li>a judged transaction conflicting with judged mempool transactions replaces them and their
 *       descendants (BIP 125 as bitcoind applies it, without signalling) only if it pays at least
 *       their fees plus the incremental relay fee for its own vsize, at an ancestor feerate above
 *       each of theirs; otherwise -26 with bitcoind's message ("insufficient fee, rejecting
 *       replacement &lt;txid&gt;, less fees than conflicting txs; &lt;new BTC&gt; &lt; &lt;old
 *       BTC&gt;", "... not enough additional fees to relay; ...", or "replacement-failed,
 *       insufficient feerate: does not improve feerate diagram");
 *   <li>{@link #mine()} takes packages (a transaction with its ancestors not yet taken) by best
 *       ancestor feerate while they fit the weight limit and pay the miners' minimum, then the
 *       transactions not judged whose ancestors are in; the rest waits;
 *   <li>{@link #submitPackage} lets a child pay for a parent below the minimums.
 * </ul>
 * Mining chosen transactions ({@link #mineOnly}, {@link #mineTransactions}) ignores fees: a miner
 * may take what it likes. All refusals are {@code RejectedForNow} except spent or missing inputs
 * ({@code Rejected(-25)}), as the bitcoind carrier maps them.
 *
 * <h2>Faults and scripts</h2>
 * {@link #nodeDown(boolean)}, {@link #nodeDownForBlocks(int)} and {@link #warmingUp(boolean)} make
 * every call fail as an unreachable or starting node does; {@link #scriptBroadcast} queues answers for
 * the next broadcasts of a txid. Every broadcast attempt is recorded for {@link #takeBroadcast()}.
 *
 * <p>Instances are thread-safe (every method holds the instance's monitor) and deterministic: the
 * same calls give the same hashes.
 *
 * @since 0.1.0
 */
public final class FakeChain implements Carrier, BlockSource {
  private final List<Block> best = new ArrayList<>();
  private final Map<BlockHash, Block> allBlocks = new HashMap<>();
  private final Map<Txid, Integer> confirmedAt = new HashMap<>();
  private final Map<Outpoint, Txid> spentInChain = new HashMap<>();
  private final LinkedHashMap<Txid, byte[]> mempool = new LinkedHashMap<>();
  private final Map<Outpoint, Txid> spentInMempool = new HashMap<>();
  /** Every transaction this chain has seen, with its inputs, output values and size. */
  private final Map<Txid, Seen> known = new HashMap<>();
  /** Values of outputs of transactions this chain never saw, told by {@link #fundingOutput}. */
  private final Map<Outpoint, Long> outsideValues = new HashMap<>();
  private final Map<Txid, byte[]> rawOf = new HashMap<>();
  private final Map<Txid, Deque<BroadcastResult>> scripts = new HashMap<>();
  private final Deque<Txid> broadcastLog = new ArrayDeque<>();
  private final List<Txid> allBroadcasts = new ArrayList<>();
  private boolean down;
  private int downUntilHeight = -1;
  private boolean warmingUp;
  private int warmingUntilHeight = -1;
  private boolean txindex = true;
  private long blockSourceCalls;
  private long nonce;
  // The fee market: off until a knob is set; feerates in sat per 1000 vB, as bitcoind holds them.
  private boolean feeMarket;
  private long minRelayFeerate = DEFAULT_MIN_RELAY_FEERATE;
  private long mempoolMinFeerate;
  private long incrementalRelayFeerate = DEFAULT_INCREMENTAL_RELAY_FEERATE;
  private long minerMinFeerate;
  private int blockWeightLimit = DEFAULT_BLOCK_WEIGHT_LIMIT;

  /** bitcoind 29.1 and later: {@code -minrelaytxfee} 0.1 sat/vB (100 sat/kvB), as the fixtures recorded. */
  private static final long DEFAULT_MIN_RELAY_FEERATE = 100;
  /** bitcoind 29.1 and later: {@code -incrementalrelayfee} 0.1 sat/vB. */
  private static final long DEFAULT_INCREMENTAL_RELAY_FEERATE = 100;
  /** bitcoind's {@code -blockmaxweight}: 4,000,000 less 4,000 kept for the coinbase. */
  private static final int DEFAULT_BLOCK_WEIGHT_LIMIT = 3_996_000;
  private static final String MISSING_OR_SPENT = "bad-txns-inputs-missingorspent";
  private static final String MEMPOOL_CONFLICT = "txn-mempool-conflict";
  private static final String MEMPOOL_MIN_FEE = "mempool min fee not met";
  private static final String MIN_RELAY_FEE = "min relay fee not met";
  private static final String FEERATE_DIAGRAM = "insufficient feerate: does not improve feerate diagram";
  private static final String PACKAGE_TOPOLOGY =
      "package topology disallowed. not child-with-parents or parents depend on each other.";

  /** What the chain knows of a transaction it has seen. */
  private record Seen(List<Outpoint> inputs, List<Long> outputValues, int weight, int vsize) {
    static Seen of(TransactionParser.Parsed parsed) {
      return new Seen(parsed.inputs(), parsed.outputValues(), parsed.weight(), parsed.vsize());
    }
  }

  /** A judgement: the answer, and whether a refusal was for the fee alone (a child could lift it). */
  private record Outcome(BroadcastResult result, boolean forFee) {}

  /** A decoded member of a submitted package. */
  private record Member(Txid txid, byte[] raw, Seen seen) {}

  private FakeChain() {
    Block genesis = new Block(hash(0, new byte[32]), hash(-1, new byte[32]), 1, List.of());
    // A genesis block has no parent; the core's Block type wants height >= 1, so the fake chain
    // starts at height 1 with a synthetic parent nobody can fetch.
    best.add(genesis);
    allBlocks.put(genesis.hash(), genesis);
  }

  /**
   * Returns a chain with one block, at height 1.
   *
   * @return the chain
   */
  public static FakeChain create() {
    return new FakeChain();
  }

  /**
   * Returns a chain of empty blocks up to {@code height}.
   *
   * @param height the tip height, at least 1
   * @return the chain
   */
  public static FakeChain atHeight(int height) {
    FakeChain chain = new FakeChain();
    while (chain.tip().height() < height) {
      chain.mineEmpty();
    }
    return chain;
  }

  // ---------------------------------------------------------------------------------------------
  // Mining and reorganising

  /**
   * Mines a block with every mempool transaction, or, with the fee market on, with what a miner
   * takes (see the class documentation: by ancestor feerate, under the weight limit and above the
   * miners' minimum); what is not taken stays in the mempool.
   *
   * @return the new tip
   */
  public synchronized Block mine() {
    if (feeMarket) {
      return mineTransactions(selectForBlock(), List.of());
    }
    return mineTransactions(new ArrayList<>(mempool.keySet()), List.of());
  }

  /**
   * Mines an empty block.
   *
   * @return the new tip
   */
  public synchronized Block mineEmpty() {
    return mineTransactions(List.of(), List.of());
  }

  /**
   * Mines {@code count} empty blocks.
   *
   * @param count how many
   * @return the new blocks, oldest first
   */
  public synchronized List<Block> mineEmpty(int count) {
    List<Block> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(mineEmpty());
    }
    return out;
  }

  /**
   * Mines a block with only these mempool transactions.
   *
   * @param txids transactions that must be in the mempool
   * @return the new tip
   * @throws IllegalArgumentException if one is not in the mempool
   */
  public synchronized Block mineOnly(Txid... txids) {
    for (Txid t : txids) {
      if (!mempool.containsKey(t)) {
        throw new IllegalArgumentException(t + " is not in the mempool");
      }
    }
    return mineTransactions(Arrays.asList(txids), List.of());
  }

  /**
   * Mines a block with these transactions, whether or not they were broadcast (a cheater publishing
   * a revoked commitment straight to a miner, say). Mempool transactions that conflict with them are
   * evicted.
   *
   * @param transactions the transactions
   * @return the new tip
   */
  public synchronized Block mineTransactions(TestTransaction... transactions) {
    List<Txid> ids = new ArrayList<>();
    List<byte[]> raws = new ArrayList<>();
    for (TestTransaction t : transactions) {
      ids.add(t.txid());
      raws.add(t.raw());
    }
    return mineTransactions(ids, raws);
  }

  /**
   * Mines a block holding txids the chain knows nothing about, as filler (other people's
   * transactions).
   *
   * @param fillerCount how many random txids
   * @return the new tip
   */
  public synchronized Block mineFiller(int fillerCount) {
    Block parent = best.get(best.size() - 1);
    List<Txid> txids = new ArrayList<>();
    for (int i = 0; i < fillerCount; i++) {
      txids.add(Txid.fromDisplayBytes(digest(ByteBuffer.allocate(16).putLong(nonce++).putLong(i).array())));
    }
    return append(parent, txids);
  }

  private Block mineTransactions(List<Txid> fromMempoolOrRaw, List<byte[]> raws) {
    List<Txid> txids = new ArrayList<>();
    for (int i = 0; i < fromMempoolOrRaw.size(); i++) {
      Txid id = fromMempoolOrRaw.get(i);
      byte[] raw = i < raws.size() ? raws.get(i) : mempool.get(id);
      if (raw != null) {
        learn(id, raw);
      }
      txids.add(id);
    }
    return append(best.get(best.size() - 1), txids);
  }

  private Block append(Block parent, List<Txid> txids) {
    int height = parent.height() + 1;
    Block block = new Block(hash(height, parent.hash().toDisplayBytes()), parent.hash(), height, txids);
    best.add(block);
    allBlocks.put(block.hash(), block);
    for (Txid t : txids) {
      confirmedAt.put(t, height);
      removeFromMempool(t);
      Seen seen = known.get(t);
      if (seen != null) {
        for (Outpoint o : seen.inputs()) {
          spentInChain.put(o, t);
          Txid conflict = spentInMempool.get(o);
          if (conflict != null) {
            if (feeMarket) {
              // Descendants of a transaction that lost to a block lost their inputs too.
              removeWithDescendants(conflict);
            } else {
              removeFromMempool(conflict);
            }
          }
        }
      }
    }
    return block;
  }

  /**
   * Disconnects the tip {@code depth} times, returning the blocks' transactions to the mempool.
   * Mine afterwards to build the new branch.
   *
   * @param depth how many blocks, at most the chain's height minus one
   * @return the disconnected blocks, newest first
   */
  public synchronized List<BlockRef> disconnect(int depth) {
    if (depth < 0 || depth >= best.size()) {
      throw new IllegalArgumentException("cannot disconnect " + depth + " blocks from a chain of " + best.size());
    }
    List<BlockRef> gone = new ArrayList<>();
    List<Txid> returning = new ArrayList<>();
    for (int i = 0; i < depth; i++) {
      Block tip = best.remove(best.size() - 1);
      gone.add(tip.ref());
      for (Txid t : tip.txids()) {
        confirmedAt.remove(t);
        Seen seen = known.get(t);
        if (seen != null) {
          seen.inputs().forEach(spentInChain::remove);
        }
      }
      returning.addAll(0, tip.txids());
    }
    for (Txid t : returning) {
      byte[] raw = rawOf.get(t);
      if (raw != null) {
        addToMempool(t, raw);
      }
    }
    if (feeMarket) {
      // bitcoind takes disconnected transactions back whatever they pay, then trims its mempool.
      evictBelowMinimum();
    }
    return gone;
  }

  /**
   * Disconnects the tip block.
   *
   * @return the disconnected block
   */
  public synchronized BlockRef disconnectTip() {
    return disconnect(1).get(0);
  }

  /**
   * Replaces the last {@code depth} blocks by {@code newLength} empty blocks (the disconnected
   * transactions wait in the mempool).
   *
   * @param depth how many blocks to disconnect
   * @param newLength how many blocks the new branch has
   * @return the new branch, oldest first
   */
  public synchronized List<Block> reorg(int depth, int newLength) {
    disconnect(depth);
    return mineEmpty(newLength);
  }

  /**
   * Evicts a transaction from the mempool, as a node does under memory pressure or on restart; only a
   * rebroadcast brings it back. With the fee market on, its mempool descendants go with it, as they
   * do from bitcoind's mempool; without it, only the transaction goes (the behaviour before the
   * market).
   *
   * @param txid the transaction
   * @return whether it was in the mempool
   */
  public synchronized boolean dropFromMempool(Txid txid) {
    if (feeMarket && mempool.containsKey(txid)) {
      removeWithDescendants(txid);
      return true;
    }
    return removeFromMempool(txid);
  }

  // ---------------------------------------------------------------------------------------------
  // Faults and scripts

  /**
   * Makes the node unreachable (or reachable again): broadcasts answer {@code NodeUnavailable},
   * status lookups {@code Unknown}, and block source calls throw a transient
   * {@link BlockSourceException}. Mining still works: the world goes on without us.
   *
   * @param isDown whether the node is down
   */
  public synchronized void nodeDown(boolean isDown) {
    this.down = isDown;
    this.downUntilHeight = -1;
  }

  /**
   * Makes the node unreachable until {@code blocks} more blocks are mined.
   *
   * @param blocks how many blocks the outage lasts
   */
  public synchronized void nodeDownForBlocks(int blocks) {
    this.down = false;
    this.downUntilHeight = tip().height() + blocks;
  }

  /**
   * Makes the node answer as bitcoind does while starting (error -28), or stop doing so.
   *
   * @param warming whether the node is warming up
   */
  public synchronized void warmingUp(boolean warming) {
    this.warmingUp = warming;
    this.warmingUntilHeight = -1;
  }

  /**
   * Makes the node answer as a starting bitcoind does (error -28) until {@code blocks} more blocks
   * are mined.
   *
   * @param blocks how many blocks the warm-up lasts
   */
  public synchronized void warmingUpForBlocks(int blocks) {
    this.warmingUp = false;
    this.warmingUntilHeight = tip().height() + blocks;
  }

  /**
   * Returns whether the node answers at all: not down ({@link #nodeDown}, {@link #nodeDownForBlocks})
   * and not warming up ({@link #warmingUp}, {@link #warmingUpForBlocks}).
   *
   * @return true if broadcasts and block source calls would reach the node
   */
  public synchronized boolean isReachable() {
    return fault().isEmpty();
  }

  /**
   * Sets whether status lookups find confirmed transactions without being told the block
   * ({@code -txindex}); on by default. Without it, as with bitcoind, a confirmed transaction is found
   * only in a named block.
   *
   * @param enabled whether the node has a transaction index
   */
  public synchronized void txindex(boolean enabled) {
    this.txindex = enabled;
  }

  /**
   * Queues answers for the next broadcasts of {@code txid}, used before the mempool rules; a
   * queued answer is used once. A node fault ({@link #nodeDown}) still wins.
   *
   * @param txid the transaction
   * @param results the answers, in order
   */
  public synchronized void scriptBroadcast(Txid txid, BroadcastResult... results) {
    Deque<BroadcastResult> q = scripts.computeIfAbsent(txid, t -> new ArrayDeque<>());
    q.addAll(Arrays.asList(results));
  }

  /**
   * Queues a rejection with a bitcoind error code for the next broadcast of {@code txid}, classified
   * as bitcoind's codes are: -27 already confirmed, -26 rejected for now (fees, conflicts,
   * non-final), -28 warming up, anything else (-22 undecodable, -25 inputs missing or spent) for good.
   *
   * @param txid the transaction
   * @param code bitcoind's RPC error code
   * @param message the node's message
   */
  public synchronized void rejectNext(Txid txid, int code, String message) {
    BroadcastResult r = switch (code) {
      case -27 -> new BroadcastResult.AlreadyConfirmed(OptionalInt.empty());
      case -26 -> new BroadcastResult.RejectedForNow(code, message);
      case -28 -> new BroadcastResult.NodeUnavailable("warming up: " + message);
      default -> new BroadcastResult.Rejected(code, message);
    };
    scriptBroadcast(txid, r);
  }

  /**
   * Returns the scripted answers not used yet; a test should end with none.
   *
   * @return txid to number of unused answers
   */
  public synchronized Map<Txid, Integer> unusedScripts() {
    Map<Txid, Integer> out = new LinkedHashMap<>();
    scripts.forEach((t, q) -> {
      if (!q.isEmpty()) {
        out.put(t, q.size());
      }
    });
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Fee market: knobs

  /**
   * Turns the fee market on with bitcoind's default policy (see the class documentation); calling
   * any other fee knob does the same. Judged transactions already in the mempool are not judged
   * again, except by a raised {@link #mempoolMinFeerate}. There is no way back to the market off:
   * make a new chain.
   */
  public synchronized void enableFeeMarket() {
    feeMarket = true;
  }

  /**
   * Returns whether the fee market is on.
   *
   * @return true once {@link #enableFeeMarket()} or a fee knob was called
   */
  public synchronized boolean feeMarketEnabled() {
    return feeMarket;
  }

  /**
   * Sets the static relay minimum ({@code -minrelaytxfee}), 0.1 sat/vB by default: a judged
   * transaction (or package) paying less is refused {@code RejectedForNow(-26, "min relay fee not
   * met, <fee> < <needed>")}, fees in satoshis. Like bitcoind's, raising it evicts nothing; turns the
   * fee market on.
   *
   * @param satPerVbyte the feerate in sat/vB, from 0, resolution 0.001
   * @throws IllegalArgumentException if it is negative or not finite; nothing changes then
   */
  public synchronized void minRelayFeerate(double satPerVbyte) {
    minRelayFeerate = Fees.perKvb("minRelayFeerate", satPerVbyte);
    feeMarket = true;
  }

  /**
   * Sets the mempool's minimum feerate (bitcoind's {@code mempoolminfee} after its mempool filled up;
   * 0, meaning only the relay minimum applies, by default) and evicts at once every judged
   * transaction whose descendant score falls below it, with its descendants. A judged transaction
   * (or package) paying less is then refused {@code RejectedForNow(-26, "mempool min fee not met,
   * <fee> < <needed>")}. Transactions that return from disconnected blocks are taken back and then
   * trimmed the same way. Turns the fee market on.
   *
   * @param satPerVbyte the feerate in sat/vB, from 0, resolution 0.001
   * @throws IllegalArgumentException if it is negative or not finite; nothing changes then
   */
  public synchronized void mempoolMinFeerate(double satPerVbyte) {
    mempoolMinFeerate = Fees.perKvb("mempoolMinFeerate", satPerVbyte);
    feeMarket = true;
    evictBelowMinimum();
  }

  /**
   * Sets the incremental relay feerate ({@code -incrementalrelayfee}, 0.1 sat/vB by default as in
   * bitcoind 29.1 and later): what a replacement must add, per vbyte of its own size, to the fees of
   * what it replaces. Turns the fee market on.
   *
   * @param satPerVbyte the feerate in sat/vB, from 0, resolution 0.001
   * @throws IllegalArgumentException if it is negative or not finite; nothing changes then
   */
  public synchronized void incrementalRelayFeerate(double satPerVbyte) {
    incrementalRelayFeerate = Fees.perKvb("incrementalRelayFeerate", satPerVbyte);
    feeMarket = true;
  }

  /**
   * Sets the weight {@link #mine()} fills with judged transactions, 3,996,000 by default (bitcoind's
   * {@code -blockmaxweight}). Turns the fee market on.
   *
   * @param weight the limit in weight units, at least 0
   * @throws IllegalArgumentException if it is negative; nothing changes then
   */
  public synchronized void blockWeightLimit(int weight) {
    if (weight < 0) {
      throw new IllegalArgumentException("blockWeightLimit must be at least 0, got " + weight);
    }
    blockWeightLimit = weight;
    feeMarket = true;
  }

  /**
   * Sets the least ancestor feerate miners take ({@code -blockmintxfee}; 0 by default): {@link #mine()}
   * leaves cheaper judged transactions in the mempool. Turns the fee market on.
   *
   * @param satPerVbyte the feerate in sat/vB, from 0, resolution 0.001
   * @throws IllegalArgumentException if it is negative or not finite; nothing changes then
   */
  public synchronized void minerMinFeerate(double satPerVbyte) {
    minerMinFeerate = Fees.perKvb("minerMinFeerate", satPerVbyte);
    feeMarket = true;
  }

  /**
   * Tells the chain the value of an output of a transaction it never saw (a wallet's coin, a channel's
   * funding output), so transactions spending it have a known fee. Does not turn the fee market on.
   *
   * @param txid the transaction holding the output
   * @param vout the output's index
   * @param valueSat its value in satoshis
   * @throws IllegalArgumentException if {@code vout} or {@code valueSat} is negative, or the chain
   *     has seen {@code txid} (its outputs are known from it); nothing changes then
   */
  public synchronized void fundingOutput(Txid txid, int vout, long valueSat) {
    Objects.requireNonNull(txid, "txid");
    if (vout < 0 || valueSat < 0) {
      throw new IllegalArgumentException("vout and valueSat must be at least 0, got " + vout + " and " + valueSat);
    }
    if (known.containsKey(txid)) {
      throw new IllegalArgumentException("the chain has seen " + txid.toHex() + "; its outputs are known");
    }
    outsideValues.put(new Outpoint(txid, vout), valueSat);
  }

  /**
   * Returns the fee of a transaction this chain has seen (broadcast and taken, or mined), when the
   * values of all its inputs are known; negative if it pays out more than it spends.
   *
   * @param txid the transaction
   * @return its fee in satoshis, or empty if unseen or an input value is unknown
   */
  public synchronized OptionalLong fee(Txid txid) {
    Objects.requireNonNull(txid, "txid");
    Seen seen = known.get(txid);
    return seen == null ? OptionalLong.empty() : feeOf(seen, Map.of());
  }

  /**
   * Returns the virtual size of a transaction this chain has seen: its BIP 141 weight divided by 4,
   * rounded up.
   *
   * @param txid the transaction
   * @return its vsize in vbytes, or empty if unseen
   */
  public synchronized OptionalInt vsize(Txid txid) {
    Objects.requireNonNull(txid, "txid");
    Seen seen = known.get(txid);
    return seen == null ? OptionalInt.empty() : OptionalInt.of(seen.vsize());
  }

  /**
   * Returns the mempool's transactions, in the order they entered.
   *
   * @return their txids
   */
  public synchronized List<Txid> mempoolTxids() {
    return List.copyOf(mempool.keySet());
  }

  // ---------------------------------------------------------------------------------------------
  // Packages

  /**
   * The {@link Carrier} side of {@link #submitPackage}: the same judgement, for a Responder (or any
   * host code) that sends packages through its carrier. Replaced transactions are not listed.
   *
   * @param transactionPackage one parent and its child, or one transaction
   * @return each member's result, in order
   * @throws IllegalArgumentException if the package has more than two members; nothing changes then
   */
  @Override
  public synchronized PackageResult broadcastPackage(TransactionPackage transactionPackage) {
    Objects.requireNonNull(transactionPackage, "transactionPackage");
    List<byte[]> raws = new ArrayList<>();
    for (RawTransaction t : transactionPackage.transactions()) {
      raws.add(t.bytes());
    }
    return new PackageResult(submitPackage(raws), List.of());
  }

  /**
   * Submits a package as bitcoind's {@code submitpackage} does for one parent and one child: the
   * parent first, the child (spending an output of the parent) last; a single transaction is a
   * package of one. Answers one result per transaction, in the order given:
   * <ul>
   *   <li>each member is first judged alone, as {@link #broadcast} judges it (a member already in the
   *       mempool is {@code Accepted}, one in the best chain {@code AlreadyConfirmed});
   *   <li>with the fee market on, a parent refused alone only for its fee (below a minimum, or a
   *       replacement that does not pay) is judged with its child: the package feerate, both fees over
   *       both vsizes, must meet the minimums, and a package that conflicts with the mempool must pay
   *       for what it replaces ("package RBF", the rules of {@link #broadcast} applied to the package's
   *       fee and vsize); then both are {@code Accepted}. A package below a minimum is refused on both
   *       members with bitcoind's messages ("mempool min fee not met, 0 &lt; 231" for the parent, the
   *       package's numbers for the child); a package replacement that does not pay leaves, as
   *       bitcoind's per-transaction results do, the parent's own refusal and the child
   *       {@code RejectedForNow(-25, "bad-txns-inputs-missingorspent")} (bitcoind says why only in
   *       its overall {@code package_msg}, which this method does not return);
   *   <li>a parent refused for another reason leaves its child refused with -25
   *       "bad-txns-inputs-missingorspent", {@code Rejected} if the parent is, otherwise
   *       {@code RejectedForNow};
   *   <li>as with bitcoind, a package can be partly taken: a parent accepted alone stays even when its
   *       child is refused.
   * </ul>
   * Members the chain cannot decode make every member {@code Rejected(-22, "TX decode failed")};
   * a child that does not spend the parent, or a parent spending the child, makes every member
   * {@code Rejected(-25, "package topology disallowed. not child-with-parents or parents depend on
   * each other.")}; nothing is taken then. A node fault makes every member {@code NodeUnavailable}.
   * If a member has a {@link #scriptBroadcast scripted} answer waiting, every member is answered
   * alone: scripted, or judged as {@link #broadcast} judges it. Each decodable member counts as one
   * broadcast attempt ({@link #takeBroadcast()}, {@link #broadcastCount()}).
   *
   * <p>Unlike bitcoind, the fake knows when a member is confirmed (bitcoind answers
   * "txn-already-known" or "bad-txns-inputs-missingorspent"), and does not model TRUC (version 3)
   * rules. Thread-safe like every method.
   *
   * @param rawTransactions one or two serialised transactions, parent first; not modified or kept
   * @return the result for each transaction, in the same order
   * @throws IllegalArgumentException if the list is empty or longer than two; nothing changes then
   * @throws NullPointerException if the list or a member is null
   */
  public synchronized List<BroadcastResult> submitPackage(List<byte[]> rawTransactions) {
    Objects.requireNonNull(rawTransactions, "rawTransactions");
    if (rawTransactions.isEmpty() || rawTransactions.size() > 2) {
      throw new IllegalArgumentException("rawTransactions must hold one parent and one child (or one transaction), got "
          + rawTransactions.size() + " transactions");
    }
    List<Member> members = new ArrayList<>();
    boolean undecodable = false;
    for (int i = 0; i < rawTransactions.size(); i++) {
      byte[] raw = Objects.requireNonNull(rawTransactions.get(i), "rawTransactions[" + i + "]").clone();
      try {
        TransactionParser.Parsed parsed = TransactionParser.parse("rawTransactions[" + i + "]", raw);
        members.add(new Member(parsed.txid(), raw, Seen.of(parsed)));
      } catch (IllegalArgumentException e) {
        undecodable = true;
      }
    }
    for (Member m : members) {
      broadcastLog.addLast(m.txid());
      allBroadcasts.add(m.txid());
    }
    int n = rawTransactions.size();
    Optional<String> fault = fault();
    if (fault.isPresent()) {
      return Collections.nCopies(n, new BroadcastResult.NodeUnavailable(fault.get()));
    }
    if (undecodable) {
      return Collections.nCopies(n, new BroadcastResult.Rejected(-22, "TX decode failed"));
    }
    if (n == 2 && !isParentAndChild(members.get(0), members.get(1))) {
      return Collections.nCopies(n, new BroadcastResult.Rejected(-25, PACKAGE_TOPOLOGY));
    }
    if (members.stream().anyMatch(m -> scripts.containsKey(m.txid()) && !scripts.get(m.txid()).isEmpty())) {
      List<BroadcastResult> out = new ArrayList<>();
      for (Member m : members) {
        Deque<BroadcastResult> script = scripts.get(m.txid());
        out.add(script != null && !script.isEmpty() ? script.pollFirst() : offer(m.txid(), m.raw(), m.seen()).result());
      }
      return out;
    }
    Member parent = members.get(0);
    Outcome parentAlone = offer(parent.txid(), parent.raw(), parent.seen());
    if (n == 1) {
      return List.of(parentAlone.result());
    }
    Member child = members.get(1);
    if (parentAlone.result().delivered()) {
      return List.of(parentAlone.result(), offer(child.txid(), child.raw(), child.seen()).result());
    }
    if (feeMarket && parentAlone.forFee()) {
      return offerAsPackage(parent, parentAlone, child);
    }
    BroadcastResult orphaned = parentAlone.result() instanceof BroadcastResult.Rejected
        ? new BroadcastResult.Rejected(-25, MISSING_OR_SPENT)
        : new BroadcastResult.RejectedForNow(-25, MISSING_OR_SPENT);
    return List.of(parentAlone.result(), orphaned);
  }

  private static boolean isParentAndChild(Member parent, Member child) {
    boolean childSpendsParent = child.seen().inputs().stream().anyMatch(o -> o.txid().equals(parent.txid()));
    boolean parentSpendsChild = parent.seen().inputs().stream().anyMatch(o -> o.txid().equals(child.txid()));
    return childSpendsParent && !parentSpendsChild && !parent.txid().equals(child.txid());
  }

  // ---------------------------------------------------------------------------------------------
  // Recording

  /**
   * Takes the oldest broadcast attempt not taken yet (successful or not).
   *
   * @return its txid
   * @throws IllegalStateException if there is none
   */
  public synchronized Txid takeBroadcast() {
    Txid t = broadcastLog.pollFirst();
    if (t == null) {
      throw new IllegalStateException("no broadcast left to take");
    }
    return t;
  }

  /**
   * Takes every broadcast attempt not taken yet.
   *
   * @return their txids, oldest first
   */
  public synchronized List<Txid> drainBroadcasts() {
    List<Txid> out = new ArrayList<>(broadcastLog);
    broadcastLog.clear();
    return out;
  }

  /**
   * Counts every broadcast attempt of a transaction since the chain was made.
   *
   * @param txid the transaction
   * @return how many times it was sent
   */
  public synchronized int broadcastCount(Txid txid) {
    return Collections.frequency(allBroadcasts, txid);
  }

  /**
   * Counts every broadcast attempt since the chain was made.
   *
   * @return the number of broadcast calls
   */
  public synchronized int broadcastCount() {
    return allBroadcasts.size();
  }

  /**
   * Counts every block source call since the chain was made.
   *
   * @return the number of calls
   */
  public synchronized long blockSourceCalls() {
    return blockSourceCalls;
  }

  // ---------------------------------------------------------------------------------------------
  // Inspection

  /**
   * Returns the best chain's tip.
   *
   * @return the tip
   */
  public synchronized BlockRef tip() {
    return best.get(best.size() - 1).ref();
  }

  /**
   * Returns the best chain's block at a height.
   *
   * @param height a height on the best chain
   * @return the block
   */
  public synchronized Block blockAt(int height) {
    return best.get(height - best.get(0).height());
  }

  /**
   * Returns whether a transaction is in the mempool.
   *
   * @param txid the transaction
   * @return true if it is
   */
  public synchronized boolean inMempool(Txid txid) {
    return mempool.containsKey(txid);
  }

  /**
   * Returns the best-chain height of a transaction.
   *
   * @param txid the transaction
   * @return its height, or empty
   */
  public synchronized OptionalInt confirmationHeight(Txid txid) {
    Integer h = confirmedAt.get(txid);
    return h == null ? OptionalInt.empty() : OptionalInt.of(h);
  }

  // ---------------------------------------------------------------------------------------------
  // Carrier

  @Override
  public synchronized BroadcastResult broadcast(Txid txid, byte[] rawTransaction) {
    Objects.requireNonNull(txid, "txid");
    Objects.requireNonNull(rawTransaction, "rawTransaction");
    broadcastLog.addLast(txid);
    allBroadcasts.add(txid);
    Optional<String> fault = fault();
    if (fault.isPresent()) {
      return new BroadcastResult.NodeUnavailable(fault.get());
    }
    Deque<BroadcastResult> script = scripts.get(txid);
    if (script != null && !script.isEmpty()) {
      return script.pollFirst();
    }
    TransactionParser.Parsed parsed;
    try {
      parsed = TransactionParser.parse("rawTransaction", rawTransaction);
    } catch (IllegalArgumentException e) {
      return new BroadcastResult.Rejected(-22, "TX decode failed");
    }
    if (!parsed.txid().equals(txid)) {
      return new BroadcastResult.Rejected(-22, "txid does not match the transaction");
    }
    return offer(txid, rawTransaction, Seen.of(parsed)).result();
  }

  /** Judges one transaction as sendrawtransaction does, and takes it into the mempool if it passes. */
  private Outcome offer(Txid txid, byte[] rawTransaction, Seen seen) {
    if (confirmedAt.containsKey(txid)) {
      return new Outcome(new BroadcastResult.AlreadyConfirmed(OptionalInt.empty()), false);
    }
    if (mempool.containsKey(txid)) {
      return new Outcome(new BroadcastResult.Accepted(), false);
    }
    if (feeMarket) {
      return offerWithFees(txid, rawTransaction, seen);
    }
    return new Outcome(offerWithoutFees(txid, rawTransaction, seen), false);
  }

  /** Today's rules, unchanged: no fees, conflicts refused. */
  private BroadcastResult offerWithoutFees(Txid txid, byte[] rawTransaction, Seen parsed) {
    for (Outpoint o : parsed.inputs()) {
      if (spentInChain.containsKey(o)) {
        return new BroadcastResult.Rejected(-25, "bad-txns-inputs-missingorspent");
      }
      Txid parent = o.txid();
      if (known.containsKey(parent) && !confirmedAt.containsKey(parent) && !mempool.containsKey(parent)) {
        return new BroadcastResult.Rejected(-25, "bad-txns-inputs-missingorspent");
      }
      Txid conflict = spentInMempool.get(o);
      if (conflict != null && !conflict.equals(txid)) {
        return new BroadcastResult.RejectedForNow(-26, "txn-mempool-conflict");
      }
    }
    learn(txid, rawTransaction);
    addToMempool(txid, rawTransaction);
    return new BroadcastResult.Accepted();
  }

  // ---------------------------------------------------------------------------------------------
  // Fee market: evaluation

  /** The fee market's rules for one transaction; see the class documentation. */
  private Outcome offerWithFees(Txid txid, byte[] raw, Seen seen) {
    Optional<BroadcastResult> missing = inputsProblem(seen, Map.of());
    if (missing.isPresent()) {
      return new Outcome(missing.get(), false);
    }
    Set<Txid> conflicts = conflictsOf(List.of(seen), Set.of(txid));
    OptionalLong fee = feeOf(seen, Map.of());
    if (fee.isEmpty()) {
      // Not judged: a transaction whose input values are unknown is treated as without the market.
      if (!conflicts.isEmpty()) {
        return new Outcome(new BroadcastResult.RejectedForNow(-26, MEMPOOL_CONFLICT), false);
      }
      admit(List.of(txid), List.of(raw), Set.of());
      return new Outcome(new BroadcastResult.Accepted(), false);
    }
    if (fee.getAsLong() < 0) {
      return new Outcome(belowOut(seen, fee.getAsLong()), false);
    }
    Optional<String> low = minFeeProblem(fee.getAsLong(), seen.vsize());
    if (low.isPresent()) {
      return new Outcome(new BroadcastResult.RejectedForNow(-26, low.get()), true);
    }
    Set<Txid> replaced = Set.of();
    if (!conflicts.isEmpty()) {
      Optional<Outcome> refused = replacementProblem(txid, List.of(seen), Set.of(txid), fee.getAsLong(), seen.vsize(),
          conflicts, false);
      if (refused.isPresent()) {
        return refused.get();
      }
      replaced = originals(conflicts);
    }
    admit(List.of(txid), List.of(raw), replaced);
    return new Outcome(new BroadcastResult.Accepted(), false);
  }

  /** A one-parent-one-child package whose parent was refused alone for its fee: judged together. */
  private List<BroadcastResult> offerAsPackage(Member parent, Outcome parentAlone, Member child) {
    Map<Txid, Seen> pending = Map.of(parent.txid(), parent.seen());
    Optional<BroadcastResult> missing = inputsProblem(child.seen(), pending);
    if (missing.isPresent()) {
      return List.of(parentAlone.result(), missing.get());
    }
    long parentFee = feeOf(parent.seen(), Map.of()).orElseThrow(); // refused for fee, so it is known
    OptionalLong childFee = feeOf(child.seen(), pending);
    if (childFee.isEmpty()) {
      // A child whose own fee is unknown can not be judged to pay for anything.
      return List.of(parentAlone.result(), new BroadcastResult.RejectedForNow(-25, MISSING_OR_SPENT));
    }
    if (childFee.getAsLong() < 0) {
      return List.of(parentAlone.result(), belowOut(child.seen(), childFee.getAsLong()));
    }
    long fee = parentFee + childFee.getAsLong();
    long vsize = (long) parent.seen().vsize() + child.seen().vsize();
    // As bitcoind words it: the parent with its own numbers, the child with the package's.
    if (mempoolMinFeerate > 0 && fee < Fees.feeFor(mempoolMinFeerate, vsize)) {
      return List.of(
          new BroadcastResult.RejectedForNow(-26, MEMPOOL_MIN_FEE + ", " + parentFee + " < "
              + Fees.feeFor(mempoolMinFeerate, parent.seen().vsize())),
          new BroadcastResult.RejectedForNow(-26, MEMPOOL_MIN_FEE + ", " + fee + " < " + Fees.feeFor(mempoolMinFeerate, vsize)));
    }
    if (fee < Fees.feeFor(minRelayFeerate, vsize)) {
      return List.of(
          new BroadcastResult.RejectedForNow(-26, MIN_RELAY_FEE + ", " + parentFee + " < "
              + Fees.feeFor(minRelayFeerate, parent.seen().vsize())),
          new BroadcastResult.RejectedForNow(-26, MIN_RELAY_FEE + ", " + fee + " < " + Fees.feeFor(minRelayFeerate, vsize)));
    }
    Set<Txid> ids = Set.of(parent.txid(), child.txid());
    Set<Txid> conflicts = conflictsOf(List.of(parent.seen(), child.seen()), ids);
    Set<Txid> replaced = Set.of();
    if (!conflicts.isEmpty()) {
      Optional<Outcome> refused;
      if (Fees.compareFeerates(fee, vsize, parentFee, parent.seen().vsize()) <= 0) {
        refused = Optional.of(new Outcome(new BroadcastResult.RejectedForNow(-26,
            "package RBF failed: package feerate is less than or equal to parent feerate"), true));
      } else {
        refused = replacementProblem(child.txid(), List.of(parent.seen(), child.seen()), ids, fee, vsize, conflicts, true);
      }
      if (refused.isPresent()) {
        // bitcoind puts the package RBF message in package_msg only; per transaction it reports the
        // parent's own refusal and the child as missing its input (checked on bitcoind 31.99).
        return List.of(parentAlone.result(), new BroadcastResult.RejectedForNow(-25, MISSING_OR_SPENT));
      }
      replaced = originals(conflicts);
    }
    admit(List.of(parent.txid(), child.txid()), List.of(parent.raw(), child.raw()), replaced);
    return List.of(new BroadcastResult.Accepted(), new BroadcastResult.Accepted());
  }

  /** Inputs that are spent in the chain, belong to a transaction gone from chain and mempool, or do not exist. */
  private Optional<BroadcastResult> inputsProblem(Seen seen, Map<Txid, Seen> pending) {
    for (Outpoint o : seen.inputs()) {
      if (spentInChain.containsKey(o)) {
        return Optional.of(new BroadcastResult.Rejected(-25, MISSING_OR_SPENT));
      }
      Seen parent = pending.get(o.txid());
      if (parent == null) {
        parent = known.get(o.txid());
        if (parent != null && !confirmedAt.containsKey(o.txid()) && !mempool.containsKey(o.txid())) {
          return Optional.of(new BroadcastResult.Rejected(-25, MISSING_OR_SPENT));
        }
      }
      if (parent != null && o.vout() >= parent.outputValues().size()) {
        return Optional.of(new BroadcastResult.Rejected(-25, MISSING_OR_SPENT));
      }
    }
    return Optional.empty();
  }

  /** Mempool transactions spending an input of {@code txs}, other than {@code themselves}. */
  private Set<Txid> conflictsOf(List<Seen> txs, Set<Txid> themselves) {
    Set<Txid> out = new LinkedHashSet<>();
    for (Seen s : txs) {
      for (Outpoint o : s.inputs()) {
        Txid spender = spentInMempool.get(o);
        if (spender != null && !themselves.contains(spender)) {
          out.add(spender);
        }
      }
    }
    return out;
  }

  /** Bitcoind's order: the rolling mempool minimum, then the static relay minimum. */
  private Optional<String> minFeeProblem(long fee, long vsize) {
    if (mempoolMinFeerate > 0 && fee < Fees.feeFor(mempoolMinFeerate, vsize)) {
      return Optional.of(MEMPOOL_MIN_FEE + ", " + fee + " < " + Fees.feeFor(mempoolMinFeerate, vsize));
    }
    long relay = Fees.feeFor(minRelayFeerate, vsize);
    if (fee < relay) {
      return Optional.of(MIN_RELAY_FEE + ", " + fee + " < " + relay);
    }
    return Optional.empty();
  }

  /**
   * BIP 125 as bitcoind applies it today (no signalling needed): the replacement pays at least what
   * it evicts, plus the incremental relay fee for its own size, at a better feerate than any of them.
   */
  private Optional<Outcome> replacementProblem(Txid replacing, List<Seen> news, Set<Txid> newIds, long fee, long vsize,
      Set<Txid> conflicts, boolean asPackage) {
    Set<Txid> originals = originals(conflicts);
    for (Seen s : news) {
      for (Outpoint o : s.inputs()) {
        if (originals.contains(o.txid())) {
          return Optional.of(new Outcome(new BroadcastResult.RejectedForNow(-26, "bad-txns-spends-conflicting-tx, "
              + replacing.toHex() + " spends conflicting transaction " + o.txid().toHex()), false));
        }
      }
    }
    long originalFees = 0;
    for (Txid t : originals) {
      OptionalLong f = fee(t);
      if (f.isEmpty()) {
        // Not judged: what it would evict has no known fee, so the conflict stands as without the market.
        return Optional.of(new Outcome(new BroadcastResult.RejectedForNow(-26, MEMPOOL_CONFLICT), false));
      }
      originalFees += f.getAsLong();
    }
    String prefix = asPackage ? "package RBF failed: insufficient anti-DoS fees, " : "insufficient fee, ";
    String subject = "rejecting replacement " + replacing.toHex();
    if (fee < originalFees) {
      return refusedForFee(prefix + subject + ", less fees than conflicting txs; "
          + Fees.btc(fee) + " < " + Fees.btc(originalFees));
    }
    long additional = fee - originalFees;
    long needed = Fees.feeFor(incrementalRelayFeerate, vsize);
    if (additional < needed) {
      return refusedForFee(prefix + subject + ", not enough additional fees to relay; "
          + Fees.btc(additional) + " < " + Fees.btc(needed));
    }
    // The feerate a miner would see: the replacement with its unconfirmed ancestors that stay.
    long minedFee = fee;
    long minedVsize = vsize;
    Set<Txid> ancestors = new LinkedHashSet<>();
    for (Seen s : news) {
      for (Outpoint o : s.inputs()) {
        if (mempool.containsKey(o.txid()) && !newIds.contains(o.txid())) {
          ancestors.add(o.txid());
          ancestors.addAll(ancestors(o.txid()));
        }
      }
    }
    for (Txid a : ancestors) {
      OptionalLong f = fee(a);
      if (f.isPresent()) {
        minedFee += f.getAsLong();
        minedVsize += known.get(a).vsize();
      }
    }
    for (Txid t : originals) {
      long[] score = ancestorPackage(t, Set.of());
      if (Fees.compareFeerates(minedFee, minedVsize, score[0], score[1]) <= 0) {
        return refusedForFee(asPackage
            ? "package RBF failed: " + FEERATE_DIAGRAM
            : "replacement-failed, " + FEERATE_DIAGRAM);
      }
    }
    return Optional.empty();
  }

  private static Optional<Outcome> refusedForFee(String message) {
    return Optional.of(new Outcome(new BroadcastResult.RejectedForNow(-26, message), true));
  }

  private static BroadcastResult belowOut(Seen seen, long fee) {
    long out = seen.outputValues().stream().mapToLong(Long::longValue).sum();
    return new BroadcastResult.RejectedForNow(-26, "bad-txns-in-belowout, value in (" + Fees.btc(out + fee)
        + ") < value out (" + Fees.btc(out) + ")");
  }

  /** Takes transactions into the mempool in order, after evicting what they replace. */
  private void admit(List<Txid> txids, List<byte[]> raws, Set<Txid> replaced) {
    for (Txid r : replaced) {
      removeFromMempool(r);
    }
    for (int i = 0; i < txids.size(); i++) {
      learn(txids.get(i), raws.get(i));
      addToMempool(txids.get(i), raws.get(i));
    }
  }

  /** The conflicting transactions with all their mempool descendants: what a replacement evicts. */
  private Set<Txid> originals(Set<Txid> conflicts) {
    Set<Txid> out = new LinkedHashSet<>();
    for (Txid c : conflicts) {
      out.add(c);
      out.addAll(descendants(c));
    }
    return out;
  }

  /** The value of an output, from a transaction pending in the same package, seen, or told. */
  private Long valueOf(Outpoint o, Map<Txid, Seen> pending) {
    Seen parent = pending.getOrDefault(o.txid(), known.get(o.txid()));
    if (parent != null) {
      return o.vout() < parent.outputValues().size() ? parent.outputValues().get((int) o.vout()) : null;
    }
    return outsideValues.get(o);
  }

  private OptionalLong feeOf(Seen seen, Map<Txid, Seen> pending) {
    long in = 0;
    for (Outpoint o : seen.inputs()) {
      Long v = valueOf(o, pending);
      if (v == null) {
        return OptionalLong.empty();
      }
      in += v;
    }
    long out = 0;
    for (long v : seen.outputValues()) {
      out += v;
    }
    return OptionalLong.of(in - out);
  }

  /** Mempool transactions spending outputs of {@code txid}. */
  private List<Txid> children(Txid txid) {
    List<Txid> out = new ArrayList<>();
    Seen seen = known.get(txid);
    if (seen != null) {
      for (int i = 0; i < seen.outputValues().size(); i++) {
        Txid spender = spentInMempool.get(new Outpoint(txid, i));
        if (spender != null) {
          out.add(spender);
        }
      }
    }
    return out;
  }

  /** Every mempool descendant of {@code txid}, without it. */
  private Set<Txid> descendants(Txid txid) {
    Set<Txid> out = new LinkedHashSet<>();
    Deque<Txid> todo = new ArrayDeque<>(children(txid));
    while (!todo.isEmpty()) {
      Txid t = todo.pollFirst();
      if (out.add(t)) {
        todo.addAll(children(t));
      }
    }
    return out;
  }

  /** Every mempool ancestor of {@code txid}, without it. */
  private Set<Txid> ancestors(Txid txid) {
    Set<Txid> out = new LinkedHashSet<>();
    Deque<Txid> todo = new ArrayDeque<>();
    todo.add(txid);
    while (!todo.isEmpty()) {
      Seen seen = known.get(todo.pollFirst());
      if (seen == null) {
        continue;
      }
      for (Outpoint o : seen.inputs()) {
        if (mempool.containsKey(o.txid()) && out.add(o.txid())) {
          todo.add(o.txid());
        }
      }
    }
    return out;
  }

  /**
   * The fee, vsize and weight of {@code txid} with its mempool ancestors not in {@code excluded};
   * transactions whose fee is unknown add nothing (the market does not judge them).
   */
  private long[] ancestorPackage(Txid txid, Set<Txid> excluded) {
    long fee = 0;
    long vsize = 0;
    long weight = 0;
    Set<Txid> members = new LinkedHashSet<>();
    members.add(txid);
    members.addAll(ancestors(txid));
    for (Txid m : members) {
      OptionalLong f = fee(m);
      if (!excluded.contains(m) && f.isPresent()) {
        fee += f.getAsLong();
        vsize += known.get(m).vsize();
        weight += known.get(m).weight();
      }
    }
    return new long[] {fee, vsize, weight};
  }

  private void removeWithDescendants(Txid txid) {
    Set<Txid> gone = descendants(txid);
    removeFromMempool(txid);
    gone.forEach(this::removeFromMempool);
  }

  /**
   * Evicts, lowest first, every judged transaction whose descendant score (the better of its own
   * feerate and its feerate with its descendants, as bitcoind's old trimming ranked them) is below
   * the mempool minimum; its descendants go with it.
   */
  private void evictBelowMinimum() {
    if (mempoolMinFeerate == 0) {
      return;
    }
    while (true) {
      Txid worst = null;
      long worstFee = 0;
      long worstVsize = 1;
      for (Txid t : mempool.keySet()) {
        OptionalLong f = fee(t);
        if (f.isEmpty()) {
          continue;
        }
        long fee = f.getAsLong();
        long vsize = known.get(t).vsize();
        long withFee = fee;
        long withVsize = vsize;
        for (Txid d : descendants(t)) {
          OptionalLong df = fee(d);
          if (df.isPresent()) {
            withFee += df.getAsLong();
            withVsize += known.get(d).vsize();
          }
        }
        if (Fees.compareFeerates(withFee, withVsize, fee, vsize) > 0) {
          fee = withFee;
          vsize = withVsize;
        }
        if (Fees.below(fee, vsize, mempoolMinFeerate)
            && (worst == null || Fees.compareFeerates(fee, vsize, worstFee, worstVsize) < 0)) {
          worst = t;
          worstFee = fee;
          worstVsize = vsize;
        }
      }
      if (worst == null) {
        return;
      }
      removeWithDescendants(worst);
    }
  }

  /**
   * What a miner takes: packages of a transaction with its untaken ancestors, best ancestor feerate
   * first, each only if it fits the weight left and pays the miners' minimum; then every transaction
   * the market does not judge whose ancestors are in. Returned parents first.
   */
  private List<Txid> selectForBlock() {
    Set<Txid> taken = new HashSet<>();
    long weightLeft = blockWeightLimit;
    while (true) {
      Txid best = null;
      long[] bestPackage = null;
      for (Txid t : mempool.keySet()) {
        if (taken.contains(t) || fee(t).isEmpty()) {
          continue;
        }
        long[] p = ancestorPackage(t, taken);
        if (p[2] > weightLeft || Fees.below(p[0], p[1], minerMinFeerate)) {
          continue;
        }
        if (best == null || Fees.compareFeerates(p[0], p[1], bestPackage[0], bestPackage[1]) > 0) {
          best = t;
          bestPackage = p;
        }
      }
      if (best == null) {
        break;
      }
      taken.add(best);
      taken.addAll(ancestors(best));
      weightLeft -= bestPackage[2];
    }
    boolean grew = true;
    while (grew) {
      grew = false;
      for (Txid t : mempool.keySet()) {
        if (!taken.contains(t) && fee(t).isEmpty() && taken.containsAll(ancestors(t))) {
          taken.add(t);
          grew = true;
        }
      }
    }
    List<Txid> ordered = new ArrayList<>();
    Set<Txid> placed = new HashSet<>();
    for (Txid t : mempool.keySet()) {
      if (taken.contains(t)) {
        placeParentsFirst(t, placed, ordered);
      }
    }
    return ordered;
  }

  private void placeParentsFirst(Txid txid, Set<Txid> placed, List<Txid> ordered) {
    if (placed.contains(txid)) {
      return;
    }
    placed.add(txid);
    for (Outpoint o : known.get(txid).inputs()) {
      if (mempool.containsKey(o.txid())) {
        placeParentsFirst(o.txid(), placed, ordered);
      }
    }
    ordered.add(txid);
  }

  @Override
  public synchronized TxStatus status(Txid txid, Optional<BlockHash> inBlock) {
    Optional<String> fault = fault();
    if (fault.isPresent()) {
      return new TxStatus.Unknown(fault.get());
    }
    if (mempool.containsKey(txid)) {
      return new TxStatus.InMempool();
    }
    Integer h = confirmedAt.get(txid);
    if (h != null) {
      Block b = blockAt(h);
      if (txindex || inBlock.map(b.hash()::equals).orElse(false)) {
        return new TxStatus.Confirmed(b.ref());
      }
      return inBlock.isPresent() ? new TxStatus.NotFound() : new TxStatus.Unknown("no -txindex and no block named");
    }
    return txindex || inBlock.isPresent() ? new TxStatus.NotFound() : new TxStatus.Unknown("no -txindex and no block named");
  }

  // ---------------------------------------------------------------------------------------------
  // BlockSource

  @Override
  public synchronized BlockRef bestBlock() {
    blockSourceCall();
    return tip();
  }

  @Override
  public synchronized Block block(BlockHash hash) {
    blockSourceCall();
    Block b = allBlocks.get(hash);
    if (b == null) {
      throw new BlockSourceException("Block not found: " + hash, false);
    }
    return b;
  }

  /** Serves any transaction of a block it has mined, on the best chain or not, as bitcoind does. */
  @Override
  public synchronized Optional<byte[]> transaction(Txid txid, BlockHash block) {
    blockSourceCall();
    Block b = allBlocks.get(block);
    if (b == null) {
      throw new BlockSourceException("Block not found: " + block, false);
    }
    byte[] raw = rawOf.get(txid);
    return b.txids().contains(txid) && raw != null ? Optional.of(raw.clone()) : Optional.empty();
  }

  @Override
  public synchronized Optional<BlockHash> blockHashAt(int height) {
    blockSourceCall();
    int index = height - best.get(0).height();
    if (index < 0 || index >= best.size()) {
      return Optional.empty();
    }
    return Optional.of(best.get(index).hash());
  }

  // ---------------------------------------------------------------------------------------------

  private void blockSourceCall() {
    blockSourceCalls++;
    Optional<String> fault = fault();
    if (fault.isPresent()) {
      throw new BlockSourceException(fault.get(), true);
    }
  }

  private Optional<String> fault() {
    if (down || tip().height() < downUntilHeight) {
      return Optional.of("connection refused (node down)");
    }
    if (warmingUp || tip().height() < warmingUntilHeight) {
      return Optional.of("error -28: Loading block index…");
    }
    return Optional.empty();
  }

  private void learn(Txid txid, byte[] raw) {
    if (!known.containsKey(txid)) {
      known.put(txid, Seen.of(TransactionParser.parse("raw", raw)));
      rawOf.put(txid, raw.clone());
    }
  }

  private void addToMempool(Txid txid, byte[] raw) {
    if (confirmedAt.containsKey(txid) || mempool.containsKey(txid)) {
      return;
    }
    List<Outpoint> inputs = known.get(txid).inputs();
    Set<Outpoint> taken = new HashSet<>();
    for (Outpoint o : inputs) {
      if (spentInChain.containsKey(o) || spentInMempool.containsKey(o)) {
        return; // conflicts with the chain or the mempool: a node would not take it back
      }
      taken.add(o);
    }
    mempool.put(txid, raw);
    taken.forEach(o -> spentInMempool.put(o, txid));
  }

  private boolean removeFromMempool(Txid txid) {
    if (mempool.remove(txid) == null) {
      return false;
    }
    Seen seen = known.get(txid);
    if (seen != null) {
      for (Outpoint o : seen.inputs()) {
        spentInMempool.remove(o, txid);
      }
    }
    return true;
  }

  private BlockHash hash(int height, byte[] parent) {
    ByteBuffer b = ByteBuffer.allocate(32 + 4 + 8);
    b.put(parent).putInt(height).putLong(nonce++);
    return BlockHash.fromDisplayBytes(digest(b.array()));
  }

  private static byte[] digest(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
