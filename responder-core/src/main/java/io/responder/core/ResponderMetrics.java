package io.responder.core;

import java.util.Locale;

/**
 * Where the Responder reports what an operator measures: how long each block took, how long each
 * carrier, block source and store call took and whether it failed, what was done to penalties
 * (rebroadcasts, pending retries, escalations...), and after every call the {@link ResponderHealth}
 * it published (trackers by state, blocks behind the node). Every method has a no-op default; set one
 * with {@link Responder.Builder#metrics}. The {@code responder-micrometer} module binds it to
 * Micrometer meters.
 *
 * <p>Counts are kept incrementally by the Responder and handed over as they change: nothing here
 * walks the trackers. The core reads no clock of its own: the timings it reports are differences of
 * {@link #nanoTime()}, which the implementation supplies (its registry's clock, so a test can use a
 * controllable one). With the default {@link #NONE} no clock is read and no timing is taken.
 *
 * <h2>Requirements</h2>
 * Each method must be fast: it runs inside the Responder's call, on the path of a block. Counters,
 * timer updates, volatile writes; no I/O, no locks that a slow thread may hold.
 *
 * <h2>Threading</h2>
 * Called on the thread of the Responder call being measured, almost always with the Responder's lock
 * held; store calls made by queries may come from any thread that queries. Implementations must be
 * thread-safe and must not call back into the Responder.
 *
 * <h2>Errors</h2>
 * A method must not throw. If one does, the exception is logged (at WARN the first time, at DEBUG
 * after) and ignored: the Responder's work never depends on its metrics, and a failing
 * {@code nanoTime} makes that measurement 0.
 *
 * @since 0.1.0
 */
public interface ResponderMetrics {
  /** Metrics that record nothing (and read no clock): the default. */
  ResponderMetrics NONE = new ResponderMetrics() {};

  /**
   * Returns the time of a monotonic clock, in nanoseconds, from which the Responder measures
   * durations; only differences are used. The default is {@link System#nanoTime()}.
   *
   * @return the current time of the implementation's clock
   */
  default long nanoTime() {
    return System.nanoTime();
  }

  /**
   * A connected block was processed: confirmations, completions, expiries, rebroadcasts, retries and
   * its commit. Reported once per block, also for each block of a catch-up or of a reorganisation's
   * new branch.
   *
   * @param nanos how long it took, carrier and store calls included
   * @param committed false when it failed part way (it is undone, and the state reloads before the
   *     next call)
   */
  default void blockProcessed(long nanos, boolean committed) {}

  /**
   * A call to one of the host's ports returned or threw.
   *
   * @param call which call
   * @param nanos how long it took
   * @param succeeded false when it threw, or (carrier) answered that the node could not be reached
   *     ({@link BroadcastResult.NodeUnavailable} for every transaction, {@link TxStatus.Unknown})
   */
  default void portCalled(PortCall call, long nanos, boolean succeeded) {}

  /**
   * Something happened to trackers, counted once per tracker like the listener's events, and like
   * them only once durable (after the store commit that made it so); {@link Event#PENDING_RETRIED}
   * alone is counted when the retry is sent, also in a block that then fails.
   *
   * @param event what happened
   * @param count how many trackers it happened to ({@link Event#BLOCKS_DISCONNECTED}: how many blocks)
   */
  default void counted(Event event, int count) {}

  /**
   * The Responder published a new health snapshot: after each call that can change it, after each
   * connected block, and when a port call changes whether the node is reachable or the store
   * writable. The gauges live here: trackers by state, blocks behind the node, the tip.
   *
   * @param health the snapshot, the same one {@link Responder#health()} now returns
   */
  default void healthChanged(ResponderHealth health) {}

  /** The host's port a {@link PortCall} goes to. */
  enum Port {
    /** The {@link Carrier}. */
    CARRIER,
    /** The {@link BlockSource}. */
    BLOCK_SOURCE,
    /** The {@link TrackerStore}. */
    STORE;

    /**
     * Returns the name for a metric tag.
     *
     * @return the constant's name in lower case, for example {@code block_source}
     */
    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A method of one of the host's ports. */
  enum PortCall {
    /** {@link Carrier#broadcast}. */
    BROADCAST(Port.CARRIER),
    /** {@link Carrier#broadcastAll}: a block's rebroadcasts and retries in one batch. */
    BROADCAST_ALL(Port.CARRIER),
    /** {@link Carrier#broadcastPackage}. */
    BROADCAST_PACKAGE(Port.CARRIER),
    /** {@link Carrier#status}, or {@link Carrier#statusAll} (one call for the batch). */
    TX_STATUS(Port.CARRIER),
    /** {@link BlockSource#bestBlock}. */
    BEST_BLOCK(Port.BLOCK_SOURCE),
    /** {@link BlockSource#block}. */
    BLOCK(Port.BLOCK_SOURCE),
    /** {@link BlockSource#blockHashAt}. */
    BLOCK_HASH_AT(Port.BLOCK_SOURCE),
    /** {@link BlockSource#transaction}: a confirmed dispute read once per penalty handed over without it. */
    TRANSACTION(Port.BLOCK_SOURCE),
    /** {@link TrackerStore#loadTip}. */
    LOAD_TIP(Port.STORE),
    /** {@link TrackerStore#loadTrackers}: at start, and when the state reloads after a failure. */
    LOAD_TRACKERS(Port.STORE),
    /**
     * {@link TrackerStore#find}, or {@link TrackerStore#findAll} (one call for the batch): raw
     * transactions are read back when a penalty is sent again.
     */
    FIND(Port.STORE),
    /** {@link TrackerStore#commit}: one per block, breach or disconnection. */
    COMMIT(Port.STORE);

    private final Port port;

    PortCall(Port port) {
      this.port = port;
    }

    /**
     * Returns the port this call goes to.
     *
     * @return the port
     */
    public Port port() {
      return port;
    }

    /**
     * Returns the name for a metric tag.
     *
     * @return the constant's name in lower case, for example {@code broadcast_all}
     */
    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** What {@link #counted} counts; each stands for the listener event named, per tracker. */
  enum Event {
    /** A breach became a tracker ({@link ResponderListener#trackerAdded}). */
    TRACKER_ADDED,
    /** A penalty was found in a connected block ({@link ResponderListener#penaltyConfirmed}). */
    PENALTY_CONFIRMED,
    /**
     * A penalty was sent again ({@link ResponderListener#penaltyRebroadcast}): after missing blocks,
     * after a reorganisation, or as a retry of a pending one ({@link #PENDING_RETRIED} counts those
     * again on their own).
     */
    PENALTY_REBROADCAST,
    /** A pending penalty was sent again, once per block while it stays pending. */
    PENDING_RETRIED,
    /** A tracker reached the irrevocable depth ({@link ResponderListener#trackerCompleted}). */
    TRACKER_COMPLETED,
    /** A subscription ended before the penalty confirmed ({@link ResponderListener#trackerExpired}). */
    TRACKER_EXPIRED,
    /** The node refused a penalty for good ({@link ResponderListener#breachRejected}). */
    BREACH_REJECTED,
    /** A penalty entered its escalation window unconfirmed ({@link ResponderListener#penaltyAtRisk}). */
    PENALTY_AT_RISK,
    /** A higher-fee variant was sent ({@link ResponderListener#penaltyEscalated}). */
    PENALTY_ESCALATED,
    /** The host's fee bumper's child was sent with the penalty ({@link ResponderListener#penaltyBumped}). */
    PENALTY_BUMPED,
    /** A deadline passed with the penalty unconfirmed ({@link ResponderListener#deadlinePassed}). */
    DEADLINE_PASSED,
    /** Blocks taken off by a reorganisation ({@link ResponderListener#blocksDisconnected}); counted in blocks. */
    BLOCKS_DISCONNECTED;

    /**
     * Returns the name for a metric tag.
     *
     * @return the constant's name in lower case, for example {@code penalty_at_risk}
     */
    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }
}
