package io.responder.core;

import io.responder.core.internal.PenaltyGroup;
import io.responder.core.internal.RecentBlocks;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * B3 and B4: keeps the Responder on the node's best chain. A block that extends the tip is connected
 * by the {@link BlockStep}; a gap is filled by height; anything else is walked back by hash to the
 * fork point in the remembered window, the Responder's blocks above it are disconnected (newest
 * first, as one commit) and the new branch connected block by block. A reorganisation deeper than the
 * window unconfirms everything above the window's bottom and re-learns it from the node.
 *
 * <p>Confined to the Responder's lock.
 */
final class ChainFollower {
  private static final Logger log = LoggerFactory.getLogger(Responder.class);

  private final TrackerBook book;
  private final NodeLink node;
  private final Ledger ledger;
  private final RecentBlocks window;
  private final BlockStep steps;
  private final Escalation escalation;
  /** The last block ignored for being below the window, so a poller repeating it is logged once. */
  private @Nullable BlockHash lastIgnoredBelowWindow;

  ChainFollower(TrackerBook book, NodeLink node, Ledger ledger, RecentBlocks window, BlockStep steps,
      Escalation escalation) {
    this.book = book;
    this.node = node;
    this.ledger = ledger;
    this.window = window;
    this.steps = steps;
    this.escalation = escalation;
  }

  /** B4.2: catches up with the block source's best block. */
  void syncToBest() {
    BlockRef best = node.blockSource().bestBlock();
    if (window.contains(best)) {
      return;
    }
    follow(node.fetchBlock(best.hash(), best.height()));
  }

  /** B3.1: takes the Responder to {@code target}, through gaps and reorganisations. */
  void follow(Block target) {
    if (window.contains(target.ref())) {
      return; // already processed
    }
    // After a restart the window holds only the tip: it is filled back from the node before a block
    // below it is called stale, or the first blocks of a reorganisation to a branch not yet longer
    // than the tip would be ignored (found by the fee simulation, seed 136282). Once per start at most:
    // a full window is not extended.
    while (target.height() < window.bottomHeight() && extendWindowBackwards()) {
      // one block further back each time
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
      steps.connect(target);
      return;
    }
    connectGapOnBestChain(target);
    if (window.contains(target.ref())) {
      return;
    }
    if (extendsTip(target)) {
      steps.connect(target);
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
      Block b = node.fetchBlock(parent.hash(), parent.height());
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
      Block b = i == 0 ? target : node.fetchBlock(ref.hash(), ref.height());
      if (!extendsTip(b)) {
        throw new BlockSourceException("block source answered inconsistently: block " + b.hash() + " at height "
            + b.height() + " does not extend " + window.tip().hash(), false);
      }
      steps.connect(b);
    }
  }

  /** B3.5: the host reports {@code block} and everything above it disconnected. */
  void disconnected(BlockRef block) {
    if (!window.contains(block)) {
      log.atDebug().addKeyValue("block", block.hash()).addKeyValue("height", block.height())
          .log("disconnection of a block not on the responder's chain ignored");
      return;
    }
    BlockHash parent = window.hashAt(block.height() - 1);
    if (parent == null) {
      parent = node.fetchBlock(block.hash(), block.height()).previousHash();
    }
    disconnectTo(new BlockRef(parent, block.height() - 1), false);
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
    BlockSource source = node.blockSource();
    Optional<BlockHash> atTip = source.blockHashAt(tip.height());
    if (atTip.isEmpty() || !atTip.get().equals(tip.hash())) {
      return;
    }
    for (int h = tip.height() + 1; h < target.height(); h++) {
      Optional<BlockHash> hash = source.blockHashAt(h);
      if (hash.isEmpty()) {
        return;
      }
      Block b = node.fetchBlock(hash.get(), h);
      if (!extendsTip(b)) {
        return; // the node reorganised under us; the general path takes over
      }
      steps.connect(b);
    }
  }

  private boolean extendWindowBackwards() {
    if (window.isFull() || window.bottomHeight() == 0) {
      return false;
    }
    int bottom = window.bottomHeight();
    try {
      Block oldest = node.fetchBlock(window.hashAt(bottom), bottom);
      return window.prepend(oldest.previousHash());
    } catch (BlockSourceException e) {
      if (e.isTransient()) {
        throw e;
      }
      return false; // the node no longer has our old branch: treat as deeper than the window
    }
  }

  /**
   * B3.2: takes the blocks above {@code fork} off the chain, newest first. Penalties they confirmed
   * become unconfirmed, in-mempool counts restart from the fork, and what the disconnection touched
   * is sent again, the dispute first where its block was disconnected. Committed as one unit; a
   * failure inside leaves it undone (the state reloads).
   */
  private void disconnectTo(BlockRef fork, boolean beyondWindow) {
    ledger.guarded(() -> disconnectUnguarded(fork, beyondWindow));
  }

  private void disconnectUnguarded(BlockRef fork, boolean beyondWindow) {
    // What the node answered before the disconnection no longer holds (a penalty it called confirmed
    // is back in its mempool, or lost): this starts a new interval, as a connected block does.
    node.newInterval();
    int oldTip = window.size() == 0 ? fork.height() : window.tip().height();
    List<BlockRef> removed = window.popAbove(fork.height());
    if (window.size() == 0 || !window.contains(fork)) {
      window.reset(fork);
    }
    ChangeSet ch = new ChangeSet();
    TrackerStatus.InMempool back = new TrackerStatus.InMempool(fork.height());
    Map<PenaltyGroup, Boolean> affected = new LinkedHashMap<>(); // value: whether its dispute was disconnected

    // In-mempool penalties broadcast above the fork count their missed blocks from the fork again.
    for (PenaltyGroup g : book.rebroadcastsDueAbove(fork.height())) {
      if (g.isLive() && g.state() == TrackerState.IN_MEMPOOL) {
        book.countMissedFrom(g, back, oldTip, ch);
      }
    }
    for (PenaltyGroup g : book.confirmationsAbove(fork.height())) {
      if (g.isLive() && book.status(g) instanceof TrackerStatus.Confirmed c && c.block().height() > fork.height()) {
        book.unconfirm(g, back, ch);
        affected.putIfAbsent(g, false);
      }
    }
    for (PenaltyGroup g : book.disputesAbove(fork.height())) {
      if (g.isLive() && g.disputeHeight() > fork.height()) {
        affected.put(g, true);
      }
    }
    if (!removed.isEmpty()) {
      // A dispute whose height is not known (learnt only in memory before a restart, or never seen
      // confirmed) may have been in any block taken off: it is sent again too. Usually none.
      for (PenaltyGroup g : book.groupsAwaitingDispute()) {
        affected.put(g, true);
      }
    }
    if (beyondWindow) {
      // The fork found is only where the remembered window ends, not a block both branches share: a
      // confirmation at or below it may be in a block the new branch does not have, and the new branch
      // may have confirmed penalties in blocks below it, which the Responder will never connect. Every
      // penalty not confirmed in the fork block itself is treated as unconfirmed and sent again, so the
      // node's answer says where it stands.
      for (PenaltyGroup g : book.groups()) {
        if (book.status(g) instanceof TrackerStatus.Confirmed c) {
          if (c.block().equals(fork) || c.block().height() > fork.height()) {
            continue; // in the fork block, or above it and already unconfirmed by the loop above
          }
          book.unconfirm(g, back, ch);
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

    List<PenaltyGroup> groups = new ArrayList<>(affected.keySet());
    int batchSize = node.findAllBatch();
    for (int from = 0; from < groups.size(); from += batchSize) {
      sendBack(groups.subList(from, Math.min(groups.size(), from + batchSize)), affected, fork, ch);
    }
    ledger.commit(ch, Optional.of(fork));
    ch.lines().summarize(log, "penalties sent back after a reorganisation", fork);
  }

  /**
   * Gives the node back the affected penalties of one batch: the disputes that were disconnected
   * first, then the penalties, unconfirmed again or pending. One store read for the batch's members,
   * one carrier batch of disputes and one of penalties (whose answers the per-penalty sends then
   * read as receipts), instead of up to two store reads and two round trips per penalty: a
   * reorganisation deeper than the window touches every penalty, and a block of many disputes many.
   */
  private void sendBack(List<PenaltyGroup> batch, Map<PenaltyGroup, Boolean> affected, BlockRef fork, ChangeSet ch) {
    List<PenaltyGroup> live = new ArrayList<>(batch.size());
    for (PenaltyGroup g : batch) {
      if (g.isLive()) {
        live.add(g);
      }
    }
    List<@Nullable TransactionTracker> members = new ArrayList<>(live.size());
    node.anyMembers(live, members);
    byte[][] rawDisputes = new byte[live.size()][];
    List<RawTransaction> disputes = new ArrayList<>();
    for (int i = 0; i < live.size(); i++) {
      TransactionTracker member = members.get(i);
      if (affected.get(live.get(i)) && member != null) {
        rawDisputes[i] = node.rawDisputeOf(live.get(i), member);
        if (rawDisputes[i] != null) {
          disputes.add(RawTransaction.trusted(member.disputeTxid(), rawDisputes[i]));
        }
      }
    }
    node.sendAll(disputes);
    List<PenaltyGroup> resending = new ArrayList<>(live.size());
    List<@Nullable TransactionTracker> theirMembers = new ArrayList<>(live.size());
    for (int i = 0; i < live.size(); i++) {
      PenaltyGroup g = live.get(i);
      TransactionTracker member = members.get(i);
      if (affected.get(g)) {
        disputeDisconnected(g, member, rawDisputes[i], ch.lines());
      }
      escalation.reconsider(g, fork.height()); // unconfirmed again, or its deadline unknown
      if (member != null && (g.state() == TrackerState.PENDING || g.state() == TrackerState.IN_MEMPOOL)) {
        resending.add(g);
        theirMembers.add(member);
      }
    }
    steps.sendAhead(resending, theirMembers, fork.height());
    for (int i = 0; i < resending.size(); i++) {
      PenaltyGroup g = resending.get(i);
      if (g.state() == TrackerState.PENDING) {
        steps.retryPending(g, theirMembers.get(i), fork.height(), ch);
      } else if (g.state() == TrackerState.IN_MEMPOOL) {
        steps.resend(g, theirMembers.get(i), fork.height(), ch, ResendReason.REORGANISED);
      }
    }
  }

  /**
   * The block of a penalty's dispute was disconnected: its height is unknown until a connected block
   * holds it again (so that a second reorganisation re-sends it too), and the raw dispute, when the
   * store has it, goes to the node before the penalty (sent already with its batch: the send reads
   * the receipt).
   */
  private void disputeDisconnected(PenaltyGroup g, @Nullable TransactionTracker member, byte @Nullable [] rawDispute,
      BlockLines lines) {
    if (member == null) {
      g.setDisputeHeight(-1);
      return;
    }
    Txid disputeTxid = member.disputeTxid();
    book.forgetDisputeHeight(g, disputeTxid);
    if (rawDispute != null) {
      BroadcastResult r = node.send(disputeTxid, rawDispute);
      lines.line(log, BlockLines.Kind.DISPUTE_RESENT).addKeyValue("disputeTxid", disputeTxid).addKeyValue("penaltyTxid", g.txid())
          .addKeyValue("result", r).log("dispute disconnected: re-sent before its penalty");
    }
  }
}
