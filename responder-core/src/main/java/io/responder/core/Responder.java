package io.responder.core;

import io.responder.core.internal.PenaltyGroup;
import io.responder.core.internal.RecentBlocks;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gets the penalty transactions of channel breaches mined, and keeps at it until they are
 * irrevocably resolved.
 *
 * <p>The host hands breaches to {@link #handleBreach(Breach)} and drives {@link #onBlock(Block)} from
 * its own chain loop. Per connected block the Responder confirms tracked penalties found in the
 * block, completes trackers at the irrevocable depth, expires unconfirmed trackers whose subscription
 * ended, rebroadcasts penalties that missed too many blocks, retries pending ones, and commits all of
 * it with the new tip to the {@link TrackerStore} as one unit. A block that does not extend the tip
 * is a gap or a reorganisation: the Responder fetches the missing ancestors from the
 * {@link BlockSource}, disconnects its own blocks back to the fork point (unconfirming and
 * rebroadcasting what they had confirmed, the dispute first when it too was disconnected), and
 * connects the new branch block by block.
 *
 * <p>Per-block work is proportional to the block's txids plus the trackers whose state changes:
 * penalties are indexed by txid, due work by height, and no tracker that does not change causes a
 * carrier call or a store write.
 *
 * <p>Behind this façade the work is divided by the spec's sections: {@code Intake} (B1),
 * {@code BlockStep} (B2), {@code ChainFollower} (B3, B4), over a {@code TrackerBook} that owns every
 * index and status transition, a {@code NodeLink} for the ports, and a {@code Ledger} that commits
 * each call's {@code ChangeSet} whole.
 *
 * <h2>Threading</h2>
 * Instances are thread-safe. Every method that acts runs under one lock, so calls are serialised: each
 * call sees the effects of every call that returned before it started, and a {@code handleBreach}
 * that arrives during an {@code onBlock} waits for it and is then handled against the new tip.
 * Carrier, block source, store and listener calls are made with the lock held, on the caller's
 * thread. The queries that read trackers ({@link #tracker}, {@link #trackers()},
 * {@link #trackers(UUID, int)}) read the store without the lock, and {@link #countsByState()},
 * {@link #trackerCount()} and {@link #health()} read what was published at the end of each call,
 * so no query, however large the store, holds up a block. The Responder starts no threads and
 * reads no clock (a {@link ResponderMetrics} set on the builder supplies the clock its timings are
 * taken on).
 *
 * <h2>Failures</h2>
 * Bad input throws {@link InvalidInputException} and changes nothing. A {@link BlockSourceException}
 * during catch-up stops it at the last fully processed block, which is committed; the next call
 * resumes. Any failure inside a block or a disconnection (a store failure, a store read failing, a
 * port throwing an unchecked exception it should not) is rethrown, and the Responder reloads its
 * state from the store before its next call: a block is applied whole or, to the host retrying it,
 * not at all, and what is in memory never runs ahead of what is persisted.
 *
 * <h2>What the node says, and what it does not</h2>
 * A penalty the node reports as already confirmed is placed where it really is, or later, never
 * earlier: when neither the carrier nor the block source can tell where, it stays pending and the
 * location is learnt on a later block. A refusal for missing or spent inputs
 * ({@link BroadcastResult.Rejected#INPUTS_MISSING_OR_SPENT}) is final only when the node holds the
 * dispute confirmed; until then the dispute may simply not have reached the node, so the raw dispute
 * (when known) is sent first and the breach stays pending.
 *
 * @since 0.1.0
 */
public final class Responder {
  private static final Logger log = LoggerFactory.getLogger(Responder.class);

  private final ResponderConfig config;
  private final BlockSource blockSource;
  private final ReentrantLock lock = new ReentrantLock();
  /** Thread-safe: health() reads it without the lock. */
  private final Instruments instruments;

  // Everything below is guarded by lock.
  private final RecentBlocks window;
  private final Ledger ledger;
  private final TrackerBook book;
  private final NodeLink node;
  private final Escalation escalation;
  private final BlockStep steps;
  private final ChainFollower follower;
  private final Intake intake;
  /** Trackers per state as of the last call that left memory agreeing with the store; read without the lock. */
  private volatile Map<TrackerState, Integer> counts = Map.of();
  /**
   * The host's store itself, for the queries: they run on other threads without the lock, and the
   * metrics port is only ever called under it, so their reads are not metered.
   */
  private final TrackerStore queryStore;

  private Responder(Builder b) {
    this.config = b.config;
    // Every port call goes through a wrapper that times it and keeps the health's port part.
    this.instruments = new Instruments(b.metrics);
    Carrier carrier = instruments.wrap(Objects.requireNonNull(b.carrier, "carrier"));
    this.blockSource = instruments.wrap(Objects.requireNonNull(b.blockSource, "blockSource"));
    this.queryStore = Objects.requireNonNull(b.store, "store");
    int findAllBatch = queryStore.findAllBatchSize();
    if (findAllBatch < 1) {
      throw new InvalidInputException("findAllBatchSize", "the store's " + queryStore.getClass().getName()
          + " answered " + findAllBatch + ": must be positive");
    }
    TrackerStore store = instruments.wrap(queryStore);
    this.window = new RecentBlocks(config.reorgWindow() + 1);
    this.ledger = new Ledger(store, b.listener, instruments.eventCounter());
    this.book = new TrackerBook(config);
    this.node = new NodeLink(carrier, blockSource, store, findAllBatch, window, config);
    this.escalation = new Escalation(config, node, b.feeEstimator, b.feeBumper, b.maxChildFeeSats);
    this.steps = new BlockStep(book, node, ledger, window, config, escalation, instruments);
    this.follower = new ChainFollower(book, node, ledger, window, steps, escalation);
    this.intake = new Intake(book, node, ledger, window, follower, steps, escalation);
  }

  /**
   * Starts configuring a Responder.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  // ---------------------------------------------------------------------------------------------
  // Public API

  /**
   * Takes responsibility for a breach: broadcasts its penalty (unless the same penalty is already
   * tracked or was sent in this block interval) and, unless the node refused it for good, creates and
   * persists a tracker before returning.
   *
   * <p>If the block the breach was seen in is not on the Responder's chain yet, the Responder first
   * catches up with the block source; if that fails, it handles the breach at its current tip and logs
   * that it acted out of sync. A breach under a uuid that is already tracked is idempotent when it
   * is the same breach.
   *
   * @param breach the breach
   * @return what the node answered and whether the breach is now tracked
   * @throws InvalidInputException if the uuid is already tracked with a different breach; nothing changes
   * @throws RuntimeException from the store if the tracker could not be persisted; nothing changes
   */
  public BreachReceipt handleBreach(Breach breach) {
    Objects.requireNonNull(breach, "breach");
    lock.lock();
    try {
      ensureLoaded();
      return intake.handle(breach);
    } finally {
      publishHealth();
      lock.unlock();
    }
  }

  /**
   * Processes a block the host's chain loop saw connected. A block already processed is ignored. A
   * child of the tip is connected. Anything else is a gap or a reorganisation, resolved through the
   * block source as described on this class.
   *
   * @param block the block
   * @throws BlockSourceException if missing blocks could not be fetched; the Responder keeps the last
   *     block it fully processed and resumes on the next call
   * @throws RuntimeException from the store if a commit failed; the state is reloaded before the next call
   */
  public void onBlock(Block block) {
    Objects.requireNonNull(block, "block");
    instruments.nodeHasAtLeast(block.height());
    lock.lock();
    try {
      ensureLoaded();
      follower.follow(block);
    } finally {
      publishHealth();
      lock.unlock();
    }
  }

  /**
   * For hosts that see disconnections: the block {@code block} and every block above it were
   * disconnected. Gives the same state as letting {@link #onBlock} find the reorganisation. A block
   * the Responder does not have on its chain is ignored.
   *
   * @param block the disconnected block
   * @throws BlockSourceException if the parent of a block outside the remembered window cannot be fetched
   */
  public void blockDisconnected(BlockRef block) {
    Objects.requireNonNull(block, "block");
    lock.lock();
    try {
      ensureLoaded();
      follower.disconnected(block);
    } finally {
      publishHealth();
      lock.unlock();
    }
  }

  /**
   * Catches up with the block source's best block (what {@link Builder#start()} does once), then
   * retries pending penalties at once instead of waiting for the next block: for hosts that were
   * told the node is reachable again (the cheater's clock runs while a block is awaited).
   *
   * @throws BlockSourceException if the block source fails; progress made so far is kept
   * @throws RuntimeException from the store if a commit failed; the state is reloaded before the next call
   */
  public void syncWithBlockSource() {
    lock.lock();
    try {
      ensureLoaded();
      follower.syncToBest();
      steps.retryPendingNow();
    } finally {
      publishHealth();
      lock.unlock();
    }
  }

  /**
   * Returns a tracker by uuid, as last committed. Reads the store without the Responder's lock: a
   * block being processed meanwhile is either all in the answer or not at all.
   *
   * @param uuid the tracker's uuid
   * @return the tracker, or empty if it is not tracked (never was, or completed, expired, rejected)
   * @throws RuntimeException from the store if it cannot be read
   */
  public Optional<TransactionTracker> tracker(UUID uuid) {
    Objects.requireNonNull(uuid, "uuid");
    return queryStore.find(uuid);
  }

  /**
   * Returns every tracker, as of one committed state. Reads the whole store in one go (memory in
   * proportion to the number of trackers, and with a database store one long read), without the
   * Responder's lock, so blocks go on meanwhile; for an administrator's view of many trackers use
   * {@link #trackers(UUID, int)}, which reads one page at a time.
   *
   * @return the trackers, in no particular order
   * @throws RuntimeException from the store if it cannot be read
   */
  public List<TransactionTracker> trackers() {
    List<TransactionTracker> out = new ArrayList<>();
    queryStore.loadTrackers(out::add);
    return out;
  }

  /**
   * Returns one page of trackers in {@link TrackerPage#ORDER}: those whose uuid comes after
   * {@code after}, at most {@code pageSize} of them. Reads only that page from the store (with a
   * store that implements {@link TrackerStore#loadPage}; see its cost otherwise), without the
   * Responder's lock, so listing a million trackers never holds up a block.
   *
   * <p>Each page is one committed state, but the pages of a listing are read at different moments:
   * a tracker that exists throughout the listing is in exactly one page, with its status as of that
   * page's read (from before or after any block processed meanwhile); one added or removed during the
   * listing may or may not be in it. See {@link TrackerPage}.
   *
   * @param after the {@link TrackerPage#next()} of the previous page, or null for the first page
   * @param pageSize the most trackers to return, between 1 and {@link TrackerPage#MAX_SIZE}
   * @return the page and the cursor for the next one
   * @throws InvalidInputException if {@code pageSize} is out of range
   * @throws RuntimeException from the store if it cannot be read
   */
  public TrackerPage trackers(@Nullable UUID after, int pageSize) {
    int size = TrackerPage.checkSize(pageSize);
    List<TransactionTracker> page = queryStore.loadPage(after, size);
    if (page.size() > size) {
      throw new IllegalStateException("the store returned " + page.size() + " trackers for a page of " + size);
    }
    Optional<UUID> next = page.size() < size ? Optional.empty() : Optional.of(page.get(page.size() - 1).uuid());
    return new TrackerPage(page, next);
  }

  /**
   * Counts trackers by state. Every state is present in the map, possibly with 0. Served from counts
   * kept at every status change and published when each call ends, without the Responder's lock and
   * without a walk of the trackers: the counts as of the last call that completed (or that failed
   * leaving memory and store in agreement), never half a block. A listener asking during a call, on
   * the call's thread, gets the counts with that call's committed changes.
   *
   * @return an immutable map from state to count
   */
  public Map<TrackerState, Integer> countsByState() {
    if (lock.isHeldByCurrentThread()) {
      return Collections.unmodifiableMap(book.countsByState()); // a listener asking mid-call: the call so far
    }
    return counts;
  }

  /**
   * Returns the number of trackers, as {@link #countsByState()} counts them.
   *
   * @return how many uuids are tracked
   */
  public int trackerCount() {
    return countsByState().values().stream().mapToInt(Integer::intValue).sum();
  }

  /**
   * Returns the last block the Responder processed.
   *
   * @return its tip
   */
  public BlockRef tip() {
    lock.lock();
    try {
      ensureLoaded();
      return window.tip();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns the configuration.
   *
   * @return the numbers in force
   */
  public ResponderConfig config() {
    return config;
  }

  /**
   * Returns how the Responder is doing: its tip and how far behind the node's best block it is,
   * whether the node and the store worked at their last call, trackers by state, and the last port
   * failure. Takes no lock and reads no store: the snapshot was published at the end of the last call
   * (or block, or port call that failed or recovered), so a health endpoint may poll it as often as
   * it likes, even while a long catch-up holds the lock.
   *
   * @return the latest snapshot
   */
  public ResponderHealth health() {
    return Objects.requireNonNull(instruments.health(), "published by start()");
  }

  /**
   * Checks that the in-memory indexes agree with the store: the same uuids, the same statuses, the
   * same tip; and that the counts by state and the published {@link #health()} agree with them. Reads
   * the whole store; meant for tests and diagnostics.
   *
   * @throws IllegalStateException describing the first disagreement
   */
  public void checkConsistency() {
    lock.lock();
    try {
      ensureLoaded();
      Map<UUID, TrackerStatus> stored = new HashMap<>();
      ledger.store().loadTrackers(t -> stored.put(t.uuid(), t.status()));
      int inMemory = 0;
      Map<TrackerState, Integer> walked = new EnumMap<>(TrackerState.class);
      for (TrackerState s : TrackerState.values()) {
        walked.put(s, 0);
      }
      for (PenaltyGroup g : book.groups()) {
        walked.merge(book.status(g).state(), g.size(), Integer::sum);
        if (g.size() == 0) {
          throw new IllegalStateException("penalty " + g.txid() + " is indexed with no tracker");
        }
        for (int i = 0; i < g.size(); i++) {
          inMemory++;
          TrackerStatus s = stored.get(g.uuid(i));
          if (!book.status(g).equals(s)) {
            throw new IllegalStateException("tracker " + g.uuid(i) + " is " + book.status(g) + " in memory but "
                + s + " in the store");
          }
        }
        if ((g.state() == TrackerState.PENDING) != book.isFiledPending(g)) {
          throw new IllegalStateException("penalty " + g.txid() + " is " + book.status(g) + " but pending="
              + book.isFiledPending(g));
        }
      }
      book.verifyStatusCodes();
      if (!walked.equals(book.countsByState())) {
        throw new IllegalStateException("trackers by state are " + walked + " but counted " + book.countsByState());
      }
      ResponderHealth published = instruments.health();
      if (published == null || !published.tip().equals(window.tip()) || !published.countsByState().equals(walked)) {
        throw new IllegalStateException("the health published is " + published + " but the tip is " + window.tip()
            + " and trackers by state are " + walked);
      }
      if (inMemory != stored.size()) {
        throw new IllegalStateException(inMemory + " trackers in memory, " + stored.size() + " in the store");
      }
      if (!book.countsByState().equals(book.recountByState()) || !counts.equals(book.countsByState())) {
        throw new IllegalStateException("counts by state " + book.countsByState() + " (published " + counts
            + ") but the trackers in memory are " + book.recountByState());
      }
      Optional<BlockRef> storedTip = ledger.store().loadTip();
      if (!storedTip.equals(Optional.of(window.tip()))) {
        throw new IllegalStateException("tip " + window.tip() + " in memory, " + storedTip + " in the store");
      }
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Loading: the store is the truth, memory its index

  /** Loads the state from the store at start, and again after a call that failed part way. */
  private void ensureLoaded() {
    if (!ledger.isStale()) {
      return;
    }
    book.clear();
    escalation.clear();
    node.newInterval();
    TrackerStore store = ledger.store();
    Optional<BlockRef> storedTip = store.loadTip();
    BlockRef tip;
    if (storedTip.isPresent()) {
      tip = storedTip.get();
    } else {
      tip = blockSource.bestBlock();
      store.commit(new StoreUpdate(List.of(), Map.of(), Set.of(), Optional.of(tip)));
    }
    window.reset(tip);
    int tipHeight = tip.height();
    store.loadTrackers(t -> escalation.register(book.load(t, tipHeight), t.feeTerms(), t.disputeTxid(),
        t.penaltyRawTxUnsafe(), t.disputeRawTxUnsafe(), tipHeight));
    escalation.checkDisputeHeights(book, tip, config.reorgWindow());
    ledger.markLoaded();
    publishHealth(); // a query that reloads shows what it loaded
    log.atInfo().addKeyValue("tip", tip.height()).addKeyValue("penalties", book.penaltyCount())
        .log(storedTip.isPresent() ? "responder state loaded from the store" : "fresh store: starting at the node's tip");
  }

  /**
   * Publishes what lock-free readers see, as committed (under the lock, at the end of each call):
   * the health's chain part and the counts for {@link #countsByState()}. After a call that failed
   * part way memory is stale: only the health's port part is brought up to date, and the counts
   * last published (the store's state before the call) stay.
   */
  private void publishHealth() {
    if (ledger.isStale()) {
      instruments.portStateOnly();
    } else {
      instruments.chainState(window.tip(), book.trackerCountsByState());
      counts = Collections.unmodifiableMap(book.countsByState());
    }
  }

  /**
   * Configures and starts a {@link Responder}. Not thread-safe: use one builder per thread.
   */
  public static final class Builder {
    private ResponderConfig config = ResponderConfig.defaults();
    private @Nullable Carrier carrier;
    private @Nullable BlockSource blockSource;
    private @Nullable TrackerStore store;
    private ResponderListener listener = ResponderListener.NONE;
    private @Nullable FeeEstimator feeEstimator;
    private @Nullable FeeBumper feeBumper;
    private long maxChildFeeSats;
    private ResponderMetrics metrics = ResponderMetrics.NONE;

    private Builder() {}

    /**
     * Sets the numbers; defaults to {@link ResponderConfig#defaults()}.
     *
     * @param config the configuration
     * @return this builder
     */
    public Builder config(ResponderConfig config) {
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    /**
     * Sets the carrier (required).
     *
     * @param carrier how transactions reach the node
     * @return this builder
     */
    public Builder carrier(Carrier carrier) {
      this.carrier = Objects.requireNonNull(carrier, "carrier");
      return this;
    }

    /**
     * Sets the block source (required).
     *
     * @param blockSource where missing blocks come from
     * @return this builder
     */
    public Builder blockSource(BlockSource blockSource) {
      this.blockSource = Objects.requireNonNull(blockSource, "blockSource");
      return this;
    }

    /**
     * Sets the store (required).
     *
     * @param store where trackers persist
     * @return this builder
     */
    public Builder store(TrackerStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /**
     * Sets the listener; defaults to {@link ResponderListener#NONE}.
     *
     * @param listener told about every event
     * @return this builder
     */
    public Builder listener(ResponderListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Sets where the Responder reports timings and counts (optional); defaults to
     * {@link ResponderMetrics#NONE}, which reads no clock. {@link Responder#health()} works either way.
     *
     * @param metrics the recorder, for example {@code responder-micrometer}'s
     * @return this builder
     */
    public Builder metrics(ResponderMetrics metrics) {
      this.metrics = Objects.requireNonNull(metrics, "metrics");
      return this;
    }

    /**
     * Sets where feerate estimates come from (optional): the package feerate a {@link FeeBumper}'s
     * child is asked to reach is the estimate for the blocks left before the deadline, never below
     * the node's minimum. Without an estimator no child is asked for.
     *
     * @param estimator the estimator, for example the bitcoind module's
     * @return this builder
     */
    public Builder feeEstimator(FeeEstimator estimator) {
      this.feeEstimator = Objects.requireNonNull(estimator, "estimator");
      return this;
    }

    /**
     * Lets the Responder ask the host for child transactions paying for penalties at risk (optional;
     * needs a {@link #feeEstimator}).
     *
     * @param bumper the host's CPFP
     * @param maxFeePerTrackerSats the most one child may pay; children declaring more are never sent
     * @return this builder
     * @throws InvalidInputException if the cap is not positive
     */
    public Builder feeBumper(FeeBumper bumper, long maxFeePerTrackerSats) {
      if (maxFeePerTrackerSats <= 0) {
        throw new InvalidInputException("maxFeePerTrackerSats", "must be positive, got " + maxFeePerTrackerSats);
      }
      this.feeBumper = Objects.requireNonNull(bumper, "bumper");
      this.maxChildFeeSats = maxFeePerTrackerSats;
      return this;
    }

    /**
     * Builds the Responder, loads the store (a fresh store starts at the block source's best block)
     * and catches up with the block source, through any reorganisation that happened while it was
     * stopped. If the catch-up fails because the node is unreachable, the Responder still starts at
     * its stored tip and catches up on its next call.
     *
     * @return the running Responder
     * @throws BlockSourceException if the store is fresh and the block source cannot give its best block
     */
    public Responder start() {
      Responder r = new Responder(this);
      r.lock.lock();
      try {
        r.ensureLoaded();
        try {
          r.follower.syncToBest();
        } catch (BlockSourceException e) {
          log.atWarn().addKeyValue("tip", r.window.tip().height()).addKeyValue("reason", e.getMessage())
              .log("could not catch up with the block source at start; will retry on the next block");
          return r;
        }
        try {
          // Pending penalties go out now rather than a block later: with a deadline near, that block
          // can be the last (found by the fee simulation, seed 1006). Only at the node's tip: a
          // start that could not catch up leaves everything to the next call.
          r.steps.retryPendingNow();
        } catch (RuntimeException e) {
          log.atWarn().addKeyValue("reason", e.toString())
              .log("could not retry pending penalties at start; will retry on the next block");
        }
      } finally {
        r.publishHealth();
        r.lock.unlock();
      }
      return r;
    }
  }
}
