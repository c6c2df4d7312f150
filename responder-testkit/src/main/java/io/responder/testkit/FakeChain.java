package io.responder.testkit;

import io.responder.core.Block;
import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import io.responder.core.BlockSource;
import io.responder.core.BlockSourceException;
import io.responder.core.BroadcastResult;
import io.responder.core.Carrier;
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
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
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
  /** Every transaction this chain has seen, with its inputs. */
  private final Map<Txid, List<Outpoint>> known = new HashMap<>();
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
   * Mines a block with every mempool transaction.
   *
   * @return the new tip
   */
  public synchronized Block mine() {
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
      List<Outpoint> inputs = known.get(t);
      if (inputs != null) {
        for (Outpoint o : inputs) {
          spentInChain.put(o, t);
          Txid conflict = spentInMempool.get(o);
          if (conflict != null) {
            removeFromMempool(conflict);
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
        List<Outpoint> inputs = known.get(t);
        if (inputs != null) {
          inputs.forEach(spentInChain::remove);
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
   * rebroadcast brings it back.
   *
   * @param txid the transaction
   * @return whether it was in the mempool
   */
  public synchronized boolean dropFromMempool(Txid txid) {
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
    if (confirmedAt.containsKey(txid)) {
      return new BroadcastResult.AlreadyConfirmed(OptionalInt.empty());
    }
    if (mempool.containsKey(txid)) {
      return new BroadcastResult.Accepted();
    }
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
      known.put(txid, TransactionParser.parse("raw", raw).inputs());
      rawOf.put(txid, raw.clone());
    }
  }

  private void addToMempool(Txid txid, byte[] raw) {
    if (confirmedAt.containsKey(txid) || mempool.containsKey(txid)) {
      return;
    }
    List<Outpoint> inputs = known.get(txid);
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
    List<Outpoint> inputs = known.get(txid);
    if (inputs != null) {
      for (Outpoint o : inputs) {
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
