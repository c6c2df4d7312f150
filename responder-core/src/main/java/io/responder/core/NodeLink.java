package io.responder.core;

import io.responder.core.internal.PenaltyGroup;
import io.responder.core.internal.Receipts;
import io.responder.core.internal.RecentBlocks;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the Responder asks of the outside: sends through the {@link Carrier} (at most once per
 * transaction per block interval), status lookups, blocks from the {@link BlockSource} (checked
 * against what was asked), raw transactions read back from the {@link TrackerStore}, and the reading
 * of the node's answers that needs more than one question: where an already confirmed penalty is,
 * and whether "inputs missing or spent" is final.
 *
 * <p>Port failures are turned into answers here (a carrier that throws is a node that could not be
 * reached) except the block source's, which stop a catch-up where it stands. Mutable (the receipt
 * cache, and what this interval's searches read of the node's chain), confined to the Responder's
 * lock.
 */
final class NodeLink {
  private static final Logger log = LoggerFactory.getLogger(Responder.class);

  private final Carrier carrier;
  private final BlockSource blockSource;
  private final TrackerStore store;
  /** The store's {@link TrackerStore#findAllBatchSize()}, read once. */
  private final int findAllBatch;
  private final RecentBlocks window;
  private final ResponderConfig config;
  /** Receipts of this block interval, so a transaction is pushed at most once per block. */
  private final Receipts sentThisInterval = new Receipts();
  /**
   * The last batch's answers in the order sent, and how many of them the sends since have taken:
   * the per-penalty sends that follow a batch come in the same order, so each finds its receipt here
   * without a probe of the table (a random read in a storm). Any other receipt filed since ends this
   * read-ahead, so an answer replaced meanwhile is never read from here.
   */
  private @Nullable Txid[] aheadTxids = new Txid[0];
  private @Nullable BroadcastResult[] aheadAnswers = new BroadcastResult[0];
  private int aheadCount;
  private int aheadNext;
  /** Calls that sent transactions so far: a best block read after all of them is later than all their answers. */
  private long sends;
  /** The node's best block as read when {@link #sends} was {@link #tipReadAtSends}, or null. */
  private @Nullable BlockRef tipAfterSends;
  private long tipReadAtSends = -1;
  /**
   * What the searches for already confirmed penalties read of the node's chain in this interval:
   * the hashes at heights below {@link #tipAfterSends} (a tip commits to every block below it, so
   * they hold while it is the tip read), and the txids of blocks by hash. A catch-up whose
   * rebroadcasts find many penalties mined in blocks the Responder has not connected yet reads each
   * of those blocks once, not once per penalty.
   */
  private final Map<Integer, BlockHash> searchHashes = new HashMap<>();
  private final Map<BlockHash, Set<Txid>> searchTxids = new HashMap<>();

  NodeLink(Carrier carrier, BlockSource blockSource, TrackerStore store, int findAllBatch, RecentBlocks window,
      ResponderConfig config) {
    this.carrier = carrier;
    this.blockSource = blockSource;
    this.store = store;
    this.findAllBatch = findAllBatch;
    this.window = window;
    this.config = config;
  }

  /**
   * The most trackers a storm or a reorganisation reads (and then sends and settles) at once: the
   * store's choice (see {@link TrackerStore#findAllBatchSize()}).
   */
  int findAllBatch() {
    return findAllBatch;
  }

  BlockSource blockSource() {
    return blockSource;
  }

  // ---------------------------------------------------------------------------------------------
  // Sending

  /** Starts a new receipt interval (a table that grew for a burst is dropped, not walked). */
  void newInterval() {
    sentThisInterval.clear();
    endReadAhead();
    searchHashes.clear();
    searchTxids.clear();
    tipAfterSends = null;
  }

  /**
   * The node's best block, read after every send made so far: reused while no send follows, so a
   * storm's answers placed one after another cost one read, not one each. Never older than an answer
   * it serves, which would place a confirmation too low (early).
   */
  private BlockRef nodeTipAfterSends() {
    if (tipAfterSends == null || tipReadAtSends != sends) {
      BlockRef tip = blockSource.bestBlock();
      if (tipAfterSends == null || !tip.hash().equals(tipAfterSends.hash())) {
        searchHashes.clear(); // another tip, maybe another chain: its heights are read again
      }
      tipAfterSends = tip;
      tipReadAtSends = sends;
    }
    return tipAfterSends;
  }

  private void endReadAhead() {
    aheadCount = 0;
    aheadNext = 0;
  }

  /** Files a receipt; the batch read-ahead ends, as the receipt may replace one of its answers. */
  private void file(Txid txid, BroadcastResult result) {
    endReadAhead();
    sentThisInterval.put(txid, result);
  }

  /** Room for {@code count} more receipts at once: a storm's sends, before its first batch. */
  void expectSends(int count) {
    sentThisInterval.ensureRoom(count);
  }

  /**
   * Keys this interval's receipt for {@code g}'s own txid, if there is one, by the group: found the
   * same way, it no longer keeps the {@code Txid} it was sent under alive (a breach's, at intake,
   * where a bulk hand-over files a receipt per penalty).
   */
  void keyReceiptBy(PenaltyGroup g) {
    sentThisInterval.keyBy(g);
  }

  /** This interval's answer for {@code txid}, or null when it was not sent. */
  @Nullable BroadcastResult receipt(Txid txid) {
    return sentThisInterval.get(txid);
  }

  BroadcastResult send(Txid txid, byte[] raw) {
    // Equal, not the same object: a group's sends make its txid afresh from the words it keeps.
    if (aheadNext < aheadCount && txid.equals(aheadTxids[aheadNext])) {
      return aheadAnswers[aheadNext++];
    }
    BroadcastResult earlier = sentThisInterval.get(txid);
    if (earlier != null) {
      return earlier;
    }
    BroadcastResult result;
    try {
      sends++;
      result = Objects.requireNonNull(carrier.broadcast(txid, raw), "carrier returned null");
    } catch (RuntimeException e) {
      log.atWarn().addKeyValue("txid", txid).addKeyValue("reason", e.toString()).log("carrier failed to broadcast");
      result = new BroadcastResult.NodeUnavailable("carrier threw " + e.getClass().getSimpleName());
    }
    file(txid, result);
    return result;
  }

  /**
   * Sends ahead, in one {@link Carrier#broadcastAll} call, transactions the caller is about to send
   * one by one and the interval has no receipt for; each answer becomes its receipt, which those
   * sends then read. Fewer than two are left to the caller's own send: one call either way. A
   * carrier that throws or answers out of shape is a node that could not be asked: every one of them
   * gets that answer, rather than a timeout each.
   */
  void sendAll(List<RawTransaction> transactions) {
    if (transactions.size() < 2) {
      return;
    }
    // Each fresh transaction claims its receipt's slot now and gets its answer after: one probe each.
    endReadAhead();
    sentThisInterval.ensureRoom(transactions.size());
    List<RawTransaction> fresh = new ArrayList<>(transactions.size());
    int n = transactions.size();
    Txid[] txids = new Txid[n];
    int[] hashes = new int[n];
    for (int k = 0; k < n; k++) {
      txids[k] = transactions.get(k).txid();
      hashes[k] = txids[k].hashCode();
    }
    int[] claimed = new int[n];
    sentThisInterval.claimAll(txids, hashes, n, claimed);
    int[] slots = new int[n];
    for (int k = 0; k < n; k++) {
      if (claimed[k] >= 0) {
        slots[fresh.size()] = claimed[k];
        fresh.add(transactions.get(k));
      }
    }
    if (fresh.isEmpty()) {
      return;
    }
    List<BroadcastResult> answers;
    try {
      sends++;
      answers = carrier.broadcastAll(fresh);
      if (answers == null || answers.size() != fresh.size()) {
        throw new IllegalStateException("carrier answered a batch of " + fresh.size() + " with "
            + (answers == null ? "null" : answers.size() + " results"));
      }
    } catch (RuntimeException e) {
      // One bad call must not cost the others their send: they go one by one, until the node itself
      // turns out to be unreachable (then the rest get that answer, not a timeout each).
      log.atWarn().addKeyValue("transactions", fresh.size()).addKeyValue("reason", e.toString())
          .log("carrier failed to broadcast a batch; sending one by one");
      BroadcastResult unavailable = null;
      for (RawTransaction t : fresh) {
        if (unavailable != null) {
          file(t.txid(), unavailable);
        } else if (send(t.txid(), t.bytes()) instanceof BroadcastResult.NodeUnavailable down) {
          unavailable = down;
        }
      }
      return;
    }
    if (aheadTxids.length < fresh.size()) {
      aheadTxids = new Txid[fresh.size()];
      aheadAnswers = new BroadcastResult[fresh.size()];
    }
    for (int i = 0; i < fresh.size(); i++) {
      BroadcastResult answer = Objects.requireNonNullElseGet(answers.get(i),
          () -> new BroadcastResult.NodeUnavailable("carrier returned null"));
      sentThisInterval.fill(slots[i], answer);
      aheadTxids[i] = fresh.get(i).txid();
      aheadAnswers[i] = answer;
    }
    aheadCount = fresh.size();
  }

  /**
   * Sends a penalty, and reads bitcoind's ambiguous "inputs missing or spent" (-25) the way it must
   * be read: the dispute may simply not have reached this node yet (a node a block behind the
   * watcher, a dispute evicted or sent back by a reorg). The raw dispute, when known, goes in with
   * the penalty as a package (also when the penalty is refused for fee, so that it pays for its
   * parent, which helps only while the dispute is unconfirmed); the refusal is final only when the
   * node holds the dispute confirmed, so the dispute's output was spent by another confirmed
   * transaction. Otherwise it is a refusal for now, and the breach stays pending.
   *
   * @param disputeHeight the height the dispute is confirmed at, or -1
   * @param disputeSeenIn the dispute's block when the caller knows it, else null: then the block at
   *     {@code disputeHeight} in the window, looked up only in the rare case it is needed
   * @param lines the calling step's count of per-penalty lines (a reorganisation can send thousands
   *     of penalties with their disputes)
   */
  BroadcastResult sendPenalty(Txid txid, byte[] raw, Txid disputeTxid, byte @Nullable [] rawDispute, int disputeHeight,
      @Nullable BlockHash disputeSeenIn, BlockLines lines) {
    boolean disputeConfirmed = disputeHeight >= 0;
    BroadcastResult result = send(txid, raw);
    boolean missing = missingOrSpent(result);
    if (rawDispute != null && (missing || !disputeConfirmed && Escalation.refusedForFee(result))) {
      // The penalty pays for its parent: a dispute the node lacks, or one below its minimum feerate
      // (a low-fee commitment evicted), goes in with the penalty as one package.
      BroadcastResult packaged = sendWithParent(txid, raw, disputeTxid, rawDispute, lines);
      if (packaged != null) {
        result = packaged;
        missing = missingOrSpent(result);
      }
    }
    if (!missing) {
      return result;
    }
    Optional<BlockHash> disputeBlock = disputeSeenIn != null ? Optional.of(disputeSeenIn) : disputeBlockAt(disputeHeight);
    if (status(disputeTxid, disputeBlock) instanceof TxStatus.Confirmed) {
      return result;
    }
    BroadcastResult.Rejected r = (BroadcastResult.Rejected) result;
    BroadcastResult forNow = new BroadcastResult.RejectedForNow(r.code(), r.message());
    file(txid, forNow);
    lines.line(log, BlockLines.Kind.AWAITING_DISPUTE).addKeyValue("penaltyTxid", txid).addKeyValue("disputeTxid", disputeTxid)
        .log("penalty's inputs missing and its dispute not confirmed on the node: kept pending until the dispute arrives");
    return forNow;
  }

  /**
   * Sends {@code [dispute, penalty]} as one package; returns the penalty's answer, or null when the
   * carrier could not be asked (it threw, or answered out of shape).
   */
  private @Nullable BroadcastResult sendWithParent(Txid txid, byte[] raw, Txid disputeTxid, byte[] rawDispute,
      BlockLines lines) {
    TransactionPackage pkg;
    try {
      pkg = TransactionPackage.of(RawTransaction.trusted(disputeTxid, rawDispute), RawTransaction.trusted(txid, raw));
    } catch (InvalidInputException e) {
      return null; // the penalty does not spend the dispute: no package to make
    }
    PackageResult answer = sendPackage(pkg);
    if (answer == null) {
      return null;
    }
    BroadcastResult dispute = answer.results().get(0);
    BroadcastResult penalty = answer.results().get(1);
    lines.line(log, BlockLines.Kind.SENT_WITH_DISPUTE).addKeyValue("penaltyTxid", txid).addKeyValue("disputeTxid", disputeTxid)
        .addKeyValue("dispute", dispute).addKeyValue("penalty", penalty).log("dispute and penalty sent as a package");
    return penalty;
  }

  /**
   * Sends a package; every member's answer becomes this interval's receipt. Null when the carrier
   * could not be asked (it threw, or answered out of shape): nothing was learnt.
   */
  @Nullable PackageResult sendPackage(TransactionPackage pkg) {
    PackageResult answer;
    try {
      sends++;
      answer = carrier.broadcastPackage(pkg);
      if (answer == null || answer.results().size() != pkg.size()) {
        throw new IllegalStateException("carrier answered a package of " + pkg.size() + " with "
            + (answer == null ? "null" : answer.results().size() + " results"));
      }
    } catch (RuntimeException e) {
      log.atWarn().addKeyValue("childTxid", pkg.child().txid()).addKeyValue("reason", e.toString())
          .log("carrier failed to send a package");
      return null;
    }
    for (int i = 0; i < pkg.size(); i++) {
      file(pkg.transactions().get(i).txid(), answer.results().get(i));
    }
    return answer;
  }

  private static boolean missingOrSpent(BroadcastResult r) {
    return r instanceof BroadcastResult.Rejected rejected && rejected.code() == BroadcastResult.Rejected.INPUTS_MISSING_OR_SPENT;
  }

  TxStatus status(Txid txid, Optional<BlockHash> hint) {
    try {
      return Objects.requireNonNull(carrier.status(txid, hint), "carrier returned null");
    } catch (RuntimeException e) {
      return new TxStatus.Unknown("carrier threw " + e.getClass().getSimpleName());
    }
  }

  /**
   * Asks about several transactions in one {@link Carrier#statusAll} call. A carrier that throws or
   * answers out of shape is a node that could not be asked: every query gets {@code Unknown}; a null
   * element is {@code Unknown} for its query alone.
   */
  List<TxStatus> statusAll(List<StatusQuery> queries) {
    if (queries.isEmpty()) {
      return List.of();
    }
    List<TxStatus> answers;
    try {
      answers = carrier.statusAll(queries);
    } catch (RuntimeException e) {
      log.atWarn().addKeyValue("queries", queries.size()).addKeyValue("reason", e.toString())
          .log("carrier failed to answer a batch of status lookups");
      return Collections.nCopies(queries.size(), new TxStatus.Unknown("carrier threw " + e.getClass().getSimpleName()));
    }
    if (answers == null || answers.size() != queries.size()) {
      log.atWarn().addKeyValue("queries", queries.size()).addKeyValue("answers", answers == null ? "null" : answers.size())
          .log("carrier answered a batch of status lookups out of shape");
      return Collections.nCopies(queries.size(), new TxStatus.Unknown("carrier answered out of shape"));
    }
    List<TxStatus> checked = new ArrayList<>(answers.size());
    for (TxStatus a : answers) {
      checked.add(a != null ? a : new TxStatus.Unknown("carrier returned null"));
    }
    return checked;
  }

  // ---------------------------------------------------------------------------------------------
  // Raw transactions, which stay in the store

  /** One of the group's trackers, read from the store (raw transactions are not kept in memory). */
  Optional<TransactionTracker> anyMember(PenaltyGroup g) {
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

  /**
   * {@link #anyMember} of each group, read in one store call: {@code out} gets one element per group,
   * in order, null where the store has no member (logged as {@code anyMember} logs it).
   */
  void anyMembers(List<PenaltyGroup> groups, List<@Nullable TransactionTracker> out) {
    List<UUID> firsts = new ArrayList<>(groups.size());
    for (PenaltyGroup g : groups) {
      firsts.add(g.uuid(0));
    }
    anyMembers(groups, firsts, out);
  }

  /**
   * {@link #anyMembers(List, List)} with each group's first uuid already read ({@code firsts}, in the
   * same order): a storm reads it while it has the group in hand, rather than come back for it.
   */
  void anyMembers(List<PenaltyGroup> groups, List<UUID> firsts, List<@Nullable TransactionTracker> out) {
    List<@Nullable TransactionTracker> found = store.findAll(firsts);
    if (found == null || found.size() != groups.size()) {
      throw new IllegalStateException("store answered a read of " + groups.size() + " trackers with "
          + (found == null ? "null" : found.size() + " results"));
    }
    for (int i = 0; i < groups.size(); i++) {
      TransactionTracker t = found.get(i);
      // The first member gone from the store (it should not be): the others are asked one by one.
      out.add(t != null ? t : anyMember(groups.get(i)).orElse(null));
    }
  }

  /** The raw dispute of some member, or null; {@code first} is a member already read. */
  byte @Nullable [] rawDisputeOf(PenaltyGroup g, TransactionTracker first) {
    return first.disputeRawTxUnsafe() != null ? first.disputeRawTxUnsafe() : rawDisputeOf(g);
  }

  /** The raw dispute of some member, read from the store; null when no member was handed one. */
  byte @Nullable [] rawDisputeOf(PenaltyGroup g) {
    if (!g.hasRawDispute()) {
      return null;
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
  Optional<BlockHash> disputeBlock(PenaltyGroup g) {
    return disputeBlockAt(g.disputeHeight());
  }

  private Optional<BlockHash> disputeBlockAt(int disputeHeight) {
    return disputeHeight >= 0 ? Optional.ofNullable(window.hashAt(disputeHeight)) : Optional.empty();
  }

  // ---------------------------------------------------------------------------------------------
  // Blocks

  Block fetchBlock(BlockHash hash, int expectedHeight) {
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

  /**
   * The node's block at {@code height}. Not the Responder's window: while it follows a reorganisation
   * block by block, its window still holds the old branch, and a confirmation looked for there would
   * be missed (and a penalty wrongly found "deeper than the blocks read").
   */
  private @Nullable BlockHash nodeHashAt(int height) {
    return blockSource.blockHashAt(height).orElse(null);
  }

  /** The lowest of the node's last blocks a search reads: the irrevocable depth of them. */
  private int recentFrom(BlockRef nodeTip) {
    return Math.max(0, nodeTip.height() - config.irrevocableDepth() + 1);
  }

  /**
   * The block holding {@code txid} among the node's blocks from its tip {@code nodeTip} down to
   * {@code lowest}, or null. With {@code read}, the blocks this interval has not read yet are read,
   * and a chain that moves under the search ends it at the node's tip (late, never early); without,
   * only the blocks read already are looked at.
   */
  private @Nullable BlockRef searchDown(Txid txid, BlockRef nodeTip, int lowest, boolean read) {
    for (int h = nodeTip.height(); h >= lowest; h--) {
      BlockHash hash = h == nodeTip.height() ? nodeTip.hash() : read ? searchHashAt(h) : searchHashes.get(h);
      if (hash == null) {
        if (read) {
          return nodeTip;
        }
        continue;
      }
      Set<Txid> txids = read ? searchTxidsOf(hash, h) : searchTxids.get(hash);
      if (txids != null && txids.contains(txid)) {
        return new BlockRef(hash, h);
      }
    }
    return null;
  }

  /** The node's block at {@code height}, below the search's tip, read once per interval and tip. */
  private @Nullable BlockHash searchHashAt(int height) {
    BlockHash known = searchHashes.get(height);
    if (known != null) {
      return known;
    }
    BlockHash hash = nodeHashAt(height);
    if (hash != null) {
      searchHashes.put(height, hash);
    }
    return hash;
  }

  /** The txids of the node's block {@code hash}, read once per interval. */
  private Set<Txid> searchTxidsOf(BlockHash hash, int height) {
    Set<Txid> known = searchTxids.get(hash);
    if (known != null) {
      return known;
    }
    if (searchTxids.size() > 4 * config.irrevocableDepth()) {
      searchTxids.clear(); // a search reads at most the irrevocable depth of blocks: tips that moved on
    }
    Set<Txid> txids = new HashSet<>(fetchBlock(hash, height).txids());
    searchTxids.put(hash, txids);
    return txids;
  }

  /**
   * Finds the block that confirmed a penalty the node reported as already confirmed: from the
   * confirmation count when the carrier gave one, else from the node's blocks already read by this
   * interval's searches, else from the carrier's status lookup, else by reading the node's last
   * blocks since the dispute (at most the irrevocable depth of them).
   *
   * <p>Every answer errs late, never early. Counts are relative to the node's tip, so without it
   * (the block source failing while the carrier works) a count is useless. A penalty not in the
   * node's last irrevocable-depth blocks whose dispute is known to be older than them is deeper than
   * that: it is placed just below the blocks read, which completes it at the next block. When
   * nothing better is known the node's tip is assumed; when not even that is known, the location is
   * unknown (empty) and must be learnt again later.
   */
  Optional<BlockRef> locateConfirmation(Txid txid, OptionalInt confirmations, int disputeHeight) {
    // The node's answers are relative to its own best block, ahead of the Responder's tip (counting
    // from ours would put the confirmation too low and complete the tracker early) or below it (a
    // node rolled back: the Responder's tip is on blocks it dropped, and a confirmation placed there
    // would name a block that does not hold the penalty: reliability simulation, seed 89252).
    BlockRef nodeTip = null;
    try {
      nodeTip = nodeTipAfterSends();
    } catch (RuntimeException e) {
      log.atDebug().addKeyValue("reason", e.toString()).log("best block unknown: a confirmation count cannot be placed");
    }
    try {
      if (nodeTip != null && confirmations.isPresent()) {
        int height = Math.max(0, nodeTip.height() - confirmations.getAsInt() + 1);
        BlockHash hash = height == nodeTip.height() ? nodeTip.hash() : searchHashAt(height);
        if (hash != null) {
          return Optional.of(new BlockRef(hash, height));
        }
      }
      // The blocks this interval's searches have read already answer at no cost: a catch-up finds
      // its penalties in the same few blocks, and the status lookup below reads a whole block of
      // its own on a node without -txindex.
      int lowest = nodeTip == null ? 0 : Math.max(recentFrom(nodeTip), Math.max(disputeHeight, 0));
      BlockRef read = nodeTip == null || searchTxids.isEmpty() ? null : searchDown(txid, nodeTip, lowest, false);
      if (read != null) {
        return Optional.of(read);
      }
      Optional<BlockHash> hint = disputeHeight >= 0 ? Optional.ofNullable(window.hashAt(disputeHeight)) : Optional.empty();
      if (status(txid, hint) instanceof TxStatus.Confirmed c) {
        // Possibly above the Responder's tip: the block step checks the block when its height arrives.
        return Optional.of(c.block());
      }
      if (nodeTip == null) {
        return Optional.empty();
      }
      // From the tip down: a penalty found already confirmed during a catch-up was mined in blocks
      // the Responder has not connected yet, near the node's tip.
      BlockRef found = searchDown(txid, nodeTip, lowest, true);
      if (found != null) {
        return Optional.of(found);
      }
      int recent = recentFrom(nodeTip);
      if (disputeHeight >= 0 && disputeHeight < recent) {
        BlockHash below = searchHashAt(recent - 1);
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
}
