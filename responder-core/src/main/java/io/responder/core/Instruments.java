package io.responder.core;

import io.responder.core.ResponderMetrics.Event;
import io.responder.core.ResponderMetrics.PortCall;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Responder's measuring side: hands timings and counts to the host's {@link ResponderMetrics},
 * which must never break the Responder (whatever it throws is logged and dropped), and keeps the
 * {@link ResponderHealth} that {@link Responder#health()} reads without a lock.
 *
 * <p>The health is assembled from two parts: the chain part (tip, trackers by state), given under
 * the Responder's lock after each call and each block; and the port part (node reachable, store
 * writable, last failure, node's best height), written by the port wrappers, which queries may call
 * from other threads. Both are combined under this object's monitor and published through a volatile
 * field; a port call that changes nothing publishes nothing, so a block of ten thousand successful
 * sends allocates no snapshot. Thread-safe.
 */
final class Instruments {
  private static final Logger log = LoggerFactory.getLogger(Responder.class);
  private static final int[] NO_TRACKERS = new int[TrackerState.values().length];

  private final ResponderMetrics metrics;
  /** False for {@link ResponderMetrics#NONE}: no clock is read and nothing is timed. */
  private final boolean timed;
  /** Whether a throwing {@link ResponderMetrics} was reported at WARN already (then at DEBUG). */
  private volatile boolean warned;

  // Guarded by this.
  private @Nullable BlockRef tip;
  private int[] trackersByState = NO_TRACKERS;
  private int nodeBestHeight = -1;
  private boolean nodeReachable = true;
  private boolean storeWritable = true;
  private Optional<ResponderHealth.Failure> lastFailure = Optional.empty();

  private volatile @Nullable ResponderHealth health;

  Instruments(ResponderMetrics metrics) {
    this.metrics = metrics;
    this.timed = metrics != ResponderMetrics.NONE;
  }

  // ---------------------------------------------------------------------------------------------
  // Health

  /** The last snapshot published; null only before the Responder's first load. */
  @Nullable ResponderHealth health() {
    return health;
  }

  /** After a call or a block, under the Responder's lock: the chain part as committed. */
  void chainState(BlockRef committedTip, int[] countsByState) {
    ResponderHealth h;
    synchronized (this) {
      tip = committedTip;
      trackersByState = countsByState;
      h = publishLocked();
    }
    tell(h);
  }

  /** A call failed part way: memory is stale, so only the port part is brought up to date. */
  void portStateOnly() {
    ResponderHealth h;
    synchronized (this) {
      h = publishLocked();
    }
    tell(h);
  }

  /** The node's best block as the block source answered it. */
  synchronized void nodeBest(int height) {
    nodeBestHeight = height;
  }

  /** A block the host handed over: the node has at least this one. */
  synchronized void nodeHasAtLeast(int height) {
    nodeBestHeight = Math.max(nodeBestHeight, height);
  }

  private void portOutcome(PortCall call, @Nullable String failureKind, boolean definite) {
    ResponderHealth h = null;
    synchronized (this) {
      boolean changed = false;
      if (failureKind != null) {
        lastFailure = Optional.of(new ResponderHealth.Failure(call, failureKind, tip == null ? -1 : tip.height()));
        changed = true;
      }
      boolean ok = failureKind == null;
      if (call == PortCall.COMMIT) {
        changed |= storeWritable != ok;
        storeWritable = ok;
      } else if (call.port() != ResponderMetrics.Port.STORE && (definite || !ok)) {
        changed |= nodeReachable != ok;
        nodeReachable = ok;
      }
      if (changed) {
        h = publishLocked();
      }
    }
    if (h != null) {
      tell(h);
    }
  }

  private @Nullable ResponderHealth publishLocked() {
    if (tip == null) {
      return null; // nothing loaded yet: the first chain state publishes
    }
    ResponderHealth h = new ResponderHealth(tip, nodeBestHeight, nodeReachable, storeWritable, trackersByState, lastFailure);
    health = h;
    return h;
  }

  private void tell(@Nullable ResponderHealth h) {
    if (h != null && timed) {
      try {
        metrics.healthChanged(h);
      } catch (RuntimeException e) {
        metricsThrew("healthChanged", e);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Metrics

  /** The start of a measurement (0 without metrics: no clock is read). */
  long start() {
    if (!timed) {
      return 0;
    }
    try {
      return metrics.nanoTime();
    } catch (RuntimeException e) {
      metricsThrew("nanoTime", e);
      return 0;
    }
  }

  private long since(long start) {
    return Math.max(0, start() - start);
  }

  void blockProcessed(long start, boolean committed) {
    if (!timed) {
      return;
    }
    long nanos = since(start);
    try {
      metrics.blockProcessed(nanos, committed);
    } catch (RuntimeException e) {
      metricsThrew("blockProcessed", e);
    }
  }

  void counted(Event event, int count) {
    if (!timed || count <= 0) {
      return;
    }
    try {
      metrics.counted(event, count);
    } catch (RuntimeException e) {
      metricsThrew("counted", e);
    }
  }

  /**
   * A port call ended. {@code failureKind} is null when it succeeded; {@code definite} is false for
   * an answer that says nothing about the node's reachability (a status the node could not give).
   */
  void portCalled(PortCall call, long start, @Nullable String failureKind, boolean definite) {
    portOutcome(call, failureKind, definite);
    if (!timed) {
      return;
    }
    long nanos = since(start);
    try {
      metrics.portCalled(call, nanos, failureKind == null && definite);
    } catch (RuntimeException e) {
      metricsThrew("portCalled", e);
    }
  }

  private void metricsThrew(String method, RuntimeException e) {
    if (!warned) {
      warned = true;
      log.atWarn().addKeyValue("metrics", metrics.getClass().getName()).addKeyValue("method", method)
          .addKeyValue("exception", e.toString()).log("metrics threw; ignored (further failures are logged at DEBUG)");
    } else {
      log.atDebug().addKeyValue("method", method).addKeyValue("exception", e.toString()).log("metrics threw; ignored");
    }
  }

  /** What the health says about an exception: its type, never its message. */
  static String kindOf(Throwable e) {
    return e.getClass().getSimpleName();
  }

  // ---------------------------------------------------------------------------------------------
  // The ports, wrapped

  Carrier wrap(Carrier carrier) {
    return new MeteredCarrier(carrier, this);
  }

  BlockSource wrap(BlockSource source) {
    return new MeteredBlockSource(source, this);
  }

  TrackerStore wrap(TrackerStore store) {
    return new MeteredStore(store, this);
  }

  /** Counts the events of committed changes: a second listener the ledger tells after the host's. */
  ResponderListener eventCounter() {
    return timed ? new EventCounter(this) : ResponderListener.NONE;
  }

  private static final class MeteredCarrier implements Carrier {
    private final Carrier carrier;
    private final Instruments in;

    MeteredCarrier(Carrier carrier, Instruments in) {
      this.carrier = carrier;
      this.in = in;
    }

    @Override
    public BroadcastResult broadcast(Txid txid, byte[] rawTransaction) {
      long start = in.start();
      BroadcastResult r;
      try {
        r = carrier.broadcast(txid, rawTransaction);
      } catch (RuntimeException e) {
        in.portCalled(PortCall.BROADCAST, start, kindOf(e), true);
        throw e;
      }
      in.portCalled(PortCall.BROADCAST, start, r == null ? "NoAnswer" : unavailable(r), true);
      return r;
    }

    @Override
    public List<BroadcastResult> broadcastAll(List<RawTransaction> transactions) {
      long start = in.start();
      List<BroadcastResult> r;
      try {
        r = carrier.broadcastAll(transactions);
      } catch (RuntimeException e) {
        in.portCalled(PortCall.BROADCAST_ALL, start, kindOf(e), true);
        throw e;
      }
      in.portCalled(PortCall.BROADCAST_ALL, start, r == null ? "NoAnswer" : allUnavailable(r), !transactions.isEmpty());
      return r;
    }

    @Override
    public PackageResult broadcastPackage(TransactionPackage transactionPackage) {
      long start = in.start();
      PackageResult r;
      try {
        r = carrier.broadcastPackage(transactionPackage);
      } catch (RuntimeException e) {
        in.portCalled(PortCall.BROADCAST_PACKAGE, start, kindOf(e), true);
        throw e;
      }
      in.portCalled(PortCall.BROADCAST_PACKAGE, start, r == null ? "NoAnswer" : allUnavailable(r.results()), true);
      return r;
    }

    @Override
    public TxStatus status(Txid txid, Optional<BlockHash> inBlock) {
      long start = in.start();
      TxStatus r;
      try {
        r = carrier.status(txid, inBlock);
      } catch (RuntimeException e) {
        in.portCalled(PortCall.TX_STATUS, start, kindOf(e), true);
        throw e;
      }
      // "Unknown" is also the answer of a node without -txindex: it says nothing about reachability.
      in.portCalled(PortCall.TX_STATUS, start, r == null ? "NoAnswer" : null, !(r instanceof TxStatus.Unknown));
      return r;
    }

    @Override
    public List<TxStatus> statusAll(List<StatusQuery> queries) {
      long start = in.start();
      List<TxStatus> r;
      try {
        r = carrier.statusAll(queries);
      } catch (RuntimeException e) {
        in.portCalled(PortCall.TX_STATUS, start, kindOf(e), true);
        throw e;
      }
      // As for one lookup: only an answer other than "Unknown" says the node was reached. The first
      // such answer settles it: the others are not read (a block's thousands, each out of the cache).
      boolean definite = false;
      if (r != null) {
        for (TxStatus s : r) {
          if (s != null && !(s instanceof TxStatus.Unknown)) {
            definite = true;
            break;
          }
        }
      }
      in.portCalled(PortCall.TX_STATUS, start, r == null ? "NoAnswer" : null, definite);
      return r;
    }

    private static @Nullable String unavailable(BroadcastResult r) {
      return r instanceof BroadcastResult.NodeUnavailable ? "NodeUnavailable" : null;
    }

    private static @Nullable String allUnavailable(List<BroadcastResult> results) {
      if (results.isEmpty()) {
        return null;
      }
      for (BroadcastResult r : results) {
        if (!(r instanceof BroadcastResult.NodeUnavailable)) {
          return null; // the node answered for this one
        }
      }
      return "NodeUnavailable";
    }
  }

  private static final class MeteredBlockSource implements BlockSource {
    private final BlockSource source;
    private final Instruments in;

    MeteredBlockSource(BlockSource source, Instruments in) {
      this.source = source;
      this.in = in;
    }

    @Override
    public BlockRef bestBlock() {
      long start = in.start();
      BlockRef best;
      try {
        best = source.bestBlock();
      } catch (RuntimeException e) {
        in.portCalled(PortCall.BEST_BLOCK, start, kindOf(e), true);
        throw e;
      }
      if (best != null) {
        in.nodeBest(best.height());
      }
      in.portCalled(PortCall.BEST_BLOCK, start, null, true);
      return best;
    }

    @Override
    public Block block(BlockHash hash) {
      long start = in.start();
      try {
        Block b = source.block(hash);
        in.portCalled(PortCall.BLOCK, start, null, true);
        return b;
      } catch (RuntimeException e) {
        in.portCalled(PortCall.BLOCK, start, kindOf(e), true);
        throw e;
      }
    }

    @Override
    public Optional<BlockHash> blockHashAt(int height) {
      long start = in.start();
      try {
        Optional<BlockHash> h = source.blockHashAt(height);
        in.portCalled(PortCall.BLOCK_HASH_AT, start, null, true);
        return h;
      } catch (RuntimeException e) {
        in.portCalled(PortCall.BLOCK_HASH_AT, start, kindOf(e), true);
        throw e;
      }
    }

    @Override
    public Optional<byte[]> transaction(Txid txid, BlockHash block) {
      long start = in.start();
      try {
        Optional<byte[]> raw = source.transaction(txid, block);
        in.portCalled(PortCall.TRANSACTION, start, null, true);
        return raw;
      } catch (RuntimeException e) {
        in.portCalled(PortCall.TRANSACTION, start, kindOf(e), true);
        throw e;
      }
    }
  }

  private static final class MeteredStore implements TrackerStore {
    private final TrackerStore store;
    private final Instruments in;

    MeteredStore(TrackerStore store, Instruments in) {
      this.store = store;
      this.in = in;
    }

    /** Not metered: the Responder's queries read the host's store directly, off the lock. */
    @Override
    public List<TransactionTracker> loadPage(java.util.@Nullable UUID after, int limit) {
      return store.loadPage(after, limit);
    }

    @Override
    public Optional<BlockRef> loadTip() {
      long start = in.start();
      try {
        Optional<BlockRef> tip = store.loadTip();
        in.portCalled(PortCall.LOAD_TIP, start, null, true);
        return tip;
      } catch (RuntimeException e) {
        in.portCalled(PortCall.LOAD_TIP, start, kindOf(e), true);
        throw e;
      }
    }

    @Override
    public void loadTrackers(java.util.function.Consumer<TransactionTracker> sink) {
      long start = in.start();
      try {
        store.loadTrackers(sink);
        in.portCalled(PortCall.LOAD_TRACKERS, start, null, true);
      } catch (RuntimeException e) {
        in.portCalled(PortCall.LOAD_TRACKERS, start, kindOf(e), true);
        throw e;
      }
    }

    @Override
    public Optional<TransactionTracker> find(java.util.UUID uuid) {
      long start = in.start();
      try {
        Optional<TransactionTracker> t = store.find(uuid);
        in.portCalled(PortCall.FIND, start, null, true);
        return t;
      } catch (RuntimeException e) {
        in.portCalled(PortCall.FIND, start, kindOf(e), true);
        throw e;
      }
    }

    @Override
    public List<@Nullable TransactionTracker> findAll(List<java.util.UUID> uuids) {
      long start = in.start();
      try {
        List<@Nullable TransactionTracker> t = store.findAll(uuids);
        in.portCalled(PortCall.FIND, start, null, true);
        return t;
      } catch (RuntimeException e) {
        in.portCalled(PortCall.FIND, start, kindOf(e), true);
        throw e;
      }
    }

    /** Not a call to time: a property of the store, read once at start. */
    @Override
    public int findAllBatchSize() {
      return store.findAllBatchSize();
    }

    @Override
    public void commit(StoreUpdate update) {
      long start = in.start();
      try {
        store.commit(update);
        in.portCalled(PortCall.COMMIT, start, null, true);
      } catch (RuntimeException e) {
        in.portCalled(PortCall.COMMIT, start, kindOf(e), true);
        throw e;
      }
    }
  }

  /** Turns the events of committed changes into counts; overrides only what it counts. */
  private static final class EventCounter implements ResponderListener {
    private final Instruments in;

    EventCounter(Instruments in) {
      this.in = in;
    }

    @Override
    public void trackerAdded(TransactionTracker tracker) {
      in.counted(Event.TRACKER_ADDED, 1);
    }

    @Override
    public void penaltyConfirmed(java.util.UUID uuid, Txid penaltyTxid, BlockRef block) {
      in.counted(Event.PENALTY_CONFIRMED, 1);
    }

    @Override
    public void penaltyRebroadcast(java.util.UUID uuid, Txid penaltyTxid, BroadcastResult result) {
      in.counted(Event.PENALTY_REBROADCAST, 1);
    }

    @Override
    public void trackerCompleted(java.util.UUID uuid, Txid penaltyTxid, BlockRef tip) {
      in.counted(Event.TRACKER_COMPLETED, 1);
    }

    @Override
    public void trackerExpired(java.util.UUID uuid, Txid penaltyTxid, BlockRef tip) {
      in.counted(Event.TRACKER_EXPIRED, 1);
    }

    @Override
    public void breachRejected(java.util.UUID uuid, Txid penaltyTxid, BroadcastResult.Rejected rejection) {
      in.counted(Event.BREACH_REJECTED, 1);
    }

    @Override
    public void blocksDisconnected(BlockRef forkPoint, List<BlockRef> disconnected) {
      in.counted(Event.BLOCKS_DISCONNECTED, disconnected.size());
    }

    @Override
    public void penaltyAtRisk(java.util.UUID uuid, Txid penaltyTxid, int deadlineHeight, int blocksLeft) {
      in.counted(Event.PENALTY_AT_RISK, 1);
    }

    @Override
    public void penaltyEscalated(java.util.UUID uuid, Txid penaltyTxid, Txid sentTxid, int rung, BroadcastResult result) {
      in.counted(Event.PENALTY_ESCALATED, 1);
    }

    @Override
    public void penaltyBumped(java.util.UUID uuid, Txid penaltyTxid, Txid childTxid, FeeRate packageFeeRate, long feeSats,
        BroadcastResult result) {
      in.counted(Event.PENALTY_BUMPED, 1);
    }

    @Override
    public void deadlinePassed(java.util.UUID uuid, Txid penaltyTxid, int deadlineHeight) {
      in.counted(Event.DEADLINE_PASSED, 1);
    }
  }
}
