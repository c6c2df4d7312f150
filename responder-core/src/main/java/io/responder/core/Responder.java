package io.responder.core;

import io.responder.core.internal.HeightIndex;
import io.responder.core.internal.PenaltyGroup;
import io.responder.core.internal.PenaltyIndex;
import io.responder.core.internal.RecentBlocks;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
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
 * <h2>Threading</h2>
 * Instances are thread-safe. Every public method runs under one lock, so calls are serialised: each
 * call sees the effects of every call that returned before it started, and a {@code handleBreach}
 * that arrives during an {@code onBlock} waits for it and is then handled against the new tip.
 * Carrier, block source, store and listener calls are made with the lock held, on the caller's
 * thread. The Responder starts no threads and reads no clock.
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
 */
public final class Responder {
  private static final Logger log = LoggerFactory.getLogger(Responder.class);
  /** Below this many entries the expiry schedule is never rebuilt: dead entries cost little there. */
  private static final int MIN_EXPIRY_REBUILD_THRESHOLD = 4096;
  /** Receipts a block interval typically holds (retries, rebroadcasts): clearing this many is cheap. */
  private static final int SMALL_RECEIPT_CACHE = 1024;

  private final ResponderConfig config;
  private final Carrier carrier;
  private final BlockSource blockSource;
  private final TrackerStore store;
  private final ResponderListener listener;
  private final ReentrantLock lock = new ReentrantLock();

  // Everything below is guarded by lock.
  private final PenaltyIndex groups = new PenaltyIndex();
  private final Set<PenaltyGroup> pending = new LinkedHashSet<>();
  /** Confirmation height -> groups; also the completion schedule (height + depth - 1). */
  private final HeightIndex<PenaltyGroup> confirmedAt = new HeightIndex<>();
  /** Height at which an in-mempool penalty is due for rebroadcast -> groups. */
  private final HeightIndex<PenaltyGroup> rebroadcastDue = new HeightIndex<>();
  /** Subscription end height -> groups with a member ending there. */
  private final HeightIndex<PenaltyGroup> expiries = new HeightIndex<>();
  /** Height of the block the dispute was seen in -> groups; only heights a reorg can still reach. */
  private final HeightIndex<PenaltyGroup> disputesAt = new HeightIndex<>();
  /**
   * Dispute txid -> groups whose dispute height is unknown (its block was disconnected, or the breach
   * was handled out of sync): a connected block holding the dispute teaches its height, so that a
   * later reorganisation of that block re-sends the dispute. Empty in the common case, so connected
   * blocks pay nothing for it; entries of groups that ended are swept when it doubles.
   */
  private final Map<Txid, List<PenaltyGroup>> awaitingDispute = new HashMap<>();
  private int awaitingSweepThreshold = MIN_EXPIRY_REBUILD_THRESHOLD;
  private final RecentBlocks window;
  /** Receipts of this block interval, so a transaction is pushed at most once per block. */
  private Map<Txid, BroadcastResult> sentThisBlock = new HashMap<>();
  /** The last in-mempool status made: every penalty accepted at the same height shares it. */
  private TrackerStatus.InMempool lastInMempool = new TrackerStatus.InMempool(0);
  /** Entries the expiry schedule may hold before it is rebuilt from the live groups. */
  private int expiryRebuildThreshold = MIN_EXPIRY_REBUILD_THRESHOLD;
  /** The last block ignored for being below the window, so a poller repeating it is logged once. */
  private BlockHash lastIgnoredBelowWindow;
  /** True until the state is loaded from the store, and again after a failed commit. */
  private boolean stale = true;

  private Responder(Builder b) {
    this.config = b.config;
    this.carrier = Objects.requireNonNull(b.carrier, "carrier");
    this.blockSource = Objects.requireNonNull(b.blockSource, "blockSource");
    this.store = Objects.requireNonNull(b.store, "store");
    this.listener = b.listener;
    this.window = new RecentBlocks(config.reorgWindow() + 1);
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
      Optional<TransactionTracker> known = store.find(breach.uuid());
      if (known.isPresent()) {
        if (!breach.sameAppointmentAs(known.get())) {
          throw new InvalidInputException("uuid", "is already tracked with a different breach");
        }
        return new BreachReceipt(breach.uuid(), describe(known.get().status(), breach.penaltyTxid()),
            BreachReceipt.Disposition.ALREADY_TRACKED);
      }
      if (window.heightOf(breach.seenInBlock()) < 0) {
        catchUpBeforeIntake(breach);
      }
      return intake(breach);
    } finally {
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
    lock.lock();
    try {
      ensureLoaded();
      processBlock(block);
    } finally {
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
      if (!window.contains(block)) {
        log.atDebug().addKeyValue("block", block.hash()).addKeyValue("height", block.height())
            .log("disconnection of a block not on the responder's chain ignored");
        return;
      }
      BlockHash parent = window.hashAt(block.height() - 1);
      if (parent == null) {
        parent = fetchBlock(block.hash(), block.height()).previousHash();
      }
      disconnectTo(new BlockRef(parent, block.height() - 1), false);
    } finally {
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
      syncToBest();
      retryPendingNow();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns a tracker by uuid, as last committed.
   *
   * @param uuid the tracker's uuid
   * @return the tracker, or empty if it is not tracked (never was, or completed, expired, rejected)
   */
  public Optional<TransactionTracker> tracker(UUID uuid) {
    Objects.requireNonNull(uuid, "uuid");
    lock.lock();
    try {
      return store.find(uuid);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns every tracker, as last committed. Reads the whole store: meant for inspection, not for
   * per-block use.
   *
   * @return the trackers, in no particular order
   */
  public List<TransactionTracker> trackers() {
    lock.lock();
    try {
      List<TransactionTracker> out = new ArrayList<>();
      store.loadTrackers(out::add);
      return out;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Counts trackers by state. Every state is present in the map, possibly with 0.
   *
   * @return an immutable map from state to count
   */
  public Map<TrackerState, Integer> countsByState() {
    lock.lock();
    try {
      ensureLoaded();
      Map<TrackerState, Integer> counts = new EnumMap<>(TrackerState.class);
      for (TrackerState s : TrackerState.values()) {
        counts.put(s, 0);
      }
      for (PenaltyGroup g : groups) {
        counts.merge(g.status().state(), g.size(), Integer::sum);
      }
      return Collections.unmodifiableMap(counts);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns the number of trackers.
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
   * Checks that the in-memory indexes agree with the store: the same uuids, the same statuses, the
   * same tip. Reads the whole store; meant for tests and diagnostics.
   *
   * @throws IllegalStateException describing the first disagreement
   */
  public void checkConsistency() {
    lock.lock();
    try {
      ensureLoaded();
      Map<UUID, TrackerStatus> stored = new HashMap<>();
      store.loadTrackers(t -> stored.put(t.uuid(), t.status()));
      int inMemory = 0;
      for (PenaltyGroup g : groups) {
        if (g.size() == 0) {
          throw new IllegalStateException("penalty " + g.txid() + " is indexed with no tracker");
        }
        for (int i = 0; i < g.size(); i++) {
          inMemory++;
          TrackerStatus s = stored.get(g.uuid(i));
          if (!g.status().equals(s)) {
            throw new IllegalStateException("tracker " + g.uuid(i) + " is " + g.status() + " in memory but "
                + s + " in the store");
          }
        }
        if ((g.status() instanceof TrackerStatus.Pending) != pending.contains(g)) {
          throw new IllegalStateException("penalty " + g.txid() + " is " + g.status() + " but pending="
              + pending.contains(g));
        }
      }
      if (inMemory != stored.size()) {
        throw new IllegalStateException(inMemory + " trackers in memory, " + stored.size() + " in the store");
      }
      Optional<BlockRef> storedTip = store.loadTip();
      if (!storedTip.equals(Optional.of(window.tip()))) {
        throw new IllegalStateException("tip " + window.tip() + " in memory, " + storedTip + " in the store");
      }
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Intake

  private void catchUpBeforeIntake(Breach breach) {
    try {
      syncToBest();
    } catch (RuntimeException e) {
      if (stale) {
        // A block failed half way (its commit, say, whose acknowledgement may be lost with the
        // block's events): the caller hears of it and hands the breach over again.
        throw e;
      }
      // The catch-up stopped between blocks (a block source down, or throwing what it should not):
      // the breach is handled where the Responder stands rather than refused.
      log.atWarn().addKeyValue("uuid", breach.uuid()).addKeyValue("seenInBlock", breach.seenInBlock())
          .addKeyValue("tip", window.tip().height()).addKeyValue("reason", e.toString())
          .log("breach seen in a block the responder has not processed and could not catch up: handling it out of sync");
    }
  }

  private BreachReceipt intake(Breach breach) {
    BlockRef tip = window.tip();
    Txid txid = breach.penaltyTxid();
    int disputeHeight = window.heightOf(breach.seenInBlock());
    PenaltyGroup group = groups.get(txid);

    BroadcastResult result;
    TrackerStatus status;
    if (group != null && !(group.status() instanceof TrackerStatus.Pending)) {
      // Broadcast once, watch once: the penalty is already in the node's hands.
      status = group.status();
      BroadcastResult earlier = sentThisBlock.get(txid);
      // This interval's answer is reused only if it put the penalty in the node's hands: a refused
      // rebroadcast (after a host-reported disconnection, say) kept the trackers, so it must neither
      // end them nor turn the newcomer away here.
      result = earlier != null && earlier.delivered() ? earlier : describeStatus(status);
    } else {
      result = sendPenalty(txid, breach.penaltyRawTxUnsafe(), breach.disputeTxid(), breach.disputeRawTxUnsafe(),
          Optional.of(breach.seenInBlock()));
      status = statusAfterBroadcast(result, txid, disputeHeight, tip);
      if (group != null && status instanceof TrackerStatus.Pending) {
        status = group.status(); // still pending: joining it changes nothing for the others
      }
    }

    if (result instanceof BroadcastResult.Rejected rejection) {
      Changes ch = new Changes();
      ch.event(l -> l.breachRejected(breach.uuid(), txid, rejection));
      if (group != null) {
        // The pending trackers of the same penalty can never succeed either.
        dropGroup(group, ch, (l, u) -> l.breachRejected(u, txid, rejection));
      }
      log.atWarn().addKeyValue("uuid", breach.uuid()).addKeyValue("penaltyTxid", txid)
          .addKeyValue("code", rejection.code()).addKeyValue("message", rejection.message())
          .log("penalty rejected for good: breach not tracked");
      if (group != null) {
        commit(ch, Optional.empty());
      } else {
        ch.fire(); // nothing was stored, nothing to commit
      }
      return new BreachReceipt(breach.uuid(), result, BreachReceipt.Disposition.NOT_TRACKED);
    }

    TransactionTracker tracker = TransactionTracker.of(
        breach, disputeHeight >= 0 ? OptionalInt.of(disputeHeight) : OptionalInt.empty(), status);
    Changes ch = new Changes();
    ch.added.add(tracker);
    ch.event(l -> l.trackerAdded(tracker));
    boolean statusChanged = group != null && !status.equals(group.status());
    if (statusChanged) {
      for (int i = 0; i < group.size(); i++) {
        ch.status.put(group.uuid(i), status);
      }
    }
    if (status instanceof TrackerStatus.Confirmed c) {
      Set<UUID> newlyConfirmed = new LinkedHashSet<>();
      newlyConfirmed.add(breach.uuid());
      if (statusChanged) {
        for (int i = 0; i < group.size(); i++) {
          newlyConfirmed.add(group.uuid(i));
        }
      }
      for (UUID u : newlyConfirmed) {
        ch.event(l -> l.penaltyConfirmed(u, txid, c.block()));
      }
    }

    // Persist first: if the store fails, memory is untouched and the caller may retry. A store may
    // also have applied the update before failing (a database whose acknowledgement was lost), so the
    // state is reloaded before the next call, as after a failed block commit.
    try {
      store.commit(ch.toUpdate(Optional.empty()));
    } catch (RuntimeException e) {
      stale = true;
      throw e;
    }

    int expiry = breach.subscriptionEndOrMinusOne();
    if (group == null) {
      group = new PenaltyGroup(txid, status, breach.uuid(), expiry, disputeHeight, breach.disputeRawTxUnsafe() != null);
      groups.put(txid, group);
      indexStatus(group);
    } else {
      group.add(breach.uuid(), expiry);
      if (breach.disputeRawTxUnsafe() != null) {
        group.setHasRawDispute(true);
      }
      if (disputeHeight >= 0 && group.disputeHeight() < 0) {
        group.setDisputeHeight(disputeHeight);
      }
      if (statusChanged) {
        pending.remove(group);
        group.setStatus(status);
        indexStatus(group);
      }
    }
    if (expiry >= 0) {
      expiries.add(expiry, group);
    }
    if (disputeHeight >= 0) {
      disputesAt.add(disputeHeight, group);
    } else if (group.disputeHeight() < 0) {
      awaitDispute(breach.disputeTxid(), group);
    }
    log.atInfo().addKeyValue("uuid", breach.uuid()).addKeyValue("penaltyTxid", txid)
        .addKeyValue("disputeTxid", breach.disputeTxid()).addKeyValue("status", status)
        .addKeyValue("disputeHeight", disputeHeight).log("tracker added");
    ch.fire();
    return new BreachReceipt(breach.uuid(), result,
        status instanceof TrackerStatus.Pending ? BreachReceipt.Disposition.PENDING : BreachReceipt.Disposition.TRACKED);
  }

  /**
   * The status a penalty gets from a broadcast answer; null for a permanent rejection. A penalty the
   * node calls confirmed in a block the Responder cannot locate stays pending: retried on every block
   * until the location is learnt (or a connected block holds it), because any guess could be below
   * the real block and complete the tracker early.
   */
  private TrackerStatus statusAfterBroadcast(BroadcastResult result, Txid txid, int disputeHeight, BlockRef tip) {
    if (result instanceof BroadcastResult.Accepted) {
      return inMempoolSince(tip.height());
    }
    if (result instanceof BroadcastResult.AlreadyConfirmed ac) {
      Optional<BlockRef> at = locateConfirmation(txid, ac.confirmations(), disputeHeight);
      return at.isPresent() ? new TrackerStatus.Confirmed(at.get()) : new TrackerStatus.Pending(tip.height());
    }
    if (result instanceof BroadcastResult.Rejected) {
      return null;
    }
    return new TrackerStatus.Pending(tip.height());
  }

  /**
   * Statuses are values, so penalties accepted at the same height can share one: with a million
   * trackers accepted between two blocks that is 16 bytes each not spent.
   */
  private TrackerStatus.InMempool inMempoolSince(int height) {
    if (lastInMempool.sinceHeight() != height) {
      lastInMempool = new TrackerStatus.InMempool(height);
    }
    return lastInMempool;
  }

  /**
   * Finds the block that confirmed a penalty the node reported as already confirmed: from the
   * confirmation count when the carrier gave one, else from the carrier's status lookup, else by
   * reading the node's last blocks since the dispute (at most the irrevocable depth of them).
   *
   * <p>Every answer errs late, never early. Counts are relative to the node's tip, so without it
   * (the block source failing while the carrier works) a count is useless. A penalty not in the
   * node's last irrevocable-depth blocks whose dispute is known to be older than them is deeper than
   * that: it is placed just below the blocks read, which completes it at the next block. When
   * nothing better is known the node's tip is assumed; when not even that is known, the location is
   * unknown (empty) and must be learnt again later.
   */
  private Optional<BlockRef> locateConfirmation(Txid txid, OptionalInt confirmations, int disputeHeight) {
    BlockRef tip = window.tip();
    // The node may be ahead of the Responder, and its answers are relative to its own tip: counting
    // from ours would put the confirmation too low and complete the tracker early.
    BlockRef nodeTip = null;
    try {
      BlockRef best = blockSource.bestBlock();
      nodeTip = best.height() > tip.height() ? best : tip;
    } catch (RuntimeException e) {
      log.atDebug().addKeyValue("reason", e.toString()).log("best block unknown: a confirmation count cannot be placed");
    }
    try {
      if (nodeTip != null && confirmations.isPresent()) {
        int height = Math.max(0, nodeTip.height() - confirmations.getAsInt() + 1);
        BlockHash hash = height == nodeTip.height() ? nodeTip.hash() : hashOnChainAt(height);
        if (hash != null) {
          return Optional.of(new BlockRef(hash, height));
        }
      }
      Optional<BlockHash> hint = disputeHeight >= 0 ? Optional.ofNullable(window.hashAt(disputeHeight)) : Optional.empty();
      TxStatus status = safeStatus(txid, hint);
      if (status instanceof TxStatus.Confirmed c) {
        // Possibly above the Responder's tip: connect() checks the block when its height arrives.
        return Optional.of(c.block());
      }
      if (nodeTip == null) {
        return Optional.empty();
      }
      int recent = Math.max(0, nodeTip.height() - config.irrevocableDepth() + 1);
      int lowest = Math.max(recent, Math.max(disputeHeight, 0));
      for (int h = lowest; h <= nodeTip.height(); h++) {
        BlockHash hash = h == nodeTip.height() ? nodeTip.hash() : hashOnChainAt(h);
        if (hash != null && fetchBlock(hash, h).txids().contains(txid)) {
          return Optional.of(new BlockRef(hash, h));
        }
      }
      if (disputeHeight >= 0 && disputeHeight < recent) {
        BlockHash below = hashOnChainAt(recent - 1);
        if (below != null) {
          log.atInfo().addKeyValue("penaltyTxid", txid).addKeyValue("disputeHeight", disputeHeight)
              .addKeyValue("nodeTip", nodeTip.height())
              .log("already confirmed penalty is deeper than the irrevocable depth: it completes at the next block");
          return Optional.of(new BlockRef(below, recent - 1));
        }
      }
    } catch (RuntimeException e) {
      log.atWarn().addKeyValue("penaltyTxid", txid).addKeyValue("reason", e.toString())
          .log("could not look up the confirmation of an already confirmed penalty");
    }
    if (nodeTip == null) {
      return Optional.empty();
    }
    log.atWarn().addKeyValue("penaltyTxid", txid).addKeyValue("assumedHeight", nodeTip.height())
        .log("confirmation height of an already confirmed penalty unknown: assuming the node's tip, so it completes late rather than early");
    return Optional.of(nodeTip);
  }

  private BlockHash hashOnChainAt(int height) {
    BlockHash inWindow = window.hashAt(height);
    return inWindow != null ? inWindow : blockSource.blockHashAt(height).orElse(null);
  }

  private BroadcastResult describe(TrackerStatus status, Txid txid) {
    BroadcastResult earlier = sentThisBlock.get(txid);
    if (earlier != null) {
      return earlier;
    }
    return describeStatus(status);
  }

  /** The answer a tracked status stands for, when the node was not asked. */
  private BroadcastResult describeStatus(TrackerStatus status) {
    if (status instanceof TrackerStatus.Confirmed c) {
      return new BroadcastResult.AlreadyConfirmed(OptionalInt.of(Math.max(1, c.confirmations(window.tip().height()))));
    }
    if (status instanceof TrackerStatus.InMempool) {
      return new BroadcastResult.Accepted();
    }
    return new BroadcastResult.NodeUnavailable("not sent again: the penalty is pending and retried on every block");
  }

  // ---------------------------------------------------------------------------------------------
  // Chain following

  private void syncToBest() {
    BlockRef best = blockSource.bestBlock();
    if (window.contains(best)) {
      return;
    }
    processBlock(fetchBlock(best.hash(), best.height()));
  }

  private void processBlock(Block target) {
    if (window.contains(target.ref())) {
      return; // already processed
    }
    if (target.height() < window.bottomHeight()) {
      // Older than anything remembered: a late or repeated delivery. Reorganising that deep on the
      // word of one stale block would unconfirm everything, so it is ignored.
      // A polling host hands the same block over and over (a node rolled back below the window):
      // say it once.
      boolean repeated = target.hash().equals(lastIgnoredBelowWindow);
      lastIgnoredBelowWindow = target.hash();
      (repeated ? log.atDebug() : log.atWarn()).addKeyValue("block", target.hash()).addKeyValue("height", target.height())
          .addKeyValue("tip", window.tip().height()).log("block below the remembered window ignored");
      return;
    }
    if (extendsTip(target)) {
      connect(target);
      return;
    }
    connectGapOnBestChain(target);
    if (window.contains(target.ref())) {
      return;
    }
    if (extendsTip(target)) {
      connect(target);
      return;
    }

    // A reorganisation (or a gap the fast path could not close): walk back from the target until a
    // block the Responder has, remembering only positions; blocks are fetched again to connect them.
    List<BlockRef> branch = new ArrayList<>();
    branch.add(target.ref());
    BlockRef parent = target.parent();
    while (!window.contains(parent)) {
      if (parent.height() < window.bottomHeight()) {
        if (extendWindowBackwards()) {
          continue;
        }
        break; // deeper than the remembered window
      }
      Block b = fetchBlock(parent.hash(), parent.height());
      branch.add(b.ref());
      parent = b.parent();
    }
    BlockRef fork = parent;
    if (!fork.equals(window.tip())) {
      boolean beyondWindow = !window.contains(fork);
      if (beyondWindow) {
        log.atWarn().addKeyValue("forkHeight", fork.height()).addKeyValue("tip", window.tip().height())
            .addKeyValue("window", window.size())
            .log("reorganisation deeper than the remembered window: unconfirming every penalty above it and re-learning");
      }
      disconnectTo(fork, beyondWindow);
    }
    for (int i = branch.size() - 1; i >= 0; i--) {
      BlockRef ref = branch.get(i);
      Block b = i == 0 ? target : fetchBlock(ref.hash(), ref.height());
      if (!extendsTip(b)) {
        throw new BlockSourceException("block source answered inconsistently: block " + b.hash() + " at height "
            + b.height() + " does not extend " + window.tip().hash(), false);
      }
      connect(b);
    }
  }

  private boolean extendsTip(Block b) {
    BlockRef tip = window.tip();
    return b.height() == tip.height() + 1 && b.previousHash().equals(tip.hash());
  }

  /**
   * The common gap: the host skipped blocks (or the Responder was stopped) but its tip is still on
   * the node's best chain. Connects forward by height without walking back.
   */
  private void connectGapOnBestChain(Block target) {
    BlockRef tip = window.tip();
    if (target.height() <= tip.height() + 1) {
      return;
    }
    Optional<BlockHash> atTip = blockSource.blockHashAt(tip.height());
    if (atTip.isEmpty() || !atTip.get().equals(tip.hash())) {
      return;
    }
    for (int h = tip.height() + 1; h < target.height(); h++) {
      Optional<BlockHash> hash = blockSource.blockHashAt(h);
      if (hash.isEmpty()) {
        return;
      }
      Block b = fetchBlock(hash.get(), h);
      if (!extendsTip(b)) {
        return; // the node reorganised under us; the general path takes over
      }
      connect(b);
    }
  }

  private boolean extendWindowBackwards() {
    if (window.isFull() || window.bottomHeight() == 0) {
      return false;
    }
    int bottom = window.bottomHeight();
    try {
      Block oldest = fetchBlock(window.hashAt(bottom), bottom);
      return window.prepend(oldest.previousHash());
    } catch (BlockSourceException e) {
      if (e.isTransient()) {
        throw e;
      }
      return false; // the node no longer has our old branch: treat as deeper than the window
    }
  }

  private Block fetchBlock(BlockHash hash, int expectedHeight) {
    Block b = blockSource.block(hash);
    if (b == null || !b.hash().equals(hash)) {
      throw new BlockSourceException("block source answered another block for " + hash, false);
    }
    if (b.height() != expectedHeight) {
      throw new BlockSourceException("block source says block " + hash + " is at height " + b.height()
          + ", but its position in the chain puts it at " + expectedHeight, false);
    }
    return b;
  }

  /** B2: one connected block, committed as one unit. */
  private void connect(Block block) {
    try {
      connectUnguarded(block);
    } catch (RuntimeException | Error e) {
      // Whatever failed (a store read, a port throwing what it should not), schedule entries may be
      // consumed and statuses changed in memory that the store never saw: the block must look as if
      // it never happened, so the state is reloaded from the store before the next call.
      stale = true;
      throw e;
    }
  }

  private void connectUnguarded(Block block) {
    BlockRef ref = block.ref();
    int height = block.height();
    Changes ch = new Changes();
    // A connected block starts a new interval: what was sent before it may be sent again now (a
    // pending penalty must really be retried), but not twice within this block's own work.
    clearReceipts();

    // 0. A penalty the node reported confirmed above the Responder's tip is checked when that height
    // arrives: in another block than the one recorded, it is unconfirmed (step 1 confirms it again
    // if this block has it).
    for (PenaltyGroup g : confirmedAt.at(height)) {
      if (g.isLive() && g.status() instanceof TrackerStatus.Confirmed c && c.block().height() == height
          && !c.block().hash().equals(block.hash())) {
        unconfirm(g, new TrackerStatus.InMempool(height - 1), ch);
      }
    }

    // 1. Confirmations, and the heights of disputes the Responder lost track of.
    TrackerStatus.Confirmed confirmed = new TrackerStatus.Confirmed(ref);
    boolean disputesAwaited = !awaitingDispute.isEmpty();
    for (Txid txid : block.txids()) {
      if (disputesAwaited) {
        learnDisputeHeight(txid, height);
      }
      PenaltyGroup g = groups.get(txid);
      // A confirmation recorded above this block is what the node said before the Responder got
      // there (its branch may since have been replaced): the block in hand is where the chain has it.
      if (g == null || g.status() instanceof TrackerStatus.Confirmed c && c.block().height() <= height) {
        continue;
      }
      pending.remove(g);
      setStatus(g, confirmed, ch);
      confirmedAt.add(height, g);
      forEachMember(g, u -> ch.event(l -> l.penaltyConfirmed(u, txid, ref)));
      log.atInfo().addKeyValue("penaltyTxid", txid).addKeyValue("height", height).addKeyValue("trackers", g.size())
          .log("penalty confirmed");
    }

    // 2. Completion at the irrevocable depth.
    int completesAtOrBelow = height - config.irrevocableDepth() + 1;
    for (PenaltyGroup g : confirmedAt.removeUpTo(completesAtOrBelow)) {
      if (g.isLive() && g.status() instanceof TrackerStatus.Confirmed c && c.block().height() <= completesAtOrBelow) {
        log.atInfo().addKeyValue("penaltyTxid", g.txid()).addKeyValue("confirmedHeight", c.block().height())
            .addKeyValue("height", height).addKeyValue("trackers", g.size()).log("penalty irrevocably resolved");
        Txid txid = g.txid();
        dropGroup(g, ch, (l, u) -> l.trackerCompleted(u, txid, ref));
      }
    }

    // 3. Expiry of unconfirmed trackers whose subscription ended. Schedule entries are lazy and a
    // penalty may have several (one per appointment, more after a reorg), so the node is asked at
    // most once per penalty and only when one of its appointments really ends.
    Set<PenaltyGroup> askedNode = Collections.newSetFromMap(new IdentityHashMap<>());
    for (PenaltyGroup g : expiries.removeUpTo(height)) {
      if (!g.isLive() || g.status() instanceof TrackerStatus.Confirmed || !g.hasMemberEndingBy(height)) {
        continue;
      }
      if (askedNode.add(g)) {
        if (g.status() instanceof TrackerStatus.Pending) {
          // The node never answered for a pending penalty, which may have been mined meanwhile: ask
          // now (instead of in step 5), so a confirmed penalty runs to completion instead.
          BroadcastResult answer = retryPending(g, ref, ch);
          if (answer instanceof BroadcastResult.AlreadyConfirmed && g.isLive() && !(g.status() instanceof TrackerStatus.Confirmed)) {
            // Mined, in a block not located yet: confirmed penalties never expire. Asked again next block.
            expiries.add(height + 1, g);
            continue;
          }
        } else {
          confirmIfTheNodeHasIt(g, ch);
        }
      }
      if (g.isLive() && !(g.status() instanceof TrackerStatus.Confirmed)) {
        expireMembers(g, ref, ch);
      }
    }

    // 4. Missed confirmations: rebroadcast what is due, once per penalty.
    Set<PenaltyGroup> done = Collections.newSetFromMap(new IdentityHashMap<>());
    for (PenaltyGroup g : rebroadcastDue.removeUpTo(height)) {
      if (g.isLive() && g.status() instanceof TrackerStatus.InMempool m
          && height - m.sinceHeight() >= config.rebroadcastAfterMissed() && done.add(g)) {
        log.atInfo().addKeyValue("penaltyTxid", g.txid()).addKeyValue("missed", height - m.sinceHeight())
            .log("penalty missed too many blocks: rebroadcasting");
        resend(g, height, ch);
        askedNode.add(g); // a refused rebroadcast turns it pending: not retried again in step 5
      }
    }

    // 5. Pending retries.
    for (PenaltyGroup g : new ArrayList<>(pending)) {
      if (!askedNode.contains(g)) { // tried already in step 3 or 4
        retryPending(g, ref, ch);
      }
    }

    // 6. Persist the block's changes with the new tip, then 7. forget this interval's receipts.
    window.push(ref);
    disputesAt.pruneBelow(height - config.reorgWindow());
    compactExpiriesIfMostlyDead();
    sweepAwaitedDisputesIfMostlyDead();
    clearReceipts();
    commit(ch, Optional.of(ref));
    log.atDebug().addKeyValue("height", height).addKeyValue("block", block.hash()).addKeyValue("txids", block.txids().size())
        .log("block connected");
  }

  /** A connected block holds {@code txid}: if it is an awaited dispute, its height is known again. */
  private void learnDisputeHeight(Txid txid, int height) {
    List<PenaltyGroup> waiting = awaitingDispute.remove(txid);
    if (waiting == null) {
      return;
    }
    for (PenaltyGroup g : waiting) {
      if (g.isLive() && g.disputeHeight() < 0) {
        g.setDisputeHeight(height);
        disputesAt.add(height, g);
        log.atDebug().addKeyValue("disputeTxid", txid).addKeyValue("penaltyTxid", g.txid()).addKeyValue("height", height)
            .log("dispute seen confirmed: its height is known again");
      }
    }
  }

  private void awaitDispute(Txid disputeTxid, PenaltyGroup g) {
    List<PenaltyGroup> waiting = awaitingDispute.computeIfAbsent(disputeTxid, k -> new ArrayList<>(1));
    if (!waiting.contains(g)) {
      waiting.add(g);
    }
  }

  /**
   * Groups that ended while awaiting a dispute that never came (one confirmed below the window, say)
   * would stay reachable forever; when the map has doubled since the last sweep, they are dropped.
   */
  private void sweepAwaitedDisputesIfMostlyDead() {
    if (awaitingDispute.size() <= awaitingSweepThreshold) {
      return;
    }
    awaitingDispute.values().removeIf(list -> {
      list.removeIf(g -> !g.isLive() || g.disputeHeight() >= 0);
      return list.isEmpty();
    });
    awaitingSweepThreshold = 2 * awaitingDispute.size() + MIN_EXPIRY_REBUILD_THRESHOLD;
  }

  /**
   * Subscriptions can end months ahead, and a tracker that completes long before its end would keep
   * its dead group reachable from the expiry schedule until then: memory growing with every tracker
   * ever completed. When the schedule has grown to twice what was live at its last rebuild, it is
   * rebuilt from the live groups, which costs amortised O(1) per entry ever filed.
   */
  private void compactExpiriesIfMostlyDead() {
    if (expiries.size() <= expiryRebuildThreshold) {
      return;
    }
    expiries.clear();
    for (PenaltyGroup g : groups) {
      for (int i = 0; i < g.size(); i++) {
        if (g.expiry(i) >= 0) {
          expiries.add(g.expiry(i), g);
        }
      }
    }
    expiryRebuildThreshold = 2 * expiries.size() + MIN_EXPIRY_REBUILD_THRESHOLD;
  }

  private void expireMembers(PenaltyGroup g, BlockRef ref, Changes ch) {
    Txid txid = g.txid();
    for (int i = g.size() - 1; i >= 0; i--) {
      int end = g.expiry(i);
      if (end >= 0 && end <= ref.height()) {
        UUID u = g.uuid(i);
        g.removeAt(i);
        ch.remove(u);
        ch.event(l -> l.trackerExpired(u, txid, ref));
        log.atInfo().addKeyValue("uuid", u).addKeyValue("penaltyTxid", txid).addKeyValue("height", ref.height())
            .log("subscription ended before the penalty confirmed: tracker expired");
      }
    }
    if (g.size() == 0) {
      unindex(g);
    }
  }

  /**
   * Before the trackers of an unconfirmed penalty expire, asks the node once whether it is confirmed
   * in a block the Responder never connected (below the fork of a reorganisation deeper than its
   * window, found while the node was down): a confirmed penalty runs to completion instead. One
   * lookup per expiring penalty, never per block.
   */
  private void confirmIfTheNodeHasIt(PenaltyGroup g, Changes ch) {
    Optional<BlockHash> hint = g.disputeHeight() >= 0 ? Optional.ofNullable(window.hashAt(g.disputeHeight())) : Optional.empty();
    if (safeStatus(g.txid(), hint) instanceof TxStatus.Confirmed c && c.block().height() <= window.tip().height()
        && (window.contains(c.block()) || c.block().height() < window.bottomHeight())) {
      BlockRef at = c.block();
      Txid txid = g.txid();
      setStatus(g, new TrackerStatus.Confirmed(at), ch);
      confirmedAt.add(at.height(), g);
      forEachMember(g, u -> ch.event(l -> l.penaltyConfirmed(u, txid, at)));
      log.atInfo().addKeyValue("penaltyTxid", txid).addKeyValue("height", at.height())
          .log("penalty about to expire is confirmed after all: it runs to completion");
    }
  }

  /**
   * Broadcasts an in-mempool (or freshly unconfirmed) penalty again and restarts its count. An answer
   * that does not put it in the node's hands makes it pending (retried every block): recording a
   * refused penalty as in the mempool would wait six blocks between attempts and report a status the
   * node contradicts.
   */
  private void resend(PenaltyGroup g, int height, Changes ch) {
    Optional<TransactionTracker> member = anyMember(g);
    if (member.isEmpty()) {
      return;
    }
    Txid txid = g.txid();
    BroadcastResult result = sendPenalty(member.get(), rawDisputeOf(g, member.get()), disputeHint(g));
    forEachMember(g, u -> ch.event(l -> l.penaltyRebroadcast(u, txid, result)));
    if (result instanceof BroadcastResult.NodeUnavailable) {
      rebroadcastDue.add(height + 1, g); // nothing was learnt: try again on the next block
    } else if (result instanceof BroadcastResult.AlreadyConfirmed ac) {
      // Confirmed in a block the Responder did not see it in (below the fork of a reorganisation
      // deeper than its window, say): learn where, or it would be rebroadcast forever, never complete,
      // and could even expire while confirmed.
      Optional<BlockRef> at = locateConfirmation(txid, ac.confirmations(), g.disputeHeight());
      if (at.isEmpty()) {
        becomePending(g, height, ch);
        return;
      }
      setStatus(g, new TrackerStatus.Confirmed(at.get()), ch);
      confirmedAt.add(at.get().height(), g);
      forEachMember(g, u -> ch.event(l -> l.penaltyConfirmed(u, txid, at.get())));
      log.atInfo().addKeyValue("penaltyTxid", txid).addKeyValue("height", at.get().height())
          .log("rebroadcast penalty was already confirmed: confirmation re-learnt");
    } else if (result instanceof BroadcastResult.Accepted) {
      setStatus(g, inMempoolSince(height), ch);
      rebroadcastDue.add(height + config.rebroadcastAfterMissed(), g);
    } else {
      // Not in the node's hands: pending, so it is retried on every block and, like any pending
      // penalty, dropped only if the node refuses it for good again on the next try.
      log.atWarn().addKeyValue("penaltyTxid", txid).addKeyValue("result", result)
          .log("rebroadcast refused: the penalty is pending and retried on every block");
      becomePending(g, height, ch);
    }
  }

  private void becomePending(PenaltyGroup g, int height, Changes ch) {
    setStatus(g, new TrackerStatus.Pending(height), ch);
    pending.add(g);
  }

  /**
   * Sends a pending penalty again. A pending penalty refused for good is dropped (B1.6).
   *
   * @return the node's answer, or null when the penalty was not sent (no longer pending, or not in the store)
   */
  private BroadcastResult retryPending(PenaltyGroup g, BlockRef ref, Changes ch) {
    if (!g.isLive() || !(g.status() instanceof TrackerStatus.Pending)) {
      pending.remove(g);
      return null;
    }
    Optional<TransactionTracker> member = anyMember(g);
    if (member.isEmpty()) {
      return null;
    }
    Txid txid = g.txid();
    BroadcastResult result = sendPenalty(member.get(), rawDisputeOf(g, member.get()), disputeHint(g));
    forEachMember(g, u -> ch.event(l -> l.penaltyRebroadcast(u, txid, result)));
    if (result instanceof BroadcastResult.Rejected rejection) {
      log.atWarn().addKeyValue("penaltyTxid", txid).addKeyValue("code", rejection.code())
          .addKeyValue("message", rejection.message()).log("pending penalty rejected for good: trackers dropped");
      dropGroup(g, ch, (l, u) -> l.breachRejected(u, txid, rejection));
      return result;
    }
    TrackerStatus next = statusAfterBroadcast(result, txid, g.disputeHeight(), ref);
    if (next instanceof TrackerStatus.Pending) {
      return result; // still pending; its recorded status does not change
    }
    pending.remove(g);
    setStatus(g, next, ch);
    indexStatus(g);
    if (next instanceof TrackerStatus.Confirmed c) {
      forEachMember(g, u -> ch.event(l -> l.penaltyConfirmed(u, txid, c.block())));
    }
    log.atInfo().addKeyValue("penaltyTxid", txid).addKeyValue("status", next).log("pending penalty accepted");
    return result;
  }

  /**
   * Retries every pending penalty at the current tip, committed as one unit: the node is back, and
   * waiting for the next block would give the cheater's timelock minutes for nothing.
   */
  private void retryPendingNow() {
    if (pending.isEmpty()) {
      return;
    }
    try {
      // A new interval: the answers cached while the node was away are what is being retried.
      clearReceipts();
      Changes ch = new Changes();
      BlockRef tip = window.tip();
      for (PenaltyGroup g : new ArrayList<>(pending)) {
        retryPending(g, tip, ch);
      }
      if (!ch.isEmpty()) {
        commit(ch, Optional.empty());
      }
    } catch (RuntimeException | Error e) {
      stale = true;
      throw e;
    }
  }

  /**
   * B3: takes the blocks above {@code fork} off the chain, newest first. Penalties they confirmed
   * become unconfirmed, in-mempool counts restart from the fork, and what the disconnection touched
   * is sent again, the dispute first where its block was disconnected. Committed as one unit.
   */
  private void disconnectTo(BlockRef fork, boolean beyondWindow) {
    try {
      disconnectToUnguarded(fork, beyondWindow);
    } catch (RuntimeException | Error e) {
      stale = true; // as for a connected block: all of it or, from the store, none of it
      throw e;
    }
  }

  private void disconnectToUnguarded(BlockRef fork, boolean beyondWindow) {
    // What the node answered before the disconnection no longer holds (a penalty it called confirmed
    // is back in its mempool, or lost): this starts a new interval, as a connected block does.
    sentThisBlock.clear();
    List<BlockRef> removed = window.popAbove(fork.height());
    if (window.size() == 0 || !window.contains(fork)) {
      window.reset(fork);
    }
    Changes ch = new Changes();
    TrackerStatus.InMempool back = new TrackerStatus.InMempool(fork.height());
    int threshold = config.rebroadcastAfterMissed();
    Map<PenaltyGroup, Boolean> affected = new LinkedHashMap<>(); // value: whether its dispute was disconnected

    // In-mempool penalties broadcast above the fork count their missed blocks from the fork again.
    for (PenaltyGroup g : rebroadcastDue.removeAbove(fork.height())) {
      if (g.isLive() && g.status() instanceof TrackerStatus.InMempool m) {
        if (m.sinceHeight() > fork.height()) {
          setStatus(g, back, ch);
        }
        rebroadcastDue.add(((TrackerStatus.InMempool) g.status()).sinceHeight() + threshold, g);
      }
    }
    for (PenaltyGroup g : confirmedAt.removeAbove(fork.height())) {
      if (g.isLive() && g.status() instanceof TrackerStatus.Confirmed c && c.block().height() > fork.height()) {
        unconfirm(g, back, ch);
        affected.putIfAbsent(g, false);
      }
    }
    for (PenaltyGroup g : disputesAt.removeAbove(fork.height())) {
      if (g.isLive() && g.disputeHeight() > fork.height()) {
        g.setDisputeHeight(-1);
        affected.put(g, true);
      }
    }
    if (beyondWindow) {
      // The fork found is only where the remembered window ends, not a block both branches share: a
      // confirmation at or below it may be in a block the new branch does not have, and the new branch
      // may have confirmed penalties in blocks below it, which the Responder will never connect. Every
      // penalty not confirmed in the fork block itself is treated as unconfirmed and sent again, so the
      // node's answer says where it stands.
      for (PenaltyGroup g : groups) {
        if (g.status() instanceof TrackerStatus.Confirmed c) {
          if (c.block().equals(fork) || c.block().height() > fork.height()) {
            continue; // in the fork block, or above it and already unconfirmed by the loop above
          }
          unconfirm(g, back, ch);
        }
        affected.putIfAbsent(g, false);
      }
    }

    if (!removed.isEmpty()) {
      List<BlockRef> gone = List.copyOf(removed);
      ch.event(l -> l.blocksDisconnected(fork, gone));
      log.atWarn().addKeyValue("forkHeight", fork.height()).addKeyValue("fork", fork.hash())
          .addKeyValue("disconnected", gone.size()).addKeyValue("penaltiesAffected", affected.size())
          .log("blocks disconnected");
    }

    for (Map.Entry<PenaltyGroup, Boolean> e : affected.entrySet()) {
      PenaltyGroup g = e.getKey();
      if (!g.isLive()) {
        continue;
      }
      if (e.getValue()) {
        disputeDisconnected(g);
      }
      if (g.status() instanceof TrackerStatus.Pending) {
        retryPending(g, fork, ch);
      } else if (g.status() instanceof TrackerStatus.InMempool) {
        resend(g, fork.height(), ch);
      }
    }
    commit(ch, Optional.of(fork));
  }

  /** A penalty confirmed in a block that is no longer on the chain: back to the mempool count. */
  private void unconfirm(PenaltyGroup g, TrackerStatus.InMempool back, Changes ch) {
    setStatus(g, back, ch);
    rebroadcastDue.add(back.sinceHeight() + config.rebroadcastAfterMissed(), g);
    for (int i = 0; i < g.size(); i++) {
      if (g.expiry(i) >= 0) {
        expiries.add(g.expiry(i), g); // a subscription that ended while it was confirmed ends now
      }
    }
  }

  /**
   * The block of a penalty's dispute was disconnected: its height is unknown until a connected block
   * holds it again (so that a second reorganisation re-sends it too), and the raw dispute, when the
   * store has it, goes to the node before the penalty. One store read per such penalty.
   */
  private void disputeDisconnected(PenaltyGroup g) {
    Optional<TransactionTracker> member = anyMember(g);
    if (member.isEmpty()) {
      return;
    }
    awaitDispute(member.get().disputeTxid(), g);
    byte[] rawDispute = rawDisputeOf(g, member.get());
    if (rawDispute != null) {
      BroadcastResult r = send(member.get().disputeTxid(), rawDispute);
      log.atInfo().addKeyValue("disputeTxid", member.get().disputeTxid()).addKeyValue("penaltyTxid", g.txid())
          .addKeyValue("result", r).log("dispute disconnected: re-sent before its penalty");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Index maintenance

  private void setStatus(PenaltyGroup g, TrackerStatus status, Changes ch) {
    if (status.equals(g.status())) {
      return;
    }
    g.setStatus(status);
    for (int i = 0; i < g.size(); i++) {
      ch.status.put(g.uuid(i), status);
    }
  }

  private void indexStatus(PenaltyGroup g) {
    TrackerStatus s = g.status();
    if (s instanceof TrackerStatus.Pending) {
      pending.add(g);
    } else if (s instanceof TrackerStatus.InMempool m) {
      rebroadcastDue.add(m.sinceHeight() + config.rebroadcastAfterMissed(), g);
    } else {
      confirmedAt.add(((TrackerStatus.Confirmed) s).block().height(), g);
    }
  }

  private void dropGroup(PenaltyGroup g, Changes ch, ListenerCall perMember) {
    for (int i = 0; i < g.size(); i++) {
      UUID u = g.uuid(i);
      ch.remove(u);
      ch.event(l -> perMember.call(l, u));
    }
    unindex(g);
  }

  private void unindex(PenaltyGroup g) {
    groups.remove(g.txid());
    pending.remove(g);
    g.kill(); // schedule entries are lazy and skip dead groups
  }

  private static void forEachMember(PenaltyGroup g, Consumer<UUID> action) {
    for (int i = 0; i < g.size(); i++) {
      action.accept(g.uuid(i));
    }
  }

  /** One of the group's trackers, read from the store (raw transactions are not kept in memory). */
  private Optional<TransactionTracker> anyMember(PenaltyGroup g) {
    for (int i = 0; i < g.size(); i++) {
      Optional<TransactionTracker> t = store.find(g.uuid(i));
      if (t.isPresent()) {
        return t;
      }
    }
    log.atError().addKeyValue("penaltyTxid", g.txid())
        .log("the store has no tracker for an indexed penalty: cannot broadcast it");
    return Optional.empty();
  }

  /** The raw dispute of some member, or null; {@code first} is a member already read. */
  private byte[] rawDisputeOf(PenaltyGroup g, TransactionTracker first) {
    if (first.disputeRawTxUnsafe() != null || !g.hasRawDispute()) {
      return first.disputeRawTxUnsafe();
    }
    for (int i = 0; i < g.size(); i++) {
      Optional<TransactionTracker> t = store.find(g.uuid(i));
      if (t.isPresent() && t.get().disputeRawTxUnsafe() != null) {
        return t.get().disputeRawTxUnsafe();
      }
    }
    return null;
  }

  /** The block the group's dispute is in, when the Responder knows it: nodes without -txindex need it. */
  private Optional<BlockHash> disputeHint(PenaltyGroup g) {
    return g.disputeHeight() >= 0 ? Optional.ofNullable(window.hashAt(g.disputeHeight())) : Optional.empty();
  }

  // ---------------------------------------------------------------------------------------------
  // Ports

  /**
   * Starts a new receipt interval. {@code HashMap.clear()} walks the whole table, and a burst of
   * intake leaves the table as large as the burst for good, which every later block would pay for;
   * a cache that grew large is dropped instead.
   */
  private void clearReceipts() {
    if (sentThisBlock.size() > SMALL_RECEIPT_CACHE) {
      sentThisBlock = new HashMap<>();
    } else {
      sentThisBlock.clear();
    }
  }

  private BroadcastResult sendPenalty(TransactionTracker t, byte[] rawDispute, Optional<BlockHash> disputeBlock) {
    return sendPenalty(t.penaltyTxid(), t.penaltyRawTxUnsafe(), t.disputeTxid(), rawDispute, disputeBlock);
  }

  /**
   * Sends a penalty, and reads bitcoind's ambiguous "inputs missing or spent" (-25) the way it must
   * be read: the dispute may simply not have reached this node yet (a node a block behind the
   * watcher, a dispute evicted or sent back by a reorganisation). The raw dispute, when known, goes
   * first and the penalty again; the refusal is final only when the node holds the dispute confirmed,
   * so the dispute's output was spent by another confirmed transaction. Otherwise it is a refusal
   * for now, and the breach stays pending.
   */
  private BroadcastResult sendPenalty(Txid txid, byte[] raw, Txid disputeTxid, byte[] rawDispute,
      Optional<BlockHash> disputeBlock) {
    BroadcastResult result = send(txid, raw);
    if (!missingOrSpent(result)) {
      return result;
    }
    if (rawDispute != null && send(disputeTxid, rawDispute).delivered()) {
      sentThisBlock.remove(txid); // the node has the parent now: this is a different question
      result = send(txid, raw);
      if (!missingOrSpent(result)) {
        return result;
      }
    }
    if (safeStatus(disputeTxid, disputeBlock) instanceof TxStatus.Confirmed) {
      return result;
    }
    BroadcastResult.Rejected r = (BroadcastResult.Rejected) result;
    BroadcastResult forNow = new BroadcastResult.RejectedForNow(r.code(), r.message());
    sentThisBlock.put(txid, forNow);
    log.atInfo().addKeyValue("penaltyTxid", txid).addKeyValue("disputeTxid", disputeTxid)
        .log("penalty's inputs missing and its dispute not confirmed on the node: kept pending until the dispute arrives");
    return forNow;
  }

  private static boolean missingOrSpent(BroadcastResult r) {
    return r instanceof BroadcastResult.Rejected rejected && rejected.code() == BroadcastResult.Rejected.INPUTS_MISSING_OR_SPENT;
  }

  private BroadcastResult send(Txid txid, byte[] raw) {
    BroadcastResult earlier = sentThisBlock.get(txid);
    if (earlier != null) {
      return earlier;
    }
    BroadcastResult result;
    try {
      result = Objects.requireNonNull(carrier.broadcast(txid, raw), "carrier returned null");
    } catch (RuntimeException e) {
      log.atWarn().addKeyValue("txid", txid).addKeyValue("reason", e.toString()).log("carrier failed to broadcast");
      result = new BroadcastResult.NodeUnavailable("carrier threw " + e.getClass().getSimpleName());
    }
    sentThisBlock.put(txid, result);
    return result;
  }

  private TxStatus safeStatus(Txid txid, Optional<BlockHash> hint) {
    try {
      return Objects.requireNonNull(carrier.status(txid, hint), "carrier returned null");
    } catch (RuntimeException e) {
      return new TxStatus.Unknown("carrier threw " + e.getClass().getSimpleName());
    }
  }

  private void commit(Changes ch, Optional<BlockRef> tip) {
    try {
      store.commit(ch.toUpdate(tip));
    } catch (RuntimeException e) {
      stale = true; // memory ran ahead of the store: reload before the next call
      throw e;
    }
    ch.fire();
  }

  private void ensureLoaded() {
    if (!stale) {
      return;
    }
    groups.forEach(PenaltyGroup::kill);
    groups.clear();
    pending.clear();
    confirmedAt.clear();
    rebroadcastDue.clear();
    expiries.clear();
    disputesAt.clear();
    awaitingDispute.clear();
    clearReceipts();
    Optional<BlockRef> storedTip = store.loadTip();
    BlockRef tip;
    if (storedTip.isPresent()) {
      tip = storedTip.get();
    } else {
      tip = blockSource.bestBlock();
      store.commit(new StoreUpdate(List.of(), Map.of(), Set.of(), Optional.of(tip)));
    }
    window.reset(tip);
    store.loadTrackers(this::indexLoaded);
    stale = false;
    log.atInfo().addKeyValue("tip", tip.height()).addKeyValue("penalties", groups.size())
        .log(storedTip.isPresent() ? "responder state loaded from the store" : "fresh store: starting at the node's tip");
  }

  private void indexLoaded(TransactionTracker t) {
    PenaltyGroup g = groups.get(t.penaltyTxid());
    int expiry = t.subscriptionEndOrMinusOne();
    int disputeHeight = t.disputeHeight().orElse(-1);
    if (g == null) {
      g = new PenaltyGroup(t.penaltyTxid(), t.status(), t.uuid(), expiry, disputeHeight, t.disputeRawTxUnsafe() != null);
      groups.put(t.penaltyTxid(), g);
      indexStatus(g);
    } else {
      if (!g.status().equals(t.status())) {
        throw new IllegalStateException("store is inconsistent: trackers of penalty " + t.penaltyTxid()
            + " have different statuses (" + g.status() + ", " + t.status() + " for " + t.uuid() + ")");
      }
      if (g.indexOf(t.uuid()) >= 0) {
        // Indexed twice, it would be broadcast for, counted and reported completed twice.
        throw new IllegalStateException("store is inconsistent: tracker " + t.uuid() + " was handed over twice");
      }
      g.add(t.uuid(), expiry);
      if (t.disputeRawTxUnsafe() != null) {
        g.setHasRawDispute(true);
      }
    }
    if (expiry >= 0) {
      expiries.add(expiry, g);
    }
    if (disputeHeight >= 0 && disputeHeight > window.tip().height() - config.reorgWindow()) {
      if (g.disputeHeight() < 0) {
        g.setDisputeHeight(disputeHeight);
      }
      disputesAt.add(disputeHeight, g);
    } else if (disputeHeight < 0 && g.disputeHeight() < 0) {
      awaitDispute(t.disputeTxid(), g);
    }
  }

  @FunctionalInterface
  private interface ListenerCall {
    void call(ResponderListener l, UUID uuid);
  }

  /** The changes of one commit, and the events to deliver once it is durable. */
  private final class Changes {
    final List<TransactionTracker> added = new ArrayList<>(1);
    final Map<UUID, TrackerStatus> status = new LinkedHashMap<>();
    final Set<UUID> removed = new LinkedHashSet<>();
    final List<Consumer<ResponderListener>> events = new ArrayList<>();

    boolean isEmpty() {
      return added.isEmpty() && status.isEmpty() && removed.isEmpty() && events.isEmpty();
    }

    void remove(UUID u) {
      status.remove(u);
      removed.add(u);
    }

    void event(Consumer<ResponderListener> e) {
      events.add(e);
    }

    StoreUpdate toUpdate(Optional<BlockRef> tip) {
      return new StoreUpdate(added, status, removed, tip);
    }

    void fire() {
      for (Consumer<ResponderListener> e : events) {
        try {
          e.accept(listener);
        } catch (RuntimeException ex) {
          log.atWarn().addKeyValue("listener", listener.getClass().getName()).addKeyValue("exception", ex.toString())
              .log("listener threw; ignored");
        }
      }
    }
  }

  /**
   * Configures and starts a {@link Responder}. Not thread-safe: use one builder per thread.
   */
  public static final class Builder {
    private ResponderConfig config = ResponderConfig.defaults();
    private Carrier carrier;
    private BlockSource blockSource;
    private TrackerStore store;
    private ResponderListener listener = ResponderListener.NONE;

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
          r.syncToBest();
        } catch (BlockSourceException e) {
          log.atWarn().addKeyValue("tip", r.window.tip().height()).addKeyValue("reason", e.getMessage())
              .log("could not catch up with the block source at start; will retry on the next block");
        }
      } finally {
        r.lock.unlock();
      }
      return r;
    }
  }
}
