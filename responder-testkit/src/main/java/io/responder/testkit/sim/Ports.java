package io.responder.testkit.sim;

import io.responder.core.Block;
import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import io.responder.core.BlockSource;
import io.responder.core.BlockSourceException;
import io.responder.core.BroadcastResult;
import io.responder.core.Carrier;
import io.responder.core.StoreUpdate;
import io.responder.core.TrackerStore;
import io.responder.core.TransactionTracker;
import io.responder.core.TxStatus;
import io.responder.core.Txid;
import io.responder.testkit.FakeChain;
import io.responder.core.internal.TransactionParser;
import java.util.HashSet;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The ports a simulated Responder sees: the fake chain as carrier and block source, and the store,
 * each wrapped so the simulation can kill the process at a chosen call, take the block source down on
 * its own, make a port throw an unchecked exception its contract does not name, make the node lag
 * behind the chain the watcher sees, and watch every broadcast. Single-threaded, like the simulation
 * that owns it.
 */
final class Ports {
  /** The process died: thrown through the Responder, which is then thrown away. */
  static final class SimulatedCrash extends Error {
    private static final long serialVersionUID = 1L;

    SimulatedCrash(String where) {
      super("simulated process death " + where);
    }
  }

  /**
   * An unchecked failure a port's contract does not document (a JDBC pool that cannot lend a
   * connection, a block source's bug): the Responder must leave no half-applied state behind.
   */
  static final class InjectedPortFailure extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    InjectedPortFailure(String what) {
      super("unchecked failure of " + what + " injected by the simulation");
    }
  }

  /** Sees every broadcast that reached the carrier, with what the node answered. */
  interface BroadcastWatcher {
    /**
     * A broadcast was made.
     *
     * @param txid the transaction
     * @param result what the node answered
     * @param missingParent a dispute the transaction spends that the node has neither in its chain
     *     nor in its mempool, or null
     */
    void broadcast(Txid txid, BroadcastResult result, Txid missingParent);
  }

  private final FakeChain chain;
  private final FaultyTrackerStore faulty;
  private final BroadcastWatcher broadcastWatcher;
  /** Which txids are disputes the simulation made (the parents whose absence the node can notice). */
  private final Predicate<Txid> isDispute;

  /** Store reads before the next one throws; -1 when none is armed. */
  private int storeReadsBeforeFault = -1;
  /** Block source calls before the next one throws an unchecked exception; -1 when none is armed. */
  private int sourceCallsBeforeFault = -1;
  /** Carrier calls before the next one throws; -1 when none is armed. */
  private int carrierCallsBeforeFault = -1;
  /** While lagging, the height the node has stalled at; -1 when it keeps up. */
  private int lagHeight = -1;
  /** The stall ends once the chain's tip reaches this height. */
  private int lagUntil = -1;
  /** Transactions sent to the stalled node whose confirming block it has not seen: in its mempool. */
  private final Set<Txid> lagMempool = new HashSet<>();

  /** Calls to any port before the process dies at the next one; -1 when no death is armed. */
  private int callsBeforeDeath = -1;
  /** Successful commits before the process dies right after the next one; -1 when none is armed. */
  private int commitsBeforeDeath = -1;
  /** While true (the model reading state), calls count toward no armed death. */
  private boolean suspended;
  /** The block source fails until the chain's tip reaches this height. */
  private int sourceDownUntil = -1;
  /** The block source fails until opened again (a restart with the node unreachable). */
  private boolean sourceGateClosed;

  final Carrier carrier = new Carrier() {
    @Override
    public BroadcastResult broadcast(Txid txid, byte[] rawTransaction) {
      beforeCall("broadcast");
      if (carrierFault()) {
        // Counted as an attempt that did not reach the node, as the Responder must treat it.
        broadcastWatcher.broadcast(txid, new BroadcastResult.NodeUnavailable("carrier threw"), null);
        throw new InjectedPortFailure("the carrier's broadcast");
      }
      Txid missing = chain.isReachable() ? missingParent(rawTransaction) : null;
      BroadcastResult r;
      if (!chain.isReachable()) {
        r = chain.broadcast(txid, rawTransaction);
      } else if (lagging() && chain.confirmationHeight(txid).isPresent() && chain.confirmationHeight(txid).getAsInt() > nodeHeight()) {
        // Confirmed in a block the stalled node has not seen: to it, a valid new transaction.
        r = missing != null ? new BroadcastResult.Rejected(-25, "bad-txns-inputs-missingorspent")
            : new BroadcastResult.Accepted();
        if (missing == null) {
          lagMempool.add(txid);
        }
      } else if (chain.confirmationHeight(txid).isPresent()) {
        // bitcoind answers -27 (already in the chain) before any policy check, so a rejection the
        // history scripted is not given for a transaction the chain already has: it waits for the next
        // broadcast of that transaction while unconfirmed.
        r = new BroadcastResult.AlreadyConfirmed(OptionalInt.empty());
      } else if (missing != null && lagging()) {
        r = new BroadcastResult.Rejected(-25, "bad-txns-inputs-missingorspent");
      } else {
        r = chain.broadcast(txid, rawTransaction);
      }
      broadcastWatcher.broadcast(txid, r, missing);
      return r;
    }

    @Override
    public TxStatus status(Txid txid, Optional<BlockHash> inBlock) {
      beforeCall("status");
      if (carrierFault()) {
        throw new InjectedPortFailure("the carrier's status lookup");
      }
      if (lagging() && chain.isReachable()) {
        OptionalInt h = chain.confirmationHeight(txid);
        if (h.isPresent() && h.getAsInt() > nodeHeight()) {
          return lagMempool.contains(txid) ? new TxStatus.InMempool() : new TxStatus.NotFound();
        }
      }
      return chain.status(txid, inBlock);
    }
  };

  final BlockSource blockSource = new BlockSource() {
    @Override
    public BlockRef bestBlock() {
      beforeSourceCall("bestBlock");
      BlockRef best = chain.bestBlock();
      return lagging() && best.height() > nodeHeight() ? chain.blockAt(nodeHeight()).ref() : best;
    }

    @Override
    public Block block(BlockHash hash) {
      beforeSourceCall("block");
      Block b = chain.block(hash);
      if (lagging() && b.height() > nodeHeight() && b.height() <= chain.tip().height()
          && chain.blockAt(b.height()).hash().equals(hash)) {
        throw new BlockSourceException("Block not found: " + hash, false); // what bitcoind says, -5
      }
      return b;
    }

    @Override
    public Optional<BlockHash> blockHashAt(int height) {
      beforeSourceCall("blockHashAt");
      return lagging() && height > nodeHeight() ? Optional.empty() : chain.blockHashAt(height);
    }
  };

  final TrackerStore store = new TrackerStore() {
    @Override
    public Optional<BlockRef> loadTip() {
      beforeCall("loadTip");
      storeReadFault("loadTip");
      return faulty.loadTip();
    }

    @Override
    public void loadTrackers(Consumer<TransactionTracker> sink) {
      beforeCall("loadTrackers");
      if (!storeReadFaultArmedNow()) {
        faulty.loadTrackers(sink);
        return;
      }
      // The connection breaks in the middle of the stream: the sink has seen some trackers.
      int[] seen = {0};
      faulty.loadTrackers(t -> {
        if (seen[0]++ == 1) {
          throw new InjectedPortFailure("the store's loadTrackers, mid-stream");
        }
        sink.accept(t);
      });
      if (seen[0] <= 1) {
        throw new InjectedPortFailure("the store's loadTrackers");
      }
    }

    @Override
    public Optional<TransactionTracker> find(UUID uuid) {
      beforeCall("find");
      storeReadFault("find");
      return faulty.find(uuid);
    }

    @Override
    public void commit(StoreUpdate update) {
      beforeCall("commit");
      faulty.commit(update);
      if (!suspended && commitsBeforeDeath >= 0) {
        if (commitsBeforeDeath == 0) {
          commitsBeforeDeath = -1;
          throw new SimulatedCrash("right after a commit");
        }
        commitsBeforeDeath--;
      }
    }
  };

  Ports(FakeChain chain, FaultyTrackerStore faulty, Predicate<Txid> isDispute, BroadcastWatcher broadcastWatcher) {
    this.chain = chain;
    this.faulty = faulty;
    this.isDispute = isDispute;
    this.broadcastWatcher = broadcastWatcher;
  }

  /**
   * Arms an unchecked failure at the {@code n}-th call to a port, counting from 1.
   *
   * @param port which port
   * @param n which call
   */
  void failPortAt(Step.Port port, int n) {
    int before = Math.max(0, n - 1);
    switch (port) {
      case STORE_READ -> storeReadsBeforeFault = before;
      case BLOCK_SOURCE -> sourceCallsBeforeFault = before;
      case CARRIER -> carrierCallsBeforeFault = before;
      default -> throw new IllegalArgumentException(port.toString());
    }
  }

  /**
   * Makes the node stall at the chain's current tip until {@code blocks} blocks past the next one are
   * mined.
   *
   * @param blocks how long
   */
  void lagForBlocks(int blocks) {
    lagHeight = chain.tip().height();
    lagUntil = lagHeight + 1 + blocks;
    lagMempool.clear();
  }

  /**
   * Returns whether the node is stalled behind the chain's tip now.
   *
   * @return true while it lags
   */
  boolean lagging() {
    if (lagHeight >= 0 && chain.tip().height() >= lagUntil) {
      lagHeight = -1; // caught up: what it had in its mempool above its old tip is in its chain now
      lagMempool.clear();
    }
    return lagHeight >= 0;
  }

  /**
   * Returns the height of the node's best chain: the chain's tip, or lower while the node lags.
   *
   * @return the height
   */
  int nodeHeight() {
    return lagging() ? Math.min(lagHeight, chain.tip().height()) : chain.tip().height();
  }

  /**
   * Returns whether the node has a transaction confirmed in its own best chain.
   *
   * @param txid the transaction
   * @return true if confirmed at or below the node's height
   */
  boolean confirmedOnNode(Txid txid) {
    OptionalInt h = chain.confirmationHeight(txid);
    return h.isPresent() && h.getAsInt() <= nodeHeight();
  }

  /**
   * Returns whether the node has a transaction in its mempool or its chain.
   *
   * @param txid the transaction
   * @return true if the node holds it
   */
  boolean nodeHas(Txid txid) {
    return confirmedOnNode(txid) || chain.inMempool(txid) && !chain.confirmationHeight(txid).isPresent()
        || lagging() && lagMempool.contains(txid);
  }

  /** The first dispute the transaction spends that the node holds neither in its chain nor mempool. */
  private Txid missingParent(byte[] raw) {
    TransactionParser.Parsed parsed;
    try {
      parsed = TransactionParser.parse("rawTransaction", raw);
    } catch (IllegalArgumentException e) {
      return null;
    }
    for (TransactionParser.Outpoint o : parsed.inputs()) {
      if (isDispute.test(o.txid()) && !nodeHas(o.txid())) {
        return o.txid();
      }
    }
    return null;
  }

  void dieAtCall(int n) {
    callsBeforeDeath = Math.max(0, n - 1);
  }

  void dieAfterCommit(int n) {
    commitsBeforeDeath = Math.max(0, n - 1);
  }

  void sourceDownForBlocks(int blocks) {
    sourceDownUntil = chain.tip().height() + blocks;
  }

  void closeSourceGate(boolean closed) {
    sourceGateClosed = closed;
  }

  boolean sourceReachable() {
    return chain.isReachable() && !sourceGateClosed && chain.tip().height() >= sourceDownUntil;
  }

  void suspend(boolean value) {
    suspended = value;
  }

  /** Ends every fault the simulation injected (not the chain's own node faults). */
  void clearFaults() {
    callsBeforeDeath = -1;
    commitsBeforeDeath = -1;
    sourceDownUntil = -1;
    sourceGateClosed = false;
    storeReadsBeforeFault = -1;
    sourceCallsBeforeFault = -1;
    carrierCallsBeforeFault = -1;
    lagHeight = -1;
    lagMempool.clear();
    faulty.clearFaults();
  }

  private void beforeSourceCall(String what) {
    beforeCall(what);
    if (!suspended && sourceCallsBeforeFault >= 0) {
      if (sourceCallsBeforeFault-- == 0) {
        throw new InjectedPortFailure("the block source's " + what);
      }
    }
    if (!sourceGateClosed && chain.tip().height() >= sourceDownUntil) {
      return;
    }
    throw new BlockSourceException("block source unreachable (injected by the simulation)", true);
  }

  private void beforeCall(String what) {
    if (suspended || callsBeforeDeath < 0) {
      return;
    }
    if (callsBeforeDeath == 0) {
      callsBeforeDeath = -1;
      throw new SimulatedCrash("before a call to " + what);
    }
    callsBeforeDeath--;
  }

  private boolean carrierFault() {
    if (suspended || carrierCallsBeforeFault < 0) {
      return false;
    }
    return carrierCallsBeforeFault-- == 0;
  }

  private void storeReadFault(String what) {
    if (storeReadFaultArmedNow()) {
      throw new InjectedPortFailure("the store's " + what);
    }
  }

  /** Counts a store read toward an armed fault; true if this read is the one that fails. */
  private boolean storeReadFaultArmedNow() {
    if (suspended || storeReadsBeforeFault < 0) {
      return false;
    }
    return storeReadsBeforeFault-- == 0;
  }
}
