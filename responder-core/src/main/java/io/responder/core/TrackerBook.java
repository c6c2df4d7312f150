package io.responder.core;

import io.responder.core.internal.HeightIndex;
import io.responder.core.internal.PenaltyGroup;
import io.responder.core.internal.PenaltyIndex;
import io.responder.core.internal.StatusCodes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Every tracked penalty and when each needs attention: the penalty groups by txid, the pending set,
 * and the height schedules (confirmations and so completions, rebroadcasts, expiries, disputes).
 *
 * <p>Statuses change only through the named transitions here (confirm, unconfirm, accepted into the
 * mempool, pending, expire, drop), and each transition files the group in the schedule its new status
 * needs, so the indexes cannot disagree with the statuses. Schedule entries are lazy: an entry whose
 * group died or changed status is skipped where it is read, never searched for and removed. Every
 * transition also records its store change and its events in the caller's {@link ChangeSet}.
 *
 * <p>Mutable, confined to the Responder's lock.
 */
final class TrackerBook {
  private static final Logger log = LoggerFactory.getLogger(Responder.class);
  /** Below this many entries a schedule is never swept: dead entries cost little there. */
  private static final int MIN_SWEEP_THRESHOLD = 4096;

  private final ResponderConfig config;
  private final PenaltyIndex groups = new PenaltyIndex();
  /** The statuses the groups hold, by the codes they keep instead of references. */
  private final StatusCodes codes = new StatusCodes();
  /**
   * Groups dropped but still filed in {@link #groups}: killed, and taken out of the index together
   * (see {@link PenaltyIndex#removeAll}) before it is next read, so that the thousands a block
   * completes or expires cost overlapping cache misses instead of one removal's misses after another.
   */
  private final List<PenaltyGroup> unindexed = new ArrayList<>();
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
   * later reorganisation of that block re-sends it. Empty in the common case, so connected blocks pay
   * nothing for it.
   */
  private final Map<Txid, List<PenaltyGroup>> awaitingDispute = new HashMap<>();
  /**
   * Trackers (not penalties) per {@link TrackerState}, by ordinal: kept by every transition below, so
   * counting is O(1) however many trackers there are (metrics, health and queries read it per call).
   */
  private final int[] trackersByState = new int[TrackerState.values().length];
  /** The last in-mempool status made: every penalty accepted at the same height shares it. */
  private TrackerStatus.InMempool lastInMempool = new TrackerStatus.InMempool(0);
  private int expirySweepThreshold = MIN_SWEEP_THRESHOLD;
  private int awaitingSweepThreshold = MIN_SWEEP_THRESHOLD;

  TrackerBook(ResponderConfig config) {
    this.config = config;
  }

  // ---------------------------------------------------------------------------------------------
  // Reading

  @Nullable PenaltyGroup get(Txid penaltyTxid) {
    return index().get(penaltyTxid);
  }

  /**
   * {@link #get} of the txids {@code from} (inclusive) to {@code to}, in order, their cache misses
   * overlapped; the array is the index's own, valid until the next call (see
   * {@link PenaltyIndex#getAll(List, int, int)}).
   */
  @Nullable PenaltyGroup[] getAll(List<Txid> penaltyTxids, int from, int to) {
    return index().getAll(penaltyTxids, from, to);
  }

  Iterable<PenaltyGroup> groups() {
    return index();
  }

  int penaltyCount() {
    return index().size();
  }

  /** A copy: retrying a pending penalty can take it out of the set. */
  List<PenaltyGroup> pendingGroups() {
    return new ArrayList<>(pending);
  }

  boolean hasPending() {
    return !pending.isEmpty();
  }

  boolean isFiledPending(PenaltyGroup g) {
    return pending.contains(g);
  }

  /** From the counters the transitions keep: no walk. */
  Map<TrackerState, Integer> countsByState() {
    Map<TrackerState, Integer> counts = new EnumMap<>(TrackerState.class);
    for (TrackerState s : TrackerState.values()) {
      counts.put(s, trackersByState[s.ordinal()]);
    }
    return counts;
  }

  /** The same counts by a walk of every group: for consistency checks only. */
  Map<TrackerState, Integer> recountByState() {
    Map<TrackerState, Integer> counts = new EnumMap<>(TrackerState.class);
    for (TrackerState s : TrackerState.values()) {
      counts.put(s, 0);
    }
    for (PenaltyGroup g : index()) {
      counts.merge(g.state(), g.size(), Integer::sum);
    }
    return counts;
  }

  private long trackerCount() {
    long n = 0;
    for (int c : trackersByState) {
      n += c;
    }
    return n;
  }

  /** A copy of the per-state tracker counts, by {@link TrackerState#ordinal()}. */
  int[] trackerCountsByState() {
    return trackersByState.clone();
  }

  private void counted(TrackerState state, int delta) {
    trackersByState[state.ordinal()] += delta;
  }

  /**
   * @param g a group not dropped
   * @return its status
   * @throws IllegalStateException if it was dropped: its status is gone
   */
  TrackerStatus status(PenaltyGroup g) {
    return codes.status(g.statusCode());
  }

  /** Checks the status codes the groups hold against the table's counts (see {@link StatusCodes#verify}). */
  void verifyStatusCodes() {
    codes.verify(index());
  }

  /**
   * Statuses are values, so penalties accepted at the same height share one object: the store update
   * of a million trackers accepted between two blocks holds one, not a million, and
   * {@link StatusCodes#hold} finds it as the status it held last, without hashing it.
   */
  TrackerStatus.InMempool inMempoolSince(int height) {
    if (lastInMempool.sinceHeight() != height) {
      lastInMempool = new TrackerStatus.InMempool(height);
    }
    return lastInMempool;
  }

  // ---------------------------------------------------------------------------------------------
  // Schedules, read as a block or a disconnection needs them

  List<PenaltyGroup> confirmedAt(int height) {
    return confirmedAt.at(height);
  }

  List<PenaltyGroup> completionsDueBy(int confirmationHeight) {
    return confirmedAt.removeUpTo(confirmationHeight);
  }

  List<PenaltyGroup> expiriesDueBy(int height) {
    return expiries.removeUpTo(height);
  }

  List<PenaltyGroup> rebroadcastsDueBy(int height) {
    return rebroadcastDue.removeUpTo(height);
  }

  List<PenaltyGroup> rebroadcastsDueAbove(int height) {
    return rebroadcastDue.removeAbove(height);
  }

  List<PenaltyGroup> confirmationsAbove(int height) {
    return confirmedAt.removeAbove(height);
  }

  List<PenaltyGroup> disputesAbove(int height) {
    return disputesAt.removeAbove(height);
  }

  /**
   * Whether the group's rebroadcast is due at {@code height}: its count of missed blocks turns over
   * there, or a rebroadcast that fell due earlier could not reach the node and is still owed.
   */
  boolean rebroadcastDueAt(PenaltyGroup g, int height) {
    return g.isLive() && status(g) instanceof TrackerStatus.InMempool m
        && (turnsAt(m, height) || g.isResendOwed() && height - m.sinceHeight() >= config.rebroadcastAfterMissed());
  }

  /**
   * Whether the count of missed blocks of a penalty in the mempool since {@code m} turns over at
   * {@code height}: every {@code rebroadcastAfterMissed} blocks from the status's height.
   */
  private boolean turnsAt(TrackerStatus.InMempool m, int height) {
    int missed = height - m.sinceHeight();
    return missed > 0 && missed % config.rebroadcastAfterMissed() == 0;
  }

  /** The first height above {@code height} where the count of a penalty in the mempool since {@code m} turns over. */
  private int nextTurnAbove(TrackerStatus.InMempool m, int height) {
    int since = m.sinceHeight();
    int every = config.rebroadcastAfterMissed();
    return since + (Math.max(0, height - since) / every + 1) * every;
  }

  /**
   * A send at {@code height} could not reach the node: nothing was learnt. A rebroadcast that was due
   * is owed, and tried on each block until the node answers; the group is looked at again on the
   * next block either way.
   */
  void couldNotSend(PenaltyGroup g, int height) {
    if (rebroadcastDueAt(g, height)) {
      g.setResendOwed(true);
    }
    rebroadcastDue.add(height + 1, g);
  }

  /** The expiry could not be decided at this block: it is looked at again at {@code height}. */
  void expiryAgainAt(PenaltyGroup g, int height) {
    expiries.add(height, g);
  }

  // ---------------------------------------------------------------------------------------------
  // Transitions

  /** The penalty is in {@code block}: every member is told, and completion is scheduled. */
  void confirm(PenaltyGroup g, BlockRef block, ChangeSet ch) {
    confirm(g, new TrackerStatus.Confirmed(block), ch);
  }

  /** A status one connected block gives to every penalty it confirms (one object for all of them). */
  void confirm(PenaltyGroup g, TrackerStatus.Confirmed status, ChangeSet ch) {
    unfilePending(g);
    setStatus(g, status, ch);
    confirmedAt.add(status.block().height(), g);
    ch.members(g, g.txid(), ChangeSet.CONFIRMED, status.block());
  }

  /**
   * The node took the penalty at {@code height}: missed blocks count from there. A penalty in the
   * mempool whose count turns over at {@code height} keeps its status, whose next turns fall where
   * they would from {@code height}: so a rebroadcast the node takes when it falls due writes
   * nothing to the store, and a storm of a million none.
   */
  void acceptedAt(PenaltyGroup g, int height, ChangeSet ch) {
    unfilePending(g);
    g.setResendOwed(false);
    if (!(status(g) instanceof TrackerStatus.InMempool m && turnsAt(m, height))) {
      setStatus(g, inMempoolSince(height), ch);
    }
    rebroadcastDue.add(height + config.rebroadcastAfterMissed(), g);
  }

  /** The node does not hold the penalty: retried on every block. */
  void becomePending(PenaltyGroup g, int height, ChangeSet ch) {
    setStatus(g, new TrackerStatus.Pending(height), ch);
    pending.add(g);
  }

  /** A penalty confirmed in a block that is no longer on the chain: back to the mempool count. */
  void unconfirm(PenaltyGroup g, TrackerStatus.InMempool back, ChangeSet ch) {
    setStatus(g, back, ch);
    rebroadcastDue.add(back.sinceHeight() + config.rebroadcastAfterMissed(), g);
    for (int i = 0; i < g.size(); i++) {
      if (g.expiry(i) >= 0) {
        expiries.add(g.expiry(i), g); // a subscription that ended while it was confirmed ends now
      }
    }
  }

  /**
   * An in-mempool penalty the node last took above a fork counts its missed blocks from the fork
   * instead. The last send it took, by the old tip {@code oldTip}, is the count's last turn, or the
   * turn before that one when that turn's rebroadcast is still owed.
   */
  void countMissedFrom(PenaltyGroup g, TrackerStatus.InMempool back, int oldTip, ChangeSet ch) {
    TrackerStatus.InMempool m = (TrackerStatus.InMempool) status(g);
    int every = config.rebroadcastAfterMissed();
    int lastTaken = m.sinceHeight() + Math.max(0, oldTip - m.sinceHeight()) / every * every;
    if (g.isResendOwed() && lastTaken > m.sinceHeight()) {
      lastTaken -= every;
    }
    if (lastTaken > back.sinceHeight()) {
      g.setResendOwed(false);
      setStatus(g, back, ch);
      lastTaken = back.sinceHeight();
    }
    rebroadcastDue.add(lastTaken + every, g);
  }

  /** Every member of the live group leaves, each told {@code event} with {@code arg}. */
  <A> void drop(PenaltyGroup g, ChangeSet ch, ChangeSet.MemberEvent<A> event, A arg) {
    counted(g.state(), -g.size());
    ch.removeAll(g, g.txid(), event, arg);
    unindex(g);
  }

  /** The members whose subscription ended by {@code tip} leave; the group goes when none is left. */
  void expireMembers(PenaltyGroup g, BlockRef tip, ChangeSet ch) {
    Txid txid = g.txid();
    for (int i = g.size() - 1; i >= 0; i--) {
      int end = g.expiry(i);
      if (end >= 0 && end <= tip.height()) {
        LoggingEventBuilder line = ch.lines().lineIfWritten(log, BlockLines.Kind.EXPIRED);
        if (line != null) {
          line.addKeyValue("uuid", g.uuid(i)).addKeyValue("penaltyTxid", txid).addKeyValue("height", tip.height())
              .log("subscription ended before the penalty confirmed: tracker expired");
        }
        ch.remove(g, i, txid, ChangeSet.EXPIRED, tip);
        g.removeAt(i);
        counted(g.state(), -1);
      }
    }
    if (g.size() == 0) {
      unindex(g);
    }
  }

  /**
   * Files a tracker whose commit succeeded: a new group, or a member joining a known one (whose
   * status becomes {@code status}).
   */
  PenaltyGroup admit(Breach breach, TrackerStatus status, int disputeHeight, @Nullable PenaltyGroup group) {
    int expiry = breach.subscriptionEndOrMinusOne();
    if (group == null) {
      group = new PenaltyGroup(breach.penaltyTxid(), codes.hold(status), breach.uuid(), expiry, disputeHeight,
          breach.disputeRawTxUnsafe() != null);
      index().put(breach.penaltyTxid(), group);
      fileNew(group);
      counted(status.state(), 1);
    } else {
      group.add(breach.uuid(), expiry);
      counted(group.state(), 1); // moved with the others below if the status changes
      if (breach.disputeRawTxUnsafe() != null) {
        group.setHasRawDispute(true);
      }
      if (disputeHeight >= 0 && group.disputeHeight() < 0) {
        group.setDisputeHeight(disputeHeight);
      }
      if (!status.equals(status(group))) {
        unfilePending(group);
        recode(group, status);
        fileNew(group);
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
    return group;
  }

  /** Files a tracker read from the store at start or reload, and returns its group. */
  PenaltyGroup load(TransactionTracker t, int tipHeight) {
    PenaltyGroup g = index().get(t.penaltyTxid());
    int expiry = t.subscriptionEndOrMinusOne();
    int disputeHeight = t.disputeHeight().orElse(-1);
    if (g == null) {
      g = new PenaltyGroup(t.penaltyTxid(), codes.hold(t.status()), t.uuid(), expiry, disputeHeight,
          t.disputeRawTxUnsafe() != null);
      index().put(t.penaltyTxid(), g);
      file(g, tipHeight);
      counted(t.status().state(), 1);
    } else {
      if (!status(g).equals(t.status())) {
        throw new IllegalStateException("store is inconsistent: trackers of penalty " + t.penaltyTxid()
            + " have different statuses (" + status(g) + ", " + t.status() + " for " + t.uuid() + ")");
      }
      if (g.indexOf(t.uuid()) >= 0) {
        // Indexed twice, it would be broadcast for, counted and reported completed twice.
        throw new IllegalStateException("store is inconsistent: tracker " + t.uuid() + " was handed over twice");
      }
      g.add(t.uuid(), expiry);
      counted(t.status().state(), 1);
      if (t.disputeRawTxUnsafe() != null) {
        g.setHasRawDispute(true);
      }
    }
    if (expiry >= 0) {
      expiries.add(expiry, g);
    }
    if (disputeHeight >= 0 && disputeHeight > tipHeight - config.reorgWindow()) {
      if (g.disputeHeight() < 0) {
        g.setDisputeHeight(disputeHeight);
      }
      disputesAt.add(disputeHeight, g);
    } else if (disputeHeight < 0 && g.disputeHeight() < 0) {
      awaitDispute(t.disputeTxid(), g);
    }
    return g;
  }

  void clear() {
    groups.forEach(PenaltyGroup::kill);
    groups.clear();
    codes.clear();
    unindexed.clear();
    pending.clear();
    confirmedAt.clear();
    rebroadcastDue.clear();
    expiries.clear();
    disputesAt.clear();
    awaitingDispute.clear();
    Arrays.fill(trackersByState, 0);
  }

  // ---------------------------------------------------------------------------------------------
  // Disputes

  boolean awaitsDisputes() {
    return !awaitingDispute.isEmpty();
  }

  /**
   * A connected block holds {@code txid}: if it is an awaited dispute, its height is known again.
   *
   * @return the groups that learnt it (their deadlines may have moved)
   */
  List<PenaltyGroup> learnDisputeHeight(Txid txid, int height) {
    List<PenaltyGroup> waiting = awaitingDispute.remove(txid);
    if (waiting == null) {
      return List.of();
    }
    for (PenaltyGroup g : waiting) {
      if (g.isLive() && g.disputeHeight() < 0) {
        g.setDisputeHeight(height);
        disputesAt.add(height, g);
        log.atDebug().addKeyValue("disputeTxid", txid).addKeyValue("penaltyTxid", g.txid()).addKeyValue("height", height)
            .log("dispute seen confirmed: its height is known again");
      }
    }
    return waiting;
  }

  /**
   * The groups whose dispute height is unknown: after a restart a height learnt in memory is
   * unknown again, so any disconnection may have taken their dispute's block.
   */
  List<PenaltyGroup> groupsAwaitingDispute() {
    List<PenaltyGroup> out = new ArrayList<>();
    for (List<PenaltyGroup> list : awaitingDispute.values()) {
      for (PenaltyGroup g : list) {
        if (g.isLive() && g.disputeHeight() < 0) {
          out.add(g);
        }
      }
    }
    return out;
  }

  /** A dispute height found on the node's chain at start (or -1: not within reach, awaited). */
  void relearnDisputeHeight(PenaltyGroup g, Txid disputeTxid, int height) {
    if (height < 0) {
      forgetDisputeHeight(g, disputeTxid);
      return;
    }
    g.setDisputeHeight(height);
    disputesAt.add(height, g);
  }

  /** The dispute's block was disconnected: its height is unknown until a block holds it again. */
  void forgetDisputeHeight(PenaltyGroup g, Txid disputeTxid) {
    g.setDisputeHeight(-1);
    awaitDispute(disputeTxid, g);
  }

  private void awaitDispute(Txid disputeTxid, PenaltyGroup g) {
    List<PenaltyGroup> waiting = awaitingDispute.computeIfAbsent(disputeTxid, k -> new ArrayList<>(1));
    if (!waiting.contains(g)) {
      waiting.add(g);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Upkeep

  /** After a connected block: what no reorganisation can reach any more is let go. */
  void afterBlock(int height) {
    index(); // the groups the block dropped leave the index now, not at the next block's look-ups
    disputesAt.pruneBelow(height - config.reorgWindow());
    sweepExpiriesIfMostlyDead();
    sweepAwaitedDisputesIfMostlyDead();
  }

  /**
   * Subscriptions can end months ahead, and a tracker that completes long before its end would keep
   * its dead group reachable from the expiry schedule until then: memory growing with every tracker
   * ever completed. When the schedule has grown to twice what was live at its last rebuild, and to
   * more than two entries a tracker held (so that at least half of it is dead or repeated), it is
   * rebuilt from the live groups, which costs amortised O(1) per entry ever filed.
   */
  private void sweepExpiriesIfMostlyDead() {
    // Nor while it holds at most two entries a tracker: a bulk intake files one live entry for each,
    // and walking a million groups to find none dead would cost the next block a full walk.
    if (expiries.size() <= expirySweepThreshold || expiries.size() <= 2L * trackerCount() + MIN_SWEEP_THRESHOLD) {
      return;
    }
    expiries.clear();
    for (PenaltyGroup g : index()) {
      for (int i = 0; i < g.size(); i++) {
        if (g.expiry(i) >= 0) {
          expiries.add(g.expiry(i), g);
        }
      }
    }
    expirySweepThreshold = 2 * expiries.size() + MIN_SWEEP_THRESHOLD;
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
    awaitingSweepThreshold = 2 * awaitingDispute.size() + MIN_SWEEP_THRESHOLD;
  }

  // ---------------------------------------------------------------------------------------------

  static void forEachMember(PenaltyGroup g, Consumer<UUID> action) {
    for (int i = 0; i < g.size(); i++) {
      action.accept(g.uuid(i));
    }
  }

  private void setStatus(PenaltyGroup g, TrackerStatus status, ChangeSet ch) {
    if (status.equals(status(g))) {
      return;
    }
    recode(g, status);
    g.setResendOwed(false);
    ch.status(g, status);
  }

  /** Gives every member of {@code g} the different status {@code status}, in the counts and in the codes. */
  private void recode(PenaltyGroup g, TrackerStatus status) {
    counted(g.state(), -g.size());
    counted(status.state(), g.size());
    int old = g.statusCode();
    g.setStatusCode(codes.hold(status));
    codes.release(old);
  }

  /** The index, without the groups dropped since it was last read. */
  private PenaltyIndex index() {
    if (!unindexed.isEmpty()) {
      groups.removeAll(unindexed);
      unindexed.clear();
    }
    return groups;
  }

  /**
   * Takes {@code g} out of the pending set if it is there. Looked up only when the set has members:
   * hashing a group the first time writes its identity hash into its header, which for the thousands
   * a block confirms, completes or expires is a store to each, and the set is nearly always empty.
   */
  private void unfilePending(PenaltyGroup g) {
    if (!pending.isEmpty()) {
      pending.remove(g);
    }
  }

  /** Files a group whose status was just given: a penalty in the mempool counts from its status's height. */
  private void fileNew(PenaltyGroup g) {
    file(g, -1);
  }

  /**
   * Files a group in the schedule its status needs at tip {@code height}: a penalty in the mempool at
   * the next turn of its count above it (a rebroadcast owed when the group was last filed is not
   * known from its status, and falls at that turn too).
   */
  private void file(PenaltyGroup g, int height) {
    TrackerStatus s = status(g);
    if (s instanceof TrackerStatus.Pending) {
      pending.add(g);
    } else if (s instanceof TrackerStatus.InMempool m) {
      rebroadcastDue.add(nextTurnAbove(m, height), g);
    } else {
      confirmedAt.add(((TrackerStatus.Confirmed) s).block().height(), g);
    }
  }

  private void unindex(PenaltyGroup g) {
    unindexed.add(g);
    unfilePending(g);
    codes.release(g.statusCode());
    g.kill(); // schedule entries are lazy and skip dead groups
  }
}
