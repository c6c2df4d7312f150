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
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The ports a simulated Responder sees: the fake chain as carrier and block source, and the store,
 * each wrapped so the simulation can kill the process at a chosen call, take the block source down on
 * its own, and watch every broadcast. Single-threaded, like the simulation that owns it.
 */
final class Ports {
  /** The process died: thrown through the Responder, which is then thrown away. */
  static final class SimulatedCrash extends Error {
    private static final long serialVersionUID = 1L;

    SimulatedCrash(String where) {
      super("simulated process death " + where);
    }
  }

  private final FakeChain chain;
  private final FaultyTrackerStore faulty;
  private final BiConsumer<Txid, BroadcastResult> broadcastWatcher;

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
      // bitcoind answers -27 (already in the chain) before any policy check, so a rejection the
      // history scripted is not given for a transaction the chain already has: it waits for the next
      // broadcast of that transaction while unconfirmed.
      BroadcastResult r = chain.isReachable() && chain.confirmationHeight(txid).isPresent()
          ? new BroadcastResult.AlreadyConfirmed(OptionalInt.empty())
          : chain.broadcast(txid, rawTransaction);
      broadcastWatcher.accept(txid, r);
      return r;
    }

    @Override
    public TxStatus status(Txid txid, Optional<BlockHash> inBlock) {
      beforeCall("status");
      return chain.status(txid, inBlock);
    }
  };

  final BlockSource blockSource = new BlockSource() {
    @Override
    public BlockRef bestBlock() {
      beforeSourceCall("bestBlock");
      return chain.bestBlock();
    }

    @Override
    public Block block(BlockHash hash) {
      beforeSourceCall("block");
      return chain.block(hash);
    }

    @Override
    public Optional<BlockHash> blockHashAt(int height) {
      beforeSourceCall("blockHashAt");
      return chain.blockHashAt(height);
    }
  };

  final TrackerStore store = new TrackerStore() {
    @Override
    public Optional<BlockRef> loadTip() {
      beforeCall("loadTip");
      return faulty.loadTip();
    }

    @Override
    public void loadTrackers(Consumer<TransactionTracker> sink) {
      beforeCall("loadTrackers");
      faulty.loadTrackers(sink);
    }

    @Override
    public Optional<TransactionTracker> find(UUID uuid) {
      beforeCall("find");
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

  Ports(FakeChain chain, FaultyTrackerStore faulty, BiConsumer<Txid, BroadcastResult> broadcastWatcher) {
    this.chain = chain;
    this.faulty = faulty;
    this.broadcastWatcher = broadcastWatcher;
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
    faulty.clearFaults();
  }

  private void beforeSourceCall(String what) {
    beforeCall(what);
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
}
